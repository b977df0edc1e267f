#!/bin/sh
# tests/lib/jco/setup.sh - installs the pinned jco and preview2-shim from the
# npm registry into $JCO_HOME (default: build/jco of this tree), for the tests
# that componentize apps and run them under `jco run`. The versions are the
# ones the tests were checked with; change them here only.
set -e
here=$(cd "$(dirname "$0")" && pwd)
: "${JCO_HOME:=$here/../../../build/jco}"
JCO=@bytecodealliance/jco@1.35.0
SHIM=@bytecodealliance/preview2-shim@0.26.1
command -v npm >/dev/null || { echo "jco setup: npm is not installed" >&2; exit 1; }
mkdir -p "$JCO_HOME"
cd "$JCO_HOME"
[ -f package.json ] || printf '{"name":"kpio-jco","private":true,"type":"module"}\n' > package.json
npm install --no-audit --no-fund --save-exact "$JCO" "$SHIM"
echo "jco setup: $JCO and $SHIM in $(pwd)"
