// tests/spec/wasm_diff.cjs - the V8 side of the differential test (see
// wasm_diff.c for the output format and the argument tables, which must
// stay the same as here).
//
//   node wasm_diff.cjs FILE.wasm...   (CommonJS, whatever package.json says;
//                                     each file's lines follow "== FILE")
'use strict';
const fs = require('fs');

const ROUNDS = 4;
const ARGS_I32 = [0, 1, 0xffffffff, 7, 0x7fffffff, 0x80000000, 123456, 0xfffffffb];
const ARGS_I64 = [0n, 1n, 0xffffffffffffffffn, 7n, 0x7fffffffffffffffn, 0x8000000000000000n,
                  1234567890123n, 0xfffffffffffffffbn];
const ARGS_F32 = [0x00000000, 0x3f800000, 0xbfc00000, 0x7f800000, 0x4f000000, 0x80000000,
                  0x42f6e979, 0x00000001];
const ARGS_F64 = [0x0000000000000000n, 0x3ff0000000000000n, 0xbff8000000000000n,
                  0x7ff0000000000000n, 0x43e0000000000000n, 0x8000000000000000n,
                  0x405edd2f1a9fbe77n, 0x0000000000000001n];

const buf = new DataView(new ArrayBuffer(8));
const f32 = (bits) => { buf.setUint32(0, bits, true); return buf.getFloat32(0, true); };
const f64 = (bits) => { buf.setBigUint64(0, bits, true); return buf.getFloat64(0, true); };
const pick = (tab, k) => tab[k % tab.length];

function format(type, v) {
  switch (type) {
    case 'i32': return 'i32:' + (v >>> 0);
    case 'i64': return 'i64:' + BigInt.asUintN(64, v);
    case 'f32':
      if (Number.isNaN(v)) return 'f32:nan';
      buf.setFloat32(0, v, true);
      return 'f32:0x' + buf.getUint32(0, true).toString(16).padStart(8, '0');
    case 'f64':
      if (Number.isNaN(v)) return 'f64:nan';
      buf.setFloat64(0, v, true);
      return 'f64:0x' + buf.getBigUint64(0, true).toString(16).padStart(16, '0');
  }
  return 'ref';
}

function arg(type, j) {
  switch (type) {
    case 'i32': return pick(ARGS_I32, j) | 0;
    case 'i64': return BigInt.asIntN(64, pick(ARGS_I64, j));
    case 'f32': return f32(pick(ARGS_F32, j));
    case 'f64': return f64(pick(ARGS_F64, j));
  }
  return null;
}

// Parameter and result types come from the module's own type section, via
// a tiny reader (the JS API does not expose function types in Node 20).
function functionTypes(bytes) {
  const names = {0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x70: 'funcref', 0x6f: 'externref'};
  let p = 8;
  const leb = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const types = [], funcs = [], exps = [];
  while (p < bytes.length) {
    const id = bytes[p++], size = leb(), end = p + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        p++; // 0x60
        const params = []; for (let k = leb(); k > 0; k--) params.push(names[bytes[p++]]);
        const results = []; for (let k = leb(); k > 0; k--) results.push(names[bytes[p++]]);
        types.push({params, results});
      }
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) funcs.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const len = leb(); const name = Buffer.from(bytes.slice(p, p + len)).toString('utf8'); p += len;
        const kind = bytes[p++]; const idx = leb();
        exps.push({name, kind, idx});
      }
    }
    p = end;
  }
  return {types, funcs, exps};
}

function runModule(path, out) {
  const bytes = new Uint8Array(fs.readFileSync(path));
  const {types, funcs, exps} = functionTypes(bytes);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  for (const e of exps) {
    if (e.kind !== 0) continue;
    const t = types[funcs[e.idx]]; // modules under test import no functions
    for (let k = 0; k < ROUNDS; k++) {
      const args = t.params.map((p, i) => arg(p, k * 3 + i));
      let line = `${e.name}#${k}:`;
      try {
        let r = instance.exports[e.name](...args);
        if (t.results.length === 1) r = [r];
        else if (t.results.length === 0) r = [];
        line += t.results.map((rt, i) => ' ' + format(rt, r[i])).join('');
      } catch (err) {
        if (!(err instanceof WebAssembly.RuntimeError) && !(err instanceof RangeError)) throw err;
        line += ' trap';
      }
      out.push(line);
    }
  }
}

const out = [];
for (const path of process.argv.slice(2)) {
  out.push('== ' + path.split('/').pop());
  runModule(path, out);
}
process.stdout.write(out.join('\n') + '\n');
