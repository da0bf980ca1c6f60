# Cross build for Cortex-M with Debian's gcc-arm-none-eabi and picolibc:
#   cmake -S . -B build-m3 -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
#         [-DSIX_CPU=cortex-m4f]
# It selects the bare platform layer (SIX_PORT=bare) and -Os. Programs
# link with picolibc's crt0 and semihosting (output and exit status under
# qemu-system-arm -M mps2-an385 -semihosting); SIX_BOARD_LD_FLAGS places
# them in the board's memory.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
set(CMAKE_SIZE arm-none-eabi-size)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(SIX_CPU cortex-m3 CACHE STRING "cortex-m3 (mps2-an385) or cortex-m4f (mps2-an386)")
if(SIX_CPU STREQUAL "cortex-m4f")
  set(six_cpu_flags "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
else()
  set(six_cpu_flags "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
endif()
set(CMAKE_C_FLAGS_INIT "${six_cpu_flags} --specs=picolibc.specs -ffunction-sections -fdata-sections")
# (CMake links with the C flags too: the specs file is not repeated here.)
set(CMAKE_EXE_LINKER_FLAGS_INIT "--oslib=semihost -Wl,--gc-sections")
set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Os")
set(CMAKE_BUILD_TYPE MinSizeRel CACHE STRING "")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

set(SIX_PORT bare CACHE STRING "")
