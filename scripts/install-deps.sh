#!/bin/sh
# Installs the Debian packages cloudfort needs to build, test and benchmark, and only those
# that are missing. Idempotent: a second run installs nothing. Works as root or through sudo.
# Usage: scripts/install-deps.sh [--bench]   (--bench adds the peers used by `make bench`)
set -eu

pkgs="make gcc g++ pkg-config git
libsimdjson-dev libyaml-dev libpcre2-dev zlib1g-dev libssl-dev libarchive-dev libgit2-dev
libidn2-dev libcmocka-dev libcurl4-openssl-dev clang-14 libclang-rt-14-dev libevent-dev libcrypt-dev
python3 python3-jsonschema
curl openssl python3-dnslib valgrind"
if [ "${1:-}" = "--bench" ]; then
  pkgs="$pkgs jq hyperfine time"
  # The egress proxy's peers and load generator (bench/egress).
  pkgs="$pkgs squid nginx wrk"
fi

# Hyperscan is built for x86-64 only; elsewhere Vectorscan offers the same API.
if [ "$(uname -m)" = x86_64 ]; then pkgs="$pkgs libhyperscan-dev"; else pkgs="$pkgs libvectorscan-dev"; fi
# Peers and tools the content tests and benchmarks run (zip builds the test APK).
pkgs="$pkgs zip unzip"
if [ "${1:-}" = "--bench" ]; then
  pkgs="$pkgs ripgrep"
  # secretlint runs on Node.js; a Node.js that did not come from Debian counts as present.
  command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
fi

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "install-deps: missing packages:$missing; run as root or install sudo" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; refresh them once before installing.
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
