/*
 * tests/unit/component/abi_types.h - a component of one type section with
 * a type of every WIT kind, for the canonical ABI's unit test
 * (test_abi.c) and fuzz target (tests/fuzz/fuzz_abi_lift.c).
 */
#ifndef TESTS_ABI_TYPES_H
#define TESTS_ABI_TYPES_H

#include <stdint.h>
#include <string.h>

#include "component/component.h"

/* The types, one section (Binary.md "Type Definitions"), by index:
 *  0 tuple<char, f32>            1 list<0>
 *  2 record {a: u8, b: string, c: list<tuple<char, f32>>}
 *  3 variant {a(f32), b(u64), c} 4 option<s16>
 *  5 result<string, u8>          6 flags {read, write, exec}
 *  7 enum {dir, file}            8 list<string>
 *  9 tuple<bool, s8, u16, s32, u32, s64, u64, f64>
 * 10 option<u8>                 11 option<option<u8>>
 * 12 result                     13 enum {true, red}
 * 14 option<string>             15 record {name: string, nick: option<string>} */
static const uint8_t abi_types[] = {
    16,                                                               /* count */
    0x6f, 0x02, 0x74, 0x76,                                           /* 0 */
    0x70, 0x00,                                                       /* 1 */
    0x72, 0x03, 1,    'a',  0x7d, 1,    'b',  0x73, 1,    'c',  0x01, /* 2 */
    0x71, 0x03, 1,    'a',  0x01, 0x76, 0x00, 1,    'b',  0x01, 0x77, 0x00, 1,   'c',
    0x00, 0x00,                   /* 3 */
    0x6b, 0x7c,                   /* 4 */
    0x6a, 0x01, 0x73, 0x01, 0x7d, /* 5 */
    0x6e, 0x03, 4,    'r',  'e',  'a',  'd',  5,    'w',  'r',  'i',  't',  'e', 4,
    'e',  'x',  'e',  'c',                                           /* 6 */
    0x6d, 0x02, 3,    'd',  'i',  'r',  4,    'f',  'i',  'l',  'e', /* 7 */
    0x70, 0x73,                                                      /* 8 */
    0x6f, 0x08, 0x7f, 0x7e, 0x7b, 0x7a, 0x79, 0x78, 0x77, 0x75,      /* 9 */
    0x6b, 0x7d,                                                      /* 10 */
    0x6b, 0x0a,                                                      /* 11 */
    0x6a, 0x00, 0x00,                                                /* 12 */
    0x6d, 0x02, 4,    't',  'r',  'u',  'e',  3,    'r',  'e',  'd', /* 13 */
    0x6b, 0x73,                                                      /* 14: option<string> */
    0x72, 0x02, 4,    'n',  'a',  'm',  'e',  0x73, 4,    'n',  'i',  'c',  'k', 0x0e, /* 15 */
};

#define ABI_NTYPES 16

/* Loads the component into *out (its bytes in buf, which must outlive
 * it): 0, or comp_load's error. */
static inline int abi_types_load(uint8_t buf[sizeof abi_types + 16], struct comp **out,
                                 struct comp_error *err)
{
    static const uint8_t preamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    size_t n = sizeof preamble;
    memcpy(buf, preamble, n);
    buf[n++] = 0x07; /* the type section, its size in two LEB128 bytes */
    buf[n++] = (uint8_t)(0x80 | (sizeof abi_types & 0x7f));
    buf[n++] = (uint8_t)(sizeof abi_types >> 7);
    memcpy(buf + n, abi_types, sizeof abi_types);
    return comp_load(buf, n + sizeof abi_types, out, err);
}

#endif
