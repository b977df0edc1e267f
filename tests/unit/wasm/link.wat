;; tests/unit/wasm/link.wat - calls into other instances: "lib" is host.wat's
;; instance (double) and traps.wat's (divide), possibly on another engine.
(module
  (import "lib" "double" (func $double (param i32) (result i32)))
  (import "lib" "divide" (func $divide (param i32 i32) (result i32)))
  (type $binop (func (param i32 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $divide $local_sub)
  (func $local_sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0))))
  (func $relay (export "div") (param i32 i32) (result i32)
    (call $divide (local.get 0) (local.get 1)))
  (func (export "via_table") (param i32 i32 i32) (result i32)
    (call_indirect (type $binop) (local.get 1) (local.get 2) (local.get 0)))
)
