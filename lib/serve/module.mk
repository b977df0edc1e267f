# lib/serve: the portable HTTP/1.1 connection of the servers that run
# wasi:http incoming handlers (`kpio-wasm serve` on the host, the kernel
# shell's `serve`), over a byte-stream seam each fills with its sockets.
# Tested through both: tests/serve (serve/host) and tests/qemu (qemu/serve).
LIB_SRCS_serve := lib/serve/conn.c lib/serve/handler.c lib/serve/admit.c
KERNEL_LIB_SRCS += $(LIB_SRCS_serve)
