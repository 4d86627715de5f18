#!/usr/bin/env bash
# Fails when a tracked C++ file is not formatted as .clang-format says (clang-format 14, the
# version Debian 12 ships; another version may format a few constructs differently).
# Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run -Werror
echo "clang-format: every tracked .cpp/.h is formatted"
