# Sourced by the benchmark scripts: start_daemon BUILD PORT starts gatehoused from BUILD on
# 127.0.0.1:PORT with the repo's policies and a fresh SQLite database in $work, waits until
# it answers, records its PID in $pids and $daemon, and exports KEY (its system key).
# BENCH_HTTP_THREADS, when set, becomes http.threads (the worker pool size);
# BENCH_DECISION_PORT, when set, turns on the decision listener on 127.0.0.1:that port with
# one event loop (the epoll server it is compared with has one thread too).
# Needs $root, $work and the pids array of the calling script.
start_daemon() {
  local build=$1 port=$2
  cat > "$work/g.yaml" <<YAML
http: {listen: 127.0.0.1:$port${BENCH_HTTP_THREADS:+, threads: $BENCH_HTTP_THREADS}${BENCH_DECISION_PORT:+, decisionListen: "127.0.0.1:$BENCH_DECISION_PORT", decisionThreads: 1}}
policies: {dir: $root/policies}
plugins: {dir: $build/plugins}
auth: {systemKeyFile: $work/system-key}
storage: {plugin: sqlite, options: {path: $work/g.db}}
log: {level: warn}
YAML
  "$build/bin/gatehoused" --config "$work/g.yaml" 2>"$work/daemon.log" &
  daemon=$!
  pids+=("$daemon")
  for _ in $(seq 1 100); do
    [ -s "$work/system-key" ] && curl -sf "localhost:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  KEY=$(cat "$work/system-key")
  export KEY
}

# seed_bench_account PORT: the benchmark account on the daemon at 127.0.0.1:PORT (key $KEY):
# 5 folders, 50 sites in them, 200 users each assigned website-designer on one site.
seed_bench_account() {
  python3 - "$KEY" "$1" <<'PY'
import json, sys, urllib.request
key, port = sys.argv[1], sys.argv[2]
def call(method, path, body, account="bench"):
    req = urllib.request.Request("http://127.0.0.1:" + port + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Authorization": key, "wix-account-id": account, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
call("POST", "/v1/accounts", {"id": "bench", "name": "Bench", "ownerUserId": "owner"}, "")
for f in range(5):
    call("PUT", f"/v1/assets/f{f}", {"type": "folder", "name": f"F{f}"})
for s in range(50):
    call("PUT", f"/v1/assets/s{s}", {"type": "site", "name": f"S{s}", "parentId": f"f{s % 5}"})
for u in range(200):
    call("PUT", f"/v1/users/u{u}", {"email": f"u{u}@bench.test", "name": {"firstName": "U", "lastName": str(u)}}, "")
    call("POST", "/v1/assignments", {"subject": {"id": f"u{u}"}, "policyId": "website-designer",
                                      "restrictions": {"site": {"id": f"s{u % 50}"}}})
PY
}
