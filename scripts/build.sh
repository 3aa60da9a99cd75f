#!/usr/bin/env bash
# Configures (once) and builds TileFlow in build/. CI builds with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hashes paths below the checkout as relative ones, so that a clone elsewhere (a CI
# checkout) reuses what another clone compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

preset=release
[ "${CI:-}" = "true" ] && preset=ci
if [ ! -f build/CMakeCache.txt ] || [ "$(cat build/.preset 2>/dev/null)" != "$preset" ]; then
  cmake --preset "$preset"
  echo "$preset" > build/.preset
fi
cmake --build build --parallel "$(nproc)"
