#!/bin/sh
# Fetches Mbed TLS 3.6 as Debian trixie's source package and unpacks it
# into DIR/src (default build/mbedtls/src), where the Makefile builds it
# with lib/tls/mbedtls_config.h. Nothing of it is committed.
#
# apt's own source client does the download, with a private state
# directory (DIR/apt) and a deb-src entry of its own, so the machine's apt
# sources stay untouched; apt checks the Release file's signature with
# debian-archive-keyring and the files' hashes, dpkg-source -x the .dsc's.
# Idempotent: when DIR/src/.stamp exists it prints nothing and exits 0.
set -e

DIR=${1:-build/mbedtls}
SUITE=trixie
[ -e "$DIR/src/.stamp" ] && exit 0

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
A=$DIR/apt
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/etc" "$DIR/dl"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
  "http://deb.debian.org/debian $SUITE main" >"$A/etc/sources.list"
apt_private() {
  apt-get -q -o Dir::State="$A" -o Dir::State::Lists="$A/lists" \
    -o Dir::Cache="$A/cache" -o Dir::Etc::SourceList="$A/etc/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null "$@"
}

echo "mbedtls: fetching Debian $SUITE's source package into $DIR"
apt_private update >"$A/update.log" 2>&1 || { cat "$A/update.log" >&2; exit 1; }
(cd "$DIR/dl" && rm -f ./*.dsc && apt_private source --download-only mbedtls \
  >"$A/source.log" 2>&1) || { cat "$A/source.log" >&2; exit 1; }

dsc=$(ls "$DIR"/dl/mbedtls_3.6.*.dsc 2>/dev/null | tail -n 1)
if [ -z "$dsc" ]; then
  echo "mbedtls: $SUITE no longer carries Mbed TLS 3.6:" "$DIR"/dl/*.dsc >&2
  exit 1
fi
rm -rf "$DIR/src" "$DIR/src.tmp"
dpkg-source -q -x "$dsc" "$DIR/src.tmp" >"$A/unpack.log" 2>&1 ||
  { cat "$A/unpack.log" >&2; exit 1; }
mv "$DIR/src.tmp" "$DIR/src"
basename "$dsc" >"$DIR/src/.stamp"
echo "mbedtls: unpacked $(basename "$dsc")"
