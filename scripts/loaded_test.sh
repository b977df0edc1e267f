#!/bin/sh
# scripts/loaded_test.sh - runs `make test` on a loaded machine, to find tests
# that wait for time instead of events: RUNS runs (default 3), one after
# another, each while `stress-ng --cpu HOGS` (default 2) keeps every core
# busy. Prints each run's result line, its wall time and its exit status,
# and keeps each run's output in build/test-logs/loaded-N.log. The exit
# status is 0 only when every run passed.
#
#   scripts/loaded_test.sh [RUNS] [MAKE ARGUMENTS...]
#
# Run it in a fresh clone (beside ../shared) to check what CI will see.
# Installs stress-ng from Debian when it is missing. Ends only the stress-ng
# it started, by PID.
set -u
cd "$(dirname "$0")/.."

runs=${1:-3}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- test
hogs=${HOGS:-2}

say() { echo "loaded-test: $*"; }

if ! command -v stress-ng >/dev/null; then
    say "installing stress-ng"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq stress-ng >/dev/null || exit 2
fi

mkdir -p build/test-logs
status=0
n=1
while [ "$n" -le "$runs" ]; do
    stress-ng --cpu "$hogs" --quiet &
    hog=$!
    trap 'kill "$hog" 2>/dev/null; exit 130' INT TERM
    start=$(date +%s)
    log=build/test-logs/loaded-$n.log
    make "$@" >"$log" 2>&1
    rc=$?
    kill "$hog" 2>/dev/null
    wait "$hog" 2>/dev/null
    trap - INT TERM
    took=$(($(date +%s) - start))
    say "run $n of $runs: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)" \
        "exit $rc, $((took / 60)) min $((took % 60)) s, $hogs CPU hogs ($log)"
    [ "$rc" -eq 0 ] || status=1
    n=$((n + 1))
done
exit $status
