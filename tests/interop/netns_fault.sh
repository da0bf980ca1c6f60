#!/usr/bin/env bash
# sixstack-host -F (the link impairment wrapper, six_if_set_fault) on a
# real link: a TAP in a network namespace, the Linux kernel pinging it.
#   - delay=40,dir=tx: every reply comes at least 40 ms late, none before;
#   - drop=100,dir=rx: nothing gets through, and the wrapper counts each
#     frame it dropped;
#   - a bad -F is a usage error (exit 2);
#   - tshark reads the capture without a malformed frame.
# Skips (exit 77) when not root, without /dev/net/tun or network
# namespaces, or without ip, ping or tshark. Cleans up on any exit.
# Usage: netns_fault.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" ping
netns_up tap

"$host" -i "$dev" -F drop=101 >/dev/null 2>&1
[ $? -eq 2 ] || fail "-F drop=101 is not a usage error"
"$host" -i "$dev" -F colour=blue >/dev/null 2>&1
[ $? -eq 2 ] || fail "-F with an unknown key is not a usage error"
echo "ok: bad -F refused"

start_host -a 2001:db8:6::2/64 -F delay=40,dir=tx -w "$tmp/delay.pcap"
in_ns ping -6 -c 4 -i 0.2 -W 2 2001:db8:6::2 >"$tmp/ping1.log" || fail "ping through the delay"
min=$(awk -F'[/ =]+' '/^rtt/{print $6}' "$tmp/ping1.log")
echo "ping through delay=40: min rtt $min ms"
awk -v m="$min" 'BEGIN{exit !(m >= 40 && m < 1000)}' || fail "min rtt $min, want 40 ms or more"
stop_host
[ "$(counter link_fault_delayed)" -ge 4 ] || fail "link_fault_delayed $(counter link_fault_delayed)"
tshark_clean "$tmp/delay.pcap" 8
echo "ok: replies 40 ms late"

start_host -a 2001:db8:6::2/64 -F drop=100,dir=rx,seed=5
in_ns ping -6 -c 3 -i 0.2 -W 1 2001:db8:6::2 >"$tmp/ping2.log" && fail "ping went through drop=100"
stop_host
n=$(counter link_fault_dropped)
[ "$n" -ge 3 ] || fail "link_fault_dropped $n, want 3 or more"
[ "$(counter link_fault_frames)" -eq "$n" ] || fail "frames $(counter link_fault_frames) != dropped $n"
echo "ok: drop=100,dir=rx drops all ($n frames)"
echo "ok"
