#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed time on a copy of its corpus. Inputs that crash,
# hang or exhaust memory are left in BUILD/fuzz/<target>-artifacts, each target's whole log
# in BUILD/fuzz/<target>.log, and a summary of every failure is printed last (CI shows the
# tail of its output). Usage: scripts/fuzz.sh BUILD SECONDS [SEED]
# SEED 0 (the default) lets libFuzzer pick one; CI passes a fixed seed so that a red run
# can be replayed exactly (`make fuzz FUZZ_SEED=1`), and exploration happens locally.
set -euo pipefail
build=$1 seconds=${2:-60} seed=${3:-0}
root=$(cd "$(dirname "$0")/.." && pwd)
failures=()
for target in "$build"/fuzz/*_fuzzer; do
  name=$(basename "$target" _fuzzer)
  work="$build/fuzz/$name-corpus"
  artifacts="$build/fuzz/$name-artifacts/"
  log="$build/fuzz/$name.log"
  mkdir -p "$work" "$artifacts"
  cp -n "$root/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true
  echo "== fuzzing $name for ${seconds}s (seed $seed)"
  if "$target" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts" "$work" >"$log" 2>&1; then
    tail -n 6 "$log"
  else
    failures+=("$name")
    echo "FUZZ FAILURE in $name (log: $log)"
    grep -E "ERROR: |SUMMARY: |Test unit written to|^    #[0-9]+ .* in gatehouse::" "$log" | head -n 12 || true
  fi
done
if ((${#failures[@]})); then
  echo "== fuzz failures: ${failures[*]}"
  for name in "${failures[@]}"; do
    for input in "$build/fuzz/$name-artifacts"/*; do
      [[ -f $input ]] || continue
      echo "-- $name: $input ($(stat -c %s "$input") bytes): $(head -c 120 "$input" | od -An -c | tr -s ' \n' ' ')"
    done
  done
  exit 1
fi
