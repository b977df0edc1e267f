/*
 * apps/sdk/regex.c - POSIX basic and extended regular expressions
 * (sdk/regex.h): a parser that emits an NFA program directly, and a
 * matcher that runs every live state of it in step (Thompson's
 * construction, no backtracking).
 *
 * Code is emitted into one growing array with jump offsets relative to
 * the instruction, so the code of a piece (an atom and its quantifiers)
 * is a self-contained range: `*`, `?` and alternation insert a SPLIT in
 * front of a range, and an interval \{m,n\} copies the range m..n times.
 * Every insertion and copy is checked against RE_MAX_PROG first.
 */
#include "sdk/regex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { OP_CHAR, OP_ANY, OP_SET, OP_BOL, OP_EOL, OP_JMP, OP_SPLIT, OP_MATCH };
enum { MAX_DEPTH = 200 };

struct re_inst {
    uint8_t op;
    int32_t x, y; /* CHAR: byte; SET: class; JMP: offset; SPLIT: both offsets */
};

struct parser {
    const unsigned char *p;
    size_t len, pos;
    int flags;
    const char *err;
    struct re_inst *code;
    uint32_t n, cap;
    uint8_t (*sets)[32];
    uint32_t nsets, setcap;
    int depth;
    bool ere_lead;       /* ERE: only dropped quantifiers since the branch began */
    bool ere_anchor;     /* ERE: the last piece was an anchor */
    uint32_t anchor_end; /* n just after an anchor, until anything else changes code */
    char warns[8];       /* ERE: quantifiers dropped at the start */
    size_t nwarns;
};

static const char TOO_BIG[] = "Regular expression too big";
static const char NO_MEM[] = "Memory exhausted";

/* Room for `more` instructions. */
static bool reserve(struct parser *ps, uint64_t more)
{
    if (ps->err) return false;
    if ((uint64_t)ps->n + more + 1 > RE_MAX_PROG) {
        ps->err = TOO_BIG;
        return false;
    }
    uint32_t need = ps->n + (uint32_t)more + 1;
    if (need <= ps->cap) return true;
    uint32_t cap = ps->cap ? ps->cap : 64;
    while (cap < need)
        cap *= 2;
    struct re_inst *c = realloc(ps->code, cap * sizeof *c);
    if (!c) {
        ps->err = NO_MEM;
        return false;
    }
    ps->code = c;
    ps->cap = cap;
    return true;
}

static void emit(struct parser *ps, uint8_t op, int32_t x, int32_t y)
{
    ps->anchor_end = 0; /* an anchor's caller sets it again */
    if (!reserve(ps, 1)) return;
    ps->code[ps->n++] = (struct re_inst){op, x, y};
}

/* Inserts one instruction at `at`, shifting [at, n) up by one. Offsets
 * inside the shifted range stay right: they are relative. */
static void insert(struct parser *ps, uint32_t at, uint8_t op, int32_t x, int32_t y)
{
    ps->anchor_end = 0;
    if (!reserve(ps, 1)) return;
    memmove(ps->code + at + 1, ps->code + at, (ps->n - at) * sizeof *ps->code);
    ps->code[at] = (struct re_inst){op, x, y};
    ps->n++;
}

static int new_set(struct parser *ps)
{
    if (ps->err) return -1;
    if (ps->nsets == ps->setcap) {
        uint32_t cap = ps->setcap ? ps->setcap * 2 : 8;
        if (cap > RE_MAX_PROG) {
            ps->err = TOO_BIG;
            return -1;
        }
        uint8_t(*s)[32] = realloc(ps->sets, cap * sizeof *s);
        if (!s) {
            ps->err = NO_MEM;
            return -1;
        }
        ps->sets = s;
        ps->setcap = cap;
    }
    memset(ps->sets[ps->nsets], 0, 32);
    return (int)ps->nsets++;
}

