#!/usr/bin/env bash
# Soak: checks (wrk, 16 connections) and durable writes (4 writer threads adding and
# removing assignments) against one gatehoused for SECONDS, sampling every 10 s the SQLite
# write-ahead log (gatehouse_storage_wal_bytes from /metrics, and the file itself) and the
# daemon's resident memory. The WAL and RSS columns must stay flat: the WAL bounded by
# the plugin's checkpoints, memory by the state (writes add and remove the same grants).
# Usage: scripts/soak.sh build/release [seconds]
set -euo pipefail
build=${1:-build/release}
secs=${2:-180}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=18192
source "$root/scripts/bench_daemon.sh"
start_daemon "$build" $port
export ACCOUNT=soak

python3 - "$KEY" "$port" <<'PY'
import json, sys, urllib.request
key, port = sys.argv[1], sys.argv[2]
def call(method, path, body, account="soak"):
    req = urllib.request.Request(f"http://127.0.0.1:{port}" + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Authorization": key, "wix-account-id": account, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
call("POST", "/v1/accounts", {"id": "soak", "name": "Soak", "ownerUserId": "owner"}, "")
for s in range(50):
    call("PUT", f"/v1/assets/s{s}", {"type": "site", "name": f"S{s}"})
users = [f"u{u}" for u in range(200)] + [f"w{n}-{i}" for n in range(4) for i in range(100)]
for u in users:
    call("PUT", f"/v1/users/{u}", {"email": f"{u}@soak.test", "name": {"firstName": "U", "lastName": u}}, "")
for u in range(200):
    call("POST", "/v1/assignments", {"subject": {"id": f"u{u}"}, "policyId": "website-designer",
                                      "restrictions": {"site": {"id": f"s{u % 50}"}}})
PY

# Writers: each thread adds an assignment and removes it again, over and over.
cat > "$work/writers.py" <<'PY'
import http.client, json, sys, threading, time
key, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
done, failed = [0], [0]
lock = threading.Lock()
def writer(n):
    c = http.client.HTTPConnection("127.0.0.1", port)
    h = {"Authorization": key, "wix-account-id": "soak", "Content-Type": "application/json"}
    end = time.time() + secs
    i = 0
    while time.time() < end:
        body = json.dumps({"subject": {"id": f"w{n}-{i % 100}"}, "policyId": "website-designer",
                           "restrictions": {"site": {"id": f"s{i % 50}"}}})
        c.request("POST", "/v1/assignments", body, h)
        r = c.getresponse(); data = r.read()
        ok = r.status == 201
        if ok:
            aid = json.loads(data)["assignmentId"]
            c.request("DELETE", f"/v1/assignments/{aid}", None, h)
            r2 = c.getresponse(); r2.read()
            ok = r2.status in (200, 204)
        with lock:
            done[0] += 2 if ok else 0
            failed[0] += 0 if ok else 1
        i += 1
threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(f"writes: {done[0]} durable writes in {secs:.0f} s ({done[0] / secs:.0f}/s), {failed[0]} failed")
PY

single='{"subject":{"id":"u7","subjectType":"USER"},"permission":"site.edit","asset":{"id":"s7"}}'
BODY=$single wrk -t1 -c16 -d"${secs}s" --latency -s "$root/bench/wrk_post.lua" "http://127.0.0.1:$port/v1/check" \
  > "$work/wrk.txt" 2>&1 &
pids+=($!)
python3 "$work/writers.py" "$KEY" "$port" "$secs" > "$work/writers.txt" 2>&1 &
pids+=($!)

printf "%6s %14s %14s %12s %10s\n" "t (s)" "wal metric" "wal file" "db file" "rss (MiB)"
start=$(date +%s)
while (( $(date +%s) - start < secs )); do
  sleep 10
  wal_metric=$(curl -s "localhost:$port/metrics" | awk '/^gatehouse_storage_wal_bytes /{print $2}')
  wal_file=$(stat -c %s "$work/g.db-wal" 2>/dev/null || echo 0)
  db_file=$(stat -c %s "$work/g.db" 2>/dev/null || echo 0)
  rss=$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$daemon/status)
  printf "%6d %14s %14s %12s %10s\n" $(( $(date +%s) - start )) "$wal_metric" "$wal_file" "$db_file" "$rss"
done
wait "${pids[1]}" "${pids[2]}" 2>/dev/null || true
echo "checks: $(grep -E 'Requests/sec|Non-2xx|Socket errors' "$work/wrk.txt" | tr -s ' ' | tr '\n' ';')"
cat "$work/writers.txt"
