// tests/apps/run_node.mjs - runs a wasm32-wasi (preview1) module on node's
// own WASI (node:wasi), an independent host to compare KPIO's with:
//   node --no-warnings run_node.mjs [--dir HOST[::GUEST]]... [--env K=V]... APP.wasm [ARGS]...
// like `kpio-wasm` and `wasmtime run`. argv[0] of the app is its base name
// without ".wasm". The exit status is the app's; a trap prints the error on
// stderr and exits with 134 (as wasmtime does for an abort).
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv.length && argv[0].startsWith('--')) {
  const opt = argv.shift();
  const val = argv.shift();
  if (val === undefined) {
    console.error(`run_node: ${opt} needs a value`);
    process.exit(2);
  }
  if (opt === '--dir') {
    const [host, guest] = val.includes('::') ? val.split('::') : [val, val];
    preopens[guest] = resolve(host);
  } else if (opt === '--env') {
    const i = val.indexOf('=');
    env[val.slice(0, i)] = val.slice(i + 1);
  } else {
    console.error(`run_node: unknown option ${opt}`);
    process.exit(2);
  }
}
if (!argv.length) {
  console.error('usage: run_node.mjs [--dir HOST[::GUEST]]... [--env K=V]... APP.wasm [ARGS]...');
  process.exit(2);
}
const path = argv.shift();
const wasi = new WASI({
  version: 'preview1',
  args: [basename(path, '.wasm'), ...argv],
  env,
  preopens,
  returnOnExit: true,
});
let code;
try {
  const module = await WebAssembly.compile(await readFile(path));
  // { wasi_snapshot_preview1: wasiImport }: getImportObject() is node 20's only
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  code = wasi.start(instance);
} catch (err) {
  process.stderr.write(`run_node: ${basename(path)}: ${err}\n`);
  code = 134;
}
process.exitCode = code;
