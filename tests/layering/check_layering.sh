#!/usr/bin/env bash
# The architecture's dependency rules, checked on the source (docs/architecture.md):
# core and engine include no third-party, HTTP, YAML, SQL or Boost headers; engine never
# includes policy/; nothing includes app/; plugins include only the SDK and their own
# backend's headers, never daemon headers.
set -u
root=$1
fail=0
report() { echo "LAYERING: $1"; fail=1; }

third_party='#include <(httplib|nlohmann|yaml-cpp|yaml\.h|sqlite3|libpq|boost|spdlog|fmt|CLI|systemd|openssl|gtest|benchmark)'
for layer in core engine; do
  while IFS= read -r hit; do report "$hit (daemon/$layer must not use third-party code)"; done \
    < <(grep -rnE "$third_party" "$root/daemon/$layer" || true)
  while IFS= read -r hit; do report "$hit (daemon/$layer may include only core/ and engine/)"; done \
    < <(grep -rnE '#include "(policy|team|store|notify|api|app|codec|config)/' "$root/daemon/$layer" || true)
done
while IFS= read -r hit; do report "$hit (core may not include engine)"; done \
  < <(grep -rn '#include "engine/' "$root/daemon/core" || true)
while IFS= read -r hit; do report "$hit (nothing includes app/)"; done \
  < <(grep -rn '#include "app/' "$root/daemon" "$root/cli" "$root/plugins" | grep -v "^$root/daemon/app/" || true)
while IFS= read -r hit; do report "$hit (plugins use only the SDK)"; done \
  < <(grep -rnE '#include "(core|engine|policy|team|store|notify|api|app|codec|config)/' "$root/plugins" || true)
if [ $fail -eq 0 ]; then echo "layering OK"; fi
exit $fail
