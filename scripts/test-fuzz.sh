#!/usr/bin/env bash
# Builds the libFuzzer targets (asan preset, build-asan/), writes their seed corpus
# (scripts/fuzz-corpus.py) and fuzzes each target for FUZZ_SECONDS (default 60), two at a time.
# Fails on any crash, sanitizer report, leak, timeout (10 s) or RSS over 2 GiB; the input is
# left in build-asan/crashes/<target>/ and the log in build-asan/fuzz-logs/<target>.log.
# scripts/test.sh calls this in CI or when TILEFLOW_SANITIZERS=1. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets=(tiff zarr npy plugin_json cli)

# The build needs clang, its libFuzzer and sanitizer runtimes and its OpenMP; the corpus needs
# what scripts/setup.sh installs anyway.
scripts/setup.sh clang libclang-rt-14-dev libomp-14-dev

cmake --preset asan >/dev/null
cmake --build build-asan --parallel "$(nproc)" --target fuzzers
/usr/bin/python3 scripts/fuzz-corpus.py build-asan/corpus

logs=build-asan/fuzz-logs
rm -rf "$logs" build-asan/crashes
mkdir -p "$logs"
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export OMP_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen

# fuzz <target>: one bounded run; new inputs go to the corpus, committed regressions are
# replayed first. The exit status goes to <target>.rc.
fuzz() {
  local target="$1" corpora=("build-asan/corpus/$1")
  [ -d "fuzz/regressions/$target" ] && corpora+=("fuzz/regressions/$target")
  mkdir -p "build-asan/crashes/$target"
  local rc=0
  nice -n 10 "build-asan/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="build-asan/crashes/$target/" \
    "${corpora[@]}" >"$logs/$target.log" 2>&1 || rc=$?
  echo "$rc" >"$logs/$target.rc"
}

for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
  fuzz "$target" &
done
wait

# final <log> <stat>: a value of libFuzzer's final stats (-print_final_stats); status <log>
# <field>: a field of its last status line ("#N DONE cov: ... ft: ... corp: ...").
final() { sed -n "s/^stat::$2: *//p" "$1" | tail -1; }
status() { grep -E '^#[0-9]+' "$1" | grep 'cov:' | tail -1 | sed -n "s/.* $2: \([0-9a-zA-Z/]*\).*/\1/p"; }

failed=0
printf '%-12s %12s %8s %8s %8s %10s\n' target executions exec/s cov ft corpus
for target in "${targets[@]}"; do
  log="$logs/$target.log"
  printf '%-12s %12s %8s %8s %8s %10s\n' "$target" "$(final "$log" number_of_executed_units)" \
    "$(final "$log" average_exec_per_sec)" "$(status "$log" cov)" "$(status "$log" ft)" \
    "$(status "$log" corp)"
  if [ "$(cat "$logs/$target.rc")" != "0" ]; then
    failed=1
    echo "test-fuzz: $target failed; log $log, input(s):" >&2
    ls build-asan/crashes/"$target"/* >&2 || true
    grep -E 'ERROR|SUMMARY|broken promise|Test unit written' "$log" | head -20 >&2 || true
  fi
done
exit "$failed"
