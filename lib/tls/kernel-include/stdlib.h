/*
 * lib/tls/kernel-include/stdlib.h - <stdlib.h> for Mbed TLS's kernel build:
 * nothing but size_t and NULL. Its heap comes from lib/tls/platform.c
 * (MBEDTLS_PLATFORM_CALLOC_MACRO), never from calloc.
 */
#ifndef KPIO_MBEDTLS_STDLIB_H
#define KPIO_MBEDTLS_STDLIB_H
#include <stddef.h>
#endif
