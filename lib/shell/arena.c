/*
 * lib/shell/arena.c - the arena that holds one parsed script: blocks from
 * mem_alloc handed out in 8-byte aligned pieces and freed all at once, so
 * the parser's error paths never free node by node. The total is bounded by
 * SH_ARENA_MAX.
 */
#include "base/env.h"
#include "base/mem.h"
#include "shell/internal.h"

#define BLOCK_SIZE 4096

struct block {
    struct block *next;
    size_t used, size;
    /* data follows, 8-byte aligned */
};

struct sh_arena {
    struct block *head;
    size_t total;
};

struct sh_arena *sh_arena_new(void)
{
    return mem_zalloc(sizeof(struct sh_arena));
}

static void *block_data(struct block *b)
{
    return (char *)b + ((sizeof *b + 7) & ~(size_t)7);
}

void *sh_arena_alloc(struct sh_arena *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    struct block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        if (size > SH_ARENA_MAX || a->total + cap > SH_ARENA_MAX) return NULL;
        b = mem_alloc(((sizeof *b + 7) & ~(size_t)7) + cap);
        if (!b) return NULL;
        b->size = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->total += cap;
    }
    void *p = (char *)block_data(b) + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *sh_arena_strndup(struct sh_arena *a, const char *s, size_t n)
{
    char *p = sh_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void sh_arena_free(struct sh_arena *a)
{
    if (!a) return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        mem_free(b);
        b = next;
    }
    mem_free(a);
}
