/*
 * lib/tls/kernel-include/string.h - the C library's <string.h> as Mbed TLS
 * needs it in the kernel build: lib/base's mem and str functions, which
 * the kernel links. Only on the include path of Mbed TLS's kernel build.
 */
#ifndef KPIO_MBEDTLS_STRING_H
#define KPIO_MBEDTLS_STRING_H
#include "base/mem.h"
#endif
