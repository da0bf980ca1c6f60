#!/usr/bin/env bash
# IPsec between sixstack and the Linux kernel's XFRM: a TAP device in a
# network namespace, `ip xfrm state`/`ip xfrm policy` on Linux's side,
# sixstack-host -k with the same SAs in setkey syntax on the other.
#
# For each of AES-GCM-16, ChaCha20-Poly1305, AES-CBC with
# HMAC-SHA-256-128 (with extended sequence numbers), NULL with
# HMAC-SHA-256-128, AES-GCM-16 in tunnel mode, and AH with
# HMAC-SHA-256-128: Linux pings sixstack
# and sends it UDP datagrams its echo port returns, every packet both
# ways in ESP or AH (Linux's inbound policies refuse anything in the clear);
# with AES-GCM also 3000-byte datagrams (fragments after ESP, both ways),
# sixstack pinging Linux, an ESP packet replayed and one tampered with
# (sixstack drops and counts each), 200 KB of TCP echoed by sixstack under
# ESP with no segment in the clear and none fragmented (its MSS leaves room
# for ESP), and, with a policy that requires ESP
# but no SA, a UDP sender on sixstack whose sends fail and nothing in the
# clear on the link, and the same with a socket at IPV6_ESP_TRANS_LEVEL
# require (sixstack-host -e) and no policy at all. Neither ICMPv6 ND nor anything else is protected:
# the policies name UDP and echo request and reply only.
#
# This machine's kernel has no IPv6 ESP and no AEAD: the Linux part runs
# in a User-mode Linux guest (uml-lib.bash) when the host cannot, on the
# host when it can. One guest boot runs every case (about 30 s).
# And IPComp with DEFLATE: 3000-byte UDP datagrams compressed both ways.
# Usage: netns_ipsec.sh BUILD_DIR SOURCE_DIR
#        netns_ipsec.sh --part OUT_DIR BUILD_DIR SOURCE_DIR [CASES]
set -u
. "$(dirname "$0")/uml-lib.bash"

L=2001:db8:6::1   # Linux
S=2001:db8:6::2   # sixstack

# Keys: each direction its own (a GCM key and salt must never see the
# same sequence numbers twice).
K20_LS=0x0102030405060708090a0b0c0d0e0f1011121314
K20_SL=0x2122232425262728292a2b2c2d2e2f3031323334
K36_LS=0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263
K36_SL=0x606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283
K16_LS=0x808182838485868788898a8b8c8d8e8f
K16_SL=0xa0a1a2a3a4a5a6a7a8a9aaabacadaeaf
A32_LS=0xc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf
A32_SL=0xe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff

# A case's algorithm with its keys ($2 encryption, $3 integrity), as
# `ip xfrm state` takes it, into the array la.
alg_linux() {
  case $1 in
  gcm|tunnel) la=(aead 'rfc4106(gcm(aes))' "$2" 128) ;;
  chacha) la=(aead 'rfc7539esp(chacha20,poly1305)' "$2" 128) ;;
  cbc) la=(enc 'cbc(aes)' "$2" auth-trunc 'hmac(sha256)' "$3" 128) ;;
  null) la=(enc 'ecb(cipher_null)' "" auth-trunc 'hmac(sha256)' "$3" 128) ;;
  ah) la=(auth-trunc 'hmac(sha256)' "$3" 128) ;;
  esac
}
proto_of() { [ "$1" = ah ] && echo ah || echo esp; }
alg_setkey() {
  case $1 in
  gcm|tunnel) echo "-E aes-gcm-16 $2" ;;
  chacha) echo "-E chacha20-poly1305 $2" ;;
  cbc) echo "-E aes-cbc $2 -A hmac-sha256 $3" ;;
  null) echo "-E null -A hmac-sha256 $3" ;;
  ah) echo "-A hmac-sha256 $3" ;;
  esac
}
keys() {   # case direction(LS|SL) -> enc key, auth key
  case $1 in
  gcm|tunnel) eval "echo \$K20_$2 -" ;;
  chacha) eval "echo \$K36_$2 -" ;;
  cbc) eval "echo \$K16_$2 \$A32_$2" ;;
  null|ah) eval "echo - \$A32_$2" ;;
  esac
}

