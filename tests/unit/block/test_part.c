/*
 * tests/unit/block/test_part.c - lib/block/part.c (MBR, EBR chains, GPT)
 * on hand-built disks in memory (cmocka, ASan/UBSan).
 *
 * Oracles: the tables are laid out here from the specs (UEFI 2.10 section
 * 5.2-5.3 for the protective MBR and GPT, the EBR chain as fdisk writes
 * it), and every GPT CRC is zlib's crc32, not the parser's own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "base/endian.h"
#include "base/error.h"
#include "block/part.h"
#include "memdisk.h"

/* ---- collecting what part_scan reports --------------------------------------------- */

struct seen {
    struct part_info p[64];
    int n;
    int stop_after; /* return ERR_CANCELED after this many; 0: never */
};

static int collect(void *ctx, const struct part_info *part)
{
    struct seen *s = ctx;
    if (s->n < 64) s->p[s->n] = *part;
    s->n++;
    return s->stop_after && s->n >= s->stop_after ? ERR_CANCELED : 0;
}

static int scan(struct memdisk *d, struct seen *s, struct part_summary *sum)
{
    struct sector_dev pd = {"md", d->ss, d->sectors, md_read, NULL, NULL, d};
    memset(s, 0, sizeof *s);
    return part_scan(&pd, collect, s, sum);
}

static void expect_part(const struct part_info *p, int no, uint64_t start, uint64_t count,
                        enum part_verdict verdict)
{
    assert_int_equal(p->no, no);
    assert_int_equal(p->start, start);
    assert_int_equal(p->count, count);
    assert_int_equal(p->verdict, verdict);
}

/* ---- MBR and EBR layouts ------------------------------------------------------------ */

static void mbr_entry(uint8_t *sector, int i, uint8_t type, uint32_t start, uint32_t count)
{
    uint8_t *e = sector + 446 + 16 * i;
    e[0] = 0;
    e[4] = type;
    le32_put(e + 8, start);
    le32_put(e + 12, count);
    sector[510] = 0x55;
    sector[511] = 0xAA;
}

static void test_mbr_four_primaries(void **state)
{
    (void)state;
    static const uint32_t ss[] = {512, 4096};
    static const uint8_t types[] = {0x0B, 0x0C, 0x83, 0x07};
    for (size_t k = 0; k < 2; k++) {
        struct memdisk d;
        md_init(&d, ss[k], 1000);
        for (int i = 0; i < 4; i++)
            mbr_entry(md_sector(&d, 0), i, types[i], 100 + 200 * (uint32_t)i, 150);
        struct seen s;
        struct part_summary sum;
        assert_int_equal(scan(&d, &s, &sum), 4);
        assert_int_equal(sum.scheme, PART_SCHEME_MBR);
        assert_int_equal(s.n, 4);
        for (int i = 0; i < 4; i++) {
            expect_part(&s.p[i], i + 1, 100 + 200 * (uint64_t)i, 150, PART_ACCEPTED);
            assert_int_equal(s.p[i].mbr_type, types[i]);
            assert_false(s.p[i].logical);
        }
        md_free(&d);
    }
}

static void test_mbr_empty_slots_keep_numbers(void **state)
{
    (void)state;
    struct memdisk d;
    md_init(&d, 512, 1000);
    mbr_entry(md_sector(&d, 0), 2, 0x83, 500, 100);
    struct seen s;
    assert_int_equal(scan(&d, &s, NULL), 1);
    expect_part(&s.p[0], 3, 500, 100, PART_ACCEPTED);
    md_free(&d);
}

/* An EBR at lba: a logical partition at rel_start from it, and a link to
 * the next EBR at next_rel from the extended partition's start (0: end). */
static void ebr(struct memdisk *d, uint64_t lba, uint32_t rel_start, uint32_t count,
                uint32_t next_rel, uint32_t next_count)
{
    uint8_t *sec = md_sector(d, lba);
    mbr_entry(sec, 0, 0x83, rel_start, count);
    if (next_rel) mbr_entry(sec, 1, 0x05, next_rel, next_count);
}

