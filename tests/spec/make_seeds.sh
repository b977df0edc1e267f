#!/bin/sh
# tests/spec/make_seeds.sh SUITE DIR - fuzzing seeds for lib/wasm: every
# binary module of the spec test suite's core/ and simd/ files (converted with
# wast2json), copied into DIR. Without the suite or wast2json, DIR stays
# empty and the fuzzer starts from nothing.
set -e
suite=$1
dir=$2
mkdir -p "$dir"
if [ ! -d "$suite/core" ] || ! command -v wast2json >/dev/null; then
  echo "make_seeds: no spec suite at $suite/core or no wast2json; no seeds" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$suite"/core/*.wast "$suite"/simd/*.wast; do
  name=$(basename "$f" .wast)
  wast2json "$f" -o "$tmp/$name.json" >/dev/null 2>&1 || true
done
cp "$tmp"/*.wasm "$dir"/ 2>/dev/null || true
echo "make_seeds: $(ls "$dir" | wc -l) seeds in $dir"
