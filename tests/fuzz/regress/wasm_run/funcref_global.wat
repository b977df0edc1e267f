;; tests/fuzz/regress/wasm_run/funcref_global.wat - regression input for
;; fuzz_wasm_run: exported funcref globals, one set by a call, hold
;; functions of their own instance, so the interpreter's and the JIT's runs
;; must compare them by function index (compare_state), not by their bits.
(module
  (func $a)
  (func $b)
  (global (export "fixed") funcref (ref.func $a))
  (global $g (export "set") (mut funcref) (ref.null func))
  (func (export "set-b") (global.set $g (ref.func $b)))
  (func (export "get") (result funcref) (global.get $g))
  (elem declare func $b))
