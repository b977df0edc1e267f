;; tests/spec/wide/simd_wide_frames.wast - lib/wasm's wide frames (modules
;; that use v128, lib/wasm/README.md): calls between instances of both
;; widths, host calls from a wide frame, v128 globals across instances,
;; and modules whose only v128 use is a SIMD instruction (compiled again
;; with wide frames once it is found).

(module $narrow
  (func (export "add3") (param i32 i64 f64) (result f64)
    (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
             (local.get 2)))
  (func (export "pair") (param i32) (result i32 i64)
    (local.get 0) (i64.extend_i32_u (i32.mul (local.get 0) (i32.const 2)))))
(register "narrow" $narrow)

(module $wide
  (import "narrow" "add3" (func $add3 (param i32 i64 f64) (result f64)))
  (import "narrow" "pair" (func $pair (param i32) (result i32 i64)))
  (import "spectest" "print_i32" (func $print (param i32)))
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (func (export "call-narrow") (param v128 i32) (result f64 v128)
    (call $print (local.get 1))
    (call $add3 (local.get 1) (i64.const 10) (f64.const 0.5))
    (local.get 0))
  (func (export "call-pair") (param i32) (result i64 v128 i32)
    (local i32 i64)
    (call $pair (local.get 0))
    (local.set 2) (local.set 1)
    (local.get 2)
    (global.get $g)
    (local.get 1))
  (func (export "swap") (param v128 v128) (result v128 v128)
    (local.get 1) (local.get 0))
  (func (export "sum-lanes") (param v128) (result i32)
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get 0)) (i32x4.extract_lane 1 (local.get 0)))
             (i32.add (i32x4.extract_lane 2 (local.get 0)) (i32x4.extract_lane 3 (local.get 0)))))
  (func (export "set-g") (param v128) (global.set $g (local.get 0)))
  (func (export "scalar") (param i64 i32) (result i32 i64)
    (i32x4.extract_lane 2 (i32x4.mul (i32x4.splat (local.get 1)) (global.get $g)))
    (i64.add (local.get 0) (i64.const 1)))
  (func (export "select") (param v128 v128 i32) (result v128)
    (select (result v128) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "loop") (param i32) (result v128)
    (local $acc v128)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $acc (i32x4.add (local.get $acc) (v128.const i32x4 1 2 3 4)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (local.get $acc)))
(register "wide" $wide)

(assert_return (invoke "call-narrow" (v128.const i64x2 7 8) (i32.const 5))
  (f64.const 15.5) (v128.const i64x2 7 8))
(assert_return (invoke "call-pair" (i32.const 21))
  (i64.const 42) (v128.const i32x4 1 2 3 4) (i32.const 21))
(assert_return (invoke "swap" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8))
  (v128.const i32x4 5 6 7 8) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "select" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8) (i32.const 0))
  (v128.const i32x4 5 6 7 8))
(assert_return (invoke "loop" (i32.const 3)) (v128.const i32x4 3 6 9 12))
(assert_return (invoke "sum-lanes" (v128.const i32x4 1 2 3 -1)) (i32.const 5))
(assert_return (get "g") (v128.const i32x4 1 2 3 4))
(invoke "set-g" (v128.const i64x2 -1 5))
(assert_return (get "g") (v128.const i64x2 -1 5))

;; A narrow module (no v128 anywhere) calling into the wide one.
(module $caller
  (import "wide" "scalar" (func $scalar (param i64 i32) (result i32 i64)))
  (func (export "f") (param i32) (result i32 i64 f32)
    (local i32)
    (call $scalar (i64.const 8) (local.get 0))
    (local.set 0 (i32.wrap_i64))
    (i64.extend_i32_u (local.get 0))
    (f32.const 2.5)))
(assert_return (invoke "f" (i32.const 3)) (i32.const 15) (i64.const 9) (f32.const 2.5))

;; A module importing the v128 global (which makes it wide) and functions.
(module
  (import "wide" "sum-lanes" (func $sum (param v128) (result i32)))
  (import "wide" "call-pair" (func $cp (param i32) (result i64 v128 i32)))
  (import "wide" "g" (global $g (mut v128)))
  (func (export "f") (result i32)
    (call $sum (global.get $g)))
  (func (export "g") (result i64 i32)
    (local i32)
    (call $cp (i32.const 4))
    (local.set 0) (drop) (local.get 0)))
(assert_return (invoke "f") (i32.const 3))
(assert_return (invoke "g") (i64.const 8) (i32.const 4))

;; No v128 type, global or local: the first function is compiled with
;; narrow frames, then the SIMD instruction in the second one makes the
;; module wide.
(module
  (func $a (export "a") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "b") (param i32) (result i32)
    (call $a
      (i32x4.extract_lane 2 (i32x4.splat (local.get 0)))
      (i32x4.extract_lane 1 (v128.const i32x4 10 20 30 40)))))
(assert_return (invoke "a" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "b" (i32.const 5)) (i32.const 25))

;; Traps inside a wide frame report the function.
(module
  (memory 1)
  (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
  (func (export "store-lane") (param i32) (v128.store64_lane 1 (local.get 0) (v128.const i64x2 1 2))))
(assert_return (invoke "load" (i32.const 65520)) (v128.const i64x2 0 0))
(assert_trap (invoke "load" (i32.const 65521)) "out of bounds memory access")
(assert_trap (invoke "store-lane" (i32.const 65529)) "out of bounds memory access")