static void test_mbr_extended_logical(void **state)
{
    (void)state;
    struct memdisk d;
    md_init(&d, 512, 4000);
    uint8_t *mbr = md_sector(&d, 0);
    mbr_entry(mbr, 0, 0x0C, 63, 937);
    mbr_entry(mbr, 1, 0x0F, 1000, 2000); /* extended: 1000..2999 */
    mbr_entry(mbr, 2, 0x83, 3000, 1000);
    ebr(&d, 1000, 63, 400, 500, 500);
    ebr(&d, 1500, 2, 300, 1000, 1000);
    ebr(&d, 2000, 100, 899, 0, 0);
    struct seen s;
    assert_int_equal(scan(&d, &s, NULL), 5);
    expect_part(&s.p[0], 1, 63, 937, PART_ACCEPTED);
    expect_part(&s.p[1], 3, 3000, 1000, PART_ACCEPTED);
    expect_part(&s.p[2], 5, 1063, 400, PART_ACCEPTED);
    expect_part(&s.p[3], 6, 1502, 300, PART_ACCEPTED);
    expect_part(&s.p[4], 7, 2100, 899, PART_ACCEPTED);
    assert_true(s.p[2].logical && s.p[3].logical && s.p[4].logical);
    md_free(&d);
}

static void test_mbr_logical_outside_extended(void **state)
{
    (void)state;
    struct memdisk d;
    md_init(&d, 512, 4000);
    mbr_entry(md_sector(&d, 0), 0, 0x05, 1000, 1000); /* 1000..1999 */
    ebr(&d, 1000, 63, 2000, 500, 100);                /* runs past 1999 */
    ebr(&d, 1500, 0, 10, 0, 0);                       /* covers its own EBR */
    struct seen s;
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.p[0].verdict, PART_OUTSIDE);
    assert_int_equal(s.p[1].verdict, PART_OUTSIDE);
    assert_int_equal(sum.refused, 2);
    md_free(&d);
}

static void test_mbr_ebr_loop_is_bounded(void **state)
{
    (void)state;
    struct memdisk d;
    md_init(&d, 512, 4000);
    mbr_entry(md_sector(&d, 0), 0, 0x05, 1000, 1000);
    ebr(&d, 1000, 1, 10, 500, 100);
    ebr(&d, 1500, 1, 10, 0, 0);
    mbr_entry(md_sector(&d, 1500), 1, 0x05, 0, 100); /* a link back to the start ends it */
    struct seen s;
    assert_int_equal(scan(&d, &s, NULL), 2);
    assert_int_equal(s.n, 2);
    /* A cycle that avoids the start: 1000 -> 1500 -> 1200 -> 1500 -> ... */
    ebr(&d, 1500, 1, 10, 200, 100);
    ebr(&d, 1200, 1, 10, 500, 100);
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 3);
    assert_int_equal(s.n, PART_LOGICAL_MAX);
    assert_int_equal(sum.refused, PART_LOGICAL_MAX - 3);
    for (int i = 3; i < s.n; i++)
        assert_int_equal(s.p[i].verdict, PART_OVERLAPS);
    md_free(&d);
}

static void test_mbr_outside_and_overlapping(void **state)
{
    (void)state;
    struct memdisk d;
    md_init(&d, 512, 1000);
    uint8_t *mbr = md_sector(&d, 0);
    mbr_entry(mbr, 0, 0x0C, 100, 500); /* 100..599 */
    mbr_entry(mbr, 1, 0x0C, 599, 10);  /* shares 599 */
    mbr_entry(mbr, 2, 0x0C, 900, 101); /* one past the end */
    mbr_entry(mbr, 3, 0x0C, 0, 50);    /* over the MBR itself */
    struct seen s;
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 1);
    expect_part(&s.p[0], 1, 100, 500, PART_ACCEPTED);
    assert_int_equal(s.p[1].verdict, PART_OVERLAPS);
    assert_int_equal(s.p[2].verdict, PART_OUTSIDE);
    assert_int_equal(s.p[3].verdict, PART_OUTSIDE);
    assert_int_equal(sum.accepted, 1);
    assert_int_equal(sum.refused, 3);
    /* The last sector exactly is inside. */
    mbr_entry(mbr, 2, 0x0C, 900, 100);
    assert_int_equal(scan(&d, &s, NULL), 2);
    md_free(&d);
}

