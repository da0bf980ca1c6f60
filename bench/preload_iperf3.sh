#!/usr/bin/env bash
# iperf3, the same binary, on sixstack (sixstack-run over a TAP) and on the
# Linux kernel (over a veth), each against iperf3 on Linux in a namespace:
# UDP packets per second (64-byte datagrams, unlimited rate) and TCP
# throughput, sent (client) and received (-R), for SECONDS each. Prints the
# figures and sixstack's ratio to the kernel's, from the same run. Needs
# root; `make bench-preload` runs it.
#
#     bench/preload_iperf3.sh [BUILD_DIR] [SECONDS]   (default build, 3)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/interop/run-lib.bash"
run_init "${1:-build}" iperf3 python3
secs=${2:-3}
run_up

# One iperf3 run as JSON; prints "packets/s" for UDP, "bits/s" for TCP.
measure() {
  local side=$1 kind=$2
  shift 2
  if [ "$side" = six ]; then
    peer_six iperf3 -s -1 -D -p 5301 >/dev/null
    sleep 0.3
    on_six iperf3 -6 -c 2001:db8:6::1 -p 5301 -t "$secs" -J "$@" >"$tmp/r.json" 2>/dev/null
  else
    peer_kernel iperf3 -s -1 -D -p 5301 >/dev/null
    sleep 0.3
    on_kernel iperf3 -6 -c 2001:db8:6::1 -p 5301 -t "$secs" -J "$@" >"$tmp/r.json" 2>/dev/null
  fi
  python3 - "$kind" "$tmp/r.json" <<'PY'
import json, sys
kind, path = sys.argv[1], sys.argv[2]
try:
    end = json.load(open(path))["end"]
except Exception:
    print("0"); sys.exit()
if kind == "udp":
    s = end["sum"]
    print(int((s["packets"] - s.get("lost_packets", 0)) / s["seconds"]))
else:
    print(int(end["sum_received"]["bits_per_second"]))
PY
}

row() {
  local name=$1 unit=$2 kind=$3
  shift 3
  local six kern
  six=$(measure six "$kind" "$@")
  kern=$(measure kernel "$kind" "$@")
  python3 -c "
s, k = $six, $kern
scale = 1e6 if '$unit' == 'Mbit/s' else 1e3
print(f'{\"$name\":34s} sixstack {s/scale:10.1f} {\"$unit\":9s} kernel {k/scale:10.1f} {\"$unit\":9s} ratio {s/k if k else 0:.3f}')"
}

echo "== iperf3 $(iperf3 -v | head -1 | cut -d' ' -f2), ${secs}s each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
row "UDP 64 B sent, received by Linux" "kpkt/s" udp -u -b 0 -l 64
row "UDP 64 B received from Linux (-R)" "kpkt/s" udp -u -b 0 -l 64 -R
row "TCP sent" "Mbit/s" tcp
row "TCP received (-R)" "Mbit/s" tcp -R
