#!/usr/bin/env bash
# Static analysis of TileFlow's own .cpp files, and through them of its own headers:
# clang-tidy 14 with the committed .clang-tidy, and cppcheck. Prints every finding and a
# one-line summary; exits non-zero on any finding (or when a tool fails to run).
#
# Needs a configured tree (build/, or TILEFLOW_CHECK_BUILD), which it brings up to date: its
# compile_commands.json, the moc output that the Qt sources include, and ninja's record of
# the headers each file includes.
# scripts/test.sh runs it right after the build.
#
# Fast when little has changed. clang-tidy's result for a file is kept in
# ~/.cache/tileflow-checks (TILEFLOW_CHECK_CACHE), keyed by a hash of the file's compile
# command, the file and every header it includes (as ninja recorded them at the last build),
# .clang-tidy and the clang-tidy version, with the checkout's path taken out so that another
# clone (CI's) reuses them: an unchanged file is not checked again. cppcheck keeps its own
# per-file results there (--cppcheck-build-dir). Both run one file per core.
#
# A finding that is a false positive is silenced on its line only, with the reason:
#   // NOLINT(check-name): why           (clang-tidy)
#   // cppcheck-suppress id ; why        (cppcheck, on the line before)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(realpath "${TILEFLOW_CHECK_BUILD:-build}")
cache=${TILEFLOW_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tileflow-checks}
jobs=$(nproc)
clang_tidy=clang-tidy-14
tidy_flags="--quiet --extra-arg=-Wno-unknown-warning-option"
# A finding's first line: "file:line:column: warning: ... [check]", or without a place.
diagnostic='^([^ ]+:[0-9]+:[0-9]+: )?(warning|error): '
start=$(date +%s%N)

if [ ! -f "$build/compile_commands.json" ] || [ ! -f "$build/build.ninja" ]; then
  echo "check-code: no Ninja build in $build: run scripts/build.sh first" >&2
  exit 2
fi
# Up to date (a no-op right after scripts/build.sh). Not a dry run: with CONFIGURE_DEPENDS
# globs, `ninja -n` always lists the CMake re-run it cannot try.
if ! ninja -C "$build" >"$build/check-code-build.log" 2>&1; then
  cat "$build/check-code-build.log" >&2
  echo "check-code: $build does not build: fix the build first" >&2
  exit 2
fi

work="$build/check-code"
rm -rf "$work"
mkdir -p "$work/tidy" "$work/cppcheck" "$work/stubs" "$work/out" "$cache/clang-tidy"

# The translation units: every .cpp that git tracks, with its first compile command (moc's
# mocs_compilation.cpp files are generated, not ours, and not tracked). The example plugin
# is built outside this tree (by test_consumer), so it is checked with the flags of the
# built-in plugin, which has the same dependencies, and an empty stand-in for its moc file.
git ls-files '*.cpp' > "$work/sources.txt"
ninja -C "$build" -t deps > "$work/deps.txt"
tidy_identity="$($clang_tidy --version) $tidy_flags
$(cat .clang-tidy)"
python3 - "$root" "$build" "$work" "$tidy_identity" <<'EOF'
import hashlib, json, os, re, shlex, subprocess, sys

root, build, work, tidy_identity = sys.argv[1:5]
borrowed = {  # a source not built here -> the built source whose command it borrows
    "examples/external_operation_plugin/invert_plugin.cpp":
        "plugin/builtin/builtin_operations_plugin.cpp",
}

def rel(text):
    return text.replace(build, "@BUILD@").replace(root, "@ROOT@")

entries = {}
for e in json.load(open(os.path.join(build, "compile_commands.json"))):
    entries.setdefault(os.path.relpath(e["file"], root), e)

# ninja -t deps: "output: #deps N, ..." then the output's inputs, one an indented line.
deps, current = {}, None
for line in open(os.path.join(work, "deps.txt")):
    if not line.strip():
        continue
    if line[0] not in " \t":
        current = deps.setdefault(line.split(": #deps")[0], [])
    else:
        current.append(os.path.normpath(os.path.join(build, line.strip())))

file_hashes = {}
def file_hash(path):
    if path not in file_hashes:
        with open(path, "rb") as f:
            file_hashes[path] = hashlib.sha256(f.read()).hexdigest()
    return file_hashes[path]

units, missing = [], []
for source in open(os.path.join(work, "sources.txt")).read().split():
    if source in entries:
        entry = dict(entries[source])
    elif source in borrowed and borrowed[source] in entries:
        entry = dict(entries[borrowed[source]])
        args = shlex.split(entry["command"])
        args[args.index("-o") + 1] = os.path.join(work, "stubs", "borrowed.o")
        args[args.index("-c") + 1] = os.path.join(root, source)
        args.insert(1, "-I" + os.path.join(work, "stubs"))
        moc = os.path.splitext(os.path.basename(source))[0] + ".moc"
        open(os.path.join(work, "stubs", moc), "w").close()
        entry.update(file=os.path.join(root, source), command=shlex.join(args))
    else:
        missing.append(source)
        continue
    # CI builds with -Werror: it would turn clang's own warnings (not ours to check here)
    # into errors, and keep CI from reusing what a release build checked.
    entry["command"] = re.sub(r" -Werror(?= )", "", entry["command"])
    args = shlex.split(entry["command"])
    output = args[args.index("-o") + 1]
    key = hashlib.sha256((tidy_identity + "\n" + rel(entry["command"]) + "\n").encode())
    if output in deps:
        for path in deps[output]:
            key.update(f"{rel(path)} {file_hash(path)}\n".encode())
    else:  # not built here: hash what the preprocessor makes of it
        i = args.index("-o")
        pre = args[:i] + ["-E", "-o", "-"] + args[i + 2:]
        text = subprocess.run(pre, cwd=entry["directory"], check=True, capture_output=True).stdout
        key.update(rel(text.decode(errors="replace")).encode())
    units.append((key.hexdigest(), source, entry))

