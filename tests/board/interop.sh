#!/usr/bin/env bash
# The board interop test: scripts/board-demo.sh --check on the firmware
# (ping, a 3000-byte ping, ping to its link-local address, ndisc6, UDP
# echo to its address and its group). Needs root; 77 (skipped) without.
#
#   interop.sh FIRMWARE_ELF SOURCE_DIR
set -uo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: network namespaces need root"
  exit 77
fi
exec "$2/scripts/board-demo.sh" "$1" --check
