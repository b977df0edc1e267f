/*
 * lib/tls/kernel-include/assert.h - <assert.h> for Mbed TLS's kernel build:
 * assert() is lib/base's BASE_ASSERT, static_assert is C11's.
 */
#ifndef KPIO_MBEDTLS_ASSERT_H
#define KPIO_MBEDTLS_ASSERT_H
#include "base/env.h"
#define assert(cond) BASE_ASSERT(cond)
#define static_assert _Static_assert
#endif