static void set_add(uint8_t *set, unsigned c)
{
    set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool set_has(const uint8_t *set, unsigned c)
{
    return set[c >> 3] & (1u << (c & 7));
}

static void set_fold(uint8_t *set)
{
    for (unsigned c = 'A'; c <= 'Z'; c++) {
        if (set_has(set, c) || set_has(set, c + 32)) {
            set_add(set, c);
            set_add(set, c + 32);
        }
    }
}

static void emit_char(struct parser *ps, unsigned c)
{
    if ((ps->flags & RE_ICASE) && isalpha((int)c)) {
        int s = new_set(ps);
        if (s < 0) return;
        set_add(ps->sets[s], c);
        set_fold(ps->sets[s]);
        emit(ps, OP_SET, s, 0);
        return;
    }
    emit(ps, OP_CHAR, (int32_t)c, 0);
}

static bool at(const struct parser *ps, size_t i, char c)
{
    return i < ps->len && ps->p[i] == (unsigned char)c;
}

/* A [:name:] class into set. Returns false for an unknown name. */
static bool add_class(uint8_t *set, const unsigned char *name, size_t len)
{
    static const struct {
        const char *name;
        int (*fn)(int);
    } classes[] = {
        {"alpha", isalpha}, {"digit", isdigit}, {"alnum", isalnum}, {"upper", isupper},
        {"lower", islower}, {"space", isspace}, {"blank", isblank}, {"punct", ispunct},
        {"print", isprint}, {"graph", isgraph}, {"cntrl", iscntrl}, {"xdigit", isxdigit},
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (strlen(classes[i].name) != len || memcmp(classes[i].name, name, len) != 0) continue;
        for (unsigned c = 0; c < 128; c++)
            if (classes[i].fn((int)c)) set_add(set, c);
        return true;
    }
    return false;
}

/* One element of a bracket expression at ps->pos: a byte, or the byte of
 * [.c.] / [=c=]. Returns the byte, -1 after adding a [:class:], -2 on an
 * error. */
static int bracket_elem(struct parser *ps, uint8_t *set)
{
    static const char UNMATCHED[] = "Unmatched [, [^, [:, [., or [=";
    size_t i = ps->pos;
    if (at(ps, i, '[') && (at(ps, i + 1, ':') || at(ps, i + 1, '.') || at(ps, i + 1, '='))) {
        char kind = (char)ps->p[i + 1];
        size_t s = i + 2, e = s;
        while (e + 1 < ps->len && !(ps->p[e] == (unsigned char)kind && ps->p[e + 1] == ']'))
            e++;
        if (e + 1 >= ps->len) {
            ps->err = UNMATCHED;
            return -2;
        }
        ps->pos = e + 2;
        if (kind == ':') {
            if (!add_class(set, ps->p + s, e - s)) {
                ps->err = "Invalid character class name";
                return -2;
            }
            return -1;
        }
        if (e - s != 1) {
            ps->err = "Invalid collation character";
            return -2;
        }
        return ps->p[s];
    }
    if (i >= ps->len) {
        ps->err = UNMATCHED;
        return -2;
    }
    ps->pos++;
    return ps->p[i];
}

/* A bracket expression; ps->pos is just after '['. */
static void parse_bracket(struct parser *ps)
{
    size_t start = ps->pos;
    int s = new_set(ps);
    if (s < 0) return;
    uint8_t set[32] = {0};
    bool negate = at(ps, ps->pos, '^');
    if (negate) ps->pos++;
    bool first = true;
    while (first || !at(ps, ps->pos, ']')) {
        if (ps->pos >= ps->len) {
            ps->err = "Unmatched [, [^, [:, [., or [=";
            return;
        }
        first = false;
        int lo = bracket_elem(ps, set);
        if (lo == -2) return;
        if (lo == -1) continue;
        if (at(ps, ps->pos, '-') && ps->pos + 1 < ps->len && !at(ps, ps->pos + 1, ']')) {
            ps->pos++;
            int hi = bracket_elem(ps, set);
            if (hi == -2) return;
            if (hi < lo) {
                ps->err = "Invalid range end";
                return;
            }
            for (int c = lo; c <= hi; c++)
                set_add(set, (unsigned)c);
        } else {
            set_add(set, (unsigned)lo);
        }
    }
    ps->pos++;
    /* "[:space:]" alone is a common mistake that GNU refuses. */
    size_t n = ps->pos - start;
    if (n >= 4 && ps->p[start] == ':' && ps->p[ps->pos - 2] == ':') {
        ps->err = "character class syntax is [[:space:]], not [:space:]";
        return;
    }
    if (ps->flags & RE_ICASE) set_fold(set);
    if (negate)
        for (int i = 0; i < 32; i++)
            set[i] = (uint8_t)~set[i];
    memcpy(ps->sets[s], set, 32);
    emit(ps, OP_SET, s, 0);
}

static void parse_alt(struct parser *ps);

/* A class escape \w \W \s \S. */
static void emit_class_escape(struct parser *ps, unsigned c)
{
    int s = new_set(ps);
    if (s < 0) return;
    uint8_t *set = ps->sets[s];
    if (c == 'w' || c == 'W') {
        add_class(set, (const unsigned char *)"alnum", 5);
        set_add(set, '_');
    } else {
        add_class(set, (const unsigned char *)"space", 5);
    }
    if (isupper((int)c))
        for (int i = 0; i < 32; i++)
            set[i] = (uint8_t)~set[i];
    emit(ps, OP_SET, s, 0);
}

/* An escaped byte c (the backslash already consumed) as an atom. */
static void parse_escape(struct parser *ps, unsigned c)
{
    if (c >= '1' && c <= '9') {
        ps->err = "back-references are not supported";
    } else if (c == 'w' || c == 'W' || c == 's' || c == 'S') {
        emit_class_escape(ps, c);
    } else if (c && strchr("<>bB`'", (int)c)) {
        ps->err = "word and buffer anchors (\\< \\> \\b \\B \\` \\') are not supported";
    } else {
        emit_char(ps, c);
    }
}

/* Reads a decimal count for an interval. Returns -1 if none. */
static long read_count(struct parser *ps)
{
    long v = -1;
    while (ps->pos < ps->len && isdigit(ps->p[ps->pos])) {
        v = (v < 0 ? 0 : v) * 10 + (ps->p[ps->pos++] - '0');
        if (v > RE_DUP_MAX + 1) v = RE_DUP_MAX + 1;
    }
    return v;
}

/* Parses "m,n}" (BRE: "m,n\}") after the opening brace into *min, *max
 * (-1: no upper bound). Returns false, with ps->err set for BRE, when it
 * is not an interval; ERE then takes the '{' as a literal. */
static bool parse_interval(struct parser *ps, long *min, long *max)
{
    bool ere = ps->flags & RE_EXTENDED;
    long lo = read_count(ps), hi = lo;
    if (at(ps, ps->pos, ',')) {
        ps->pos++;
        hi = read_count(ps);
    }
    if (lo < 0) lo = 0;
    bool closed = ere ? at(ps, ps->pos, '}') : at(ps, ps->pos, '\\') && at(ps, ps->pos + 1, '}');
    if (!closed) {
        if (!ere) {
            bool any_close = false;
            for (size_t i = ps->pos; i + 1 < ps->len; i++)
                any_close |= ps->p[i] == '\\' && ps->p[i + 1] == '}';
            ps->err = any_close ? "Invalid content of \\{\\}" : "Unmatched \\{";
        }
        return false;
    }
    ps->pos += ere ? 1 : 2;
    if (hi >= 0 && hi < lo) {
        ps->err = "Invalid content of \\{\\}";
        return false;
    }
    if (lo > RE_DUP_MAX || hi > RE_DUP_MAX) {
        ps->err = TOO_BIG;
        return false;
    }
    *min = lo;
    *max = hi;
    return true;
}

/* Replaces the range [s, n) by `min` copies of it followed by (max - min)
 * optional copies, or a starred copy when max is -1. */
static void repeat(struct parser *ps, uint32_t s, long min, long max)
{
    uint32_t len = ps->n - s;
    ps->anchor_end = 0;
    uint64_t copies = (uint64_t)min + (max < 0 ? 1 : (uint64_t)(max - min));
    if (!reserve(ps, copies * (len + 2))) return;
    struct re_inst *body = malloc((len ? len : 1) * sizeof *body);
    if (!body) {
        ps->err = NO_MEM;
        return;
    }
    memcpy(body, ps->code + s, len * sizeof *body);
    ps->n = s;
    for (long i = 0; i < min; i++) {
        memcpy(ps->code + ps->n, body, len * sizeof *body);
        ps->n += len;
    }
    if (max < 0) {
        uint32_t l = ps->n;
        emit(ps, OP_SPLIT, 1, (int32_t)len + 2);
        memcpy(ps->code + ps->n, body, len * sizeof *body);
        ps->n += len;
        emit(ps, OP_JMP, -(int32_t)(ps->n - l), 0);
    } else {
        for (long i = min; i < max; i++) {
            emit(ps, OP_SPLIT, 1, (int32_t)len + 1);
            memcpy(ps->code + ps->n, body, len * sizeof *body);
            ps->n += len;
        }
    }
    free(body);
}

/* Quantifiers after the piece that starts at s. */
static void parse_quantifiers(struct parser *ps, uint32_t s)
{
    bool ere = ps->flags & RE_EXTENDED;
    while (!ps->err && ps->pos < ps->len) {
        unsigned char c = ps->p[ps->pos];
        bool esc = !ere && c == '\\' && ps->pos + 1 < ps->len;
        unsigned char q = esc ? ps->p[ps->pos + 1] : c;
        long min, max;
        if (c == '*') {
            min = 0, max = -1;
            ps->pos++;
        } else if ((ere && !esc && (q == '+' || q == '?')) || (esc && (q == '+' || q == '?'))) {
            min = q == '+', max = q == '+' ? -1 : 1;
            ps->pos += esc ? 2 : 1;
        } else if ((ere && c == '{') || (esc && q == '{')) {
            size_t save = ps->pos;
            ps->pos += esc ? 2 : 1;
            if (!parse_interval(ps, &min, &max)) {
                if (ps->err) return;
                ps->pos = save; /* ERE: a literal '{' */
                return;
            }
        } else {
            return;
        }
        repeat(ps, s, min, max);
    }
}

/* Whether '$' at pos is an anchor in BRE: last, or before \) or \|. */
static bool bre_dollar_anchor(const struct parser *ps, size_t pos)
{
    if (pos + 1 == ps->len) return true;
    return ps->p[pos + 1] == '\\' && pos + 2 < ps->len &&
           (ps->p[pos + 2] == ')' || ps->p[pos + 2] == '|');
}

/* ERE: a quantifier with nothing before it (at the start of a branch)
 * is dropped with a warning, as GNU does; one after an anchor applies to
 * it: "^*" and "^?" make the anchor optional (it is removed), "^+" keeps
 * it. After a dropped interval, later quantifiers stack silently.
 * Returns false when c is no quantifier. */
static bool ere_drop_quantifier(struct parser *ps, unsigned char c, bool lead, bool anchor)
{
    size_t save = ps->pos;
    long min = c == '+', max = -1;
    if (c == '{') {
        ps->pos++;
        if (!parse_interval(ps, &min, &max)) {
            if (!ps->err) ps->pos = save;
            return ps->err != NULL;
        }
    } else if (c == '*' || c == '+' || c == '?') {
        ps->pos++;
    } else {
        return false;
    }
    if (anchor && min == 0 && ps->n > 0 && ps->anchor_end == ps->n) {
        ps->n--; /* once: in "$$**" only the last '$' becomes optional */
        ps->anchor_end = 0;
    }
    if (lead && ps->nwarns < sizeof ps->warns) ps->warns[ps->nwarns++] = (char)c;
    ps->ere_lead = lead && c != '{';
    ps->ere_anchor = anchor || c == '{';
    return true;
}

/* One piece: an atom and its quantifiers. Returns false at the end of a
 * branch (end of pattern, '|' or ')' not consumed). */
static bool parse_piece(struct parser *ps, size_t branch_start, bool *after_anchor)
{
    bool ere = ps->flags & RE_EXTENDED;
    if (ps->pos >= ps->len) return false;
    unsigned char c = ps->p[ps->pos];
    unsigned char d = ps->pos + 1 < ps->len ? ps->p[ps->pos + 1] : 0;
    if (ere && (c == '|' || (c == ')' && ps->depth > 0))) return false;
    if (!ere && c == '\\' && (d == '|' || d == ')')) {
        if (d == ')' && ps->depth == 0) {
            ps->err = "Unmatched ) or \\)";
            return false;
        }
        return false;
    }
    uint32_t s = ps->n;
    bool leading = ps->pos == branch_start || *after_anchor; /* BRE: '*' is a byte */
    bool ere_lead = ps->pos == branch_start || ps->ere_lead, ere_anchor = ps->ere_anchor;
    *after_anchor = false;
    ps->ere_lead = ps->ere_anchor = false;
    if (ere && (ere_lead || ere_anchor) && ere_drop_quantifier(ps, c, ere_lead, ere_anchor))
        return !ps->err;
    ps->pos++;
    if (c == '^' && (ere || ps->pos - 1 == branch_start)) {
        emit(ps, OP_BOL, 0, 0);
        ps->anchor_end = ps->n;
        *after_anchor = true;
        ps->ere_anchor = true;
        ps->ere_lead = ere_lead; /* GNU still warns for "^*" at the start */
        return true;             /* no quantifier applies to an anchor */
    }
    if (c == '$' && (ere || bre_dollar_anchor(ps, ps->pos - 1))) {
        emit(ps, OP_EOL, 0, 0);
        ps->anchor_end = ps->n;
        ps->ere_anchor = true;
        ps->ere_lead = ere_lead;
        return true;
    }
    if ((c == '*' && leading) || (ere && ere_lead && c == '{')) {
        emit_char(ps, c); /* ERE: a '{' that does not start an interval */
    } else if (c == '.') {
        emit(ps, OP_ANY, 0, 0);
    } else if (c == '[') {
        parse_bracket(ps);
    } else if ((ere && c == '(') || (!ere && c == '\\' && d == '(')) {
        ps->pos += ere ? 0 : 1;
        if (++ps->depth > MAX_DEPTH) {
            ps->err = TOO_BIG;
            return false;
        }
        size_t warns_before = ps->nwarns, start = ps->pos;
        ps->anchor_end = 0; /* a quantifier inside never drops an anchor outside */
        parse_alt(ps);
        ps->depth--;
        ps->ere_lead = ps->ere_anchor = false; /* what the group left */
        if (ps->err) return false;
        /* GNU: a group of nothing but dropped quantifiers, "(*)", is an
         * unmatched '(' */
        bool only_dropped =
            ps->n == s && ps->nwarns > warns_before && ps->pos - start == ps->nwarns - warns_before;
        if (only_dropped ||
            (ere ? !at(ps, ps->pos, ')') : !(at(ps, ps->pos, '\\') && at(ps, ps->pos + 1, ')')))) {
            ps->err = "Unmatched ( or \\(";
            return false;
        }
        ps->pos += ere ? 1 : 2;
    } else if (c == '\\') {
        if (ps->pos >= ps->len) {
            ps->err = "Trailing backslash";
            return false;
        }
        ps->pos++;
        parse_escape(ps, d); /* a leading \{ is a '{' (GNU) */
    } else {
        emit_char(ps, c);
    }
    parse_quantifiers(ps, s);
    return !ps->err;
}

/* Branches separated by | (ERE) or \| (BRE). */
static void parse_alt(struct parser *ps)
{
    bool ere = ps->flags & RE_EXTENDED;
    uint32_t branch = ps->n;
    uint32_t *jumps = NULL;
    size_t njumps = 0;
    for (;;) {
        size_t branch_start = ps->pos;
        bool after_anchor = false;
        while (parse_piece(ps, branch_start, &after_anchor)) {
        }
        if (ps->err) break;
        bool bar = ere ? at(ps, ps->pos, '|') : at(ps, ps->pos, '\\') && at(ps, ps->pos + 1, '|');
        if (!bar) break;
        ps->pos += ere ? 1 : 2;
        insert(ps, branch, OP_SPLIT, 1, (int32_t)(ps->n - branch) + 2);
        uint32_t *j = realloc(jumps, (njumps + 1) * sizeof *j);
        if (!j) ps->err = NO_MEM;
        if (ps->err) break;
        jumps = j;
        jumps[njumps++] = ps->n;
        emit(ps, OP_JMP, 0, 0);
        branch = ps->n;
    }
    if (!ps->err)
        for (size_t i = 0; i < njumps; i++)
            ps->code[jumps[i]].x = (int32_t)(ps->n - jumps[i]);
    free(jumps);
}

const char *re_compile(struct re *re, const char *pat, size_t plen, int flags)
{
    memset(re, 0, sizeof *re);
    struct parser ps = {.p = (const unsigned char *)pat, .len = plen, .flags = flags};
    parse_alt(&ps);
    if (!ps.err && ps.pos < ps.len) ps.err = "Unmatched ) or \\)"; /* BRE's \) at depth 0 */
    emit(&ps, OP_MATCH, 0, 0);
    re->prog = ps.code;
    re->len = ps.n;
    re->classes = ps.sets;
    re->nclasses = ps.nsets;
    memcpy(re->warns, ps.warns, sizeof re->warns);
    if (!ps.err) {
        re->cur = calloc(ps.n, sizeof *re->cur);
        re->next = calloc(ps.n, sizeof *re->next);
        re->mark = calloc(ps.n, sizeof *re->mark);
        re->stack = calloc(2 * (size_t)ps.n + 2, sizeof *re->stack);
        if (!re->cur || !re->next || !re->mark || !re->stack) ps.err = NO_MEM;
    }
    if (ps.err) {
        re_free(re);
        return ps.err;
    }
    return NULL;
}

struct run {
    struct re *re;
    uint32_t gen;
    size_t len;
    bool found;
};

/* Adds pc and everything reachable from it without reading a byte (at
 * position i of the line) to list. */
static void add_thread(struct run *r, uint32_t *list, uint32_t *n, uint32_t pc, size_t i)
{
    struct re *re = r->re;
    uint32_t sp = 0;
    re->stack[sp++] = pc;
    while (sp > 0) {
        pc = re->stack[--sp];
        if (re->mark[pc] == r->gen) continue;
        re->mark[pc] = r->gen;
        const struct re_inst *in = &re->prog[pc];
        switch (in->op) {
        case OP_JMP: re->stack[sp++] = pc + (uint32_t)in->x; break;
        case OP_SPLIT:
            re->stack[sp++] = pc + (uint32_t)in->y;
            re->stack[sp++] = pc + (uint32_t)in->x;
            break;
        case OP_BOL:
            if (i == 0) re->stack[sp++] = pc + 1;
            break;
        case OP_EOL:
            if (i == r->len) re->stack[sp++] = pc + 1;
            break;
        case OP_MATCH: r->found = true; break;
        default: list[(*n)++] = pc;
        }
    }
}

static bool inst_matches(const struct re *re, const struct re_inst *in, unsigned char c)
{
    switch (in->op) {
    case OP_CHAR: return c == (unsigned)in->x;
    case OP_ANY: return c != '\n';
    case OP_SET: return set_has(re->classes[in->x], c);
    default: return false;
    }
}

bool re_search(struct re *re, const char *line, size_t len)
{
    struct run r = {.re = re, .len = len};
    uint32_t *cur = re->cur, *next = re->next, ncur = 0;
    memset(re->mark, 0, re->len * sizeof *re->mark);
    r.gen = 1;
    add_thread(&r, cur, &ncur, 0, 0);
    for (size_t i = 0; i < len && !r.found; i++) {
        uint32_t nnext = 0;
        r.gen++;
        unsigned char c = (unsigned char)line[i];
        for (uint32_t k = 0; k < ncur && !r.found; k++) {
            const struct re_inst *in = &re->prog[cur[k]];
            if (inst_matches(re, in, c)) add_thread(&r, next, &nnext, cur[k] + 1, i + 1);
        }
        if (!r.found) add_thread(&r, next, &nnext, 0, i + 1);
        uint32_t *t = cur;
        cur = next;
        next = t;
        ncur = nnext;
    }
    return r.found;
}

void re_free(struct re *re)
{
    free(re->prog);
    free(re->classes);
    free(re->cur);
    free(re->next);
    free(re->mark);
    free(re->stack);
    memset(re, 0, sizeof *re);
}
