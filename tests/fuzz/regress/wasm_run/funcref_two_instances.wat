;; tests/fuzz/regress/wasm_run/funcref_two_instances.wat - regression input
;; for fuzz_wasm_run (issue 14, item 10): found on a fresh machine, where the
;; smoke run aborted in compare(). get-funcref returns table 1's element 0,
;; which init set to function 0: a reference to a function of the instance
;; it runs in, so the interpreter's and the JIT's instances return different
;; pointers for the same function. The engines agree; the harness compared
;; the pointers' bits. It now compares references by function index.
(module
  (table $ext 2 externref)
  (table $fun 3 funcref)
  (func $nop)
  (func (export "init") (param externref)
    (table.set $ext (i32.const 1) (local.get 0))
    (table.set $fun (i32.const 0) (table.get $fun (i32.const 1))))
  (func (export "get-externref") (param i32) (result externref)
    (table.get $ext (local.get 0)))
  (func $get_funcref (export "get-funcref") (param i32) (result funcref)
    (table.get $fun (local.get 0)))
  (func (export "is_null-funcref") (param i32) (result i32)
    (ref.is_null (call $get_funcref (local.get 0))))
  (elem (table $fun) (i32.const 1) func $nop))
