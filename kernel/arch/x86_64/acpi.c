/*
 * kernel/arch/x86_64/acpi.c - reading the ACPI tables (ACPI 6.x, sections
 * 5.2: RSDP, RSDT/XSDT, FADT, MADT).
 *
 * There is no AML interpreter. Power-off needs the S5 sleep type, which
 * lives in the DSDT as the package \_S5; it is found by scanning the AML for
 * the name and decoding the package's first element (the usual approach of
 * small kernels; QEMU's DSDT encodes it plainly).
 */
#include "kernel/arch/x86_64/acpi.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/endian.h"
#include "base/mem.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/vmm.h"

struct sdt_header {
    char sig[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

#define MAX_TABLES 32
static const struct sdt_header *tables[MAX_TABLES];
static int ntables;

static struct {
    uint64_t lapic_base;
    uint64_t ioapic_base;
    uint32_t ioapic_gsi_base;
    int nioapics;
    struct isa_route isa[16];
} madt;

static struct {
    uint32_t pm1a_cnt, pm1b_cnt, smi_cmd;
    uint8_t acpi_enable;
    uint16_t slp_typa, slp_typb;
    int s5_found;
    int reset_supported;
    uint8_t reset_space, reset_value;
    uint64_t reset_addr;
} fadt;

static int checksum_ok(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += b[i];
    return sum == 0;
}

/* Maps a table: first its header, then its full length. */
static const struct sdt_header *map_table(uint64_t phys)
{
    const struct sdt_header *h = vmm_map_phys(phys, sizeof *h, 0);
    if (!h) return NULL;
    if (h->length < sizeof *h || h->length > (1u << 24)) return NULL;
    h = vmm_map_phys(phys, h->length, 0);
    if (!h || !checksum_ok(h, h->length)) {
        klog_warn("acpi", "table at %#llx has a bad checksum", (unsigned long long)phys);
        return NULL;
    }
    return h;
}

const void *acpi_find_table(const char *sig)
{
    for (int i = 0; i < ntables; i++)
        if (memcmp(tables[i]->sig, sig, 4) == 0) return tables[i];
    return NULL;
}

static void parse_madt(const struct sdt_header *h)
{
    const uint8_t *p = (const uint8_t *)h;
    madt.lapic_base = le32_get(p + 36);
    for (uint32_t off = 44; off + 2 <= h->length;) {
        uint8_t type = p[off], len = p[off + 1];
        if (len < 2 || off + len > h->length) break;
        if (type == 1 && len >= 12) { /* I/O APIC */
            if (madt.nioapics++ == 0) {
                madt.ioapic_base = le32_get(p + off + 4);
                madt.ioapic_gsi_base = le32_get(p + off + 8);
            }
        } else if (type == 2 && len >= 10) { /* interrupt source override */
            uint8_t src = p[off + 3];
            uint32_t gsi = le32_get(p + off + 4);
            uint16_t flags = le16_get(p + off + 8);
            if (src < 16) {
                madt.isa[src].gsi = gsi;
                /* polarity bits 0-1: 3 = active low; trigger 2-3: 3 = level */
                madt.isa[src].active_low = (flags & 3) == 3;
                madt.isa[src].level = ((flags >> 2) & 3) == 3;
            }
        } else if (type == 5 && len >= 12) { /* 64-bit LAPIC address override */
            madt.lapic_base = le64_get(p + off + 4);
        }
        off += len;
    }
}

/* Decodes an AML integer constant at p (ZeroOp, OneOp, BytePrefix,
 * WordPrefix); returns bytes used or 0. */
static int aml_int(const uint8_t *p, const uint8_t *end, uint16_t *out)
{
    if (p >= end) return 0;
    if (*p == 0x00 || *p == 0x01) {
        *out = *p;
        return 1;
    }
    if (*p == 0x0A && p + 1 < end) {
        *out = p[1];
        return 2;
    }
    if (*p == 0x0B && p + 2 < end) {
        *out = le16_get(p + 1);
        return 3;
    }
    return 0;
}

static void find_s5(const struct sdt_header *dsdt)
{
    const uint8_t *p = (const uint8_t *)dsdt + sizeof *dsdt;
    const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;
    for (; p + 8 < end; p++) {
        if (memcmp(p, "_S5_", 4) != 0 || p[4] != 0x12) /* PackageOp */
            continue;
        const uint8_t *q = p + 5;
        q += ((*q >> 6) & 3) + 1; /* PkgLength: lead byte + follow bytes */
        q++;                      /* NumElements */
        int n = aml_int(q, end, &fadt.slp_typa);
        if (!n) continue;
        if (!aml_int(q + n, end, &fadt.slp_typb)) fadt.slp_typb = fadt.slp_typa;
        fadt.s5_found = 1;
        return;
    }
}

static void parse_fadt(const struct sdt_header *h)
{
    const uint8_t *p = (const uint8_t *)h;
    fadt.smi_cmd = le32_get(p + 48);
    fadt.acpi_enable = p[52];
    fadt.pm1a_cnt = le32_get(p + 64);
    fadt.pm1b_cnt = le32_get(p + 68);
    uint64_t dsdt = le32_get(p + 40);
    if (h->length >= 148 && le64_get(p + 140)) dsdt = le64_get(p + 140);
    if (h->length >= 129) {
        fadt.reset_supported = (le32_get(p + 112) >> 10) & 1;
        fadt.reset_space = p[116];
        fadt.reset_addr = le64_get(p + 120);
        fadt.reset_value = p[128];
    }
    const struct sdt_header *d = dsdt ? map_table(dsdt) : NULL;
    if (d) find_s5(d);
}

static const uint8_t *find_rsdp_in_bios(void)
{
    const uint8_t *p = vmm_map_phys(0xE0000, 0x20000, 0);
    for (size_t off = 0; p && off < 0x20000; off += 16)
        if (memcmp(p + off, "RSD PTR ", 8) == 0 && checksum_ok(p + off, 20)) return p + off;
    return NULL;
}

void acpi_init(const void *rsdp_copy, size_t len)
{
    for (int i = 0; i < 16; i++)
        madt.isa[i] = (struct isa_route){(uint32_t)i, false, false};
    const uint8_t *rsdp = rsdp_copy;
    if (!rsdp || len < 20) rsdp = find_rsdp_in_bios();
    if (!rsdp) {
        klog_warn("acpi", "no RSDP: no ACPI tables");
        return;
    }
    uint8_t revision = rsdp[15];
    uint64_t root = le32_get(rsdp + 16);
    int entry = 4;
    if (revision >= 2 && len >= 36 && le64_get(rsdp + 24)) {
        root = le64_get(rsdp + 24);
        entry = 8;
    }
    const struct sdt_header *rt = map_table(root);
    if (!rt) {
        klog_warn("acpi", "root table at %#llx unreadable", (unsigned long long)root);
        return;
    }
    const uint8_t *ents = (const uint8_t *)rt + sizeof *rt;
    size_t count = (rt->length - sizeof *rt) / (size_t)entry;
    for (size_t i = 0; i < count && ntables < MAX_TABLES; i++) {
        uint64_t phys = entry == 8 ? le64_get(ents + i * 8) : le32_get(ents + i * 4);
        const struct sdt_header *t = map_table(phys);
        if (t) tables[ntables++] = t;
    }
    char names[MAX_TABLES * 5 + 1];
    size_t n = 0;
    for (int i = 0; i < ntables; i++) {
        memcpy(names + n, tables[i]->sig, 4);
        names[n + 4] = ' ';
        n += 5;
    }
    names[n ? n - 1 : 0] = '\0';
    klog_info("acpi", "revision %u, tables: %s", revision, names);
    const struct sdt_header *m = acpi_find_table("APIC");
    if (m) parse_madt(m);
    const struct sdt_header *f = acpi_find_table("FACP");
    if (f) parse_fadt(f);
}

struct isa_route acpi_isa_route(int irq)
{
    if (irq < 0 || irq >= 16) return (struct isa_route){(uint32_t)irq, false, false};
    return madt.isa[irq];
}

uint64_t acpi_lapic_base(void)
{
    return madt.lapic_base;
}

int acpi_ioapic(uint64_t *base, uint32_t *gsi_base)
{
    *base = madt.ioapic_base;
    *gsi_base = madt.ioapic_gsi_base;
    return madt.nioapics;
}

int acpi_poweroff(void)
{
    if (!fadt.pm1a_cnt || !fadt.s5_found) return -1;
    /* Switch to ACPI mode if the firmware left it in legacy mode. */
    if (fadt.smi_cmd && fadt.acpi_enable && !(inw((uint16_t)fadt.pm1a_cnt) & 1)) {
        outb((uint16_t)fadt.smi_cmd, fadt.acpi_enable);
        for (int i = 0; i < 1000000 && !(inw((uint16_t)fadt.pm1a_cnt) & 1); i++)
            cpu_relax();
    }
    /* PM1 control: SLP_TYP in bits 10-12, SLP_EN bit 13 (ACPI 4.8.4.2.1). */
    outw((uint16_t)fadt.pm1a_cnt, (uint16_t)(fadt.slp_typa << 10 | 1u << 13));
    if (fadt.pm1b_cnt) outw((uint16_t)fadt.pm1b_cnt, (uint16_t)(fadt.slp_typb << 10 | 1u << 13));
    return -1;
}

int acpi_reset(void)
{
    if (!fadt.reset_supported) return -1;
    if (fadt.reset_space == 1) /* system I/O */
        outb((uint16_t)fadt.reset_addr, fadt.reset_value);
    return -1;
}
