#!/usr/bin/env bash
# The SDK as a plugin author uses it: install Gatehouse to a temporary prefix, build the
# example plugin as a separate CMake project against the *installed* SDK, run its unit
# test (FakeHost), then load the .so into a real gatehoused and see it deliver an event.
# Usage: sdk_out_of_tree.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d)
daemon_pid=""
cleanup() { [ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A staged install (DESTDIR): the configuration's /etc paths are absolute.
DESTDIR="$work/root" cmake --install "$build" >/dev/null
prefix=$(find "$work/root" -path '*/sbin/gatehoused' -printf '%h\n' | sed 's|/sbin$||')
cmake -S "$src/examples/notifier-example" -B "$work/example" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/example" >/dev/null
(cd "$work/example" && ./example_notifier_test)

mkdir -p "$work/plugins"
cp "$prefix/lib/gatehouse/plugins/"*.so "$work/example/gatehouse-notifier-example.so" "$work/plugins/"
"$prefix/bin/gatehouse" plugins describe example --dir "$work/plugins"

cat > "$work/gatehouse.yaml" <<YAML
http: {listen: 127.0.0.1:0}
policies: {dir: $src/policies}
plugins: {dir: $work/plugins}
auth: {systemKeyFile: $work/system-key}
storage: {plugin: sqlite, options: {path: $work/g.db}}
notifiers:
  - plugin: example
    options: {path: $work/events.txt}
YAML
"$prefix/sbin/gatehoused" --config "$work/gatehouse.yaml" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(grep -oE 'listening on http://127.0.0.1:[0-9]+' "$work/daemon.log" | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/daemon.log"; echo "FAIL: daemon did not start"; exit 1; }
curl -sf -X POST "http://127.0.0.1:$port/v1/accounts" -H "Authorization: $(cat "$work/system-key")" \
  -d '{"id":"acme","name":"Acme","ownerUserId":"olga"}' >/dev/null
for _ in $(seq 1 100); do
  if grep -q "^1 account.created acme$" "$work/events.txt" 2>/dev/null; then
    kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=""
    echo "OK: the out-of-tree plugin delivered the event"
    exit 0
  fi
  sleep 0.1
done
cat "$work/daemon.log"
echo "FAIL: no event from the out-of-tree plugin"
exit 1
