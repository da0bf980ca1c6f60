#!/usr/bin/env bash
# Fails when an include points up the layers:
#   sock -> tcp -> icmp6 -> ipsec -> ip6 -> link -> core -> wire -> port
# (a layer may include itself and anything to its right; stack.c may
# include everything), or when code above port/ includes a header of an
# operating system.
set -u
src=${1:-$(dirname "$0")/../src}
order=(port wire core link ip6 ipsec icmp6 tcp sock)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && echo "$i" && return; done; echo -1; }
bad=0
for layer in "${order[@]}"; do
  r=$(rank "$layer")
  # Subfolders too (link/off/: stand-ins for optional parts).
  while IFS= read -r f; do
    while IFS= read -r inc; do
      dep=${inc%%/*}
      d=$(rank "$dep")
      [ "$d" -lt 0 ] && continue
      if [ "$d" -gt "$r" ]; then
        echo "layering: $f includes \"$inc\" ($dep is above $layer)"; bad=1
      fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
  done < <(find "$src/$layer" -name '*.[ch]' | sort)
done
# wire/ is pure: nothing of ours but wire/ (and core types).
if grep -l '#include "\(link\|ip6\|ipsec\|icmp6\|tcp\|sock\)/' "$src"/wire/*.[ch] 2>/dev/null; then bad=1; fi

# Above port/, only the C library's headers and the socket API's vocabulary
# (types and constants: src/port/bare/include/ has them where the system
# does not). Functions of the system are reached through port/port.h.
# Link drivers that exist only on a system (TAP, pcap files) are exempt,
# and so are the files behind IPsec's crypto and compression tables
# (OpenSSL's and zlib's headers).
allowed='assert|ctype|errno|inttypes|limits|stdalign|stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|string|strings'
allowed+='|sys/types|sys/socket|sys/time|sys/ioctl|fcntl|poll|endian|netinet/in|netinet/icmp6|netinet/tcp|arpa/inet|net/if'
allowed+='|immintrin|sixstack/[a-z_]*'
exempt='src/link/tap.c|src/link/capture.c|src/ipsec/crypto_openssl.c|src/ipsec/comp_zlib.c'
while IFS= read -r f; do
  rel=${f#"$src/"}; rel=src/$rel
  [[ $rel =~ ^($exempt)$ ]] && continue
  while IFS= read -r inc; do
    if ! [[ $inc =~ ^($allowed)\.h$ ]]; then
      echo "portability: $rel includes <$inc>: call the platform layer instead"
      echo "  (src/port/port.h: clock, randomness, locks, threads, signals; add what is"
      echo "   missing there, with a linux/ and a bare/ version; docs/ARCHITECTURE.md)"
      bad=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1/p' "$f")
done < <(find "$src" -path "$src/port" -prune -o -name '*.[ch]' -print | sort)
[ $bad -eq 0 ] && echo "layers ok"
exit $bad
