#!/bin/sh
# tests/lib/jco/setup.sh - installs the pinned jco and preview2-shim from the
# npm registry into $JCO_HOME (default: build/jco of this tree), for the tests
# that componentize apps and run them under `jco run`. package.json beside
# this file names the versions the tests were checked with and
# package-lock.json pins every package under them, with its sha512: `npm ci`
# installs exactly that tree. Without the lock, npm picks today's newest
# @napi-rs/lzma for jco's weval, whose native part wants node 22, and
# `jco componentize` fails on node 20. Change the versions here only:
# edit package.json, then `npm install --package-lock-only` beside it.
set -e
here=$(cd "$(dirname "$0")" && pwd)
: "${JCO_HOME:=$here/../../../build/jco}"
command -v npm >/dev/null || { echo "jco setup: npm is not installed" >&2; exit 1; }
mkdir -p "$JCO_HOME"
cp "$here/package.json" "$here/package-lock.json" "$JCO_HOME/"
cd "$JCO_HOME"
npm ci --no-audit --no-fund
echo "jco setup: $(node -p 'Object.entries(require("./package.json").dependencies).map(([n, v]) => n + "@" + v).join(" ")') in $(pwd)"
