#!/usr/bin/env bash
# UDP both ways between Linux kernel sockets and sixstack sockets, over a
# TAP in a network namespace the test creates (udp_peer.py is Linux's side):
#   Linux -> sixstack-host's echo port (-u), each datagram echoed back:
#     - unicast to its global and link-local addresses, each echo from
#       the address its datagram was sent to;
#     - multicast to a group it joined (-g), echoed from its unicast
#       address; to a group it did not join, nothing (filtered by its MAC
#       filter);
#     - 4000 and 30000 bytes (fragmented both ways);
#     - the host's log line for each names the datagram's destination,
#       and its counters add up;
#   the capture of that session replayed into a fresh sixstack-host (-R,
#     same MAC): the same 12 datagrams delivered and echoed;
#   sixstack-host -U -> a Linux echo socket, and the echo back:
#     - unicast, 100 and 4000 bytes (fragmented both ways);
#     - multicast to a group the Linux socket joined;
#     - no echo: status 1;
#   tshark reads both captures (UDP checksums checked): none malformed.
# Skips (exit 77) when not root, without /dev/net/tun, ip, tshark or
# /usr/bin/python3. Cleans up on any exit.
# Usage: netns_udp.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 not found"
peer="/usr/bin/python3 $(cd "$(dirname "$0")" && pwd)/udp_peer.py"
netns_up tap

# ---- Linux -> sixstack's echo port ----
start_host -a 2001:db8:6::2/64 -a 2001:db8:6::3/64 -u 7777 -g ff1e::77 -w "$tmp/serve.pcap"
six_ll=$(awk '/link-local address/{print $NF}' "$tmp/host.log")
[ -n "$six_ll" ] || fail "no link-local address logged"
send() { in_ns $peer send "$@" >>"$tmp/linux-send.log" 2>&1; }
send 2001:db8:6::2 7777 100 3 || fail "Linux -> [2001:db8:6::2]:7777"
echo "ok: Linux's datagrams to sixstack's global address come back"
# From the address each was sent to, whichever source selection prefers.
send 2001:db8:6::3 7777 101 1 || fail "Linux -> [2001:db8:6::3]:7777"
grep -q "echo 100 bytes from 2001:db8:6::2 port 7777" "$tmp/linux-send.log" &&
  grep -q "echo 101 bytes from 2001:db8:6::3 port 7777" "$tmp/linux-send.log" ||
  fail "an echo did not come from the address its datagram was sent to"
echo "ok: each from the address it was sent to"
send "$six_ll" 7777 100 2 "$dev" || fail "Linux -> [$six_ll%$dev]:7777"
echo "ok: to its link-local address"
send ff1e::77 7777 200 2 "$dev" || fail "Linux -> [ff1e::77]:7777 (joined)"
grep -q "echo 200 bytes from 2001:db8:6::2 port 7777" "$tmp/linux-send.log" ||
  fail "the multicast echo did not come from sixstack's unicast address"
echo "ok: to a group it joined, echoed from its unicast address"
# Half a second is enough: a late echo would still show in the counters.
in_ns $peer send ff1e::78 7777 100 1 "$dev" 0.5 >"$tmp/unjoined.out" 2>&1 &&
  fail "a datagram to a group sixstack did not join was echoed"
echo "ok: to a group it did not join, no echo"
for size in 4000 30000; do
  send 2001:db8:6::2 7777 "$size" 2 || fail "Linux -> sixstack, $size bytes"
  echo "ok: $size bytes both ways (fragmented)"
done
grep -q "udp echo: 200 bytes from \[2001:db8:6::1\]:[0-9]* to ff1e::77, echoed" "$tmp/host.log" ||
  fail "no log line for the multicast datagram"
grep -q "udp echo: 100 bytes from \[fe80::[0-9a-f:]*\]:[0-9]* to $six_ll, echoed" "$tmp/host.log" ||
  fail "no log line for the link-local datagram"
stop_host
# 3 + 1 + 2 + 2 + 2 + 2 echoed; 4 of them reassembled and sent in
# fragments.
[ "$(counter udp_in_delivered)" -eq 12 ] || fail "udp_in_delivered $(counter udp_in_delivered), want 12"
[ "$(counter udp_out_datagrams)" -eq 12 ] || fail "udp_out_datagrams $(counter udp_out_datagrams), want 12"
[ "$(counter reass_ok)" -eq 4 ] || fail "reass_ok $(counter reass_ok), want 4"
[ "$(counter frag_out_datagrams)" -eq 4 ] || fail "frag_out_datagrams $(counter frag_out_datagrams), want 4"
[ "$(counter link_rx_filtered)" -ge 1 ] || fail "the unjoined group's datagram was not filtered"
[ "$(counter udp_in_mcast_filtered)" -eq 0 ] || fail "the unjoined group's datagram reached UDP"
[ "$(counter udp_in_no_port)" -eq 0 ] || fail "datagrams to no port"
echo "ok: sixstack's counters: 12 datagrams in and out, 4 reassembled and fragmented"