# Linux's states and policies for a case ($1), in mode $2.
linux_xfrm() {
  local c=$1 mode=$2 esn=() tmpl_out tmpl_in kls als ksl asl la p
  p=$(proto_of "$c")
  [ "$c" = cbc ] && esn=(flag esn)
  read -r kls als <<<"$(keys "$c" LS)"
  read -r ksl asl <<<"$(keys "$c" SL)"
  in_ns ip xfrm state flush
  in_ns ip xfrm policy flush
  alg_linux "$c" "$kls" "$als"
  in_ns ip xfrm state add src $L dst $S proto "$p" spi 0x1001 mode "$mode" reqid 1 \
    replay-window 32 "${esn[@]}" "${la[@]}" || return 1
  alg_linux "$c" "$ksl" "$asl"
  in_ns ip xfrm state add src $S dst $L proto "$p" spi 0x2002 mode "$mode" reqid 2 \
    replay-window 32 "${esn[@]}" "${la[@]}" || return 1
  tmpl_out="tmpl src $L dst $S proto $p mode $mode reqid 1 level required"
  tmpl_in="tmpl src $S dst $L proto $p mode $mode reqid 2 level required"
  for up in "proto udp" "proto tcp" "proto ipv6-icmp type 128" "proto ipv6-icmp type 129"; do
    in_ns ip xfrm policy add src $L/128 dst $S/128 $up dir out $tmpl_out || return 1
    in_ns ip xfrm policy add src $S/128 dst $L/128 $up dir in $tmpl_in || return 1
  done
}

# sixstack's side of the same, in setkey syntax, to $tmp/$1.conf.
sixstack_keys() {
  local c=$1 mode=$2 esn="" out in kls als ksl asl p
  p=$(proto_of "$c")
  [ "$c" = cbc ] && esn="-esn"
  read -r kls als <<<"$(keys "$c" LS)"
  read -r ksl asl <<<"$(keys "$c" SL)"
  out="$p/$mode//require" in="$p/$mode//require"
  if [ "$mode" = tunnel ]; then out="$p/tunnel/$S-$L/require" in="$p/tunnel/$L-$S/require"; fi
  {
    echo "add $L $S $p 0x1001 -m $mode -r 4 $esn $(alg_setkey "$c" "$kls" "$als");"
    echo "add $S $L $p 0x2002 -m $mode -r 4 $esn $(alg_setkey "$c" "$ksl" "$asl");"
    for up in udp tcp "icmp6 128" "icmp6 129"; do
      echo "spdadd $S $L $up -P out ipsec $out;"
      echo "spdadd $L $S $up -P in ipsec $in;"
    done
  } >"$tmp/$c.conf"
}

# tcpdump in the namespace, writing each packet as it comes, once it
# says it listens.
capture() {   # FILE FILTER...
  local file=$1
  shift
  in_ns tcpdump -U -i "$dev" -w "$file" "$@" 2>"$file.err" &
  bgpids="$bgpids $!"
  for _ in $(seq 100); do
    grep -q "listening on" "$file.err" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "tcpdump did not start"
}

# A case failed: sixstack-host stops first, so its counters are shown.
case_fail() {
  [ -n "$pid" ] && kill -INT "$pid" && wait "$pid"
  pid=
  fail "$@"
}

run_case() {
  local c=$1 mode=transport n
  [ "$c" = tunnel ] && mode=tunnel
  linux_xfrm "$c" "$mode" || fail "$c: ip xfrm refused the states or policies"
  sixstack_keys "$c" "$mode"
  start_host -a $S/64 -u 7 -T 8 -k "$tmp/$c.conf"
  in_ns ping -6 -c 3 -i 0.2 -W 2 $S >"$tmp/$c-ping.out" || case_fail "$c: Linux's ping of sixstack"
  in_ns python3 "$srcdir/tests/interop/udp_peer.py" send $S 7 200 2 >"$tmp/$c-udp.out" ||
    case_fail "$c: UDP echo"
  if [ "$c" = gcm ]; then
    in_ns python3 "$srcdir/tests/interop/udp_peer.py" send $S 7 3000 1 >"$tmp/$c-frag.out" ||
      case_fail "$c: 3000-byte UDP echo (fragments)"
    capture "$tmp/esp.pcap" ip6 proto 50
    in_ns ping -6 -c 1 -W 2 $S >/dev/null || fail "$c: ping under capture"
    for _ in $(seq 30); do
      in_ns python3 "$srcdir/tests/interop/esp_inject.py" replay "$tmp/esp.pcap" "$dev" $L \
        >"$tmp/replay.out" && break
      sleep 0.1
    done
    grep -q sent "$tmp/replay.out" || fail "$c: nothing to replay"
    in_ns python3 "$srcdir/tests/interop/esp_inject.py" tamper "$tmp/esp.pcap" "$dev" $L ||
      fail "$c: nothing to tamper with"
    sleep 0.3
    # TCP under ESP: nothing in the clear, nothing in fragments.
    capture "$tmp/tcp-clear.pcap" ip6 proto 6 or ip6 proto 44
    in_ns python3 "$srcdir/tests/interop/tcp_peer.py" client $S 8 200000 >"$tmp/tcp.out" ||
      case_fail "$c: TCP echo under ESP ($(cat "$tmp/tcp.out"))"
    sleep 0.3
    n=$(in_ns tcpdump -r "$tmp/tcp-clear.pcap" 2>/dev/null | wc -l)
    [ "$n" -eq 0 ] || case_fail "$c: $n TCP segments in the clear or fragments during TCP"
  fi
  stop_host
  p=$(proto_of "$c")
  for k in ipsec_in_$p ipsec_out_$p; do
    n=$(counter $k)
    [ "$n" -ge 4 ] || fail "$c: $k is $n, want 4 or more"
  done
  for k in ipsec_in_no_sa ipsec_in_policy ipsec_in_bad_padding ipsec_out_no_sa; do
    [ "$(counter $k)" -eq 0 ] || fail "$c: $k is $(counter $k)"
  done
  if [ "$c" = gcm ]; then
    [ "$(counter ipsec_in_replay)" -ge 1 ] || fail "gcm: the replayed packet was not counted"
    [ "$(counter ipsec_in_auth_failed)" -eq 1 ] || fail "gcm: the tampered packet was not counted"
    [ "$(counter reass_ok)" -ge 1 ] || fail "gcm: no reassembly on sixstack's side"
    [ "$(counter tcp_in_segs)" -ge 100 ] || fail "gcm: TCP segments in: $(counter tcp_in_segs)"
    # sixstack pings Linux: requests and replies in ESP. A new run starts
    # its sequence numbers again: Linux's SAs are made anew too.
    linux_xfrm "$c" "$mode" || fail "$c: ip xfrm refused the states or policies"
    ip netns exec "$ns" "$host" -i "$dev" -S 7 -a $S/64 -k "$tmp/$c.conf" -p $L -c 2 \
      >"$tmp/$c-sixping.out" 2>"$tmp/$c-sixping.log" || fail "gcm: sixstack's ping of Linux"
    cp "$tmp/esp.pcap" "$out/esp.pcap"
    cp "$tmp/$c.conf" "$out/gcm.conf"
  else
    [ "$(counter ipsec_in_auth_failed)" -eq 0 ] || fail "$c: ICV failures"
  fi
  echo "case $c ($mode): ping and UDP both ways in $p; in $(counter ipsec_in_$p)," \
    "out $(counter ipsec_out_$p)"
}

