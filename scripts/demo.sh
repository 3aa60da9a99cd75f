#!/usr/bin/env bash
# Installs what is missing, builds, and runs TileFlow's main job. With a display (and not in
# CI) that is the desktop viewer on the demo slide, a synthetic 65536² 8-channel fluorescence
# image generated tile by tile, with the processing panels docked beside it. Without one it
# is the batch demo: the same kind of slide processed tile by tile (nuclei mask and count,
# percentile stretch, Sobel edges), then one benchmark case.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

tileflow=build/viewer/tileflow
if [ -z "${CI:-}" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$tileflow" synthetic:65536x65536x8:u16
fi

out=build/demo
mkdir -p "$out"
"$tileflow" process synthetic:8192x8192x4:u16:1 "$out/nuclei.npy" --op nuclei --tile 512 --chunk 2048
"$tileflow" process synthetic:8192x8192x4:u16:1 "$out/stretched.npy" --op stretch --param low=1 --param high=99.5
"$tileflow" process synthetic:4096x4096x4:u16:1 "$out/edges.npy" --op sobel --tile 512 --chunk 2048
"$tileflow" bench --size 4096 --channels 8 --dtype f32 --op sobel
echo "results in $out (NumPy .npy files)"
