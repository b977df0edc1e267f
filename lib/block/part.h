/*
 * lib/block/part.h - MBR and GPT partition tables, read from a disk the
 * caller reaches through a read callback (sans-IO: no driver, no registry).
 *
 * part_scan reads sector 0 and, for a protective MBR (type 0xEE), the GPT
 * (UEFI spec 2.10 section 5.3): the header at LBA 1 with its CRC32, its
 * own LBA and its fields checked, then the entry array with its CRC32. A
 * damaged primary GPT falls back to the backup header in the disk's last
 * sector (section 5.3.2). For an MBR it reports the four primary entries
 * and the logical partitions of each extended one (a chain of EBRs).
 *
 * Every entry in use is handed to the caller's callback with a verdict:
 * accepted, or refused because it lies outside the disk (or outside the
 * GPT's usable LBAs, or outside its extended partition), or because it
 * overlaps a partition accepted before it. The caller registers the
 * accepted ones; nothing outside the disk's own bytes is trusted.
 */
#ifndef BLOCK_PART_H
#define BLOCK_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "block/sector_dev.h"

#define PART_SECTOR_MIN      512
#define PART_SECTOR_MAX      4096
#define PART_GPT_MAX_ENTRIES 256 /* more entries in a GPT: ERR_CORRUPT */
#define PART_LOGICAL_MAX     64  /* EBRs followed per extended partition */
#define PART_FIRST_LOGICAL   5   /* logical partitions are numbered from 5 */

enum part_scheme { PART_SCHEME_NONE, PART_SCHEME_MBR, PART_SCHEME_GPT };

enum part_verdict {
    PART_ACCEPTED,
    PART_OUTSIDE,  /* beyond the disk, the usable area or its extended partition */
    PART_OVERLAPS, /* shares sectors with a partition accepted before it */
};

struct part_info {
    int no; /* MBR: 1-4 primary, 5.. logical; GPT: entry index + 1 */
    enum part_scheme scheme;
    bool logical;
    uint64_t start, count; /* in sectors */
    uint8_t mbr_type;      /* MBR partition type */
    uint8_t gpt_type[16];  /* GPT partition type GUID, as stored */
    enum part_verdict verdict;
};

struct part_summary {
    enum part_scheme scheme;
    bool gpt_backup_used; /* the primary GPT was damaged; the backup served */
    int accepted, refused;
};

/* Called for every partition entry in use, in table order; a negative
 * return stops the scan and becomes part_scan's result. */
typedef int (*part_found_fn)(void *ctx, const struct part_info *part);

/* Scans disk's partition table, reading it through disk->read (its sector
 * size a power of two, PART_SECTOR_MIN..MAX). Returns the number of accepted partitions
 * (0 for an unpartitioned disk, one that starts with a FAT boot sector) or
 * ERR_INVAL (sector size), ERR_CORRUPT (a protective MBR without a valid
 * GPT), ERR_NOMEM, or the reader's error. summary may be NULL. */
int part_scan(const struct sector_dev *disk, part_found_fn found, void *ctx,
              struct part_summary *summary);

#endif
