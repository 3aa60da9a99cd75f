#!/usr/bin/env bash
# Installs the Debian 12 packages TileFlow needs to build, test and run, if any is missing,
# and the further packages named as arguments (e.g. scripts/test-fuzz.sh's clang runtime).
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config git
  qt6-base-dev libtiff-dev libopenslide-dev zlib1g-dev libzstd-dev libblosc-dev
  nlohmann-json3-dev libtiff-tools libdeflate-dev
  libopencv-imgproc-dev
  python3-numpy python3-scipy python3-tifffile python3-zarr python3-numcodecs python3-openslide
  python3-dev pybind11-dev python3-pytest
  clang-format clang-tidy-14 cppcheck doxygen
  libopenmpi-dev openmpi-bin
  dpkg-dev file
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "tileflow setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
