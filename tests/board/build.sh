#!/usr/bin/env bash
# Cross-builds the bare port (cmake/arm-none-eabi.cmake, -Werror like every
# build): the library and the board's test programs for Cortex-M3
# (mps2-an385), the library for Cortex-M4F. The tests' arena and
# descriptor table are sized for their 4 MiB of RAM, not the firmware's.
#
#   build.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2

cmake -S "$src" -B "$build/board-m3" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/arm-none-eabi.cmake" \
  -DSIX_CPU=cortex-m3 -DSIX_BARE_ARENA_BYTES=3145728 -DSIX_BARE_MAX_FDS=400 >/dev/null
cmake --build "$build/board-m3" -j "$(nproc)" >/dev/null
cmake -S "$src" -B "$build/board-m4f" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/arm-none-eabi.cmake" \
  -DSIX_CPU=cortex-m4f >/dev/null
cmake --build "$build/board-m4f" -j "$(nproc)" --target sixstack >/dev/null
echo "built $build/board-m3 and $build/board-m4f"
