;; tests/component/abi/res.wat - a hand-written component with a resource
;; of its own (made with `jco parse` at test time): `counter`, whose rep is
;; the address of its value in memory, with a constructor, methods taking
;; borrow<counter> (which arrive as the rep: the component implements the
;; resource), a method returning a new own<counter>, a function consuming
;; an own<counter> (it drops it, so the destructor runs), and a destructor
;; whose effect `dropped` shows (how many counters were destroyed and the
;; sum of their values). The `bad-*` exports misuse the handle table and
;; must trap with the reason.
(component
  ;; the state and the destructor come first: the resource type names it
  (core module $state
    (memory (export "mem") 1)
    (global $count (export "count") (mut i32) (i32.const 0))
    (global $sum (export "sum") (mut i32) (i32.const 0))
    (func (export "dtor") (param $rep i32)
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (global.set $sum (i32.add (global.get $sum) (i32.load (local.get $rep))))))
  (core instance $s (instantiate $state))
  (alias core export $s "dtor" (core func $dtor))
  (alias core export $s "mem" (core memory $mem))
  (type $counter (resource (rep i32) (dtor (core func $dtor))))
  (type $other (resource (rep i32)))
  (core func $new (canon resource.new $counter))
  (core func $rep (canon resource.rep $counter))
  (core func $drop (canon resource.drop $counter))
  (core func $other-new (canon resource.new $other))
  (core module $main
    (import "state" "mem" (memory 1))
    (import "state" "count" (global $count (mut i32)))
    (import "state" "sum" (global $sum (mut i32)))
    (import "res" "new" (func $new (param i32) (result i32)))
    (import "res" "rep" (func $rep (param i32) (result i32)))
    (import "res" "drop" (func $drop (param i32)))
    (import "res" "other-new" (func $other-new (param i32) (result i32)))
    (global $next (mut i32) (i32.const 16))
    ;; a counter's value at a new address: its rep
    (func $alloc (param $v i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (i32.const 4)))
      (i32.store (local.get $p) (local.get $v))
      (local.get $p))
    (func (export "ctor") (param i32) (result i32) (call $new (call $alloc (local.get 0))))
    (func (export "get") (param $self i32) (result i32) (i32.load (local.get $self)))
    (func (export "add") (param $self i32) (param $n i32)
      (i32.store (local.get $self) (i32.add (i32.load (local.get $self)) (local.get $n))))
    (func (export "clone") (param $self i32) (result i32)
      (call $new (call $alloc (i32.load (local.get $self)))))
    ;; consume(c: own<counter>) -> s32: its value; the handle is dropped
    (func (export "consume") (param $h i32) (result i32)
      (local $v i32)
      (local.set $v (i32.load (call $rep (local.get $h))))
      (call $drop (local.get $h))
      (local.get $v))
    (func (export "dropped") (result i32)
      (i32.store (i32.const 0) (global.get $count))
      (i32.store (i32.const 4) (global.get $sum))
      (i32.const 0))
    ;; misuse: an index never given out, a handle of another resource
    ;; type, a handle dropped twice, a dropped handle returned as own
    (func (export "bad-index") (result i32) (call $rep (i32.const 99)))
    (func (export "bad-type") (result i32) (call $rep (call $other-new (i32.const 8))))
    (func (export "bad-twice") (param $h i32)
      (call $drop (local.get $h))
      (call $drop (local.get $h)))
    (func (export "bad-return") (param $h i32) (result i32)
      (call $drop (local.get $h))
      (local.get $h)))
  (core instance $m (instantiate $main
    (with "state" (instance $s))
    (with "res" (instance
      (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))
      (export "other-new" (func $other-new))))))
  (func $ctor (param "start" s32) (result (own $counter)) (canon lift (core func $m "ctor")))
  (func $get (param "self" (borrow $counter)) (result s32) (canon lift (core func $m "get")))
  (func $add (param "self" (borrow $counter)) (param "n" s32) (canon lift (core func $m "add")))
  (func $clone (param "self" (borrow $counter)) (result (own $counter))
    (canon lift (core func $m "clone")))
  (func $consume (param "c" (own $counter)) (result s32) (canon lift (core func $m "consume")))
  (func $dropped (result (tuple u32 s32)) (canon lift (core func $m "dropped") (memory $mem)))
  (func $bad-index (result s32) (canon lift (core func $m "bad-index")))
  (func $bad-type (result s32) (canon lift (core func $m "bad-type")))
  (func $bad-twice (param "c" (own $counter)) (canon lift (core func $m "bad-twice")))
  (func $bad-return (param "c" (own $counter)) (result (own $counter))
    (canon lift (core func $m "bad-return")))
  ;; WIT exports resources from interfaces only, and an interface's
  ;; functions must name the resource it exports: a nested component takes
  ;; the resource and the functions and exports them again under their
  ;; names, as wit-component does; its instance is kpio:res-test/counters
  (component $counters
    (import "counter-type" (type $r (sub resource)))
    (import "f-ctor" (func $ctor (param "start" s32) (result (own $r))))
    (import "f-get" (func $get (param "self" (borrow $r)) (result s32)))
    (import "f-add" (func $add (param "self" (borrow $r)) (param "n" s32)))
    (import "f-clone" (func $clone (param "self" (borrow $r)) (result (own $r))))
    (import "f-consume" (func $consume (param "c" (own $r)) (result s32)))
    (import "f-dropped" (func $dropped (result (tuple u32 s32))))
    (import "f-bad-index" (func $bad-index (result s32)))
    (import "f-bad-type" (func $bad-type (result s32)))
    (import "f-bad-twice" (func $bad-twice (param "c" (own $r))))
    (import "f-bad-return" (func $bad-return (param "c" (own $r)) (result (own $r))))
    (export $e "counter" (type $r))
    (export "[constructor]counter" (func $ctor) (func (param "start" s32) (result (own $e))))
    (export "[method]counter.get" (func $get) (func (param "self" (borrow $e)) (result s32)))
    (export "[method]counter.add" (func $add) (func (param "self" (borrow $e)) (param "n" s32)))
    (export "[method]counter.clone" (func $clone) (func (param "self" (borrow $e)) (result (own $e))))
    (export "consume" (func $consume) (func (param "c" (own $e)) (result s32)))
    (export "dropped" (func $dropped) (func (result (tuple u32 s32))))
    (export "bad-index" (func $bad-index) (func (result s32)))
    (export "bad-type" (func $bad-type) (func (result s32)))
    (export "bad-twice" (func $bad-twice) (func (param "c" (own $e))))
    (export "bad-return" (func $bad-return) (func (param "c" (own $e)) (result (own $e))))
  )
  (instance $i (instantiate $counters
    (with "counter-type" (type $counter))
    (with "f-ctor" (func $ctor))
    (with "f-get" (func $get))
    (with "f-add" (func $add))
    (with "f-clone" (func $clone))
    (with "f-consume" (func $consume))
    (with "f-dropped" (func $dropped))
    (with "f-bad-index" (func $bad-index))
    (with "f-bad-type" (func $bad-type))
    (with "f-bad-twice" (func $bad-twice))
    (with "f-bad-return" (func $bad-return))))
  (export "kpio:res-test/counters" (instance $i))
)
