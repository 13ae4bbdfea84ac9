#!/usr/bin/env bash
# Installs, idempotently, every Debian package zpub needs to build, test and benchmark.
# Safe to run again: packages already present are left alone.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git
  libncurses-dev libuv1-dev libsqlite3-dev sqlite3 libpq-dev postgresql libcurl4-openssl-dev
  libcjson-dev libsodium-dev libhttp-parser-dev
  libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev
  libswresample-dev libswscale-dev
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
  libcmocka-dev
  ffmpeg espeak-ng sox tmux python3 procps
  clang libclang-rt-14-dev valgrind
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
