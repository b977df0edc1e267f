#!/bin/sh
# scripts/fresh_debian.sh - runs `make test` as a newcomer would: on a fresh,
# minimal Debian 12 with only git and make, built by debootstrap in a
# directory of its own, into which a clean clone of this repository (and
# ../shared beside it, when there is one) is copied. Proves that
# scripts/setup.sh installs everything the tests need.
#
#   sudo scripts/fresh_debian.sh [DIR] [MAKE ARGUMENTS...]
#
# DIR defaults to /var/tmp/kpio-fresh-debian (kept afterwards, so a second
# run reuses the Debian base; delete it to start from nothing). The make
# arguments default to `test`; `test SUITE=unit` runs a part. The exit status
# is make's. Needs root (debootstrap, chroot, mounts) and the network to
# Debian's archive; installs debootstrap on this machine if it is missing.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/var/tmp/kpio-fresh-debian}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- test
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { echo "fresh-debian: $*"; }

[ "$(id -u)" = 0 ] || { say "needs root (debootstrap, chroot and mounts)" >&2; exit 2; }
command -v debootstrap >/dev/null || {
    say "installing debootstrap"
    apt-get update -q && apt-get install -y -q debootstrap
}

if [ ! -x "$dir/usr/bin/make" ]; then
    say "building a minimal Debian 12 with git and make in $dir"
    mkdir -p "$dir"
    debootstrap --variant=minbase --include=git,make,ca-certificates bookworm "$dir" "$mirror"
fi
chmod 755 "$dir"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
cp /etc/resolv.conf "$dir/etc/resolv.conf"
# This machine's own trust anchors (a proxy's CA, say) go in too, for apt,
# git and npm (node reads them through NODE_EXTRA_CA_CERTS below).
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    mkdir -p "$dir/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
    chroot "$dir" update-ca-certificates >/dev/null
fi

# The root is its own mount point (ip netns bind-mounts under /run/netns),
# with the kernel's file systems inside; all of it is undone on exit.
mounts=""
mnt() { mount "$@" && mounts="${*##* } $mounts"; }
cleanup() {
    for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
mnt --bind "$dir" "$dir"
mount --make-rprivate "$dir" # nothing mounted inside reaches this machine's tree
mnt -t proc proc "$dir/proc"
mnt -t sysfs sys "$dir/sys"
mnt --rbind /dev "$dir/dev"
mount --make-rslave "$dir/dev"
mnt -t tmpfs tmpfs "$dir/run"

say "copying a clean clone of $(git -C "$here" rev-parse --short HEAD)"
# Nothing of an earlier run stays: the clone (with build/node and
# build/jco, which setup.sh fills), /tmp, npm's cache.
rm -rf "$dir/root/kpio" "$dir/root/shared" "$dir/root/.npm" "$dir/tmp"
mkdir -m 1777 "$dir/tmp"
git clone -q "$here" "$dir/root/kpio"
[ ! -d "$here/../shared" ] || cp -a "$here/../shared" "$dir/root/shared"

say "make $* inside"
start=$(date +%s)
status=0
chroot "$dir" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c 'cd /root/kpio && make "$@"' make "$@" || status=$?
say "make $* exited $status after $(($(date +%s) - start)) s"
exit $status