if missing:
    sys.exit("check-code: not in compile_commands.json (built in no target?): " + " ".join(missing))

json.dump([e for _, _, e in units], open(os.path.join(work, "tidy", "compile_commands.json"), "w"))
# cppcheck reads no system headers (Qt comes in through --library=qt); without moc's
# include directories it skips the generated .moc files, whose guard would stop it.
cppcheck_entries = [dict(e, command=re.sub(r" -I\S*_autogen/include\S*", "", e["command"]))
                    for _, _, e in units]
json.dump(cppcheck_entries, open(os.path.join(work, "cppcheck", "compile_commands.json"), "w"))
with open(os.path.join(work, "units.tsv"), "w") as f:
    for key, source, _ in units:
        f.write(f"{key}\t{source}\n")
EOF

# clang-tidy: each unit whose key has no cached result, one per core.
total=$(wc -l < "$work/units.tsv")
: > "$work/todo.tsv"
while IFS=$'\t' read -r key source; do
  if [ -f "$cache/clang-tidy/$key" ]; then
    touch "$cache/clang-tidy/$key"
    cp "$cache/clang-tidy/$key" "$work/out/$key.reused"
  else
    printf '%s\t%s\n' "$key" "$source" >> "$work/todo.tsv"
  fi
done < "$work/units.tsv"
tidy_checked=$(wc -l < "$work/todo.tsv")

tidy_one() {
  local key=$1 source=$2 out="$work/out/$1" rc=0
  # shellcheck disable=SC2086 # the flags are words
  "$clang_tidy" -p "$work/tidy" $tidy_flags "$root/$source" > "$out.stdout" 2> "$out.stderr" || rc=$?
  sed "s|$root/||g" "$out.stdout" > "$out.txt"
  # A run that failed without a diagnostic (a crash, a missing file) is not a result.
  if [ "$rc" -ne 0 ] && ! grep -qE "$diagnostic" "$out.txt"; then
    { echo "$source: $clang_tidy failed ($rc):"; cat "$out.stderr"; } > "$out.failed"
    return 0
  fi
  cp "$out.txt" "$cache/clang-tidy/$key.$$" && mv "$cache/clang-tidy/$key.$$" "$cache/clang-tidy/$key"
}
export -f tidy_one
export work cache root clang_tidy tidy_flags diagnostic
cut -f1,2 "$work/todo.tsv" | tr '\t' '\n' | xargs -r -d '\n' -n 2 -P "$jobs" bash -c 'tidy_one "$@"' _
find "$cache/clang-tidy" -type f -mtime +30 -delete  # results no checkout has asked for lately

# cppcheck: all units; its build directory keeps the results of unchanged files.
cppcheck_dir="$cache/cppcheck/$(printf '%s' "$root" | sha256sum | cut -c1-16)"
mkdir -p "$cppcheck_dir"
touch "$work/cppcheck/started"
cppcheck_rc=0
cppcheck --project="$work/cppcheck/compile_commands.json" --cppcheck-build-dir="$cppcheck_dir" \
  --enable=warning,performance,portability --library=qt --inline-suppr --error-exitcode=1 \
  -j "$jobs" -q --template='{file}:{line}:{column}: warning: {message} [cppcheck-{id}]' \
  2> "$work/cppcheck/stderr.txt" || cppcheck_rc=$?
cppcheck_checked=$(find "$cppcheck_dir" -name '*.a[0-9]*' -newer "$work/cppcheck/started" | wc -l)

# Findings, each once (a header's shows up in every file that includes it).
find "$work/out" \( -name '*.txt' -o -name '*.reused' \) -exec cat {} + |
  { grep -E "$diagnostic" || true; } |
  sed -E 's/ \[([a-z0-9.-]+(,[a-z0-9.-]+)*),-warnings-as-errors\]$/ [\1]/; s/: error: /: warning: /' \
    > "$work/tidy-findings.txt"
sed "s|$root/||g" "$work/cppcheck/stderr.txt" |
  { grep -E '^[^ ]+:[0-9]+:[0-9]+: warning:' || true; } > "$work/cppcheck-findings.txt"
sort -u "$work/tidy-findings.txt" "$work/cppcheck-findings.txt" > "$work/findings.txt"
findings=$(wc -l < "$work/findings.txt")
failures=0
for f in "$work"/out/*.failed; do
  if [ -e "$f" ]; then
    cat "$f" >&2
    failures=$((failures + 1))
  fi
done
if [ "$cppcheck_rc" -ne 0 ] && [ ! -s "$work/cppcheck-findings.txt" ]; then
  { echo "cppcheck failed ($cppcheck_rc):"; cat "$work/cppcheck/stderr.txt"; } >&2
  failures=$((failures + 1))
fi

cat "$work/findings.txt"
tenths=$((($(date +%s%N) - start) / 100000000))
printf 'check-code: %d files; clang-tidy checked %d, reused %d; cppcheck checked %d, reused %d; %d warnings (%d.%d s)\n' \
  "$total" "$tidy_checked" $((total - tidy_checked)) "$cppcheck_checked" \
  $((total - cppcheck_checked)) "$findings" $((tenths / 10)) $((tenths % 10))
[ "$findings" -eq 0 ] && [ "$failures" -eq 0 ]
