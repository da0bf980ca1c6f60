#!/usr/bin/env bash
# iperf3, unmodified, on sixstack (sixstack-run over a TAP) and on the
# kernel (over a veth), against iperf3 on Linux: TCP and UDP (-u, whose
# control connection is TCP), as client and as server. What it prints on
# standard output, figures and units taken out, must be the kernel's.
# Usage: run_iperf3.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/run-lib.bash"
run_init "$1" iperf3
run_up

# Figures differ from run to run; so do Retr and Cwnd, which iperf3 reads
# with TCP_INFO (and prints whatever its buffer held when sixstack refuses
# it: a sign too).
numbers='s/[0-9]+(\.[0-9]+)?/N/g; s/N [KMGT]?(Bytes|bits\/sec)/N U/g; s/ -N / N /g; s/ +/ /g'
tcp=(-n 4M -i 0)
udp=(-u -b 20M -n 1M -i 0)

# Clients on sixstack / the kernel against iperf3 servers on Linux.
for mode in tcp udp; do
  declare -n args=$mode
  peer_six iperf3 -s -1 -D -p 5201 --logfile "$tmp/srv-$mode.six.log"
  peer_kernel iperf3 -s -1 -D -p 5201 --logfile "$tmp/srv-$mode.kernel.log"
  sleep 0.3
  on_six iperf3 -6 -c 2001:db8:6::1 "${args[@]}" >"$tmp/client-$mode.six" 2>"$tmp/client-$mode.six.err" ||
    fail "iperf3 $mode client on sixstack failed: $(cat "$tmp/client-$mode.six.err")"
  on_kernel iperf3 -6 -c 2001:db8:6::1 "${args[@]}" >"$tmp/client-$mode.kernel" 2>&1 ||
    fail "iperf3 $mode client on the kernel failed"
  same_output "client-$mode" "$numbers"
  [ -s "$tmp/client-$mode.six.err" ] && echo "note: iperf3 $mode client on sixstack said: $(cat "$tmp/client-$mode.six.err")"
done

# Servers on sixstack / the kernel; clients on Linux. -6: without it
# iperf3 asks for a dual-stack socket (IPV6_V6ONLY 0), which sixstack, an
# IPv6 stack, refuses.
for mode in tcp udp; do
  declare -n args=$mode
  bg_on_six iperf3 -6 -s -1 -p 5202 -i 0 >"$tmp/server-$mode.six" 2>"$tmp/server-$mode.six.err"
  bg_on_kernel iperf3 -6 -s -1 -p 5202 -i 0 >"$tmp/server-$mode.kernel" 2>&1
  sleep 0.5
  peer_six iperf3 -6 -c 2001:db8:6::2 -p 5202 "${args[@]}" >"$tmp/linux-$mode.six" 2>&1 ||
    fail "Linux's iperf3 $mode client against iperf3 on sixstack failed"
  peer_kernel iperf3 -6 -c 2001:db8:6::2 -p 5202 "${args[@]}" >"$tmp/linux-$mode.kernel" 2>&1 ||
    fail "Linux's iperf3 $mode client against iperf3 on the kernel failed"
  same_output "linux-$mode" "$numbers"
  bg_stop
  same_output "server-$mode" "$numbers; /^-----/d"
done
