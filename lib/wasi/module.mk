# lib/wasi: WASI preview1 and 0.2 over the system port (lib/wasi/port.h);
# built into the kernel and into host/kpio-wasm with the Linux port
# (host/port/wasi_*.c). Tests: cmocka unit tests (tests/unit/wasi), C test
# programs compiled to wasm32-wasi and run under kpio-wasm and node
# (tests/wasi).
LIB_SRCS_wasi := lib/wasi/ctx.c lib/wasi/imports.c lib/wasi/path.c lib/wasi/errno.c lib/wasi/p1_fd.c \
    lib/wasi/p1_path.c lib/wasi/p1_misc.c lib/wasi/p1_table.c lib/wasi/p2.c lib/wasi/p2_io.c \
    lib/wasi/p2_cli.c lib/wasi/p2_sock.c lib/wasi/p2_http.c lib/wasi/p2_body.c lib/wasi/p2_http_server.c lib/wasi/p2_http_fields.c \
    lib/wasi/p2_fs.c lib/wasi/p2_fs_meta.c lib/wasi/p2_fs_file.c lib/wasi/p2_fs_path.c \
    lib/wasi/p2_fs_dir.c \
    lib/wasi/p2_table.c
KERNEL_LIB_SRCS += $(LIB_SRCS_wasi)
WASI_HOST_PORT_SRCS := host/port/wasi_files.c host/port/wasi_sock.c host/port/wasi_common.c

# host/kpio-wasm's WASI mode (host/kpio-wasm/run_wasi.c, selected from
# main.c): extra objects for both builds of kpio-wasm.
KPIO_WASM_WASI_SRCS := host/kpio-wasm/run_wasi.c host/kpio-wasm/serve.c host/kpio-wasm/serve_sock.c \
    $(LIB_SRCS_wasi) $(LIB_SRCS_serve) $(WASI_HOST_PORT_SRCS) \
    $(LIB_SRCS_http)
$(BUILD)/rel/bin/kpio-wasm: $(call rel_objs,$(KPIO_WASM_WASI_SRCS))
$(BUILD)/host/bin/kpio-wasm: $(call host_objs,$(KPIO_WASM_WASI_SRCS))
# https for wasi:http: lib/tls over Mbed TLS, with the host's trust store.
KPIO_WASM_TLS_SRCS := host/port/tls_host.c $(LIB_SRCS_tls)
$(BUILD)/rel/bin/kpio-wasm: $(call rel_objs,$(KPIO_WASM_TLS_SRCS)) $(MBEDTLS_REL_LIB)
$(BUILD)/host/bin/kpio-wasm: $(call host_objs,$(KPIO_WASM_TLS_SRCS)) $(MBEDTLS_HOST_LIB)
