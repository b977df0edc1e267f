// tests/lib/jco/preopen.mjs - loaded by jco.sh before jco (node --import).
// jco 1.35.0 runs its bundled wasm-tools on preview2-shim without any
// preopened folder, so `jco embed --wit DIR` cannot open DIR. Preopen the
// host's root as "/" in the shim instance jco itself resolves from JCO_HOME.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(`${process.env.JCO_HOME || process.cwd()}/package.json`);
const shimFs = await import(
  pathToFileURL(require.resolve('@bytecodealliance/preview2-shim/filesystem')).href);
shimFs._setPreopens({ '/': '/' });
