#!/bin/sh
# scripts/setup.sh - installs what KPIO's build, run and tests need, on a
# Debian 12 that has only git and make: the Debian packages below, then,
# unless JCO_DIR is set or ../shared/tools/jco exists, the pinned jco from
# the npm registry into $BUILD/jco (tests/lib/jco/setup.sh, see
# tests/lib/jcoenv.py), then Mbed TLS's source (scripts/fetch-mbedtls.sh).
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
  [ ! -e ../shared/tools/jco/jco.sh ] || return 0
  home=${JCO_HOME:-$BUILD/jco}
  [ ! -d "$home/node_modules/@bytecodealliance/jco" ] || return 0
  echo "setup: installing jco from npm into $home"
  JCO_HOME=$home sh tests/lib/jco/setup.sh >/dev/null ||
    echo "setup: jco could not be installed; the jco tests will SKIP" >&2
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
install_jco

./scripts/fetch-mbedtls.sh "$BUILD/mbedtls"
