#!/usr/bin/env bash
# Sign the macOS app, inside out, and check the signature.
#   installer/macos/sign.sh "dist/pyinstaller/LegalConnect Desktop.app"
# With MACOS_SIGN_IDENTITY (a "Developer ID Application: ..." identity in the keychain): every
# library and program with the hardened runtime and a secure timestamp, QtWebEngine's helper with
# the entitlement it needs (webengine-helper.entitlements), then the app (app.entitlements).
# Without it: an ad-hoc signature, enough to run on the machine that built it and in CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
app="$1"
[ -d "$app/Contents/MacOS" ] || { echo "sign.sh: $app is not an app bundle" >&2; exit 2; }
identity="${MACOS_SIGN_IDENTITY:--}"
opts=(--force --sign "$identity")
[ "$identity" = "-" ] || opts+=(--options runtime --timestamp)

helper=$(find "$app" -type d -name 'QtWebEngineProcess.app' -path '*/Helpers/*' | head -1)
[ -n "$helper" ] || { echo "sign.sh: QtWebEngine's helper (Helpers/QtWebEngineProcess.app) is missing from $app" >&2; exit 1; }

# Libraries and programs first (the deepest first), outside the helper and the main executable.
while IFS= read -r -d '' f; do
  case "$f" in "$helper"/*) continue ;; esac
  if file -b "$f" | grep -q 'Mach-O'; then
    codesign "${opts[@]}" "$f"
  fi
done < <(find "$app/Contents" -type f \( -name '*.so' -o -name '*.dylib' -o -perm -u+x \) \
  ! -path "$app/Contents/MacOS/*" -print0 | sort -rz)
# Frameworks as bundles, then QtWebEngine's helper with its entitlement, then the app.
while IFS= read -r -d '' fw; do
  codesign "${opts[@]}" "$fw"
done < <(find "$app/Contents" -type d -name '*.framework' -print0 | sort -rz)
codesign "${opts[@]}" --entitlements "$here/webengine-helper.entitlements" "$helper"
# The helper sits inside QtWebEngineCore.framework: re-seal the framework around it.
codesign "${opts[@]}" "$(dirname "$(dirname "$helper")")"
codesign "${opts[@]}" --entitlements "$here/app.entitlements" "$app"
codesign --verify --deep --strict --verbose=1 "$app"
