#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed time on a copy of its corpus; new inputs that
# found crashes are left in build/fuzz/<target>-artifacts. Usage: scripts/fuzz.sh BUILD SECONDS
set -euo pipefail
build=$1 seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for target in "$build"/fuzz/*_fuzzer; do
  name=$(basename "$target" _fuzzer)
  work="$build/fuzz/$name-corpus"
  artifacts="$build/fuzz/$name-artifacts/"
  mkdir -p "$work" "$artifacts"
  cp -n "$root/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true
  echo "== fuzzing $name for ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts" "$work" 2>&1 | tail -n 12; then
    echo "FUZZ FAILURE in $name: see $artifacts"
    status=1
  fi
done
exit $status
