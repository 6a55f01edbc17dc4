#!/usr/bin/env bash
# Package dist/pyinstaller/"Nitro Desktop.app" (made by `python3 packaging/build.py macos`) into a
# compressed .dmg with an /Applications link. macOS only (hdiutil). Usage: make_dmg.sh VERSION
#
# Signing and notarisation are not done here; with a Developer ID they go between the two steps:
#   codesign --deep --force --options runtime --sign "$NITRO_CODESIGN_IDENTITY" "$APP"
#   xcrun notarytool submit "$DMG" --keychain-profile nitro --wait && xcrun stapler staple "$DMG"
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=${1:?usage: make_dmg.sh VERSION}
APP="dist/pyinstaller/Nitro Desktop.app"
ARCH=$(uname -m)
DMG="dist/nitro-desktop-$VERSION-macos-$ARCH.dmg"
[ -d "$APP" ] || { echo "missing $APP: run packaging/build.py macos" >&2; exit 1; }
/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$APP/Contents/Info.plist"
"$APP/Contents/MacOS/nitro-desktop" --self-test
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "Nitro Desktop $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
hdiutil verify "$DMG"
echo "dmg: $DMG ($(du -h "$DMG" | cut -f1))"
