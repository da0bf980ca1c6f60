#!/usr/bin/env bash
# Runs one program built for the board under QEMU's mps2-an385 (Cortex-M3),
# its output and exit status through semihosting; fails after a time limit.
#
#   run-qemu.sh ELF [ARGS...]
set -uo pipefail
elf=$1
shift
semi=enable=on,target=native,arg=
[ $# -gt 0 ] && semi="${semi}$*"
exec timeout "${SIX_BOARD_TIMEOUT:-120}" qemu-system-arm -M "${SIX_BOARD_MACHINE:-mps2-an385}" \
  -nographic -monitor none -serial none -semihosting-config "$semi" -kernel "$elf"
