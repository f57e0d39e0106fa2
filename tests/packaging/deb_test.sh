#!/usr/bin/env bash
# The Debian package as an admin gets it: build it with CPack from this build, check its
# control data (Depends from shlibdeps, conffiles, maintainer scripts), unpack it into a
# scratch root (dpkg-deb -x), check its unit (systemd-analyze verify, and a security
# exposure of at most 2.0), and run the unpacked daemon with the unpacked configuration
# and policies until /readyz answers 200.
# Usage: deb_test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
daemon_pid=""
cleanup() { if [ -n "$daemon_pid" ]; then { kill -9 "$daemon_pid"; wait "$daemon_pid"; } 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB -B "$work/pkg" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/pkg/gatehouse_*_*.deb)
info=$(dpkg-deb -I "$deb")
grep -q "^ Depends:.*libsqlite3" <<<"$info" || fail "Depends lacks the shared libraries (shlibdeps): $info"
grep -q "^ Section: admin" <<<"$info" || fail "no section"
dpkg-deb -e "$deb" "$work/control"
grep -qx "/etc/gatehouse/gatehouse.yaml" "$work/control/conffiles" || fail "gatehouse.yaml is not a conffile"
grep -qx "/etc/gatehouse/policies/roles/owner.yaml" "$work/control/conffiles" || fail "policies are not conffiles"
grep -q "systemd-sysusers gatehouse.conf" "$work/control/postinst" || fail "postinst does not create the user"
grep -q "systemd-tmpfiles --create gatehouse.conf" "$work/control/postinst" || fail "postinst does not create the dirs"
grep -q "daemon-reload" "$work/control/postinst" || fail "postinst does not reload systemd"
if grep -v "^ *#" "$work/control/postinst" | grep -q "systemctl enable"; then fail "postinst enables the service"; fi

root="$work/root"
dpkg-deb -x "$deb" "$root"
for f in usr/sbin/gatehoused usr/bin/gatehouse usr/lib/gatehouse/plugins/gatehouse-storage-sqlite.so \
         usr/lib/systemd/system/gatehouse.service usr/lib/sysusers.d/gatehouse.conf usr/lib/tmpfiles.d/gatehouse.conf \
         etc/gatehouse/gatehouse.yaml etc/gatehouse/policies/permissions.yaml usr/share/doc/gatehouse/README.md \
         usr/include/gatehouse/plugin.h; do
  [ -e "$root/$f" ] || fail "$f is not in the package"
done
find "$root/usr/lib" -name GatehouseSDKConfig.cmake | grep -q . || fail "the SDK's CMake package is missing"

# The unit: its commands point at the package's paths; verify it against the unpacked
# binaries, and score its sandboxing.
unit="$root/usr/lib/systemd/system/gatehouse.service"
grep -q "^ExecStart=/usr/sbin/gatehoused --config /etc/gatehouse/gatehouse.yaml$" "$unit" || fail "ExecStart: $(grep ExecStart= "$unit")"
grep -q "^WatchdogSec=" "$unit" || fail "no WatchdogSec"
mkdir -p "$work/verify"
sed "s|/usr/sbin/gatehoused|$root/usr/sbin/gatehoused|g" "$unit" >"$work/verify/gatehouse.service"
systemd-analyze verify "$work/verify/gatehouse.service" || fail "systemd-analyze verify"
systemd-analyze security --offline=yes --threshold=20 "$unit" >"$work/security.txt" 2>&1 || { cat "$work/security.txt"; fail "exposure above 2.0"; }
tail -1 "$work/security.txt"

"$root/usr/sbin/gatehoused" --version | grep -q "gatehoused" || fail "gatehoused --version"
"$root/usr/bin/gatehouse" --version | grep -q "gatehouse" || fail "gatehouse --version"
# The unpacked daemon with the unpacked config: only the paths that the package puts
# under / are moved into the scratch root; state goes to the work directory.
GATEHOUSE_HTTP_LISTEN=127.0.0.1:0 \
GATEHOUSE_POLICIES_DIR="$root/etc/gatehouse/policies" \
GATEHOUSE_PLUGINS_DIR="$root/usr/lib/gatehouse/plugins" \
GATEHOUSE_STORAGE_OPTIONS_PATH="$work/gatehouse.db" \
GATEHOUSE_AUTH_SYSTEM_KEY_FILE="$work/system-key" \
GATEHOUSE_LOG_FORMAT=text \
  "$root/usr/sbin/gatehoused" --config "$root/etc/gatehouse/gatehouse.yaml" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log"; fail "the unpacked daemon exited"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/daemon.log"; fail "the unpacked daemon did not listen"; }
for _ in $(seq 1 50); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = "200" ]; then
    echo "PASS: $(basename "$deb") unpacked; its daemon is ready on port $port"
    exit 0
  fi
  sleep 0.1
done
cat "$work/daemon.log"
fail "/readyz never answered 200"
