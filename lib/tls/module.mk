# lib/tls: TLS client connections, trust stores and certificate checks over
# Mbed TLS 3.6, which is built here from Debian's source package (fetched
# into $(BUILD)/mbedtls/src by scripts/fetch-mbedtls.sh) with our
# configuration header lib/tls/mbedtls_config.h, three times: with the
# sanitizers for host tests, with gcc -O2 for release host tools, and with
# the kernel's flags.

MBEDTLS_DIR := $(BUILD)/mbedtls/src
MBEDTLS_STAMP := $(MBEDTLS_DIR)/.stamp

# The library files that hold code in our configuration (the others compile
# to nothing with it).
MBEDTLS_FILES := aes aesni asn1parse asn1write base64 bignum bignum_core chacha20 chachapoly \
    cipher cipher_wrap constant_time ctr_drbg ecdh ecdsa ecp ecp_curves gcm hkdf hmac_drbg \
    md oid pem pk pk_ecc pk_wrap pkparse platform platform_util poly1305 psa_crypto \
    psa_crypto_aead psa_crypto_cipher psa_crypto_client psa_crypto_driver_wrappers_no_static \
    psa_crypto_ecp psa_crypto_hash psa_crypto_mac psa_crypto_rsa psa_crypto_slot_management \
    psa_util rsa rsa_alt_helpers sha1 sha256 sha512 ssl_ciphersuites ssl_client ssl_msg \
    ssl_tls ssl_tls12_client ssl_tls13_client ssl_tls13_generic ssl_tls13_keys x509 x509_crt

$(MBEDTLS_STAMP):
	@./scripts/fetch-mbedtls.sh $(BUILD)/mbedtls
$(MBEDTLS_DIR)/library/%.c: | $(MBEDTLS_STAMP)
	@test -f $@
# They come with the stamp: make must not delete them as intermediate files.
.SECONDARY: $(patsubst %,$(MBEDTLS_DIR)/library/%.c,$(MBEDTLS_FILES))

# Mbed TLS's own code is compiled without our warning set (it is not ours to
# fix); its headers are system headers to our code.
MBEDTLS_CPPFLAGS := -isystem $(MBEDTLS_DIR)/include -Ilib \
    -DMBEDTLS_CONFIG_FILE='"tls/mbedtls_config.h"'
MBEDTLS_HOST_CFLAGS := -std=c99 $(MBEDTLS_CPPFLAGS) -g -O1 -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=all
MBEDTLS_REL_CFLAGS := -std=c99 $(MBEDTLS_CPPFLAGS) -g -O2
MBEDTLS_FUZZ_CFLAGS := $(MBEDTLS_HOST_CFLAGS) -fsanitize=fuzzer-no-link
# The kernel's flags without its warning set, integer registers only, and
# the few C library headers Mbed TLS includes taken from kernel-include/
# (lib/base's mem and str functions; the kernel links lib/base/mem.c).
# _LIBC_LIMITS_H_ keeps gcc's <limits.h> from looking for a C library's.
# The one exception to integer registers is aesni.c, whose inline assembly
# (AES-NI and PCLMULQDQ, used when CPUID reports them) clobbers SSE
# registers: it alone gets the kernel's FPU flags. TLS runs only in threads,
# whose SSE state the scheduler saves (kernel/sched/sched.c), never in an
# interrupt handler. Without -maes/-mpclmul every file picks Mbed TLS's
# assembly implementation of AES-NI, so aes.c and gcm.c stay integer-only.
# -fbuiltin undoes -ffreestanding's -fno-builtin for Mbed TLS alone: it
# loads and stores every unaligned word through memcpy (alignment.h's
# mbedtls_get_unaligned_uint32, mbedtls_xor), which gcc turns into one mov
# only when memcpy is its builtin; as calls into lib/base/mem.c they made
# ChaCha20-Poly1305 half as fast (bench/kpio's kpio_aead_chachapoly). Where
# gcc still emits a call, it is to lib/base's memcpy/memset, as before.
MBEDTLS_KERNEL_SSE_FILES := aesni
mbedtls_kernel_fpu = $(if $(filter $(MBEDTLS_KERNEL_SSE_FILES),$(1)),$(KERNEL_FPU_CFLAGS),$(KERNEL_NOFPU_CFLAGS))
MBEDTLS_KERNEL_CFLAGS := $(filter-out $(WARN),$(KERNEL_CFLAGS)) \
    -Ilib/tls/kernel-include -D_LIBC_LIMITS_H_ $(MBEDTLS_CPPFLAGS) -fbuiltin