# IPComp with DEFLATE both ways at level use: a 3000-byte datagram (that
# compresses) goes compressed both ways, short ones go as they are.
run_comp() {
  in_ns ip xfrm state flush
  in_ns ip xfrm policy flush
  in_ns ip xfrm state add src $L dst $S proto comp spi 0x300 mode transport comp deflate ||
    fail "comp: ip xfrm refused the states"
  in_ns ip xfrm state add src $S dst $L proto comp spi 0x301 mode transport comp deflate ||
    fail "comp: ip xfrm refused the states"
  in_ns ip xfrm policy add src $L/128 dst $S/128 proto udp dir out \
    tmpl src $L dst $S proto comp mode transport level use || fail "comp: policy"
  in_ns ip xfrm policy add src $S/128 dst $L/128 proto udp dir in \
    tmpl src $S dst $L proto comp mode transport level use || fail "comp: policy"
  {
    echo "add $L $S ipcomp 0x300 -C deflate;"
    echo "add $S $L ipcomp 0x301 -C deflate;"
    echo "spdadd $S $L udp -P out ipsec ipcomp/transport//use;"
    echo "spdadd $L $S udp -P in ipsec ipcomp/transport//use;"
  } >"$tmp/comp.conf"
  start_host -a $S/64 -u 7 -k "$tmp/comp.conf"
  in_ns python3 "$srcdir/tests/interop/udp_peer.py" send $S 7 3000 2 >"$tmp/comp-udp.out" ||
    case_fail "comp: 3000-byte UDP echo"
  in_ns python3 "$srcdir/tests/interop/udp_peer.py" send $S 7 20 1 >>"$tmp/comp-udp.out" ||
    case_fail "comp: 20-byte UDP echo"
  stop_host
  [ "$(counter ipsec_in_ipcomp)" -ge 2 ] || fail "comp: sixstack inflated $(counter ipsec_in_ipcomp)"
  [ "$(counter ipsec_out_ipcomp)" -ge 2 ] || fail "comp: sixstack compressed $(counter ipsec_out_ipcomp)"
  [ "$(counter ipsec_in_comp_failed)" -eq 0 ] || fail "comp: inflate failures"
  echo "case comp (transport): UDP both ways with IPComp; inflated $(counter ipsec_in_ipcomp)," \
    "compressed $(counter ipsec_out_ipcomp), sent as they were $(counter ipsec_out_ipcomp_skipped)"
}

