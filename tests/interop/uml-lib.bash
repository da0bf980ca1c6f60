# Sourced by interop scripts (not a test itself: ctest runs *.sh only).
# Runs the Linux-side network part of a test inside a User-mode Linux
# guest when the host kernel cannot do it (this machine's has no netem, no
# IPv6 IPsec and no modules; /work/shared/uml/README.md), and on the host
# when it can, so the same test runs natively on a full kernel.
#
#   uml_where CMD...        prints "host" when CMD works in a scratch
#                           network namespace on the host, else "guest"
#                           when a UML guest can be booted, else "none"
#   uml_part WHERE SCRIPT [ARG...]
#                           runs `bash SCRIPT ARG...` on the host (WHERE
#                           host) or as root inside a guest (WHERE guest);
#                           its output goes to standard output; returns its
#                           exit status
#   uml_build_unfit BUILD   why BUILD's programs cannot run in a guest
#                           (a sanitizer build), or nothing
#   uml_run SCRIPT [ARG...] the guest half of uml_part: boots a guest whose
#                           init mounts /proc, /sys, /run and /dev, loads
#                           $UML_MODULES, runs the script from the current
#                           directory, passes back its output and status,
#                           and powers off
#
# The guest boots on the host's own file system (hostfs, read-write, as
# root): the same binaries and paths, and files pass both ways. Only the
# kernel is the guest's: its own network namespaces, devices, modules and
# tc/xfrm. One guest run costs about 2 s of boot; the guest has one slow
# CPU, so transfers inside it stay small.
#
# Settings (environment): UML_MODULES (the modules the init loads, by
# default the union every test here needs: netem for tc, with ifb, the
# ingress qdisc and a mirred redirect to impair what a device receives;
# ESP/AH/IPComp and their AEAD and compression for ip xfrm), UML_MEM (guest memory,
# 512M), UML_TIMEOUT (seconds before a guest is killed, 180),
# UML_KEEP=1 (keep the run's directory and console log).
#
# Debian's user-mode-linux 6.1 panics on a host CPU with AMX (its FPU
# state buffer is smaller than the host kernel takes); uml-xstate.c, built
# here into the run's directory with cc, is preloaded into the guest's
# kernel process to bridge the two sizes.
: "${UML_MODULES:=ipv6 tun veth bridge ifb sch_netem sch_ingress cls_matchall act_mirred \
xfrm_user esp6 ah6 ipcomp6 xfrm6_tunnel tunnel6 gcm ccm chacha20poly1305 authenc seqiv echainiv \
ghash-generic deflate}"
: "${UML_MEM:=512M}"
: "${UML_TIMEOUT:=180}"
uml_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
uml_seq=0

# Whether the host kernel can run CMD: in a network namespace of its own
# (lo up), so that nothing on the host changes.
uml_host_can() {
  local ns=umlprobe$$_$RANDOM rc
  ip netns add "$ns" 2>/dev/null || return 1
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" "$@" >/dev/null 2>&1
  rc=$?
  ip netns del "$ns"
  return $rc
}

# Why a guest cannot be booted here, or nothing when it can.
uml_missing() {
  local kdir
  [ "$(id -u)" -eq 0 ] || { echo "needs root"; return; }
  command -v linux >/dev/null || { echo "no user-mode-linux (make deps installs it)"; return; }
  command -v modprobe >/dev/null || [ -x /usr/sbin/modprobe ] || { echo "no kmod"; return; }
  command -v cc >/dev/null || { echo "no cc for uml-xstate.c"; return; }
  kdir=$(ls -d /usr/lib/uml/modules/*/ 2>/dev/null | head -1)
  [ -n "$kdir" ] || echo "no UML modules under /usr/lib/uml/modules"
}

uml_where() {
  if uml_host_can "$@"; then
    echo host
  elif [ -z "$(uml_missing)" ]; then
    echo guest
  else
    echo none
  fi
}

# Why BUILD's programs cannot run in the guest, or nothing when they can:
# a sanitizer build's shadow memory does not fit in a UML process's address
# space (ASan aborts at start), so such a build leaves the guest parts to
# the plain build.
uml_build_unfit() {
  grep -q '^SIX_SANITIZE:BOOL=ON' "$1/CMakeCache.txt" 2>/dev/null &&
    echo "an ASan build's programs cannot run in a User-mode Linux guest (shadow memory); the plain build runs this test"
}

uml_part() {
  local where=$1
  shift
  case $where in
    host) bash "$@" ;;
    guest) uml_run "$@" ;;
    *) echo "uml_part: nowhere to run $1 ($(uml_missing))"; return 1 ;;
  esac
}

# The guest's init: a POSIX shell script (it runs as PID 1 before
# anything else). $1: the run's directory.
uml_write_init() {
  cat >"$1/init.sh" <<EOF
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/net
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
[ -e /dev/net/tun ] || mknod /dev/net/tun c 10 200
# The modules sit in /usr/lib/uml/modules/VERSION: modprobe (and the
# kernel's own requests for crypto templates) get a root where they are.
mkdir -p /run/modroot/lib/modules
ln -s /usr/lib/uml/modules/\$(uname -r) /run/modroot/lib/modules/\$(uname -r)
printf '#!/bin/sh\nexec /usr/sbin/modprobe -d /run/modroot "\$@"\n' >/run/modprobe
chmod +x /run/modprobe
echo /run/modprobe >/proc/sys/kernel/modprobe
for m in $UML_MODULES; do
  /run/modprobe "\$m" || echo "modprobe \$m failed"
done >"$1/modules.log" 2>&1
ip link set lo up
bash "$1/cmd.sh" >"$1/guest.log" 2>&1
echo \$? >"$1/guest.rc"
sync
poweroff -f
EOF
  chmod +x "$1/init.sh"
}

uml_run() {
  local dir shim umid rc
  [ -z "$(uml_missing)" ] || { echo "uml_run: $(uml_missing)"; return 1; }
  dir=$(mktemp -d /tmp/uml.XXXXXX)
  uml_seq=$((uml_seq + 1))
  umid=six$$-$uml_seq
  shim=$dir/uml-xstate.so
  cc -O2 -shared -fPIC -o "$shim" "$uml_lib_dir/uml-xstate.c" -ldl ||
    { echo "uml_run: cannot build uml-xstate.c"; rm -rf "$dir"; return 1; }
  # The command, each argument quoted, run from this directory.
  { printf 'cd %q || exit 1\n' "$(pwd)"; printf 'exec bash'; printf ' %q' "$@"; echo; } >"$dir/cmd.sh"
  uml_write_init "$dir"
  LD_PRELOAD=$shim timeout -k 5 "$UML_TIMEOUT" \
    linux mem="$UML_MEM" umid="$umid" rootfstype=hostfs rootflags=/ rw \
    init="$dir/init.sh" quiet con=null con0=null,fd:1 </dev/null >"$dir/console.log" 2>&1
  rc=$?
  [ -e "$dir/guest.log" ] && cat "$dir/guest.log"
  if [ -e "$dir/guest.rc" ]; then
    rc=$(cat "$dir/guest.rc")
    grep -q failed "$dir/modules.log" && sed 's/^/uml: /' "$dir/modules.log"
  else
    echo "uml_run: the guest did not finish (linux exited $rc); its console:"
    tail -20 "$dir/console.log"
    rc=1
  fi
  rm -rf "${HOME:-/root}/.uml/$umid"
  if [ -n "${UML_KEEP:-}" ]; then echo "uml: kept $dir"; else rm -rf "$dir"; fi
  return "$rc"
}
