#!/usr/bin/env bash
# Runs every benchmark of a release build and prints the numbers (docs/benchmarks.md
# records them with this command). Usage: scripts/bench.sh build/release
set -euo pipefail
build=${1:-build/release}
# PostgreSQL benchmarks run against a throwaway cluster on a loopback port, stopped on exit.
pg_state="$build/bench-postgres"
bash "$(dirname "$0")/../tests/support/postgres_cluster.sh" start "$pg_state"
trap 'bash "$(dirname "$0")/../tests/support/postgres_cluster.sh" stop "$pg_state"' EXIT
export BENCH_PG_CONNINFO
BENCH_PG_CONNINFO=$(cat "$pg_state/conninfo")
echo "== engine (in-process), heap on transparent huge pages as the systemd unit runs it"
GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$build/bench/engine_bench" --benchmark_counters_tabular=true
echo "== the check and the machine's memory latency again, on 4 KiB pages"
"$build/bench/engine_bench" --benchmark_counters_tabular=true --benchmark_filter='BM_Check|BM_MemoryLatency' 
echo "== storage (SQLite and PostgreSQL, durable) and start-up"
"$build/bench/store_bench" --benchmark_counters_tabular=true
echo "== cluster: three daemons on one PostgreSQL database, write -> visible on the others"
"$build/bench/cluster_bench" 2000 1
"$build/bench/cluster_bench" 3000 4
echo "== audit: access review of 100 k members, change feed, policy diff over 1 M assignments"
"$build/bench/audit_bench"
echo "== HTTP (wrk over loopback)"
bash "$(dirname "$0")/bench_http.sh" "$build" 10
echo "== soak (checks and durable writes together; WAL and memory must stay flat)"
bash "$(dirname "$0")/soak.sh" "$build" "${SOAK_SECONDS:-180}"
