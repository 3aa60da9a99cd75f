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

# Per target, llvm-cov's report rows of the sources that target is for, summed: lines,
# functions and branches covered (columns 8-9, 5-6 and 11-12 of llvm-cov 14's report).
printf '%-12s %8s %10s %10s %10s  %s\n' target inputs lines functions branches sources
for target in "${targets[@]}"; do
  llvm-cov-14 report "build-cov/fuzz/fuzz_$target" "${libraries[@]}" \
      -instr-profile "$out/$target.profdata" 2>/dev/null |
    files="(^|/)(${sources[$target]})\$" sources="${sources[$target]}" awk -v target="$target" \
      -v inputs="$(find "$corpusRoot/$target" -type f | wc -l)" '
      function pct(total, missed) { return total ? sprintf("%.1f%%", 100 * (total - missed) / total) : "-" }
      $1 ~ ENVIRON["files"] { l += $8; ml += $9; f += $5; mf += $6; b += $11; mb += $12 }
      END { printf "%-12s %8s %10s %10s %10s  %s\n", target, inputs, pct(l, ml), pct(f, mf),
                   pct(b, mb), ENVIRON["sources"] }'
done

llvm-profdata-14 merge -sparse "$out"/*.profdata -o "$out/all.profdata"
llvm-cov-14 show "${objects[@]:1}" "${libraries[@]}" -instr-profile "$out/all.profdata" \
  -format=html -output-dir "$out" -ignore-filename-regex='^/usr/' >/dev/null
echo "HTML report: $out/index.html"