mbedtls_objs = $(patsubst %,$(BUILD)/mbedtls/$(1)/%.o,$(MBEDTLS_FILES))

define mbedtls_flavour
$(BUILD)/mbedtls/$(1)/%.o: $(MBEDTLS_DIR)/library/%.c lib/tls/mbedtls_config.h lib/tls/module.mk | $(MBEDTLS_STAMP)
	@mkdir -p $$(@D)
	@echo "  CC($(1)) mbedtls/$$*.c"
	@$(2) $(3) -MMD -MP -c $$< -o $$@
$(BUILD)/mbedtls/libmbedtls-$(1).a: $(call mbedtls_objs,$(1))
	@echo "  AR      $$@"
	@rm -f $$@ && ar rcs $$@ $$^
endef
$(eval $(call mbedtls_flavour,host,$(HOST_CC),$(MBEDTLS_HOST_CFLAGS)))
$(eval $(call mbedtls_flavour,rel,$(REL_CC),$(MBEDTLS_REL_CFLAGS)))
$(eval $(call mbedtls_flavour,fuzz,$(HOST_CC),$(MBEDTLS_FUZZ_CFLAGS)))
$(eval $(call mbedtls_flavour,kernel,$(KERNEL_CC),$(MBEDTLS_KERNEL_CFLAGS) \
    $$(call mbedtls_kernel_fpu,$$*)))
