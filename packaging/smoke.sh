#!/usr/bin/env bash
# Smoke test of the Linux installers, run before every release tag (not in CI: the PyInstaller
# build alone takes about a minute on 2 cores, and the test suite already fills CI's budget).
#
#   packaging/smoke.sh                  build the .deb, `apt-get install` it, test the installed app
#   packaging/smoke.sh --unpack         same, but unpack the .deb into a temporary root instead
#   packaging/smoke.sh --no-build ...   reuse dist/*.deb
#
# Needs root (or sudo) for apt-get. Checks, failing on the first error:
#   1. `nitro-desktop --self-test` headless (QT_QPA_PLATFORM=offscreen) and under Xvfb (xcb);
#   2. the app launched from the installed desktop entry's Exec line under Xvfb shows a window
#      named "Nitro Desktop" (xdotool), and a screenshot of the screen is saved;
#   3. the time from launch to the window being mapped.
# Artefacts (screenshot, logs) go to build/smoke/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/smoke
MODE=install
BUILD=1
for arg in "$@"; do
  case $arg in
    --unpack) MODE=unpack ;;
    --no-build) BUILD=0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
say() { printf '[smoke] %s\n' "$*"; }

need=()
for tool in Xvfb:xvfb xauth:xauth import:imagemagick xwininfo:x11-utils xdotool:xdotool dpkg-deb:dpkg bc:bc; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

PY=${PYTHON:-$ROOT/.venv/bin/python}
if [ "$BUILD" = 1 ]; then
  # The build checks every bundled library against the installed system (the .deb's Depends):
  # a fresh machine needs those packages first.
  missing=()
  while read -r pkg; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done < <("$PY" packaging/build.py depends)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing the build's Depends: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  "$PY" packaging/build.py linux
fi
DEB=$(ls -t dist/nitro-desktop_*.deb | head -1)
say "package: $DEB ($(du -h "$DEB" | cut -f1))"
rm -rf "$OUT" && mkdir -p "$OUT"

if [ "$MODE" = install ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$ROOT/$DEB" >"$OUT/apt.log" 2>&1 \
    || { cat "$OUT/apt.log"; exit 1; }
  PREFIX=""
  APP=/usr/bin/nitro-desktop
  DESKTOP=/usr/share/applications/nitro-desktop.desktop
else
  PREFIX=$(mktemp -d)
  trap 'rm -rf "$PREFIX"' EXIT
  dpkg-deb -x "$DEB" "$PREFIX"
  APP=$PREFIX/opt/nitro-desktop/nitro-desktop
  DESKTOP=$PREFIX/usr/share/applications/nitro-desktop.desktop
fi
say "installed ($MODE): $APP"
command -v desktop-file-validate >/dev/null && desktop-file-validate "$DESKTOP"

# A throwaway home, so the app's data and settings do not touch the real user's.
export HOME=$OUT/home XDG_DATA_HOME=$OUT/home/data XDG_CONFIG_HOME=$OUT/home/config
mkdir -p "$HOME"

say "self-test, headless (offscreen)"
QT_QPA_PLATFORM=offscreen "$APP" --self-test | tee "$OUT/selftest-offscreen.txt"

export DISPLAY=:97
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
XVFB=$!
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  kill "$XVFB" 2>/dev/null || true
  if [ -n "$PREFIX" ]; then rm -rf "$PREFIX"; fi
}
trap cleanup EXIT
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

say "self-test under Xvfb (xcb)"
env -u QT_QPA_PLATFORM "$APP" --self-test | tee "$OUT/selftest-xcb.txt"
grep -q "PASS  Qt platform  .*xcb" "$OUT/selftest-xcb.txt"

# Launch the way the menu does: the desktop entry's Exec line, field codes dropped.
EXEC=$(sed -n 's/^Exec=//p' "$DESKTOP" | sed 's/ %[fFuU]//')
[ "$MODE" = unpack ] && EXEC=${EXEC/nitro-desktop/$APP}
say "launching under Xvfb: $EXEC"
start=$(date +%s.%N)
env -u QT_QPA_PLATFORM $EXEC >"$OUT/app.log" 2>&1 &
APP_PID=$!
WID=""
for _ in $(seq 300); do
  WID=$(xdotool search --onlyvisible --name "Nitro Desktop" 2>/dev/null | head -1 || true)
  [ -n "$WID" ] && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$OUT/app.log"; say "FAIL: the app exited"; exit 1; }
  sleep 0.05
done
end=$(date +%s.%N)
[ -n "$WID" ] || { cat "$OUT/app.log"; say "FAIL: no window named 'Nitro Desktop' within 15 s"; exit 1; }
say "window $WID '$(xdotool getwindowname "$WID")' mapped after $(echo "$end - $start" | bc) s"
xwininfo -id "$WID" | grep -E "Width|Height|Map State" | sed 's/^ */[smoke]   /'
sleep 1  # let it paint
import -window root "$OUT/screenshot.png"
say "screenshot: $OUT/screenshot.png"
kill "$APP_PID"
wait "$APP_PID" 2>/dev/null || true
APP_PID=""
say "PASS"
