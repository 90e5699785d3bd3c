#!/usr/bin/env bash
# Configures and builds navette into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
# Default BUILD_DIR: build. Uses Ninja and every core. TARGET=navette builds
# only the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
# Line tables only (-g1): backtraces, gdb and the sanitizers' reports still
# name file and line, and the build takes half the time of full -g. For
# variables in gdb: scripts/build.sh build-debug -DCMAKE_BUILD_TYPE=Debug.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DNAVETTE_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" ${TARGET:+--target "$TARGET"}