-include $(wildcard $(foreach f,host rel fuzz kernel,$(BUILD)/mbedtls/$(f)/*.d))

MBEDTLS_HOST_LIB := $(BUILD)/mbedtls/libmbedtls-host.a
MBEDTLS_REL_LIB := $(BUILD)/mbedtls/libmbedtls-rel.a
MBEDTLS_FUZZ_LIB := $(BUILD)/mbedtls/libmbedtls-fuzz.a
MBEDTLS_KERNEL_LIB := $(BUILD)/mbedtls/libmbedtls-kernel.a

# --- lib/tls itself ------------------------------------------------------------
LIB_SRCS_tls := lib/tls/platform.c lib/tls/trust.c lib/tls/verify.c lib/tls/fail.c \
    lib/tls/conn.c lib/tls/rng.c lib/tls/accel.c
TLS_OBJS_ALL := $(call host_objs,$(LIB_SRCS_tls)) $(call rel_objs,$(LIB_SRCS_tls)) \
    $(call fuzz_objs,$(LIB_SRCS_tls))
# accel.c asks Mbed TLS's internal aesni.h, in its library/ directory.
TLS_ACCEL_OBJS := $(call host_objs,lib/tls/accel.c) $(call rel_objs,lib/tls/accel.c) \
    $(call fuzz_objs,lib/tls/accel.c) $(BUILD)/mbedtls/kernel-tls/accel.o
$(TLS_ACCEL_OBJS): MBEDTLS_CPPFLAGS += -isystem $(MBEDTLS_DIR)/library
$(TLS_ACCEL_OBJS): HOST_CFLAGS += -isystem $(MBEDTLS_DIR)/library
$(TLS_ACCEL_OBJS): REL_CFLAGS += -isystem $(MBEDTLS_DIR)/library
$(TLS_ACCEL_OBJS): FUZZ_CFLAGS += -isystem $(MBEDTLS_DIR)/library
$(TLS_OBJS_ALL): HOST_CFLAGS += $(MBEDTLS_CPPFLAGS)
$(TLS_OBJS_ALL): REL_CFLAGS += $(MBEDTLS_CPPFLAGS)
$(TLS_OBJS_ALL): FUZZ_CFLAGS += $(MBEDTLS_CPPFLAGS)
$(TLS_OBJS_ALL): | $(MBEDTLS_STAMP)

# --- unit tests: against openssl s_server on loopback ------------------------------
TLS_CERTS := $(BUILD)/tls/certs
$(BUILD)/host/tests/tls/test_tls: $(call host_objs,tests/unit/tls/test_tls.c $(LIB_SRCS_tls) \
    host/http-get/sock_posix.c $(LIB_SRCS_base) host/port/base_env.c) $(MBEDTLS_HOST_LIB)
	$(host_link) -lcmocka
$(call host_objs,tests/unit/tls/test_tls.c): HOST_CFLAGS += $(MBEDTLS_CPPFLAGS)
UNIT_SUITES += unit/tls
SUITE_CMD_unit/tls := python3 tests/tls/make_certs.py $(TLS_CERTS) && \
    $(BUILD)/host/tests/tls/test_tls $(TLS_CERTS)
TEST_DEPS += $(BUILD)/host/tests/tls/test_tls

# the system DRBG (rng.c) against Mbed TLS's CTR_DRBG fed directly
$(BUILD)/host/tests/tls/test_rng: $(call host_objs,tests/unit/tls/test_rng.c $(LIB_SRCS_tls) \
    $(LIB_SRCS_base) host/port/base_env.c) $(MBEDTLS_HOST_LIB)
	$(host_link) -lcmocka
$(call host_objs,tests/unit/tls/test_rng.c): HOST_CFLAGS += $(MBEDTLS_CPPFLAGS)
UNIT_SUITES += unit/tls-rng
SUITE_CMD_unit/tls-rng := $(BUILD)/host/tests/tls/test_rng
TEST_DEPS += $(BUILD)/host/tests/tls/test_rng

# lib/tls with the kernel's flags (and our warnings), beside Mbed TLS's kernel
# archive; the kernel links both (kernel/module.mk's KERNEL_LINK_LIBS).
TLS_KERNEL_OBJS := $(patsubst lib/tls/%.c,$(BUILD)/mbedtls/kernel-tls/%.o,$(LIB_SRCS_tls))
$(BUILD)/mbedtls/kernel-tls/%.o: lib/tls/%.c | $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC(k)   $<"
	@$(KERNEL_CC) $(KERNEL_CFLAGS) $(KERNEL_NOFPU_CFLAGS) -Ilib/tls/kernel-include \
	    -D_LIBC_LIMITS_H_ $(MBEDTLS_CPPFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/mbedtls/libtls-kernel.a: $(TLS_KERNEL_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^
-include $(wildcard $(BUILD)/mbedtls/kernel-tls/*.d)
KERNEL_LINK_LIBS += $(BUILD)/mbedtls/libtls-kernel.a $(MBEDTLS_KERNEL_LIB)

# --- component tests: fetch https:// under kpio-wasm, curl as the oracle -------------
COMPONENT_SUITES += http/tls
SUITE_CMD_http/tls := python3 tests/tls/test_https.py --build $(BUILD)
TEST_DEPS += $(BUILD)/rel/bin/kpio-wasm $(BUILD)/apps/fetch.wasm

# --- fuzzing: the trust-store loader, seeded with the test certificates --------------
FUZZ_TARGETS += tls_pem
$(BUILD)/fuzz/bin/tls_pem: $(call fuzz_objs,tests/fuzz/fuzz_tls_pem.c $(LIB_SRCS_tls) \
    $(LIB_SRCS_base) host/port/base_env.c) $(MBEDTLS_FUZZ_LIB)
	$(fuzz_link)
$(call fuzz_objs,tests/fuzz/fuzz_tls_pem.c): FUZZ_CFLAGS += $(MBEDTLS_CPPFLAGS)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/tls_pem/.stamp
$(BUILD)/fuzz/seeds/tls_pem/.stamp: tests/tls/make_certs.py
	@mkdir -p $(@D)
	@python3 tests/tls/make_certs.py $(TLS_CERTS)
	@cp $(TLS_CERTS)/root.pem $(TLS_CERTS)/int.pem $(TLS_CERTS)/leaf-rsa-chain.pem \
	    $(TLS_CERTS)/self.pem $(@D)/ && touch $@
FUZZ_TARGETS += tls_conn
$(BUILD)/fuzz/bin/tls_conn: $(call fuzz_objs,tests/fuzz/fuzz_tls_conn.c $(LIB_SRCS_tls) \
    $(LIB_SRCS_base) host/port/base_env.c) $(MBEDTLS_FUZZ_LIB)
	$(fuzz_link)
$(call fuzz_objs,tests/fuzz/fuzz_tls_conn.c): FUZZ_CFLAGS += $(MBEDTLS_CPPFLAGS)

# --- benchmarks: https vs http with fetch under kpio-wasm (the QEMU figures are
# bench/kpio's) -------------------------------------------------------------------------
BENCHES += tls_host
BENCH_CMD_tls_host := python3 bench/tls/bench_tls_host.py --build $(BUILD)
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(BUILD)/apps/fetch.wasm
