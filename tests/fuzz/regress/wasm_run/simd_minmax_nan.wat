;; tests/fuzz/regress/wasm_run/simd_minmax_nan.wat - regression input for
;; fuzz_wasm_run: f32x4/f64x2 min and max of NaNs with payloads: the JIT once made them
;; canonical NaNs while the interpreter returns a + b (numeric.h), so the
;; two engines' v128 results differed in their bits.
(module
  (func (export "f32_min") (result v128)
    (f32x4.min (v128.const i32x4 0x7fa00001 0 0xffc00123 0x3f800000)
               (v128.const i32x4 0 0x7f800001 0x3f800000 0xff800000)))
  (func (export "f32_max") (result v128)
    (f32x4.max (v128.const i32x4 0x7fa00001 0 0xffc00123 0x80000000)
               (v128.const i32x4 0 0x7f800001 0x3f800000 0)))
  (func (export "f64_min") (result v128)
    (f64x2.min (v128.const i64x2 0x7ff4000000000001 0) (v128.const i64x2 0 0xfff8000000000123)))
  (func (export "f64_max") (result v128)
    (f64x2.max (v128.const i64x2 0x7ff4000000000001 0x8000000000000000)
               (v128.const i64x2 0 0))))
