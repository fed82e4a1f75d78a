#!/usr/bin/env bash
# The macOS disk image: the app and a link to /Applications to drag it onto; notarised and stapled
# when MACOS_NOTARY_PROFILE names a `xcrun notarytool store-credentials` profile.
#   installer/macos/dmg.sh "dist/pyinstaller/LegalConnect Desktop.app" dist/LegalConnect-Desktop-1.0-macos.dmg
set -euo pipefail
app="$1"; out="$2"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$out"
hdiutil create -volname "$(basename "$app" .app)" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$out" >/dev/null
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --sign "$MACOS_SIGN_IDENTITY" --timestamp "$out"
fi
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$out" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
  xcrun stapler staple "$out"
fi
hdiutil verify "$out" >/dev/null
