#!/bin/bash
# bench/linux-guest/build.sh - builds the Linux reference guest for the
# benchmarks from Debian's packages only.
#
#   bench/linux-guest/build.sh [OUT]     (OUT defaults to build/linux-guest)
#
# Downloads (apt-get download) the kernel image that linux-image-amd64
# depends on, busybox-static, and openssl with the shared libraries it
# needs (libssl3, libc6: busybox wget runs `openssl s_client` for https and
# has it verify the server's certificate), unpacks them with dpkg-deb -x,
# generates modules.dep with busybox's depmod, writes the initramfs
# (mkinitramfs.py: busybox, init, udhcpc script, the modules below with
# their dependencies, openssl with its libraries and loader) and the ISO
# (grub-mkrescue, grub.cfg beside this file). Idempotent and silent when
# everything is up to date.
#
# Exit status: 0 built or up to date; 77 the Debian mirror could not be
# reached and nothing was downloaded before (the caller skips the bench);
# anything else: a real error.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-$ROOT/build/linux-guest}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# What the guest needs: virtio over PCI (q35 puts virtio devices on PCIe,
# so the modern transport), the NIC (virtio_net pulls net_failover and
# failover in), the disk, FAT32 (vfat pulls fat in), and the code pages
# the kernel config names as FAT's defaults: FAT_DEFAULT_CODEPAGE=437 and
# FAT_DEFAULT_IOCHARSET="ascii".
MODULES=virtio_pci,virtio_net,virtio_blk,vfat,nls_cp437,nls_ascii
INITRD_COMPRESS=${INITRD_COMPRESS:-none}
APT_OPTS=(-o APT::Sandbox::User=root -qq)

log() { echo "linux-guest: $*"; }
die() { echo "linux-guest: error: $*" >&2; exit 1; }

for tool in apt-get apt-cache dpkg-deb grub-mkrescue xorriso mformat python3 readelf; do
    command -v "$tool" > /dev/null || die "$tool not found (scripts/setup.sh installs it)"
done

updated=""
apt_update_once() {
    [ -n "$updated" ] && return 1
    updated=1
    [ "$(id -u)" -eq 0 ] || return 1
    apt-get update -qq > /dev/null 2>&1 || return 1
}

