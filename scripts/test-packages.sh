#!/usr/bin/env bash
# Installs the two .deb packages on this machine, starts the server the way its systemd unit
# says, checks /readyz, starts the app, then removes both. docs/packages.md says what this can
# and cannot check on a machine without systemd. Needs root (CI runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m[test-packages]\033[0m %s\n' "$*"; }
fail() { echo "test-packages: $*" >&2; exit 1; }

PROFILE="${PROFILE:-debug}" bash scripts/packages.sh
server_deb=$(ls target/debian/shiftlog-server_*.deb | head -1)
app_deb=$(ls target/debian/shiftlog_*.deb | head -1)

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  dpkg --purge shiftlog-server shiftlog >/dev/null 2>&1 || true
  rm -rf /var/lib/shiftlog /etc/shiftlog
  getent passwd shiftlog >/dev/null && deluser --system shiftlog >/dev/null 2>&1 || true
  getent group shiftlog >/dev/null && delgroup --system shiftlog >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

say "dpkg -i $server_deb"
dpkg -i "$server_deb" >/dev/null
getent passwd shiftlog >/dev/null || fail "postinst made no shiftlog user"
[ "$(stat -c '%U:%G %a' /var/lib/shiftlog)" = "shiftlog:shiftlog 750" ] \
  || fail "/var/lib/shiftlog is $(stat -c '%U:%G %a' /var/lib/shiftlog), not shiftlog:shiftlog 750"
[ "$(stat -c '%U:%G %a' /etc/shiftlog/server.toml)" = "root:shiftlog 640" ] \
  || fail "/etc/shiftlog/server.toml is $(stat -c '%U:%G %a' /etc/shiftlog/server.toml)"
unit=/lib/systemd/system/shiftlog-server.service
[ -f "$unit" ] || unit=/usr/lib/systemd/system/shiftlog-server.service
[ -f "$unit" ] || fail "no systemd unit installed"
for d in User=shiftlog ProtectSystem=strict NoNewPrivileges=yes ReadWritePaths=/var/lib/shiftlog; do
  grep -qx "$d" "$unit" || fail "the unit lacks $d"
done
[ -f /usr/share/man/man1/shiftlog-server.1* ] || ls /usr/share/man/man1/shiftlog-server.1* >/dev/null \
  || fail "no man page"
say "systemd-analyze verify"
# It reports unknown or misspelt directives, missing binaries and bad Documentation= lines.
if ! out=$(systemd-analyze verify "$unit" 2>&1) || [ -n "$out" ]; then
  echo "$out" >&2
  fail "systemd-analyze verify found problems in the unit"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# As an administrator would: a certificate and key the service's group may read, and the
# settings pointing at them (the small organization's way: TLS served by the server itself).
install -d -m 0750 -o root -g shiftlog /etc/shiftlog/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -keyout /etc/shiftlog/tls/privkey.pem -out /etc/shiftlog/tls/fullchain.pem 2>/dev/null
chgrp shiftlog /etc/shiftlog/tls/privkey.pem /etc/shiftlog/tls/fullchain.pem
chmod 0640 /etc/shiftlog/tls/privkey.pem /etc/shiftlog/tls/fullchain.pem
sed -i "s|^listen = .*|listen = \"127.0.0.1:$port\"|; s|^# tls_cert = .*|tls_cert = \"/etc/shiftlog/tls/fullchain.pem\"|; s|^# tls_key = .*|tls_key = \"/etc/shiftlog/tls/privkey.pem\"|; s|^# public_url = .*|public_url = \"https://localhost:$port\"|" /etc/shiftlog/server.toml
grep -q '^tls_cert' /etc/shiftlog/server.toml || fail "the installed settings have no tls_cert line to fill in"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
say "starting the unit's ExecStart as $user: $exec_start (port $port)"
(cd /var/lib/shiftlog && exec runuser -u "$user" -- $exec_start) > target/debian/server.log 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 100); do
  if curl -fsS --cacert /etc/shiftlog/tls/fullchain.pem "https://localhost:$port/readyz" 2>/dev/null | grep -q '"ready"'; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
[ -n "$ready" ] || { cat target/debian/server.log >&2; fail "the installed server never answered /readyz"; }
say "/readyz over TLS: $(curl -fsS --cacert /etc/shiftlog/tls/fullchain.pem "https://localhost:$port/readyz")"
if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
  fail "the installed server answered plain http although it was given a certificate"
fi
[ -f /var/lib/shiftlog/server.db ] || fail "the server did not keep its database in /var/lib/shiftlog"
[ "$(stat -c '%U' /var/lib/shiftlog/server.db)" = shiftlog ] || fail "server.db is not the service user's"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

say "dpkg -i $app_deb"
dpkg -i "$app_deb" >/dev/null 2>&1 || { apt-get install -f -y -qq >/dev/null; dpkg -i "$app_deb" >/dev/null; }
[ -x /usr/bin/shiftlog-app ] || fail "the app package installed no /usr/bin/shiftlog-app"
ls /usr/share/applications/*.desktop | grep -qi shiftlog || fail "the app package has no menu entry"
home=$(mktemp -d)
say "starting the installed app under Xvfb for 5 s"
set +e
HOME="$home" SHIFTLOG_DATA_DIR="$home/data" xvfb-run -a timeout 5 /usr/bin/shiftlog-app >"$home/app.log" 2>&1
rc=$?
set -e
[ "$rc" = 124 ] || { cat "$home/app.log" >&2; fail "the installed app exited by itself (exit $rc) instead of running"; }
rm -rf "$home"

say "removing both; the data directory must survive a purge"
dpkg -r shiftlog >/dev/null
dpkg --purge shiftlog-server >/dev/null 2>&1
[ -f /var/lib/shiftlog/server.db ] || fail "purging the package deleted the organization's data"
[ ! -e /usr/bin/shiftlog-server ] || fail "/usr/bin/shiftlog-server is still there after removal"
say "packages: built, installed, served /readyz, started the app, removed"
