#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/frag_fuzz.c: fragment streams in its
6-byte record format (see the harness's opening comment).

    python3 fuzz/make-frag-corpus.py       # into fuzz/corpus/frag_fuzz/

Python standard library only; the output is the same on every run.
"""
import os
import random

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "frag_fuzz")

NXT = {253: 0, 58: 1, 17: 2, 60: 3}


def rec(ident, off, length, more, src=0, dst=False, nxt=253, secs=None, fail=None,
        pattern=0, icmp_type=0):
    """One fragment: off and length in bytes (off a multiple of 8)."""
    assert off % 8 == 0
    b0 = ident & 3 | src << 2 | (8 if dst else 0) | NXT[nxt] << 4
    b5 = icmp_type
    if secs is not None:
        b0 |= 0x40
        b5 = secs
    if fail is not None:
        b0 |= 0x80
        b5 = (b5 & ~3) | fail
    units = off // 8
    return bytes([b0, units & 0xFF, (units >> 8) & 0x1F | (0x80 if more else 0),
                  length // 8, (length % 8) | pattern << 3, b5])


def cut(ident, total, per, **kw):
    out = []
    for off in range(0, total, per):
        n = min(per, total - off)
        out.append(rec(ident, off, n, off + n < total, **kw))
    return out


def seeds():
    s = {}
    s["in_order"] = b"".join(cut(0, 3000, 1448))
    s["reversed"] = b"".join(reversed(cut(1, 3000, 1000)))
    pieces = cut(2, 20000, 1448)
    random.Random(7).shuffle(pieces)
    s["shuffled"] = b"".join(pieces)
    s["duplicated"] = b"".join(p + p for p in cut(3, 3000, 1000))
    s["overlap"] = rec(0, 0, 16, True) + rec(0, 8, 16, False) + rec(0, 16, 8, False)
    s["missing_middle_timeout"] = (rec(0, 0, 1000, True) + rec(0, 2000, 500, False) +
                                   rec(1, 0, 8, True, secs=61))
    s["bad_length"] = rec(0, 0, 12, True)
    s["past_65535"] = rec(0, 65528, 16, False)
    s["first_without_udp_header"] = rec(0, 0, 8, True, dst=True, nxt=60)
    s["nd_in_fragments"] = rec(0, 0, 32, True, nxt=58, icmp_type=1) + rec(0, 32, 32, False, nxt=58)
    s["many_datagrams_evict"] = b"".join(rec(i % 4, 0, 8, True, src=i // 4) for i in range(8))
    s["too_many_fragments"] = b"".join(rec(0, off, 8, True) for off in range(0, 8 * 14, 8))
    s["memory_limit"] = b"".join(cut(1, 30000, 1448))
    s["pool_failure_on_completion"] = (rec(0, 0, 1448, True) +
                                       rec(0, 1448, 100, False, fail=1))
    s["unfrag_dest_options"] = b"".join(cut(2, 3000, 1448, dst=True))
    return s


def main():
    os.makedirs(HERE, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    print("%s: %d files" % (HERE, len(seeds())))


if __name__ == "__main__":
    main()
