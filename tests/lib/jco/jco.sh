#!/bin/sh
# tests/lib/jco/jco.sh ARGS... - runs jco, the reference WASI 0.2 toolchain
# and host, as installed by setup.sh next to this file into $JCO_HOME
# (default: build/jco of this tree). preopen.mjs is loaded first: jco 1.35.0
# gives its bundled wasm-tools no filesystem, so `jco embed --wit DIR` could
# not read DIR without it.
here=$(cd "$(dirname "$0")" && pwd)
: "${JCO_HOME:=$here/../../../build/jco}"
export JCO_HOME
exec node --import "file://$here/preopen.mjs" \
    "$JCO_HOME/node_modules/@bytecodealliance/jco/dist/jco.js" "$@"
