#!/usr/bin/env bash
# Router discovery and SLAAC against Linux: sixstack-host -A on a TAP in
# a network namespace the test creates, with the kernel side playing the
# router through scapy:
#   - scapy on the kernel side sees sixstack's Router Solicitation (from
#     its link-local address or ::, to ff02::2) and answers with a Router
#     Advertisement (prefix 2001:db8:5::/64 on-link and autonomous, MTU
#     1480, router lifetime 1800 s);
#   - sixstack makes an address in that prefix by SLAAC (a stable
#     identifier), passes DAD and logs it;
#   - Linux pings that address, and ndisc6 resolves it;
#   - rdisc6 solicits routers, and sixstack, a host (not even listening
#     to ff02::2), does not answer;
#   - sixstack took the advertisement (its counters), and tshark reads its
#     capture without a malformed frame and finds the RS and the RA.
# Skips (exit 77) when not root, without /dev/net/tun or namespaces, or
# without ip, ping, tshark, ndisc6, rdisc6 or scapy for /usr/bin/python3.
# Cleans up on any exit.
# Usage: netns_slaac.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
py=/usr/bin/python3
netns_init "$1" ping ndisc6 rdisc6
[ -x "$py" ] && "$py" -c 'import scapy.all' 2>/dev/null ||
  skip "scapy not importable by $py (Debian package python3-scapy)"
netns_up tap
# The kernel side is the router here: it takes no advertisement itself.
in_ns sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
in_ns ip addr add 2001:db8:5::1/64 dev "$dev" nodad

# The router: waits for a solicitation, then advertises.
cat >"$tmp/router.py" <<'EOF'
import sys
from scapy.all import (Ether, IPv6, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6NDOptSrcLLAddr,
                       ICMPv6NDOptPrefixInfo, ICMPv6NDOptMTU, get_if_hwaddr, sendp, sniff)
tap, ll = sys.argv[1], sys.argv[2]
rs = sniff(iface=tap, lfilter=lambda p: ICMPv6ND_RS in p, count=1, timeout=12)
if not rs:
    print("no router solicitation"); sys.exit(1)
print("rs from", rs[0][IPv6].src, "to", rs[0][IPv6].dst, "hlim", rs[0][IPv6].hlim, flush=True)
mac = get_if_hwaddr(tap)
ra = (Ether(src=mac, dst="33:33:00:00:00:01") /
      IPv6(src=ll, dst="ff02::1", hlim=255) /
      ICMPv6ND_RA(routerlifetime=1800, chlim=64) /
      ICMPv6NDOptSrcLLAddr(lladdr=mac) / ICMPv6NDOptMTU(mtu=1480) /
      ICMPv6NDOptPrefixInfo(prefix="2001:db8:5::", prefixlen=64, L=1, A=1,
                            validlifetime=3600, preferredlifetime=1800))
sendp(ra, iface=tap, verbose=False)
print("ra sent", flush=True)
EOF

start_host -A -S 11 -w "$tmp/slaac.pcap"
linux_ll=$(linux_ll) || fail "the kernel has no link-local address on $dev"

in_ns timeout 20 "$py" "$tmp/router.py" "$dev" "$linux_ll" >"$tmp/router.log" 2>&1 ||
  fail "the router script"
grep -q "hlim 255" "$tmp/router.log" || fail "the solicitation's hop limit is not 255"
grep -q "to ff02::2" "$tmp/router.log" || fail "the solicitation is not to all-routers"
echo "ok: scapy saw sixstack's router solicitation: $(head -1 "$tmp/router.log")"

for _ in $(seq 50); do
  grep -q "2001:db8:5:.* is assigned (preferred)" "$tmp/host.log" && break
  sleep 0.1
done
addr=$(awk '/2001:db8:5:.* is assigned \(preferred\)/{print $(NF-3)}' "$tmp/host.log" | tail -1)
[ -n "$addr" ] || fail "no SLAAC address assigned"
grep -q "$addr made by SLAAC" "$tmp/host.log" || fail "no SLAAC log line for $addr"
echo "ok: sixstack made $addr by SLAAC and it passed DAD"

in_ns ping -6 -c 3 -i 0.2 -W 2 "$addr" >"$tmp/ping.log" || fail "ping -6 $addr"
echo "ok: Linux pings the SLAAC address"
mac=$(awk '/^ready:/{print $6}' "$tmp/host.out")
in_ns ndisc6 -1 -r 2 -w 1000 "$addr" "$dev" >"$tmp/ndisc6.log" 2>&1 || fail "ndisc6 $addr"
grep -qi "Target link-layer address: $mac" "$tmp/ndisc6.log" || fail "ndisc6 got another MAC"
echo "ok: ndisc6 resolves the SLAAC address to $mac"
if in_ns rdisc6 -1 -r 1 -w 500 "$dev" >"$tmp/rdisc6.log" 2>&1; then
  fail "rdisc6 got an advertisement: a host must not answer solicitations"
fi
echo "ok: rdisc6 gets no advertisement from sixstack (a host)"

stop_host
grep -Eq "^nd_in_ra +1$" "$tmp/host.log" || fail "sixstack did not count one advertisement"
grep -Eq "^nd_slaac_addrs +1$" "$tmp/host.log" || fail "nd_slaac_addrs is not 1"
echo "ok: counters: one advertisement taken, one SLAAC address"

tshark_clean "$tmp/slaac.pcap" 3
n_rs=$(tshark -r "$tmp/slaac.pcap" -Y 'icmpv6.type == 133 && ipv6.hlim == 255' 2>/dev/null | wc -l)
n_ra=$(tshark -r "$tmp/slaac.pcap" -Y 'icmpv6.type == 134 && icmpv6.opt.prefix == 2001:db8:5::' 2>/dev/null | wc -l)
n_dad=$(tshark -r "$tmp/slaac.pcap" -Y "icmpv6.type == 135 && ipv6.src == :: && icmpv6.nd.ns.target_address == $addr" 2>/dev/null | wc -l)
echo "tshark: $n_rs solicitations sent, $n_ra advertisements received, $n_dad DAD probes for $addr"
[ "$n_rs" -ge 1 ] && [ "$n_ra" -ge 1 ] && [ "$n_dad" -ge 1 ] || fail "the capture lacks the RS, the RA or the DAD probe"
echo "ok"
