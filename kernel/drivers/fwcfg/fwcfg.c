/*
 * kernel/drivers/fwcfg/fwcfg.c - the fw_cfg I/O port interface (selector at
 * 0x510, data at 0x511; QEMU docs/specs/fw_cfg.rst). The file directory is
 * item 0x19: a big-endian count, then 64-byte entries {size, select, name}.
 */
#include "kernel/drivers/fwcfg/fwcfg.h"

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.h"
#include "base/endian.h"
#include "base/error.h"
#include "base/mem.h"

#define PORT_SEL      0x510
#define PORT_DATA     0x511
#define KEY_SIGNATURE 0x0000
#define KEY_FILE_DIR  0x0019

static void read_bytes(void *buf, size_t n)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = inb(PORT_DATA);
}

int fwcfg_read_file(const char *name, char *buf, size_t size)
{
    char sig[4];
    outw(PORT_SEL, KEY_SIGNATURE);
    read_bytes(sig, 4);
    if (memcmp(sig, "QEMU", 4) != 0) return ERR_NODEV;
    uint8_t be[4];
    outw(PORT_SEL, KEY_FILE_DIR);
    read_bytes(be, 4);
    uint32_t count = be32_get(be);
    for (uint32_t i = 0; i < count && i < 4096; i++) {
        uint8_t ent[64];
        read_bytes(ent, sizeof ent);
        uint32_t fsize = be32_get(ent);
        uint16_t select = be16_get(ent + 4);
        ent[63] = 0;
        if (strcmp((const char *)ent + 8, name) != 0) continue;
        if (size == 0) return ERR_INVAL;
        size_t n = fsize < size - 1 ? fsize : size - 1;
        outw(PORT_SEL, select);
        read_bytes(buf, n);
        buf[n] = '\0';
        return (int)n;
    }
    return ERR_NOENT;
}
