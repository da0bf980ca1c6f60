#!/usr/bin/env bash
# MLD on the wire, read by tshark: a capture of every MLD message sixstack
# sends (MLDv2 reports with each record type, MLDv1 reports and done) and
# the queries a test querier sends it (MLDv2 with sources and an
# exponential Maximum Response Code, MLDv1). Nothing may be malformed,
# and the messages must decode as what they are.
# Usage: mld_tshark.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
if ! command -v tshark >/dev/null; then
  echo "SKIP: tshark is not installed (apt-get install tshark)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcap=$tmp/mld.pcap
SIX_MLD_PCAP=$pcap "$build/tests/mld_test" capture_every_mld_message || exit 1
t() { tshark -r "$pcap" -Y "$1" 2>/dev/null | wc -l; }
fail=0
want() {  # want FILTER MIN-COUNT WHAT
  local n; n=$(t "$1")
  if [ "$n" -lt "$2" ]; then echo "FAIL: $3: $n packets match '$1', want >= $2"; fail=1
  else echo "ok: $3 ($n)"; fi
}
total=$(t "icmpv6")
bad=$(t '_ws.malformed || _ws.expert.severity >= "error"')
echo "tshark: $total ICMPv6 packets, $bad malformed"
[ "$bad" -eq 0 ] || { tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= "error"' -V | head -60; fail=1; }
want 'icmpv6.type == 143' 6 "MLDv2 reports"
for rt in 1 2 3 4 5 6; do
  want "icmpv6.mldr.mar.record_type == $rt" 1 "record type $rt"
done
want 'icmpv6.type == 143 && ipv6.hlim == 1 && ipv6.opt.router_alert == 0 && ipv6.dst == ff02::16' 6 "reports: hop limit 1, Router Alert MLD, to ff02::16"
want 'icmpv6.type == 143 && ipv6.src == fe80::/64' 6 "reports from the link-local address"
want 'icmpv6.mldr.mar.nb_sources == 1 && icmpv6.mldr.mar.multicast_address == ff3e::902' 1 "a record with its source"
want 'icmpv6.type == 131 && icmpv6.mld.multicast_address == ff3e::902' 1 "MLDv1 report"
want 'icmpv6.type == 132 && ipv6.dst == ff02::2' 1 "MLDv1 done"
want 'icmpv6.type == 130 && icmpv6.mld.nb_sources == 2' 1 "MLDv2 query with sources"
# Code 0x9c40 decodes to 115712 ms (RFC 3810 5.1.3); tshark shows the
# decoded value (its display filter does not match it, so compare text).
mrc=$(tshark -r "$pcap" -Y 'icmpv6.type == 130 && icmpv6.mld.nb_sources == 2' \
      -T fields -e icmpv6.mld.maximum_response_code 2>/dev/null | head -1)
if [ "$mrc" = 115712 ]; then echo "ok: exponential Maximum Response Code"
else echo "FAIL: Maximum Response Code decoded as '$mrc', want 115712"; fail=1; fi
exit $fail
