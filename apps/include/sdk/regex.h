/*
 * apps/include/sdk/regex.h - POSIX regular expressions for grep: basic
 * (BRE, with GNU's \+ \? \| extensions) and extended (ERE) syntax, bytes
 * in the C locale, compiled into a small NFA program and matched by
 * simulating all its states at once (Thompson), so a line costs at most
 * (line length + 1) x (program size) steps whatever the pattern: no
 * backtracking, no exponential blow-up. Back-references (\1) and word
 * anchors (\< \> \b) are refused with a message. The program is bounded
 * (RE_MAX_PROG instructions); a larger one is an error, as in GNU
 * ("Regular expression too big").
 */
#ifndef SDK_REGEX_H
#define SDK_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RE_BASIC = 0, RE_EXTENDED = 1, RE_ICASE = 2 };
enum { RE_MAX_PROG = 1 << 16, RE_DUP_MAX = 32767 };

struct re_inst;
struct re {
    struct re_inst *prog;
    uint32_t len;
    uint8_t (*classes)[32]; /* bit sets of bytes */
    uint32_t nclasses;
    uint32_t *cur, *next; /* thread lists for matching */
    uint32_t *mark;       /* per instruction: last step that added it */
    uint32_t *stack;
    char warns[8]; /* ERE: '*', '+', '?', '{' (an interval) dropped at the start: GNU warns */
};

/* Compiles pat (plen bytes, NUL bytes allowed) with RE_* flags. Returns
 * NULL on success, or a message in GNU's words ("Unmatched ( or \\("). */
const char *re_compile(struct re *re, const char *pat, size_t plen, int flags);
/* Whether some substring of line (len bytes, no newline) matches. */
bool re_search(struct re *re, const char *line, size_t len);
void re_free(struct re *re);

#endif
