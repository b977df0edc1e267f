;; tests/component/abi/reenter.wat - a component that lowers a function it
;; lifts itself and calls it (made with `jco parse` at test time): the call
;; would enter the component instance again while it runs, which the
;; canonical ABI forbids, so it traps (CanonicalABI.md "canon lower":
;; may_enter).
(component
  (core module $a
    (func (export "one") (result i32) (i32.const 1)))
  (core instance $ai (instantiate $a))
  (func $one (result u32) (canon lift (core func $ai "one")))
  (core func $lowered (canon lower (func $one)))
  (core module $b
    (import "x" "one" (func $one (result i32)))
    (func (export "again") (result i32) (call $one)))
  (core instance $bi (instantiate $b (with "x" (instance (export "one" (func $lowered))))))
  (func (export "one") (result u32) (canon lift (core func $ai "one")))
  (func (export "again") (result u32) (canon lift (core func $bi "again"))))
