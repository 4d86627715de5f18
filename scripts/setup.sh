#!/usr/bin/env bash
# Installs the Debian packages vmlab needs (listed in .ci/packages) and builds it into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq --no-install-recommends $(cat .ci/packages) >/dev/null
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"