# ---- the session replayed (-R) into a fresh host with the same MAC ----
# The same seed gives the same MAC, so Linux's frames are for it; its own
# frames in the capture (to Linux's MAC) are filtered out.
cp "$tmp/host.log" "$tmp/serve-host.log"
start_host -a 2001:db8:6::2/64 -a 2001:db8:6::3/64 -u 7777 -g ff1e::77 -R "$tmp/serve.pcap"
n=$(tshark -r "$tmp/serve.pcap" 2>/dev/null | wc -l)
# The host logs the replay once done: on a loaded machine, after start_host.
for _ in $(seq 100); do
  grep -q "replayed $n records from $tmp/serve.pcap" "$tmp/host.log" && break
  sleep 0.1
done
grep -q "replayed $n records from $tmp/serve.pcap" "$tmp/host.log" || fail "no replay of $n records logged"
for _ in $(seq 50); do
  [ "$(grep -c 'udp echo: .*, echoed' "$tmp/host.log")" -ge 12 ] && break
  sleep 0.1
done
stop_host
[ "$(counter udp_in_delivered)" -eq 12 ] || fail "replay: udp_in_delivered $(counter udp_in_delivered), want 12"
[ "$(counter reass_ok)" -eq 4 ] || fail "replay: reass_ok $(counter reass_ok), want 4"
grep -q "udp echo: 200 bytes from \[2001:db8:6::1\]:[0-9]* to ff1e::77, echoed" "$tmp/host.log" ||
  fail "replay: the multicast datagram was not delivered"
echo "ok: the capture replayed (-R) into a fresh host delivers the same 12 datagrams"

# ---- sixstack -> a Linux echo socket ----
bg in_ns $peer echo 9999 "$dev" ff1e::99 >"$tmp/linux-echo.out" 2>&1
for _ in $(seq 50); do grep -q listening "$tmp/linux-echo.out" && break; sleep 0.1; done
grep -q listening "$tmp/linux-echo.out" || fail "the Linux echo socket did not start"
run() {   # sixstack-host -U ...; its output in $tmp/sixudp.out
  in_ns timeout 20 "$host" -i "$dev" -S 8 -a 2001:db8:6::2/64 -w "$tmp/send.pcap" "$@" \
    >"$tmp/sixudp.out" 2>"$tmp/sixudp.log"
}
run -U 2001:db8:6::1,9999 -c 2 -s 100 || fail "sixstack-host -U 2001:db8:6::1,9999"
grep -q "2 datagrams sent, 2 echoed" "$tmp/sixudp.out" || fail "unicast echoes lost"
grep -q "100 bytes from \[2001:db8:6::1\]:9999" "$tmp/sixudp.out" || fail "no echo from Linux"
echo "ok: sixstack's datagrams to a Linux socket come back"
run -U 2001:db8:6::1,9999 -c 2 -s 4000 || fail "sixstack-host -U, 4000 bytes"
grep -q "4000 bytes from \[2001:db8:6::1\]:9999" "$tmp/sixudp.out" || fail "no 4000-byte echo"
[ "$(counter frag_out_datagrams "$tmp/sixudp.log")" -eq 2 ] || fail "sixstack did not fragment"
[ "$(counter reass_ok "$tmp/sixudp.log")" -eq 2 ] || fail "sixstack did not reassemble the echoes"
echo "ok: 4000 bytes both ways (fragmented)"
mv "$tmp/send.pcap" "$tmp/send-unicast.pcap"
run -U ff1e::99,9999 -c 2 -s 300 || fail "sixstack-host -U ff1e::99,9999"
grep -q "300 bytes from \[2001:db8:6::1\]:9999" "$tmp/sixudp.out" || fail "no echo of the multicast datagram"
grep -q "300 bytes from 2001:db8:6::2 port [0-9]* to ff1e::99" "$tmp/linux-echo.out" ||
  fail "Linux did not receive the datagram on ff1e::99"
echo "ok: sixstack's datagrams to a group Linux joined reach it"
run -U 2001:db8:6::1,9998 -c 1 -W 0.5
[ $? -eq 1 ] && grep -q "1 datagrams sent, 0 echoed" "$tmp/sixudp.out" ||
  fail "-U without an echo did not end with status 1"
echo "ok: -U without an echo ends with status 1"

# ---- the captures ----
tshark_clean "$tmp/serve.pcap" 40
tshark_clean "$tmp/send-unicast.pcap" 10
tshark_clean "$tmp/send.pcap" 4
n=$(tshark -r "$tmp/serve.pcap" -Y 'udp && ipv6.dst == ff1e::77' 2>/dev/null | wc -l)
[ "$n" -eq 2 ] || fail "$n datagrams to ff1e::77 in the capture, want 2"
n=$(tshark -r "$tmp/serve.pcap" -Y 'ipv6.reassembled.length && udp' 2>/dev/null | wc -l)
[ "$n" -eq 8 ] || fail "tshark reassembled $n UDP datagrams, want 8 (4 each way)"
echo "ok"
