#!/usr/bin/env bash
# Installs the Debian packages vmlab needs (listed in .ci/packages) and builds it into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-packages.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"
