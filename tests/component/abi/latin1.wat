;; tests/component/abi/latin1.wat - strings in the latin1+utf16 encoding
;; (CanonicalABI.md): a Latin-1 string in memory, and an echo that gets its
;; argument as Latin-1 or, when a character is beyond U+00FF, as UTF-16
;; with the length tagged. Made with `jco parse` at test time; jco
;; transpile does not take this encoding, so test_abi.py checks the
;; results against the values themselves.
(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    ;; "h\e9" in Latin-1 at 40, (ptr, len) at 48
    (data (i32.const 40) "h\e9")
    (data (i32.const 48) "\28\00\00\00\02\00\00\00")
    (func (export "ret48") (result i32) (i32.const 48))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 128) (local.get 0))
      (i32.store (i32.const 132) (local.get 1))
      (i32.const 128))
  )
  (core instance $i (instantiate $m))
  (alias core export $i "mem" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (func (export "hello-latin1") (result string)
    (canon lift (core func $i "ret48") (memory $mem) string-encoding=latin1+utf16))
  (func (export "echo-latin1") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $mem) (realloc $realloc)
      string-encoding=latin1+utf16))
)
