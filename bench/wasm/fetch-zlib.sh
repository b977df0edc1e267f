#!/bin/sh
# Fetches zlib as Debian trixie's source package and unpacks it into
# DIR/src (default build/zlib/src), for bench/wasm's zlib benchmark
# (bench/wasm/zlib.c, built for wasm32-wasi and natively by module.mk).
# Nothing of it is committed. As scripts/fetch-mbedtls.sh does: apt's own
# source client, with a private state directory and a deb-src entry of its
# own (the machine's apt sources stay untouched), checks the Release
# file's signature and the files' hashes; dpkg-source -x unpacks the .dsc.
# Idempotent: when DIR/src/.stamp exists it prints nothing and exits 0.
# Exits 1 with the reason when the package cannot be had (no network).
set -e

DIR=${1:-build/zlib}
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

echo "zlib: fetching Debian $SUITE's source package into $DIR"
apt_private update >"$A/update.log" 2>&1 || { cat "$A/update.log" >&2; exit 1; }
# apt checks every file it fetches against the signed Sources index; when
# the mirror lacks the .dsc or the Debian diff (it has happened for a
# security update), the upstream tarball it did fetch is unpacked alone.
(cd "$DIR/dl" && rm -f ./*.dsc && apt_private source --download-only zlib \
  >"$A/source.log" 2>&1) || true

dsc=$(ls "$DIR"/dl/zlib_*.dsc 2>/dev/null | tail -n 1)
orig=$(ls "$DIR"/dl/zlib_*.orig.tar.* 2>/dev/null | tail -n 1)
rm -rf "$DIR/src" "$DIR/src.tmp"
if [ -n "$dsc" ]; then
  dpkg-source -q -x "$dsc" "$DIR/src.tmp" >"$A/unpack.log" 2>&1 ||
    { cat "$A/unpack.log" >&2; exit 1; }
  got=$(basename "$dsc")
elif [ -n "$orig" ]; then
  mkdir "$DIR/src.tmp"
  tar -xf "$orig" -C "$DIR/src.tmp" --strip-components=1
  got=$(basename "$orig")
else
  cat "$A/source.log" >&2
  echo "zlib: no source package zlib in Debian $SUITE" >&2
  exit 1
fi
mv "$DIR/src.tmp" "$DIR/src"
echo "$got" >"$DIR/src/.stamp"
echo "zlib: unpacked $got"
