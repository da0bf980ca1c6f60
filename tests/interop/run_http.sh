#!/usr/bin/env bash
# curl and nginx, unmodified, over TCP on sixstack (sixstack-run over a
# TAP) and on the kernel (over a veth); what curl prints must be the
# kernel's:
#   - Linux's curl -6 from nginx running on sixstack (daemon off,
#     master_process off: one process, one stack), a page and a 300 kB file
#     (with sendfile on: the library sends the file);
#   - curl -6 on sixstack from nginx on Linux, the same two;
#   - nginx on sixstack logged no error.
# Usage: run_http.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/run-lib.bash"
run_init "$1" curl nginx md5sum
run_up

mkdir -p "$tmp/www" "$tmp/ngx"
echo "hello from nginx" >"$tmp/www/index.html"
head -c 300000 /dev/urandom >"$tmp/www/big.bin"
conf() {
  cat <<CONF
daemon off;
master_process off;
error_log $tmp/ngx/$1-error.log warn;
pid $tmp/ngx/$1.pid;
events { worker_connections 64; }
http {
  access_log off;
  log_not_found off;
  sendfile on;
  client_body_temp_path $tmp/ngx/body;
  proxy_temp_path $tmp/ngx/proxy;
  fastcgi_temp_path $tmp/ngx/fastcgi;
  uwsgi_temp_path $tmp/ngx/uwsgi;
  scgi_temp_path $tmp/ngx/scgi;
  server { listen [::]:8080; root $tmp/www; }
}
CONF
}
for side in six kernel linux-six linux-kernel; do conf "$side" >"$tmp/ngx/$side.conf"; done

# What a client prints: the page, the file's digest, the status codes.
fetch() {
  "$@" curl -6 -sS -m 10 -w ' %{http_code}\n' "http://[$addr]:8080/index.html"
  "$@" curl -6 -sS -m 10 "http://[$addr]:8080/big.bin" | md5sum
  "$@" curl -6 -sS -m 10 -o /dev/null -w '%{http_code}\n' "http://[$addr]:8080/missing"
}
started() {
  for _ in $(seq 50); do
    "$@" curl -6 -s -m 1 -o /dev/null "http://[$addr]:8080/" && return 0
    sleep 0.1
  done
  fail "nginx did not start"
}

# nginx on sixstack / on the kernel; curl on Linux's side.
addr=2001:db8:6::2
bg_on_six nginx -c "$tmp/ngx/six.conf" -p "$tmp/ngx"
bg_on_kernel nginx -c "$tmp/ngx/kernel.conf" -p "$tmp/ngx"
started peer_six
started peer_kernel
fetch peer_six >"$tmp/server.six" 2>&1
fetch peer_kernel >"$tmp/server.kernel" 2>&1
same_output server ''
grep -q "$(md5sum <"$tmp/www/big.bin")" "$tmp/server.six" || fail "the file from nginx on sixstack is not the file"
[ ! -s "$tmp/ngx/six-error.log" ] || { cat "$tmp/ngx/six-error.log"; fail "nginx on sixstack logged errors"; }

# nginx on Linux; curl on sixstack / on the kernel.
bg_stop
addr=2001:db8:6::1
bg_peer_six nginx -c "$tmp/ngx/linux-six.conf" -p "$tmp/ngx"
bg_peer_kernel nginx -c "$tmp/ngx/linux-kernel.conf" -p "$tmp/ngx"
started peer_six
started peer_kernel
fetch on_six >"$tmp/client.six" 2>&1
fetch on_kernel >"$tmp/client.kernel" 2>&1
same_output client ''
grep -q "$(md5sum <"$tmp/www/big.bin")" "$tmp/client.six" || fail "curl on sixstack did not get the file"
