#!/usr/bin/env bash
# Installs the build into a fresh prefix (cmake --install --prefix) and
# builds the page's EXAMPLES program the way a user would: against the
# installed headers and library, with flags from the installed sixstack.pc
# only. It must print the hop limit it was asked for. Also checks that
# every man page in docs/man was installed in its section, and that the
# installed sixstack-run runs a program on the installed preload library.
# Usage: install_pkgconfig.sh BUILD_DIR SOURCE_DIR
set -u
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)

command -v pkg-config >/dev/null || { echo "SKIP: pkg-config not found"; exit 77; }
command -v cmake >/dev/null || { echo "SKIP: cmake not found"; exit 77; }
cc=${CC:-}
if [ -z "$cc" ]; then
  for c in cc gcc clang; do
    if command -v "$c" >/dev/null; then cc=$c; break; fi
  done
fi
[ -n "$cc" ] || { echo "SKIP: no C compiler (cc, gcc, clang) found"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sixstack-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }

# GNUInstallDirs picks lib, lib64 or lib/<multiarch>: find the .pc file.
pc=$(find "$prefix" -name sixstack.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || { find "$prefix"; echo "FAIL: no sixstack.pc installed"; exit 1; }
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
echo "pkg-config file: ${pc#$prefix/}"
for f in include/sixstack/sixstack.h include/sixstack/socket.h include/sixstack/compat.h; do
  [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
ls "$libdir"/libsixstack.so* >/dev/null 2>&1 || { echo "FAIL: no libsixstack.so in $libdir"; exit 1; }

# PKG_CONFIG_PATH is searched before the system's directories.
export PKG_CONFIG_PATH=$pcdir
flags=$(pkg-config --cflags --libs sixstack) || { echo "FAIL: pkg-config --cflags --libs sixstack"; exit 1; }
echo "pkg-config flags: $flags"
# The flags must lead to the prefix just installed, not to the one the
# build was configured with.
incdir=$(pkg-config --variable=includedir sixstack)
[ -f "$incdir/sixstack/compat.h" ] || {
  echo "FAIL: sixstack.pc's includedir ($incdir) is not the installed prefix ($prefix)"; exit 1; }
[ "$(cd "$incdir" && pwd -P)" = "$(cd "$prefix/include" && pwd -P)" ] || {
  echo "FAIL: includedir $incdir, want $prefix/include"; exit 1; }
pclibdir=$(pkg-config --variable=libdir sixstack)
[ "$(cd "$pclibdir" 2>/dev/null && pwd -P)" = "$(cd "$libdir" && pwd -P)" ] || {
  echo "FAIL: libdir $pclibdir, want $libdir"; exit 1; }

# A sanitized build's library needs the sanitizer runtime linked first.
extra=""
if grep -q '^SIX_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  extra="-fsanitize=address,undefined"
fi

# shellcheck disable=SC2086 # word splitting of the flags is intended
"$cc" -std=c11 -DUSE_SIXSTACK $extra -o "$tmp/hoplimit" "$src/examples/ip6_hoplimit.c" \
  $flags >"$tmp/cc.log" 2>&1 || { cat "$tmp/cc.log"; echo "FAIL: compiling the example"; exit 1; }
# It must have been linked against the installed shared library.
LD_LIBRARY_PATH=$libdir ldd "$tmp/hoplimit" 2>/dev/null | grep -q "$libdir/libsixstack.so" || {
  LD_LIBRARY_PATH=$libdir ldd "$tmp/hoplimit"; echo "FAIL: not linked with $libdir/libsixstack.so"; exit 1; }

out=$(LD_LIBRARY_PATH=$libdir timeout 60 "$tmp/hoplimit" 9 2>&1) || {
  echo "$out"
  case $out in
    *"Permission denied"*) echo "SKIP: raw sockets need privileged credentials (run as root)"; exit 77 ;;
  esac
  echo "FAIL: running the installed example"; exit 1; }
echo "installed example: $out"
[ "$out" = "hop limit: 9" ] || { echo "FAIL: want 'hop limit: 9'"; exit 1; }

# Man pages: each docs/man/NAME.N goes to <mandir>/manN/NAME.N.
shopt -s nullglob
pages=("$src"/docs/man/*.[0-9])
if [ ${#pages[@]} -eq 0 ]; then
  echo "no docs/man pages to check"
else
  for page in "${pages[@]}"; do
    name=$(basename "$page")
    sect=${name##*.}
    got=$(find "$prefix" -path "*/man$sect/$name" | head -n 1)
    [ -n "$got" ] || { echo "FAIL: man page $name not installed in man$sect"; exit 1; }
    cmp -s "$page" "$got" || { echo "FAIL: installed $name differs from docs/man/$name"; exit 1; }
    echo "man page: ${got#$prefix/}"
  done
fi

# The preload library and its launcher (not in sanitizer builds): the
# installed sixstack-run finds the installed library and a program's IPv6
# socket gets a stack (loopback only, no device).
if [ -e "$build/preload/libsixstack-preload.so" ]; then
  [ -x "$prefix/bin/sixstack-run" ] || { echo "FAIL: sixstack-run not installed"; exit 1; }
  ls "$libdir"/libsixstack-preload.so >/dev/null 2>&1 || {
    echo "FAIL: no libsixstack-preload.so in $libdir"; exit 1; }
  if command -v python3 >/dev/null; then
    out=$(SIXSTACK_LOG=2 "$prefix/bin/sixstack-run" -- python3 -c \
      'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))' 2>&1)
    echo "$out" | grep -q "stack up (loopback only)" || {
      echo "$out"; echo "FAIL: the installed sixstack-run gave the program no stack"; exit 1; }
    echo "installed sixstack-run: a stack for python3"
  fi
fi
echo "ok"
