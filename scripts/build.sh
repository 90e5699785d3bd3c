#!/usr/bin/env bash
# Configures and builds navette into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
# Default BUILD_DIR: build. Uses Ninja and every core. TARGET=navette builds
# only the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAVETTE_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" ${TARGET:+--target "$TARGET"}
