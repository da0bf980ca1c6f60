#!/usr/bin/env bash
# ESP that sixstack sends, judged by another implementation: tshark 4.0,
# given the keys (ipsec_test's capture_for_tshark writes its esp_sa
# table), must decrypt every AES-GCM-16, AES-CBC and NULL packet of the
# capture (transport and tunnel mode, both directions) to a UDP datagram
# with a good checksum and the text that was sent, find the ICV correct
# on every SA without extended sequence numbers, and nothing malformed.
#
# What tshark 4.0 cannot do, said rather than hidden: it has no
# ChaCha20-Poly1305 for ESP (those 4 packets stay ESP), and no setting for
# ESN, so on the 8 packets of ESN SAs it computes the ICV without the
# high half and calls it incorrect (their decryption does not depend on
# it and is checked like the others'). Linux checks both in netns_ipsec.sh.
# Usage: ipsec_tshark.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SIX_IPSEC_PCAP="$tmp/esp.pcap" SIX_IPSEC_UAT="$tmp/esp_sa" \
  "$build/tests/ipsec_test" capture_for_tshark || exit 1
args=()
while IFS= read -r line; do args+=(-o "uat:esp_sa:$line"); done <"$tmp/esp_sa"
ts() {
  tshark -r "$tmp/esp.pcap" -o esp.enable_encryption_decode:TRUE \
    -o esp.enable_authentication_check:TRUE -o udp.check_checksum:TRUE \
    -o data.show_as_text:TRUE "${args[@]}" "$@" 2>/dev/null
}
ts
total=$(ts | wc -l)
# Port 7001 + i (transport) or 7101 + i (tunnel), i the algorithm:
# 0 gcm-128, 1 gcm-256 ESN, 2 chacha20-poly1305, 3 cbc, 4 cbc ESN, 5 null.
ts -Y udp -T fields -e udp.dstport -e udp.checksum.status -e data.text >"$tmp/udp"
bad=0
for mode in 0 1; do
  for i in 0 1 3 4 5; do
    port=$((7001 + 100 * mode + i))
    n=$(awk -v p="$port" '$1 == p && $2 == 1 && /plain text/' "$tmp/udp" | wc -l)
    [ "$n" -eq 2 ] || { echo "FAIL: port $port: $n of 2 packets decrypted to the text sent"; bad=1; }
  done
  chacha=$(ts -Y "esp && !udp && (esp.spi == $((0x10000 + 7003 + 100 * mode)) || esp.spi == $((0x20000 + 7003 + 100 * mode)))" | wc -l)
  [ "$chacha" -eq 2 ] || { echo "FAIL: want the 2 ChaCha20-Poly1305 packets left as ESP"; bad=1; }
done
good=$(ts -T fields -e esp.icv_good | grep -c '^1$')
wrong=$(ts -T fields -e esp.icv_good | grep -c '^0$')
malformed=$(ts -Y '_ws.malformed || udp.checksum.status == 0' | wc -l)
echo "tshark: $total packets, $(wc -l <"$tmp/udp") decrypted, ICV correct on $good," \
  "incorrect on $wrong (ESN), $malformed malformed or with a bad checksum"
[ "$total" -eq 24 ] || { echo "FAIL: want 24 packets"; bad=1; }
[ "$good" -eq 12 ] || { echo "FAIL: want the ICV correct on the 12 packets of non-ESN SAs"; bad=1; }
[ "$wrong" -eq 8 ] || { echo "FAIL: want exactly the 8 ESN packets' ICVs unverifiable"; bad=1; }
[ "$malformed" -eq 0 ] || bad=1
exit $bad
