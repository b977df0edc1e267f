#!/bin/sh
# Installs the Debian packages KPIO's build, run and tests need, then
# fetches Mbed TLS's source (scripts/fetch-mbedtls.sh).
# Idempotent: when everything is present it prints nothing and exits 0.
set -e

PACKAGES="make gcc python3 binutils iproute2 nodejs \
  qemu-system-x86 ovmf grub-pc-bin grub-efi-amd64-bin grub-common xorriso \
  mtools dosfstools \
  clang-19 lld-19 llvm-19 libclang-rt-19-dev libclang-rt-19-dev-wasm32 wasi-libc \
  wabt dnsmasq-base nginx-light libcmocka-dev cppcheck clang-format \
  dpkg-dev debian-archive-keyring openssl curl ca-certificates"

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
if [ -z "$missing" ]; then
  exec "$(dirname "$0")/fetch-mbedtls.sh" "${BUILD:-build}/mbedtls"
fi

echo "setup: installing:$missing"
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
trap '[ -n "$made_policy" ] && $SUDO rm -f "$policy"' EXIT
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup: done"
"$(dirname "$0")/fetch-mbedtls.sh" "${BUILD:-build}/mbedtls"