# A policy that requires ESP, no SA: sends fail, nothing in the clear.
run_no_sa() {
  in_ns ip xfrm state flush
  in_ns ip xfrm policy flush
  echo "spdadd $S $L udp -P out ipsec esp/transport//require;" >"$tmp/nosa.conf"
  capture "$tmp/clear.pcap" udp
  ip netns exec "$ns" "$host" -i "$dev" -S 7 -a $S/64 -k "$tmp/nosa.conf" -U $L,9 -c 2 -W 0.5 \
    >"$tmp/nosa.out" 2>"$tmp/nosa.log" && fail "no SA: the UDP sender says it was answered"
  sleep 0.3
  grep -q "sendto: Resource temporarily unavailable" "$tmp/nosa.log" ||
    fail "no SA: the sends did not fail with EAGAIN"
  [ "$(counter ipsec_out_no_sa "$tmp/nosa.log")" -ge 2 ] || fail "no SA: not counted"
  n=$(tcpdump -r "$tmp/clear.pcap" 2>/dev/null | wc -l)
  [ "$n" -eq 0 ] || fail "no SA: $n UDP packets in the clear on the link"
  echo "case no SA: sends failed with EAGAIN, nothing on the link"
  # The same asked by the socket (IPV6_ESP_TRANS_LEVEL require), no policy.
  ip netns exec "$ns" "$host" -i "$dev" -S 7 -a $S/64 -e require -U $L,9 -c 2 -W 0.5 \
    >"$tmp/nosa2.out" 2>"$tmp/nosa2.log" && fail "no SA (socket): the sender says it was answered"
  sleep 0.3
  grep -q "sendto: Resource temporarily unavailable" "$tmp/nosa2.log" ||
    fail "no SA (socket): the sends did not fail with EAGAIN"
  n=$(tcpdump -r "$tmp/clear.pcap" 2>/dev/null | wc -l)
  [ "$n" -eq 0 ] || fail "no SA (socket): $n UDP packets in the clear on the link"
  echo "case no SA, socket at require: sends failed with EAGAIN, nothing on the link"
}

if [ "${1:-}" = --part ]; then
  out=$2
  srcdir=$(cd "$4" && pwd)
  . "$srcdir/tests/interop/netns-lib.bash"
  netns_init "$3" python3 tcpdump
  netns_up tap
  # The fifth argument picks some cases (all by default).
  for c in ${5:-gcm chacha cbc null tunnel ah comp}; do
    if [ "$c" = comp ]; then run_comp; else run_case $c; fi
  done
  run_no_sa
  echo "part done in $(uname -r)"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in ip python3 tcpdump; do
  command -v $t >/dev/null || { echo "SKIP: $t not found"; exit 77; }
done
[ -x "$1/tools/sixstack-host" ] || { echo "FAIL: $1/tools/sixstack-host not built"; exit 1; }
outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT
where=$(uml_where ip xfrm state add src ::1 dst ::1 proto esp spi 0x100 mode transport \
  aead 'rfc4106(gcm(aes))' $K20_LS 128)
echo "Linux's ESP: on the $where"
[ "$where" != none ] || { echo "SKIP: no IPv6 ESP on the host and no guest: $(uml_missing)"; exit 77; }
if [ "$where" = guest ] && [ -n "$(uml_build_unfit "$1")" ]; then
  echo "SKIP: $(uml_build_unfit "$1")"; exit 77
fi
# IPSEC_CASES="ah tunnel" runs only those (and the no-SA case).
uml_part "$where" "$0" --part "$outdir" "$(cd "$1" && pwd)" "$(cd "$2" && pwd)" \
  "${IPSEC_CASES:-}" >"$outdir/part.log" 2>&1
rc=$?
cat "$outdir/part.log"
[ "$rc" -eq 0 ] || { echo "FAIL: the Linux part exited $rc"; exit 1; }
grep -q "part done" "$outdir/part.log" || { echo "FAIL: no output back from the part"; exit 1; }
# tshark decrypts what Linux and sixstack exchanged with AES-GCM-16.
if command -v tshark >/dev/null && [ -e "$outdir/esp.pcap" ]; then
  n=$(tshark -r "$outdir/esp.pcap" -o esp.enable_encryption_decode:TRUE \
    -o esp.enable_authentication_check:TRUE \
    -o "uat:esp_sa:\"IPv6\",\"$L\",\"$S\",\"0x00001001\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"$K20_LS\",\"NULL\",\"\"" \
    -o "uat:esp_sa:\"IPv6\",\"$S\",\"$L\",\"0x00002002\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"$K20_SL\",\"NULL\",\"\"" \
    -Y 'icmpv6.type == 128 || icmpv6.type == 129' 2>/dev/null | wc -l)
  bad=$(tshark -r "$outdir/esp.pcap" -Y '_ws.malformed' 2>/dev/null | wc -l)
  echo "tshark: $n echo messages decrypted from the capture, $bad malformed"
  [ "$n" -ge 2 ] && [ "$bad" -eq 0 ] || { echo "FAIL: tshark could not read the ESP"; exit 1; }
fi
echo ok
