#!/usr/bin/env bash
# Coverage of the fuzz targets' corpora (fuzz/README.md): builds the targets with clang's
# source-based coverage (coverage preset, build-cov/), runs each target once over every input
# of CORPUS_ROOT/<target>/ (default build-asan/corpus, what scripts/test-fuzz.sh grew) and
# fuzz/regressions/<target>/, and prints per target the coverage of the sources it is for;
# an HTML report of all targets goes to build-cov/coverage/. Not part of CI: it reports.
set -euo pipefail
cd "$(dirname "$0")/.."
corpusRoot="$(realpath "${1:-build-asan/corpus}")"
targets=(tiff zarr npy plugin_json cli)

# The sources each target is for, as a regular expression over paths below the checkout.
declare -A sources=(
  [tiff]='algorithms/src/io/tiff_(source|directory)\.cpp'
  [zarr]='algorithms/src/io/zarr_(format|source)\.cpp'
  [npy]='algorithms/src/io/npy(_header)?\.cpp'
  [plugin_json]='plugin/src/(plugin_metadata|interface_id)\.cpp'
  [cli]='viewer/cli/arguments\.cpp'
)

scripts/setup.sh clang libclang-rt-14-dev libomp-14-dev llvm-14
cmake --preset coverage >/dev/null
cmake --build build-cov --parallel "$(nproc)" --target fuzzers

out=build-cov/coverage
rm -rf "$out"
mkdir -p "$out"
export OMP_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen
objects=()
for target in "${targets[@]}"; do
  corpora=("$corpusRoot/$target")
  [ -d "fuzz/regressions/$target" ] && corpora+=("fuzz/regressions/$target")
  LLVM_PROFILE_FILE="$out/$target-%p.profraw" "build-cov/fuzz/fuzz_$target" -runs=0 \
    -rss_limit_mb=2048 -timeout=60 "${corpora[@]}" >"$out/$target.log" 2>&1
  llvm-profdata-14 merge -sparse "$out/$target"-*.profraw -o "$out/$target.profdata"
  objects+=(-object "build-cov/fuzz/fuzz_$target")
done
libraries=(-object build-cov/algorithms/libtileflow.so -object build-cov/plugin/libtileflow_plugin.so)

# summary <target>: the TOTAL row of llvm-cov's report over that target's sources.
printf '%-12s %8s %10s %10s %10s  %s\n' target inputs lines functions branches sources
for target in "${targets[@]}"; do
  files=$(git ls-files | grep -E "^(${sources[$target]})$" | sed "s|^|$PWD/|")
  # shellcheck disable=SC2086
  total=$(llvm-cov-14 report "build-cov/fuzz/fuzz_$target" "${libraries[@]}" \
    -instr-profile "$out/$target.profdata" $files | grep '^TOTAL')
  read -r -a f <<<"$total"
  count=$(find "${corpusRoot}/$target" -type f | wc -l)
  printf '%-12s %8s %10s %10s %10s  %s\n' "$target" "$count" "${f[9]}" "${f[6]}" "${f[12]}" \
    "${sources[$target]}"
done

llvm-profdata-14 merge -sparse "$out"/*.profdata -o "$out/all.profdata"
llvm-cov-14 show "${objects[@]:1}" "${libraries[@]}" -instr-profile "$out/all.profdata" \
  -format=html -output-dir "$out" -ignore-filename-regex='^/usr/' >/dev/null
echo "HTML report: $out/index.html"
