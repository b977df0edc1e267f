#!/bin/sh
# tests/check/run_check.sh - the style gates of `make check` as a TAP suite:
# every C file is clang-formatted (.clang-format), cppcheck finds nothing,
# no kernel function is left uncalled (unused_functions.py), every quoted
# include names one file only, kernel headers from the root as
# "kernel/..." (include_paths.py), every
# repository path the docs name exists (doc_paths.py), no files of
# lib/wasi include or call each other in a circle (wasi_cycles.py), and
# no C files of one folder call each other in a circle that
# call_circles.allow does not name (call_circles.py, over the objects in
# $KPIO_BUILD, which `make check` builds first).
cd "$(dirname "$0")/../.." || exit 1
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
if [ -z "$files" ]; then
    echo "ok 1 - style checks # SKIP not a git checkout (the file list comes from git ls-files)"
    echo "1..1"
    exit 0
fi
n=0
failed=0
check() {
    n=$((n + 1))
    name=$1
    shift
    if out=$("$@" 2>&1); then
        echo "ok $n - $name"
    else
        failed=1
        echo "not ok $n - $name"
        echo "$out" | head -40 | sed 's/^/# /'
    fi
}
# shellcheck disable=SC2086
check "clang-format: every C file formatted" clang-format --dry-run --Werror $files
# shellcheck disable=SC2086
check "cppcheck: no warnings" cppcheck --quiet --error-exitcode=1 --std=c11 \
    --enable=warning,portability --inline-suppr --suppress=missingIncludeSystem \
    -Ilib -Ikernel -I. $files
check "cppcheck: no unused kernel functions" python3 tests/check/unused_functions.py
check "includes: every quoted include names one file (kernel headers as kernel/...)" \
    python3 tests/check/include_paths.py
check "docs: every repository path named in README.md and docs/ exists" \
    python3 tests/check/doc_paths.py
check "lib/wasi: no files that include or call each other in a circle" \
    python3 tests/check/wasi_cycles.py
check "call circles: none between files of one folder but those call_circles.allow names" \
    python3 tests/check/call_circles.py
echo "1..$n"
exit $failed
