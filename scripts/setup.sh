#!/bin/sh
# scripts/setup.sh - installs what KPIO's build, run and tests need, on a
# Debian 12 that has only git and make: the Debian packages below, then,
# unless JCO_DIR is set, the pinned jco from
# the npm registry into $BUILD/jco (tests/lib/jco/setup.sh, see
# tests/lib/jcoenv.py), then Mbed TLS's source (scripts/fetch-mbedtls.sh).
# When the node on PATH is older than jco needs (Debian 12's is 18), a node
# 20 from the npm registry goes into $BUILD/node; the Makefile puts its bin
# first on PATH, so the build and every test use that one node.
# Idempotent: when everything is present it prints
# nothing and exits 0.
set -e
cd "$(dirname "$0")/.."
: "${BUILD:=build}"

# Clients the tests use as independent peers: curl (apps/net, benches),
# openssl and ca-certificates (TLS peers and trust), cpio (bench/compare),
# dash (the oracle of tests/shell), wrk (bench/serve's load generator),
# chromium (the headless browser of tests/serve); zlib1g-dev's crc32 is the
# GPT checksum oracle of tests/unit/block.
PACKAGES="make gcc python3 binutils iproute2 nodejs \
  qemu-system-x86 ovmf grub-pc-bin grub-efi-amd64-bin grub-common xorriso \
  mtools dosfstools cpio \
  clang-19 lld-19 llvm-19 libclang-rt-19-dev libclang-rt-19-dev-wasm32 wasi-libc \
  wabt dnsmasq-base nginx-light libcmocka-dev libjansson-dev zlib1g-dev cppcheck clang-format \
  curl openssl ca-certificates dpkg-dev debian-archive-keyring dash wrk chromium"

install_packages() {
  echo "setup: installing: $*"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Packages that ship a service (nginx) must not start one on this machine:
  # the tests run their own servers on ports of their own.
  policy=/usr/sbin/policy-rc.d
  made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    made_policy=1
  fi
  trap '[ -z "$made_policy" ] || $SUDO rm -f "$policy"' EXIT
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  echo "setup: done"
}

# jco for the tests that compare with an independent WASI 0.2 host: only when
# no other copy is configured, and only once.
install_jco() {
  [ -z "$JCO_DIR" ] || return 0
  home=${JCO_HOME:-$BUILD/jco}
  [ ! -d "$home/node_modules/@bytecodealliance/jco" ] || return 0
  echo "setup: installing jco from npm into $home"
  JCO_HOME=$home sh tests/lib/jco/setup.sh >/dev/null ||
    echo "setup: jco could not be installed; the jco tests will SKIP" >&2
}

# jco 1.35's dependencies want node ^20.19 or >= 22.12 (oxc-minify's engines).
NODE_VERSION=20.20.2
# sha512 of node-linux-<arch>-$NODE_VERSION.tgz: the registry's dist.integrity
# in hex, pinned here so a changed tarball is refused.
NODE_SHA512_x64=3de1d033cc007661ed640d66068732819c6ce4b8945adb097b3413901774898f7cecaa46ac3d4edad544c9dbcc662b9771e45a9f1b7bae34e70c407038fba3a1
NODE_SHA512_arm64=2c25c99cd4c58b21ae601c3681948894e04531b92300fb7cb2a0ff34aad6a04d909838129ab4ea16783a19a349f4427c1e9c4130671695a6db72ce15a3e0a71a
node_dir=$BUILD/node
case "$BUILD" in /*) ;; *) node_dir=$(pwd)/$BUILD/node ;; esac
PATH=$node_dir/bin:$PATH
export PATH

node_fits_jco() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a >= 23 ? 0 : 1)' 2>/dev/null
}

# The npm registry's node-linux-<arch> package is the official build's
# tarball (bin/node, no npm); Debian's npm fetches it and checks the
# registry's sha512, and it is checked again against the pin above.
install_node() {
  node_fits_jco && return 0
  case "$(uname -m)" in
    x86_64) arch=x64 sum=$NODE_SHA512_x64 ;;
    aarch64) arch=arm64 sum=$NODE_SHA512_arm64 ;;
    *) echo "setup: no node $NODE_VERSION for $(uname -m); the jco tests will fail" >&2; return 0 ;;
  esac
  echo "setup: node $(node --version 2>/dev/null || echo '(none)') is too old for jco;" \
    "installing node $NODE_VERSION from the npm registry into $node_dir"
  tmp=$(mktemp -d)
  tgz=$tmp/node-linux-$arch-$NODE_VERSION.tgz
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null) ||
    { echo "setup: npm could not fetch node-linux-$arch@$NODE_VERSION" >&2; exit 1; }
  echo "$sum  $tgz" | sha512sum -c --quiet ||
    { echo "setup: $tgz does not have the pinned sha512" >&2; exit 1; }
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  tar -xzf "$tgz" -C "$node_dir" --strip-components=1 package/bin package/LICENSE
  rm -rf "$tmp"
  hash -r # the shell remembers where it found node before
  node_fits_jco || { echo "setup: $node_dir/bin/node does not run" >&2; exit 1; }
}

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
# Debian's nodejs comes without npm; a nodejs from elsewhere may bring its own
command -v npm >/dev/null || missing="$missing npm"
# shellcheck disable=SC2086
[ -z "$missing" ] || install_packages $missing
install_node
install_jco

./scripts/fetch-mbedtls.sh "$BUILD/mbedtls"
