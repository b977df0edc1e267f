// tests/component/abi/abi.js - the reference component's code
// (jco componentize with wit/world.wit): every export gives back what it
// was given, so the values cross the canonical ABI in both directions.
const echo = (v) => v;
export const types = {
  echoBox: echo,
  echoOuter: echo,
  echoShape: echo,
  echoStrings: echo,
  echoTuple: echo,
  echoFloats: (a, b) => [a, b],
  echoMany: echo,
  echoOption: echo,
  echoResult(r) {
    if (r.tag === 'err') throw r.val;
    return r.val;
  },
  echoChars: echo,
  sumMany: (...xs) => xs.reduce((s, x) => s + Number(x), 0),
};
export function add(a, b) { return (a + b) | 0; }
export function greet(name) { return 'hello ' + name; }
export function nothing() {}
