#!/usr/bin/env bash
# Builds the sanitizer presets and runs tests under them: ASan+UBSan on the whole suite (in
# build-asan/, with clang; the same build holds the fuzz targets scripts/test-fuzz.sh runs),
# TSan on the suites that exercise threads (in build-tsan/, only their targets are built).
# scripts/test.sh calls this in CI or when TILEFLOW_SANITIZERS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
supp="$PWD/tests/sanitizers"
export QT_QPA_PLATFORM=offscreen

# Not run under ASan: test_consumer installs this build and builds a plugin against it (minutes
# of compiling that tests packaging, not memory), test_deb_package packages it (dpkg, not
# memory), and test_scipy_interop spends its time in Python computing the SciPy reference. The build needs clang, its sanitizer and libFuzzer
# runtimes and its OpenMP.
scripts/setup.sh clang libclang-rt-14-dev libomp-14-dev
cmake --preset asan >/dev/null
cmake --build build-asan --parallel "$(nproc)"
ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)" \
    -E '^(test_consumer|test_deb_package|test_scipy_interop)$'

# GCC's libgomp is not built with TSan, which then cannot see the hand-over between OpenMP
# threads and would report every tile as a race. OMP_THREAD_LIMIT=1 keeps each parallel
# region on the calling thread (the same code, run serially), so what TSan checks is our own
# threading: the engine's run state, monitors, limits, the tile and result caches, and the
# view and image jobs with their worker threads and hand-overs to the GUI thread (made
# visible to TSan by plugin/src/queued_post.hpp). Left out: the suites that paint widgets
# (test_reference_host, the viewer's), where Qt's raster engine splits paints across its
# global thread pool with a hand-over TSan cannot see, so the reports are Qt's own; and the
# Python-oracle suites, which fork after threads start, which TSan refuses.
tsanTests=(test_engine test_monitors test_limits test_source_views test_view_job test_image_job
           test_job_load)
cmake --preset tsan >/dev/null
cmake --build build-tsan --parallel "$(nproc)" --target "${tsanTests[@]}"
OMP_THREAD_LIMIT=1 \
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp" \
  ctest --test-dir build-tsan --output-on-failure --parallel "$(nproc)" \
    -R "^($(IFS='|'; echo "${tsanTests[*]}"))\$"
