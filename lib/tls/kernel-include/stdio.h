/*
 * lib/tls/kernel-include/stdio.h - <stdio.h> for Mbed TLS's kernel build:
 * size_t only. Its formatting goes to lib/tls/platform.c through the
 * MBEDTLS_PLATFORM_*PRINTF_MACRO hooks; there are no files.
 */
#ifndef KPIO_MBEDTLS_STDIO_H
#define KPIO_MBEDTLS_STDIO_H
#include <stddef.h>
#endif
