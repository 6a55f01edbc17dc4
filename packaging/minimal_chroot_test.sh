#!/usr/bin/env bash
# Is the .deb's Depends: enough? Install it into a minimal Debian 12 chroot and self-test there.
#
#   packaging/minimal_chroot_test.sh [DEB] [CHROOT]     (root; default CHROOT /srv/minimal-bookworm)
#
# Creates the chroot with `debootstrap --variant=minbase bookworm` when missing, then inside it:
# `apt-get install ./nitro-desktop_*.deb` (only Depends), `--self-test` offscreen, then
# `apt-get install xvfb xauth` and `--self-test` on xcb under xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=${1:-$(ls -t dist/nitro-desktop_*.deb | head -1)}
CHROOT=${2:-/srv/minimal-bookworm}
if [ ! -x "$CHROOT/bin/bash" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --variant=minbase bookworm "$CHROOT" http://deb.debian.org/debian
fi
cp "$DEB" "$CHROOT/tmp/nitro-desktop.deb"
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
trap 'umount "$CHROOT/proc" 2>/dev/null || true' EXIT
chroot "$CHROOT" bash -euo pipefail -c '
  export DEBIAN_FRONTEND=noninteractive HOME=/tmp/home
  mkdir -p "$HOME"
  echo "packages before: $(dpkg -l | grep -c ^ii)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends /tmp/nitro-desktop.deb >/tmp/apt-deb.log 2>&1
  echo "packages after installing the .deb: $(dpkg -l | grep -c ^ii)"
  QT_QPA_PLATFORM=offscreen nitro-desktop --self-test
  apt-get install -y -qq --no-install-recommends xvfb xauth >/tmp/apt-xvfb.log 2>&1
  xvfb-run -a nitro-desktop --self-test
'