static void test_not_a_partition_table(void **state)
{
    (void)state;
    struct memdisk d;
    md_init(&d, 512, 1000);
    struct seen s;
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 0); /* all zero */
    assert_int_equal(sum.scheme, PART_SCHEME_NONE);
    uint8_t *b = md_sector(&d, 0);
    mbr_entry(b, 0, 0x0C, 100, 100);
    b[0] = 0xEB; /* a FAT boot sector: jump and 512 bytes per sector */
    le16_put(b + 11, 512);
    assert_int_equal(scan(&d, &s, &sum), 0);
    assert_int_equal(s.n, 0);
    b[0] = 0;
    b[446] = 0x12; /* a status byte that is neither 0 nor 0x80 */
    assert_int_equal(scan(&d, &s, NULL), 0);
    b[446] = 0x80;
    assert_int_equal(scan(&d, &s, NULL), 1);
    b[511] = 0; /* no signature */
    assert_int_equal(scan(&d, &s, NULL), 0);
    md_free(&d);
}

/* ---- GPT layouts --------------------------------------------------------------------- */

struct gpt_part {
    uint64_t first, last;
    uint8_t type;
};

struct gpt_layout {
    uint32_t entries, entry_size;
    uint64_t first_usable, last_usable;
};

static uint64_t array_sectors(const struct memdisk *d, const struct gpt_layout *g)
{
    return ((uint64_t)g->entries * g->entry_size + d->ss - 1) / d->ss;
}

static void gpt_header(struct memdisk *d, const struct gpt_layout *g, uint64_t my, uint64_t alt,
                       uint64_t entries_lba, uint32_t array_crc)
{
    uint8_t *h = md_sector(d, my);
    memset(h, 0, d->ss);
    memcpy(h, "EFI PART", 8);
    le32_put(h + 8, 0x00010000);
    le32_put(h + 12, 92);
    le64_put(h + 24, my);
    le64_put(h + 32, alt);
    le64_put(h + 40, g->first_usable);
    le64_put(h + 48, g->last_usable);
    memset(h + 56, 0xA5, 16); /* disk GUID */
    le64_put(h + 72, entries_lba);
    le32_put(h + 80, g->entries);
    le32_put(h + 84, g->entry_size);
    le32_put(h + 88, array_crc);
    le32_put(h + 16, (uint32_t)crc32(0, h, 92));
}

/* A protective MBR, the primary GPT at LBA 1 with its array at 2, and the
 * backup in the last sector with its array just before it. */
static void gpt_build(struct memdisk *d, const struct gpt_layout *g, const struct gpt_part *parts,
                      int nparts)
{
    memset(d->data, 0, (size_t)d->sectors * d->ss);
    mbr_entry(md_sector(d, 0), 0, 0xEE, 1, (uint32_t)(d->sectors - 1));
    size_t bytes = (size_t)g->entries * g->entry_size;
    uint8_t *array = md_sector(d, 2);
    for (int i = 0; i < nparts; i++) {
        uint8_t *e = array + (size_t)i * g->entry_size;
        memset(e, parts[i].type, 16);
        memset(e + 16, i + 1, 16);
        le64_put(e + 32, parts[i].first);
        le64_put(e + 40, parts[i].last);
    }
    uint32_t acrc = (uint32_t)crc32(0, array, (uInt)bytes);
    uint64_t last = d->sectors - 1, backup_array = last - array_sectors(d, g);
    memcpy(md_sector(d, backup_array), array, bytes);
    gpt_header(d, g, 1, last, 2, acrc);
    gpt_header(d, g, last, 1, backup_array, acrc);
}

static const struct gpt_part two_parts[] = {{40, 99, 0x11}, {100, 199, 0x22}};

static void gpt_default(struct memdisk *d, uint32_t ss, struct gpt_layout *g)
{
    md_init(d, ss, 256);
    *g = (struct gpt_layout){8, 128, 0, 0};
    g->first_usable = 2 + array_sectors(d, g);
    g->last_usable = d->sectors - 2 - array_sectors(d, g);
    gpt_build(d, g, two_parts, 2);
}

