#!/bin/sh
# scripts/run.sh - boots KPIO in QEMU on this terminal (`make run`).
# The serial console is the terminal; quit QEMU with Ctrl-A X.
set -e
BUILD=${BUILD:-build}
exec qemu-system-x86_64 -machine q35 -m 512M -smp 1 -nographic -no-reboot \
    -cdrom "$BUILD/kpio.iso" -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@"
