/*
 * bench/wasm/branchy.c - a branchy mix in CoreMark's spirit (not its
 * code): per round, walks over a linked list of 256 records (find by key,
 * reverse, an insertion sort by a second key), a 24x24 integer matrix
 * (multiply by a constant and a matrix, then a bit-extract sum), a state
 * machine that scans a 2 KiB text for numbers, words and punctuation, and
 * a bitwise CRC-32 of everything it produced. Data-dependent branches,
 * pointer chasing and small loops, where the project's loop kernels have
 * none. Returns the last CRC.
 */
#include "bench.h"

#define NODES 256
#define MAT   24
#define TEXT  2048

struct node {
    struct node *next;
    uint16_t key, val;
};

static struct node pool[NODES];
static int32_t ma[MAT][MAT], mb[MAT][MAT], mc[MAT][MAT];
static char text[TEXT];

static uint32_t crc32_byte(uint32_t crc, uint8_t b)
{
    crc ^= b;
    for (int i = 0; i < 8; i++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    return crc;
}

static uint32_t crc32_word(uint32_t crc, uint32_t w)
{
    for (int i = 0; i < 4; i++)
        crc = crc32_byte(crc, (uint8_t)(w >> (8 * i)));
    return crc;
}

static struct node *list_reverse(struct node *p)
{
    struct node *prev = NULL;
    while (p) {
        struct node *next = p->next;
        p->next = prev;
        prev = p;
        p = next;
    }
    return prev;
}

static struct node *list_sort_by_val(struct node *p)
{
    struct node *sorted = NULL;
    while (p) {
        struct node *next = p->next, **at = &sorted;
        while (*at && (*at)->val < p->val)
            at = &(*at)->next;
        p->next = *at;
        *at = p;
        p = next;
    }
    return sorted;
}

static uint32_t list_work(struct node **head, uint32_t crc, uint32_t r)
{
    for (uint16_t k = 0; k < 16; k++) {
        uint16_t want = (uint16_t)((k * 37 + r) & 0x1ff);
        int pos = 0;
        struct node *p = *head;
        while (p && p->key != want)
            p = p->next, pos++;
        crc = crc32_word(crc, p ? (uint32_t)pos << 16 | p->val : 0xffffu);
    }
    *head = list_reverse(*head);
    for (struct node *p = *head; p; p = p->next)
        p->val = (uint16_t)(p->val * 7 + p->key + r);
    *head = list_sort_by_val(*head);
    return crc32_word(crc, (*head)->key);
}

static uint32_t matrix_work(uint32_t crc, int32_t c)
{
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++)
            ma[i][j] = ma[i][j] * c + (i ^ j);
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    int32_t acc = 0;
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t v = (mc[i][j] >> 3) & 0x7f;
            acc += v > 60 ? v : (v & 1 ? -v : v / 2);
            ma[i][j] &= 0xffff;
        }
    return crc32_word(crc, (uint32_t)acc);
}

enum state { START, NUMBER, HEX, WORD, PUNCT, SPACE, NSTATES };

static uint32_t scan_text(uint32_t crc)
{
    uint32_t count[NSTATES] = {0}, value = 0;
    enum state s = START;
    for (int i = 0; i < TEXT; i++) {
        char ch = text[i];
        enum state next;
        if (ch >= '0' && ch <= '9')
            next = s == HEX || (s == NUMBER && value == 0 && ch == '0') ? HEX : NUMBER;
        else if (s == NUMBER && ch == 'x')
            next = HEX;
        else if (s == HEX && ((ch >= 'a' && ch <= 'f')))
            next = HEX;
        else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
            next = WORD;
        else if (ch == ' ' || ch == '\n')
            next = SPACE;
        else
            next = PUNCT;
        if (next != s) {
            count[s]++;
            crc = crc32_byte(crc, (uint8_t)(value ^ s));
            value = 0;
        }
        value = value * 16 + (uint8_t)ch;
        s = next;
    }
    for (int i = 0; i < NSTATES; i++)
        crc = crc32_word(crc, count[i]);
    return crc;
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    static const char alphabet[] = "0123456789abcdefxyz ,.;-+ \nHELLO0x";
    uint32_t seed = 0x510e527f, crc = 0xffffffffu;
    for (int i = 0; i < NODES; i++) {
        pool[i].key = (uint16_t)(bench_rand(&seed) & 0x1ff);
        pool[i].val = (uint16_t)bench_rand(&seed);
        pool[i].next = i + 1 < NODES ? &pool[i + 1] : NULL;
    }
    struct node *head = &pool[0];
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            ma[i][j] = (int32_t)(bench_rand(&seed) & 0xff);
            mb[i][j] = (int32_t)(bench_rand(&seed) & 0xff) - 128;
        }
    for (int i = 0; i < TEXT; i++)
        text[i] = alphabet[bench_rand(&seed) % (sizeof alphabet - 1)];
    for (uint32_t r = 0; r < n; r++) {
        crc = list_work(&head, crc, r);
        crc = matrix_work(crc, (int32_t)(r & 7) - 3);
        crc = scan_text(crc);
        text[bench_rand(&seed) % TEXT] = alphabet[r % (sizeof alphabet - 1)];
    }
    return ~crc;
}
