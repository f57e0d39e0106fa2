#!/usr/bin/env bash
# expect_validate_error.sh GATEHOUSE BASE_DIR CASE_FILE REGEX
# Builds a policy directory from BASE_DIR plus CASE_FILE, runs `gatehouse validate` on it,
# and passes only if it exits non-zero and prints a line matching REGEX.
set -u
bin=$1 base=$2 case_file=$3 regex=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$base"/*.yaml "$dir"/
cp "$case_file" "$dir"/case.yaml
out=$("$bin" validate "$dir" 2>&1)
rc=$?
echo "$out"
if [ $rc -eq 0 ]; then echo "FAIL: validate exited 0"; exit 1; fi
out=${out//$dir\//}
if ! grep -Eq -- "$regex" <<<"$out"; then echo "FAIL: no line matches: $regex"; exit 1; fi
echo "OK: exit $rc and matched"
