#!/usr/bin/env bash
# HTTP benchmarks over loopback with wrk: single checks at 1, 16 and 64 keep-alive
# connections against gatehoused and, in the same run, against a one-thread epoll server
# answering a constant (bench/epoll_server.cc: the machine's limit; Gatehouse's share of it
# is printed) and a bare cpp-httplib server answering the same; then batch checks (100 per
# request).
# wrk gets one thread (one of the two cores), the server the other.
# Usage: scripts/bench_http.sh build/release [seconds]
set -euo pipefail
build=${1:-build/release}
secs=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$build/bench/bare_server" 18181 >/dev/null &
pids+=($!)
"$build/bench/epoll_server" 18183 >/dev/null &
pids+=($!)
source "$root/scripts/bench_daemon.sh"
BENCH_DECISION_PORT=18184 start_daemon "$build" 18182
export ACCOUNT=bench

seed_bench_account 18182

single='{"subject":{"id":"u7","subjectType":"USER"},"permission":"site.edit","asset":{"id":"s7"}}'
python3 - > "$work/batch.json" <<'PY'
import json
checks = [{"subject": {"id": f"u{i}"}, "permission": "site.edit", "asset": {"id": f"s{(i * 7) % 50}"}} for i in range(100)]
print(json.dumps({"checks": checks}))
PY

run() {  # name url connections body...
  local name=$1 url=$2 c=$3
  local out
  out=$(wrk -t1 -c"$c" -d"${secs}s" --latency -s "$root/bench/wrk_post.lua" "$url" 2>&1)
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  # wrk prints these lines only when there were any: socket errors (connect, read, write,
  # timeout) and answers that were not 2xx/3xx.
  local errors
  errors=$(awk '/Socket errors/ {gsub(",", ""); print "socket errors: " $4 " connect, " $6 " read, " $8 " write, " $10 " timeout"} /Non-2xx/ {print "non-2xx: " $NF}' <<<"$out" | paste -sd';' -)
  printf '%-28s c=%-3s %12s req/s   p99 %-9s %s\n' "$name" "$c" "$rps" "$p99" "${errors:-0 errors}"
  last_rps=$rps
}
echo "== single checks (wrk -t1, ${secs}s each)"
for c in 1 16 64; do
  BODY=$single run "epoll, constant (machine)" http://127.0.0.1:18183/v1/check "$c"
  limit=$last_rps
  BODY=$single run "bare cpp-httplib" http://127.0.0.1:18181/v1/check "$c"
  BODY=$single run "gatehoused /v1/check" http://127.0.0.1:18182/v1/check "$c"
  awk -v g="$last_rps" -v m="$limit" 'BEGIN { printf "%-28s c=%-3s %11.0f %%\n", "gatehoused / machine limit", '"$c"', 100 * g / m }'
  BODY=$single run "decision listener /v1/check" http://127.0.0.1:18184/v1/check "$c"
  awk -v g="$last_rps" -v m="$limit" 'BEGIN { printf "%-28s c=%-3s %11.0f %%\n", "decision listener / limit", '"$c"', 100 * g / m }'
done
echo "== batch checks, 100 per request"
for c in 1 16; do
  BODY_FILE="$work/batch.json" run "gatehoused /v1/check/batch" http://127.0.0.1:18182/v1/check/batch "$c"
  BODY_FILE="$work/batch.json" run "decision listener batch" http://127.0.0.1:18184/v1/check/batch "$c"
done
