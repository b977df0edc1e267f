// tests/wasi/node_run.mjs - runs a preview1 module under node's own WASI
// (node:wasi, an independent host) for comparison with kpio-wasm:
//   node node_run.mjs MODULE.wasm DIR [ARGS...]
// DIR is preopened as /sandbox; the environment has P1_TEST from ours.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [, , wasm, dir, ...args] = process.argv;
const wasi = new WASI({
  version: 'preview1',
  args: [wasm, ...args],
  env: { P1_TEST: process.env.P1_TEST ?? '' },
  preopens: { '/sandbox': dir },
  returnOnExit: true,
});
const mod = await WebAssembly.compile(await readFile(wasm));
// { wasi_snapshot_preview1: wasiImport }: getImportObject() is node 20's only
const inst = await WebAssembly.instantiate(mod, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(inst);
