/*
 * kernel/drivers/fwcfg/fwcfg.h - QEMU's firmware configuration device.
 * Tests pass the kernel options through it (-fw_cfg name=opt/kpio/cmdline,
 * string=...) so one ISO serves every test.
 */
#ifndef DRIVERS_FWCFG_H
#define DRIVERS_FWCFG_H

#include <stddef.h>

/* Reads the named file into buf (NUL-terminated). Returns its length, or a
 * negative error when there is no fw_cfg device or no such file. */
int fwcfg_read_file(const char *name, char *buf, size_t size);

#endif