static void test_gpt_sector_sizes(void **state)
{
    (void)state;
    static const uint32_t ss[] = {512, 4096};
    for (size_t k = 0; k < 2; k++) {
        struct memdisk d;
        struct gpt_layout g;
        gpt_default(&d, ss[k], &g);
        struct seen s;
        struct part_summary sum;
        assert_int_equal(scan(&d, &s, &sum), 2);
        assert_int_equal(sum.scheme, PART_SCHEME_GPT);
        assert_false(sum.gpt_backup_used);
        expect_part(&s.p[0], 1, 40, 60, PART_ACCEPTED);
        expect_part(&s.p[1], 2, 100, 100, PART_ACCEPTED);
        assert_int_equal(s.p[1].gpt_type[15], 0x22);
        md_free(&d);
    }
}

static void test_gpt_numbers_are_entry_indexes(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    gpt_default(&d, 512, &g);
    const struct gpt_part gap[] = {{40, 99, 0x11}, {0, 0, 0}, {100, 199, 0x22}};
    gpt_build(&d, &g, gap, 3);
    struct seen s;
    assert_int_equal(scan(&d, &s, NULL), 2);
    assert_int_equal(s.p[0].no, 1);
    assert_int_equal(s.p[1].no, 3);
    md_free(&d);
}

static void test_gpt_bad_header_crc_uses_backup(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    gpt_default(&d, 512, &g);
    md_sector(&d, 1)[60] ^= 1; /* the disk GUID: only the CRC can tell */
    struct seen s;
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 2);
    assert_true(sum.gpt_backup_used);
    expect_part(&s.p[1], 2, 100, 100, PART_ACCEPTED);
    md_free(&d);
}

static void test_gpt_bad_array_crc_uses_backup(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    gpt_default(&d, 4096, &g);
    le64_put(md_sector(&d, 2) + 40, 150); /* shrink partition 1 in the primary only */
    struct seen s;
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 2);
    assert_true(sum.gpt_backup_used);
    expect_part(&s.p[0], 1, 40, 60, PART_ACCEPTED); /* the backup's values */
    md_free(&d);
}

static void test_gpt_header_elsewhere_uses_backup(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    gpt_default(&d, 512, &g);
    /* A valid header that says it lives at LBA 5, copied to LBA 1. */
    uint64_t saved_first = g.first_usable;
    gpt_header(&d, &g, 5, d.sectors - 1, 2, le32_get(md_sector(&d, 1) + 88));
    memcpy(md_sector(&d, 1), md_sector(&d, 5), d.ss);
    struct seen s;
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 2);
    assert_true(sum.gpt_backup_used);
    assert_int_equal(saved_first, g.first_usable);
    md_free(&d);
}

static void test_gpt_both_bad(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    gpt_default(&d, 512, &g);
    md_sector(&d, 1)[60] ^= 1;
    md_sector(&d, d.sectors - 1)[60] ^= 1;
    struct seen s;
    assert_int_equal(scan(&d, &s, NULL), ERR_CORRUPT);
    assert_int_equal(s.n, 0);
    md_free(&d);
}

/* Found by fuzzing: the primary header of a one-sector disk lies past
 * its end; the parser must not ask for it (memdisk fails such reads with
 * ERR_INVAL, which would be the result). */
static void test_gpt_on_a_one_sector_disk(void **state)
{
    (void)state;
    struct memdisk d;
    md_init(&d, 4096, 1);
    mbr_entry(md_sector(&d, 0), 0, 0xEE, 1, 0xFFFFFFFF);
    struct seen s;
    assert_int_equal(scan(&d, &s, NULL), ERR_CORRUPT);
    assert_int_equal(md_count(&d, MD_READ), 2); /* the MBR, and it again as the backup */
    md_free(&d);
}

