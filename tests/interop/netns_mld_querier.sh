#!/usr/bin/env bash
# MLD against Linux as the querier: a Linux bridge with mcast_querier 1
# (and snooping) in a namespace, sixstack-host's TAP one of its ports,
# sixstack a member of ff1e::77. Once with the bridge's default MLDv1
# querier, once with mcast_mld_version 2:
#   - the bridge's General Query reaches sixstack, which answers it with a
#     report naming ff1e::77 (MLDv1 Report, type 131, to a v1 querier: RFC
#     3810 8.2.1's compatibility mode; an MLDv2 report, type 143, to a v2
#     one) after the query, within its Maximum Response Delay;
#   - the bridge's multicast database has ff1e::77 on the TAP port.
# Skips (exit 77) when not root, without /dev/net/tun, ip, bridge or
# tshark. Cleans up on any exit.
# Usage: netns_mld_querier.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" bridge
netns_up tap
br=br$$
in_ns ip addr flush dev "$dev"
# Timers in centiseconds: queries every 2 s from the start, answers
# within 1 s.
in_ns ip link add "$br" type bridge mcast_snooping 1 mcast_querier 1 \
  mcast_startup_query_interval 100 mcast_query_interval 200 mcast_query_response_interval 100 ||
  skip "cannot create a bridge with an MLD querier"
in_ns ip link set "$dev" master "$br"

for version in 1 2; do
  in_ns ip link set "$br" down
  in_ns ip link set "$br" type bridge mcast_mld_version "$version" || skip "no mcast_mld_version"
  in_ns ip link set "$br" up
  start_host -g ff1e::77 -w "$tmp/mld$version.pcap"
  # Past the unsolicited reports (robustness 2 within 1 s), two or three
  # general queries come.
  sleep 5
  in_ns bridge mdb show dev "$br" >"$tmp/mdb.out"
  stop_host
  grep -q "port $dev .*grp ff1e::77" "$tmp/mdb.out" ||
    fail "MLDv$version: the bridge did not learn ff1e::77 on $dev: $(cat "$tmp/mdb.out")"
  want=$([ "$version" -eq 1 ] && echo 131 || echo 143)
  # Times of the general queries and of sixstack's reports naming the group.
  tshark -r "$tmp/mld$version.pcap" -T fields -e frame.time_relative \
    -Y 'icmpv6.type == 130 && icmpv6.mld.multicast_address == ::' >"$tmp/queries" 2>/dev/null
  if [ "$want" -eq 131 ]; then f='icmpv6.type == 131 && icmpv6.mld.multicast_address == ff1e::77'
  else f='icmpv6.type == 143 && icmpv6.mldr.mar.multicast_address == ff1e::77'; fi
  tshark -r "$tmp/mld$version.pcap" -T fields -e frame.time_relative -Y "$f" >"$tmp/reports" 2>/dev/null
  [ -s "$tmp/queries" ] || fail "MLDv$version: no General Query from the bridge reached sixstack"
  # Every query whose response delay (1 s) ended before the capture did is
  # answered within it (a query in the capture's last second may be
  # answered after sixstack-host stopped).
  end=$(tshark -r "$tmp/mld$version.pcap" -T fields -e frame.time_relative 2>/dev/null | tail -1)
  awk -v end="$end" 'NR == FNR {if ($1 + 1.1 <= end) q[n++] = $1; next} {r[m++] = $1}
    END {if (n == 0) exit 1
         for (i = 0; i < n; i++) {ok = 0; for (j = 0; j < m; j++) if (r[j] > q[i] && r[j] <= q[i] + 1.1) ok = 1
                                   if (!ok) exit 1}}' "$tmp/queries" "$tmp/reports" ||
    fail "MLDv$version: a query without a report (type $want) for ff1e::77 within 1 s (queries at $(tr '\n' ' ' <"$tmp/queries"), reports at $(tr '\n' ' ' <"$tmp/reports"), capture ends at $end)"
  tshark_clean "$tmp/mld$version.pcap" 3
  echo "ok: MLDv$version querier (Linux bridge): $(wc -l <"$tmp/queries") queries answered with type $want reports; ff1e::77 in its database on $dev"
done
