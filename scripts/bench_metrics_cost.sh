#!/usr/bin/env bash
# The cost of /metrics instrumentation on /v1/check: wrk at 16 connections against two
# builds of gatehoused, alternating, a few runs each, same seeded data. Used once to
# measure the metrics commit (docs/benchmarks.md); not part of make bench.
# Usage: scripts/bench_metrics_cost.sh BUILD_WITHOUT BUILD_WITH [seconds] [runs]
set -euo pipefail
without=$1 with=$2 secs=${3:-10} runs=${4:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
source "$root/scripts/bench_daemon.sh"
single='{"subject":{"id":"u7","subjectType":"USER"},"permission":"site.edit","asset":{"id":"s7"}}'

measure() {  # build label
  work=$(mktemp -d)
  start_daemon "$1" 18190
  seed_bench_account 18190
  out=$(ACCOUNT=bench BODY=$single wrk -t1 -c16 -d"${secs}s" --latency -s "$root/bench/wrk_post.lua" \
        http://127.0.0.1:18190/v1/check 2>&1)
  printf '%-16s %12s req/s   p99 %s\n' "$2" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
         "$(awk '$1=="99%" {print $2}' <<<"$out")"
  kill "$daemon"; wait "$daemon" 2>/dev/null || true
  rm -rf "$work"
}
for r in $(seq 1 "$runs"); do
  echo "== run $r (wrk -t1 -c16, ${secs}s)"
  measure "$without" "without metrics"
  measure "$with" "with metrics"
done
