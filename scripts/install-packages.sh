#!/usr/bin/env bash
# Installs the Debian packages vmlab needs (.ci/packages) on Debian 12. Unicorn 2.1.1 comes from
# Debian 13 (trixie): its two packages depend only on libc6 and install cleanly on Debian 12. An
# apt pin of priority 1 makes sure nothing else is ever taken from trixie.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
as_root tee /etc/apt/sources.list.d/vmlab-trixie.sources >/dev/null <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
as_root tee /etc/apt/preferences.d/vmlab-trixie >/dev/null <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 1
PIN
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends $(cat .ci/packages) \
  libunicorn-dev/trixie libunicorn2t64/trixie >/dev/null
