;; tests/unit/wasm/versions.wat - an import a resolver matches by prefix.
(module
  (import "wasi:io/streams@0.2.3" "[method]drop" (func (param i32))))