static void test_gpt_bad_fields(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    struct seen s;
    gpt_default(&d, 512, &g);
    g.entries = PART_GPT_MAX_ENTRIES + 1; /* too many entries */
    gpt_build(&d, &g, two_parts, 2);
    assert_int_equal(scan(&d, &s, NULL), ERR_CORRUPT);
    g.entries = 8;
    g.entry_size = 136; /* not 128 x 2^n */
    gpt_build(&d, &g, two_parts, 2);
    assert_int_equal(scan(&d, &s, NULL), ERR_CORRUPT);
    g.entry_size = 128;
    g.last_usable = d.sectors; /* past the end */
    gpt_build(&d, &g, two_parts, 2);
    assert_int_equal(scan(&d, &s, NULL), ERR_CORRUPT);
    g.last_usable = d.sectors - 2 - array_sectors(&d, &g);
    gpt_build(&d, &g, two_parts, 2);
    assert_int_equal(scan(&d, &s, NULL), 2);
    md_free(&d);
}

static void test_gpt_outside_and_overlapping(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    gpt_default(&d, 512, &g);
    const struct gpt_part bad[] = {
        {40, 99, 0x11},                 /* accepted */
        {99, 120, 0x11},                /* overlaps the first */
        {1, 30, 0x11},                  /* over the primary GPT */
        {200, g.last_usable + 1, 0x11}, /* past the usable area */
        {150, 140, 0x11},               /* ends before it starts */
        {100, g.last_usable, 0x11},     /* accepted: up to the last usable LBA */
    };
    gpt_build(&d, &g, bad, 6);
    struct seen s;
    struct part_summary sum;
    assert_int_equal(scan(&d, &s, &sum), 2);
    assert_int_equal(s.n, 6);
    assert_int_equal(s.p[0].verdict, PART_ACCEPTED);
    assert_int_equal(s.p[1].verdict, PART_OVERLAPS);
    assert_int_equal(s.p[2].verdict, PART_OUTSIDE);
    assert_int_equal(s.p[3].verdict, PART_OUTSIDE);
    assert_int_equal(s.p[4].verdict, PART_OUTSIDE);
    assert_int_equal(s.p[5].verdict, PART_ACCEPTED);
    assert_int_equal(sum.refused, 4);
    md_free(&d);
}

/* ---- the seam ------------------------------------------------------------------------ */

static void test_read_errors_and_bad_geometry(void **state)
{
    (void)state;
    struct memdisk d;
    struct gpt_layout g;
    gpt_default(&d, 512, &g);
    struct seen s;
    d.fail_lba = 2; /* the primary entry array */
    assert_int_equal(scan(&d, &s, NULL), ERR_IO);
    d.fail_lba = 0;
    assert_int_equal(scan(&d, &s, NULL), ERR_IO);
    d.fail_lba = -1;
    d.ss = 1000;
    assert_int_equal(scan(&d, &s, NULL), ERR_INVAL);
    d.ss = 8192;
    assert_int_equal(scan(&d, &s, NULL), ERR_INVAL);
    d.ss = 512;
    s.stop_after = 1; /* the callback's error stops the scan */
    struct sector_dev pd = {"md", d.ss, d.sectors, md_read, NULL, NULL, &d};
    assert_int_equal(part_scan(&pd, collect, &s, NULL), ERR_CANCELED);
    assert_int_equal(s.n, 1);
    md_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbr_four_primaries),
        cmocka_unit_test(test_mbr_empty_slots_keep_numbers),
        cmocka_unit_test(test_mbr_extended_logical),
        cmocka_unit_test(test_mbr_logical_outside_extended),
        cmocka_unit_test(test_mbr_ebr_loop_is_bounded),
        cmocka_unit_test(test_mbr_outside_and_overlapping),
        cmocka_unit_test(test_not_a_partition_table),
        cmocka_unit_test(test_gpt_sector_sizes),
        cmocka_unit_test(test_gpt_numbers_are_entry_indexes),
        cmocka_unit_test(test_gpt_bad_header_crc_uses_backup),
        cmocka_unit_test(test_gpt_bad_array_crc_uses_backup),
        cmocka_unit_test(test_gpt_header_elsewhere_uses_backup),
        cmocka_unit_test(test_gpt_both_bad),
        cmocka_unit_test(test_gpt_on_a_one_sector_disk),
        cmocka_unit_test(test_gpt_bad_fields),
        cmocka_unit_test(test_gpt_outside_and_overlapping),
        cmocka_unit_test(test_read_errors_and_bad_geometry),
    };
    return cmocka_run_group_tests_name("unit/block/part", tests, NULL, NULL);
}
