// bench/wasm/run_node.cjs - one benchmark program on V8 (Node.js), for
// run_bench.py: `node run_node.cjs FILE.wasm N` prints the checksum of
// run(N) and the time of that call alone, as kpio-wasm --time does
// ("i32:SUM" on stdout, "time: X s" on stderr). The programs use no
// imports.
"use strict";
const fs = require("fs");

const [file, n] = process.argv.slice(2);
const mod = new WebAssembly.Module(fs.readFileSync(file));
const inst = new WebAssembly.Instance(mod, {});
const t0 = process.hrtime.bigint();
const sum = inst.exports.run(Number(n)) >>> 0;
const t1 = process.hrtime.bigint();
console.log(`i32:${sum}`);
console.error(`time: ${(Number(t1 - t0) / 1e9).toFixed(6)} s`);
