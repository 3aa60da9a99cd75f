#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (Qt Test suites in CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hashes paths below the checkout as relative ones, so that a clone elsewhere (a CI
# checkout) reuses what another clone compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
scripts/setup.sh
scripts/build.sh
# Checks that need no build: the Qt-free library stays Qt-free, the code stays formatted.
if grep -rnE '#include\s*<Q' algorithms/; then
  echo "algorithms/ must not include Qt headers" >&2
  exit 1
fi
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror
# clang-tidy and cppcheck, zero findings; results of unchanged files come from
# ~/.cache/tileflow-checks.
scripts/check-code.sh
# The API reference (build/docs/html): any doxygen warning, such as an undocumented public
# symbol, fails the docs target. A build folder configured before doxygen was installed is
# configured again so that the target exists.
if command -v doxygen >/dev/null; then
  grep -q '^DOXYGEN_EXECUTABLE:FILEPATH=/' build/CMakeCache.txt || cmake build >/dev/null
  cmake --build build --target docs
fi

export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure --parallel "$(nproc)"

# ASan+UBSan and TSan builds of their own (build-asan/, build-tsan/), then a bounded fuzz run
# (build-fuzz/, FUZZ_SECONDS per target): always in CI, on request elsewhere since they take
# minutes.
if [ "${CI:-}" = "true" ] || [ "${TILEFLOW_SANITIZERS:-}" = "1" ]; then
  scripts/test-sanitizers.sh
  scripts/test-fuzz.sh
fi
