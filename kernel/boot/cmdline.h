/*
 * kernel/boot/cmdline.h - kernel options.
 *
 * The command line is "key=value" words separated by spaces; a value may be
 * quoted with double quotes to hold spaces (run="fetch http://x /data/y").
 * It comes from GRUB (Multiboot2) and then from QEMU's fw_cfg file
 * opt/kpio/cmdline, whose options override GRUB's. Known keys:
 *   log=error|warn|info|debug|trace   console log level (default info)
 *   test=NAME      test mode: run the named in-kernel tests, then exit QEMU
 *   run="CMD"      run one shell command instead of /etc/rc, then power off
 *   net=dhcp | net=static:ADDR/PREFIX,GW,DNS   network configuration
 *   shell=0        do not start the interactive shell
 *   wasm=interp|jit   the engine WASM apps run on (default jit: lib/wasm's
 *                  x86-64 compiler; interp: its interpreter)
 *   trace=phases   print the milestone path's phase trace (lib/phases.h)
 *                  at power-off
 *   jitcache=off   neither read nor write apps' machine code in /.jit
 *                  (wasm/jit_disk.h; default on)
 */
#ifndef BOOT_CMDLINE_H
#define BOOT_CMDLINE_H

#include <stddef.h>

/* Adds options from a command line string; later values replace earlier. */
void cmdline_parse(const char *s);
/* The value of key, or NULL. A bare word "key" has the value "". */
const char *cmdline_get(const char *key);
/* The whole command line as given, for the log. */
const char *cmdline_raw(void);

#endif
