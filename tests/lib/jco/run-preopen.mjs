// tests/lib/jco/run-preopen.mjs - for `jco.sh run --jco-import THIS app.wasm`:
// preopens the host folder $PREOPEN_HOST (default ./data) as /data in the
// guest. `jco run` gives a component no folders of its own (preview2-shim
// 0.26); it does pass on the environment and the network.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(`${process.env.JCO_HOME || process.cwd()}/package.json`);
const shimFs = await import(
  pathToFileURL(require.resolve('@bytecodealliance/preview2-shim/filesystem')).href);
shimFs._addPreopen('/data', resolve(process.env.PREOPEN_HOST || 'data'));
