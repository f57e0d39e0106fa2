# Sourced by the benchmark scripts: start_daemon BUILD PORT starts gatehoused from BUILD on
# 127.0.0.1:PORT with the repo's policies and a fresh SQLite database in $work, waits until
# it answers, records its PID in $pids and $daemon, and exports KEY (its system key).
# BENCH_HTTP_THREADS, when set, becomes http.threads (the worker pool size).
# Needs $root, $work and the pids array of the calling script.
start_daemon() {
  local build=$1 port=$2
  cat > "$work/g.yaml" <<YAML
http: {listen: 127.0.0.1:$port${BENCH_HTTP_THREADS:+, threads: $BENCH_HTTP_THREADS}}
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
