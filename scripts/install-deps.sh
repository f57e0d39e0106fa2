#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the benchmarks need, and only
# what is missing. Used by every make target; safe to run again and again.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential g++ clang cmake ninja-build ccache pkg-config make git python3
  clang-format clang-tidy libclang-rt-14-dev
  # libraries (see docs/architecture.md for which layer uses which)
  libboost-dev libyaml-cpp-dev libyaml-dev libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  libsqlite3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev libsystemd-dev libpq-dev
  libsimdjson-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev postgresql wrk curl sqlite3 openssl
  # /metrics is parsed by Prometheus' own Python client; the .deb is built with dpkg's
  # tools (shlibdeps) and the unit checked by systemd-analyze
  python3-prometheus-client dpkg-dev file systemd
)
# Wix's JavaScript SDK is tested as a real client (tests/integration/wix_sdk): it needs node
# and npm. A machine that has them from elsewhere keeps its own; otherwise Debian's.
if ! command -v node >/dev/null 2>&1; then PACKAGES+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
