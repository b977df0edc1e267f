;; tests/component/abi/edge.wat - a hand-written component for the edges of
;; the canonical ABI (made with `jco parse` at test time): strings in the
;; utf16 encoding (latin1+utf16, which jco transpile does not take, is in
;; latin1.wat), results returned through memory, and exports whose core
;; code returns bad data, which must trap: a list pointer out of bounds, a
;; char that is a surrogate, an option case out of range, malformed UTF-8.
(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 4096))
    ;; realloc(old, old_size, align, size): a bump allocator
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    ;; "hi☃" in UTF-16 at 16, its (ptr, len) at 32
    (data (i32.const 16) "h\00i\00\03\26")
    (data (i32.const 32) "\10\00\00\00\03\00\00\00")
    ;; a list<u8> at 0xfffffff0 of 16 bytes, at 64
    (data (i32.const 64) "\f0\ff\ff\ff\10\00\00\00")
    ;; option<u8> with case 7, at 80
    (data (i32.const 80) "\07\00")
    ;; bad UTF-8 at 96, (ptr, len) at 104
    (data (i32.const 96) "\c3\28")
    (data (i32.const 104) "\60\00\00\00\02\00\00\00")
    (func (export "ret32") (result i32) (i32.const 32))
    (func (export "ret64") (result i32) (i32.const 64))
    (func (export "ret80") (result i32) (i32.const 80))
    (func (export "ret104") (result i32) (i32.const 104))
    (func (export "surrogate") (result i32) (i32.const 0xd800))
    ;; echo(ptr, len) -> the pair, stored at 128
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 128) (local.get 0))
      (i32.store (i32.const 132) (local.get 1))
      (i32.const 128))
  )
  (core instance $i (instantiate $m))
  (alias core export $i "mem" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (func (export "hello-utf16") (result string)
    (canon lift (core func $i "ret32") (memory $mem) string-encoding=utf16))
  (func (export "echo-utf16") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $mem) (realloc $realloc) string-encoding=utf16))
  (func (export "echo-utf8") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)))
  (func (export "bad-list") (result (list u8))
    (canon lift (core func $i "ret64") (memory $mem)))
  (func (export "bad-char") (result char)
    (canon lift (core func $i "surrogate")))
  (func (export "bad-option") (result (option u8))
    (canon lift (core func $i "ret80") (memory $mem)))
  (func (export "bad-utf8") (result string)
    (canon lift (core func $i "ret104") (memory $mem)))
)
