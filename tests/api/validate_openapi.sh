#!/usr/bin/env bash
# validate_openapi.sh DOCUMENT: validates an OpenAPI 3.0 document with the real validator,
# openapi-spec-validator (Python; the machine image ships it with its Python). Every
# python3 on the machine is tried; none having it is a failure that says what to install.
set -u
doc=$1
candidates=()
command -v python3 >/dev/null && candidates+=("$(command -v python3)")
for p in "$HOME"/.pyenv/shims/python3 "$HOME"/.pyenv/versions/*/bin/python3 /root/.pyenv/versions/*/bin/python3 \
         /usr/local/bin/python3 /usr/bin/python3; do
  [ -x "$p" ] && candidates+=("$p")
done
for py in "${candidates[@]}"; do
  if "$py" -c "import openapi_spec_validator" 2>/dev/null; then
    echo "validating $doc with $py -m openapi_spec_validator"
    "$py" - "$doc" <<'PY'
import json, sys
from openapi_spec_validator import OpenAPIV30SpecValidator
spec = json.load(open(sys.argv[1]))
errors = list(OpenAPIV30SpecValidator(spec).iter_errors())
for e in errors:
    print("ERROR:", str(e).splitlines()[0])
print(f"{len(errors)} error(s)")
sys.exit(1 if errors else 0)
PY
    exit $?
  fi
done
echo "FAIL: no python3 here has openapi-spec-validator (pip install openapi-spec-validator)"
exit 1
