;; tests/component/args.wat - a WASI 0.2 command written directly against
;; the lowered canonical ABI (no wasi-libc, no preview1 adapter): prints
;; each argument after the program name on a line of its own, or "no
;; arguments" and exits with wasi:cli/exit's err. Made into a component by
;; make_components.py (jco embed with args.wit, jco new), it exercises canon
;; lower with memory and realloc options (get-arguments returns a list of
;; strings through cabi_realloc), own-handle drops and wasi:cli/exit.
(module
  (import "wasi:cli/environment@0.2.12" "get-arguments" (func $get_args (param i32)))
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get_stdout (result i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.12" "[resource-drop]output-stream" (func $drop_out (param i32)))
  (import "wasi:cli/exit@0.2.12" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "\n")
  (data (i32.const 80) "no arguments\n")
  (global $heap (mut i32) (i32.const 1024))

  ;; A bump allocator: realloc(0, 0, align, size) only.
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32)
    (param $size i32) (result i32)
    (local $p i32)
    (if (i32.or (local.get $old) (local.get $old_size)) (then unreachable))
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 1)))))
    (local.get $p))

  ;; Writes [ptr, ptr+len) to out; a stream error ends the run with err.
  (func $put (param $out i32) (param $ptr i32) (param $len i32)
    (call $write (local.get $out) (local.get $ptr) (local.get $len) (i32.const 32))
    (if (i32.load8_u (i32.const 32)) (then (call $exit (i32.const 1)))))

  (func (export "wasi:cli/run@0.2.12#run") (result i32)
    (local $out i32) (local $list i32) (local $n i32) (local $i i32)
    (local.set $out (call $get_stdout))
    (call $get_args (i32.const 16))
    (local.set $list (i32.load (i32.const 16)))
    (local.set $n (i32.load (i32.const 20)))
    (if (i32.le_u (local.get $n) (i32.const 1))
      (then
        (call $put (local.get $out) (i32.const 80) (i32.const 13))
        (call $drop_out (local.get $out))
        (call $exit (i32.const 1))
        unreachable))
    (local.set $i (i32.const 1))
    (loop $each
      (call $put (local.get $out)
        (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 3))))
        (i32.load offset=4 (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 3)))))
      (call $put (local.get $out) (i32.const 64) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $i) (local.get $n))))
    (call $drop_out (local.get $out))
    (i32.const 0)))
