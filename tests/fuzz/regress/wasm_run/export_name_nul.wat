;; tests/fuzz/regress/wasm_run/export_name_nul.wat - regression input for
;; fuzz_wasm_run: an export whose name has a NUL byte: wasm_instance_func cannot find it
;; by that name, so fuzz_wasm_run must skip it before calling and before
;; comparing the two engines' results (it once read the type of a NULL
;; function there).
(module
  (func (export "f\00x") (result v128) (v128.const i32x4 1 2 3 4)))
