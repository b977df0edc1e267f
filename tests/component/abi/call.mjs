// tests/component/abi/call.mjs - the reference side of the canonical ABI
// test: calls exports of a component made into an ES module by
// `jco transpile`, with the values and types test_abi.py gives it, and
// prints each result as WAVE (one line per call, as kpio-wasm --invoke
// does), or "trap: ..." when the call throws something else.
//
//   node call.mjs MODULE.js CALLS.json
//
// CALLS.json: [{"fn": "types.echoBox", "params": [T...], "args": [V...],
// "result": T or null}], T a type (see test_abi.py: "s32", {"list": T},
// {"record": [[name, T]...]}, ...), V a value in test_abi.py's JSON form.
// Resources: {"own": R} and {"borrow": R} values are indices in a table of
// the objects jco gave back, numbered as kpio-wasm numbers its handles (a
// freed index is reused, last freed first; passing an own moves it out);
// "kind": "new" calls fn as a constructor, "method" calls fn's last part on
// the first argument.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const camel = (s) => s.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const KEYWORDS = ['true', 'false', 'inf', 'nan', 'some', 'none', 'ok', 'err'];

// The host's handle table, as lib/component/resource.c keeps one.
const handles = [null];
const freed = [];
function addHandle(obj) {
  const i = freed.length ? freed.pop() : handles.length;
  handles[i] = obj;
  return i;
}
function handle(i, move) {
  if (!handles[i]) throw new Error('handle ' + i + ' is not in the table');
  const obj = handles[i];
  if (move) {
    handles[i] = null;
    freed.push(i);
  }
  return obj;
}

function toJs(t, v) {
  if (typeof t === 'string') {
    if (t === 's64' || t === 'u64') return BigInt(v);
    if ((t === 'f32' || t === 'f64') && typeof v === 'string')
      return v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity;
    return v;
  }
  const [kind, d] = Object.entries(t)[0];
  switch (kind) {
    case 'list': return v.map((x) => toJs(d, x));
    case 'tuple': return v.map((x, i) => toJs(d[i], x));
    case 'record': return Object.fromEntries(d.map(([n, ft]) => [camel(n), toJs(ft, v[n])]));
    case 'variant': {
      const c = d.find(([n]) => n === v.case);
      return c[1] === null ? { tag: v.case } : { tag: v.case, val: toJs(c[1], v.val) };
    }
    case 'enum': return v;
    case 'own': return handle(v, true);
    case 'borrow': return handle(v, false);
    case 'flags': return Object.fromEntries(d.map((n) => [camel(n), v.includes(n)]));
    case 'option': return v === null ? undefined : toJs(d, v.some);
    case 'result': {
      const tag = 'ok' in v ? 'ok' : 'err';
      const ct = d[tag === 'ok' ? 0 : 1];
      return ct === null ? { tag } : { tag, val: toJs(ct, v[tag]) };
    }
  }
  throw new Error('unknown type ' + JSON.stringify(t));
}

// Shortest digits that read back as x (as an f32 or an f64), written
// without an exponent, as Rust's Display (and so wasm-wave) writes floats.
function float(x, f32) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (Object.is(x, -0)) return '-0';
  let e = x.toExponential();
  if (f32) {
    for (let p = 0; p <= 9; p++) {
      e = x.toExponential(p);
      if (Math.fround(Number(e)) === x) break;
    }
  }
  const neg = e.startsWith('-');
  const [mant, exps] = (neg ? e.slice(1) : e).split('e');
  let digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  const exp = Number(exps);
  let s;
  if (exp < 0) s = '0.' + '0'.repeat(-exp - 1) + digits;
  else if (exp + 1 >= digits.length) s = digits + '0'.repeat(exp + 1 - digits.length);
  else s = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return (neg ? '-' : '') + s;
}

function chr(c) {
  const esc = { '\\': '\\\\', '"': '\\"', "'": "\\'", '\t': '\\t', '\r': '\\r', '\n': '\\n' };
  if (esc[c]) return esc[c];
  const cp = c.codePointAt(0);
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return '\\u{' + cp.toString(16) + '}';
  return c;
}

const label = (n) => (KEYWORDS.includes(n) ? '%' + n : n);

function wave(t, v) {
  if (typeof t === 'string') {
    switch (t) {
      case 'bool': return v ? 'true' : 'false';
      case 'f32': return float(v, true);
      case 'f64': return float(v, false);
      case 'char': return "'" + chr(v) + "'";
      case 'string': return '"' + Array.from(v, chr).join('') + '"';
      default: return String(v);
    }
  }
  const [kind, d] = Object.entries(t)[0];
  switch (kind) {
    case 'list': return '[' + Array.from(v, (x) => wave(d, x)).join(', ') + ']';
    case 'tuple': return '(' + v.map((x, i) => wave(d[i], x)).join(', ') + ')';
    case 'record': {
      const parts = d
        .filter(([n, ft]) => !(ft.option !== undefined && v[camel(n)] === undefined))
        .map(([n, ft]) => n + ': ' + wave(ft, v[camel(n)]));
      return parts.length ? '{' + parts.join(', ') + '}' : '{:}';
    }
    case 'variant': {
      const c = d.find(([n]) => n === v.tag);
      return label(v.tag) + (c[1] === null ? '' : '(' + wave(c[1], v.val) + ')');
    }
    case 'enum': return label(v);
    case 'own': return 'own<' + addHandle(v) + '>';
    case 'flags': return '{' + d.filter((n) => v[camel(n)]).join(', ') + '}';
    case 'option': return v === undefined ? 'none' : 'some(' + wave(d, v) + ')';
    case 'result': {
      const ct = d[v.tag === 'ok' ? 0 : 1];
      return v.tag + (ct === null ? '' : '(' + wave(ct, v.val) + ')');
    }
  }
  throw new Error('unknown type ' + JSON.stringify(t));
}

const mod = await import(pathToFileURL(process.argv[2]).href);
const calls = JSON.parse(readFileSync(process.argv[3], 'utf8'));
for (const c of calls) {
  const path = c.fn.split('.');
  const isResult = c.result !== null && c.result.result !== undefined;
  let line;
  try {
    const args = c.params.map((t, i) => toJs(t, c.args[i]));
    let r;
    if (c.kind === 'new') r = new (path.reduce((o, k) => o[k], mod))(...args);
    else if (c.kind === 'method') r = args[0][path[path.length - 1]](...args.slice(1));
    else r = path.reduce((o, k) => o[k], mod)(...args);
    if (c.result === null) line = '';
    else if (isResult) line = wave(c.result, { tag: 'ok', val: r });
    else line = wave(c.result, r);
  } catch (e) {
    if (isResult && e && 'payload' in e) line = wave(c.result, { tag: 'err', val: e.payload });
    else line = 'trap: ' + (e && e.message ? e.message : String(e));
  }
  console.log(line);
}