# kernel_package: prints the linux-image-6.1.*-amd64 package that
# linux-image-amd64 depends on, from the local package lists.
kernel_package() {
    apt-cache depends linux-image-amd64 2> /dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

candidate() { apt-cache policy "$1" 2> /dev/null | sed -n 's/^ *Candidate: //p'; }

# fetch PKG: makes sure $OUT/debs holds PKG's candidate version; prints the
# .deb's path. Falls back to an already downloaded version when the mirror
# cannot be reached; returns 77 when there is none.
fetch() {
    local pkg=$1 want have deb
    want=$(candidate "$pkg")
    for deb in "$OUT/debs/${pkg}_"*.deb; do
        [ -e "$deb" ] || continue
        have=$(dpkg-deb -f "$deb" Version)
        if [ "$have" = "$want" ]; then echo "$deb"; return 0; fi
    done
    mkdir -p "$OUT/debs"
    if [ -n "$want" ]; then
        log "downloading $pkg $want" >&2
        if (cd "$OUT/debs" && apt-get download "${APT_OPTS[@]}" "$pkg=$want" > /dev/null 2> "$OUT/apt.log" \
              || { apt_update_once && apt-get download "${APT_OPTS[@]}" "$pkg" > /dev/null 2> "$OUT/apt.log"; }); then
            deb=$(ls -t "$OUT/debs/${pkg}_"*.deb | head -n 1)
            echo "$deb"
            return 0
        fi
    fi
    deb=$(ls -t "$OUT/debs/${pkg}_"*.deb 2> /dev/null | head -n 1 || true)
    if [ -n "$deb" ]; then
        log "could not download $pkg ${want:-(no candidate)}; using $(basename "$deb")" >&2
        echo "$deb"
        return 0
    fi
    echo "linux-guest: SKIP: cannot download $pkg from the Debian mirror:" >&2
    sed 's/^/  /' "$OUT/apt.log" >&2 2> /dev/null || true
    return 77
}

# unpack DEB DIR: dpkg-deb -x into DIR unless DIR is newer than DEB.
unpack() {
    local deb=$1 dir=$2
    if [ -e "$dir/.unpacked" ] && [ "$dir/.unpacked" -nt "$deb" ] &&
        [ "$(cat "$dir/.unpacked")" = "$(basename "$deb")" ]; then
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir"
    basename "$deb" > "$dir/.unpacked"
}

kpkg=$(kernel_package)
if [ -z "$kpkg" ]; then
    apt_update_once || true
    kpkg=$(kernel_package)
fi
if [ -z "$kpkg" ]; then
    # No package lists at all: use a kernel downloaded before, if any.
    kpkg=$(ls -t "$OUT/debs/" 2> /dev/null | sed -n 's/^\(linux-image-[0-9][^_]*-amd64\)_.*/\1/p' | head -n 1)
    [ -n "$kpkg" ] || { echo "linux-guest: SKIP: no package lists name linux-image-amd64's kernel" >&2; exit 77; }
fi

kdeb=$(fetch "$kpkg") || exit $?
bdeb=$(fetch busybox-static) || exit $?
unpack "$kdeb" "$OUT/kernel"
unpack "$bdeb" "$OUT/busybox"
# openssl and the packages holding the libraries its ELF files name
# (mkinitramfs.py checks that every one is found), unpacked side by side.
TLS_PACKAGES="openssl libssl3 libc6"
tls_roots=() tls_debs=""
for pkg in $TLS_PACKAGES; do
    deb=$(fetch "$pkg") || exit $?
    unpack "$deb" "$OUT/pkg/$pkg"
    tls_roots+=(--root "$OUT/pkg/$pkg")
    tls_debs="$tls_debs $(basename "$deb")"
done

KROOT=$OUT/kernel
BUSYBOX=$OUT/busybox/bin/busybox
kver=$(ls "$KROOT/lib/modules")
[ "$(echo "$kver" | wc -l)" -eq 1 ] || die "expected one kernel in $KROOT/lib/modules, found: $kver"
vmlinuz=$KROOT/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "no $vmlinuz in $kdeb"

# The package ships no modules.dep (the postinst runs depmod): make one.
moddep=$KROOT/lib/modules/$kver/modules.dep
if [ ! -s "$moddep" ] || [ "$moddep" -ot "$KROOT/.unpacked" ]; then
    "$BUSYBOX" depmod -b "$KROOT" "$kver"
    [ -s "$moddep" ] || die "depmod made no $moddep"
fi

initrd=$OUT/initrd.img
stamp=$OUT/initrd.config
config="modules=$MODULES compress=$INITRD_COMPRESS kernel=$(basename "$kdeb") busybox=$(basename "$bdeb") tls=$tls_debs"
rebuild=""
[ -f "$initrd" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$config" ] || rebuild=1
for f in "$HERE/init" "$HERE/udhcpc.script" "$HERE/mkinitramfs.py" "$moddep" "$BUSYBOX"; do
    if [ "$f" -nt "$initrd" ]; then rebuild=1; fi
done
if [ -n "$rebuild" ]; then
    log "initramfs ($MODULES)"
    python3 "$HERE/mkinitramfs.py" --kroot "$KROOT" --kver "$kver" --busybox "$BUSYBOX" \
        --init "$HERE/init" --udhcpc-script "$HERE/udhcpc.script" --modules "$MODULES" \
        --compress "$INITRD_COMPRESS" --out "$initrd" --manifest "$OUT/initrd.manifest" \
        "${tls_roots[@]}" --program usr/bin/openssl
    # Oracle: busybox's own cpio must list what we wrote.
    listing=$( (if [ "$INITRD_COMPRESS" = gzip ]; then gzip -dc "$initrd"; else cat "$initrd"; fi) |
        "$BUSYBOX" cpio -t 2> /dev/null)
    for must in init bin/busybox bin/sh dev/console etc/modules.load usr/share/udhcpc/default.script \
        usr/bin/openssl; do
        grep -qx "$must" <<< "$listing" || die "initramfs check: $must missing from busybox cpio -t"
    done
    echo "$config" > "$stamp"
fi

iso=$OUT/linux-guest.iso
if [ ! -f "$iso" ] || [ "$initrd" -nt "$iso" ] || [ "$vmlinuz" -nt "$iso" ] ||
    [ "$HERE/grub.cfg" -nt "$iso" ] || [ "$0" -nt "$iso" ]; then
    log "ISO $(basename "$iso")"
    rm -rf "$OUT/iso"
    mkdir -p "$OUT/iso/boot/grub"
    cp "$vmlinuz" "$OUT/iso/boot/vmlinuz"
    cp "$initrd" "$OUT/iso/boot/initrd.img"
    cp "$HERE/grub.cfg" "$OUT/iso/boot/grub/grub.cfg"
    grub-mkrescue -o "$iso.tmp" "$OUT/iso" > "$OUT/grub-mkrescue.log" 2>&1 ||
        { cat "$OUT/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
    mv "$iso.tmp" "$iso"
    {
        echo "kernel_package $(basename "$kdeb")"
        echo "busybox_package $(basename "$bdeb")"
        echo "tls_packages$tls_debs"
        echo "kernel_release $kver"
        echo "vmlinuz_bytes $(stat -c %s "$vmlinuz")"
        echo "initrd_bytes $(stat -c %s "$initrd") ($INITRD_COMPRESS)"
        echo "iso_bytes $(stat -c %s "$iso")"
        grep -E '^(module|program|library) ' "$OUT/initrd.manifest"
    } > "$OUT/guest.info"
fi
