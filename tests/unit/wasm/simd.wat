;; tests/unit/wasm/simd.wat - v128 at the embedding API (wide frames,
;; lib/wasm/README.md): packed values in wasm_call and host functions,
;; host traps and exits from a wide frame.
(module
  (import "env" "vmix" (func $vmix (param i32 v128 i64) (result v128 i32)))
  (import "env" "fail" (func $fail (param i32)))
  (import "env" "exit" (func $exit (param i32)))
  (import "env" "callback" (func $callback (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "call_vmix") (param v128 i32) (result i32 v128)
    (local v128)
    (call $vmix (local.get 1) (i32x4.add (local.get 0) (v128.const i32x4 1 1 1 1)) (i64.const -2))
    (local.set 1)
    (local.set 2)
    (local.get 1)
    (local.get 2))
  (func $caller (export "call_fail") (param i32)
    (call $fail (i32x4.extract_lane 0 (i32x4.splat (local.get 0)))))
  (func (export "exit_wide") (param v128) (call $exit (i32x4.extract_lane 3 (local.get 0))))
  (func (export "double") (param i32) (result i32)
    (i32x4.extract_lane 2 (i32x4.shl (i32x4.splat (local.get 0)) (i32.const 1))))
  (func (export "call_callback") (param i32) (result i32)
    (i32.add (call $callback (local.get 0)) (i32.const 1))))
