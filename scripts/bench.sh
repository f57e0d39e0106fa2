#!/usr/bin/env bash
# Runs every benchmark of a release build and prints the numbers (docs/benchmarks.md
# records them with this command). Usage: scripts/bench.sh build/release
set -euo pipefail
build=${1:-build/release}
echo "== engine (in-process)"
"$build/bench/engine_bench" --benchmark_counters_tabular=true
echo "== storage (SQLite, durable) and start-up"
"$build/bench/store_bench" --benchmark_counters_tabular=true
echo "== audit: access review of 100 k members, change feed, policy diff over 1 M assignments"
"$build/bench/audit_bench"
echo "== HTTP (wrk over loopback)"
bash "$(dirname "$0")/bench_http.sh" "$build" 10
echo "== soak (checks and durable writes together; WAL and memory must stay flat)"
bash "$(dirname "$0")/soak.sh" "$build" "${SOAK_SECONDS:-180}"
