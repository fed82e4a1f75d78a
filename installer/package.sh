#!/usr/bin/env bash
# ./dev package: the PyInstaller build of this OS, and on Linux its .tar.gz and .deb, into dist/.
# Windows: the NSIS installer; macOS: the signed .app and its .dmg. PyInstaller does not cross-build:
# each OS's payload is built on that OS (.github/workflows/package.yml runs this on native runners).
# Usage: installer/package.sh PYTHON [--smoke]   (--smoke: then run the bundle's smoke test)
set -euo pipefail
cd "$(dirname "$0")/.."
py="$1"; shift
smoke=0; [ "${1:-}" = "--smoke" ] && smoke=1

version=$("$py" -c 'import app; print(app.__version__)')
name="LegalConnect Desktop"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
stamp="app/_build.txt"
echo "$version ($commit, $(date -u +%Y-%m-%d), $(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m))" > "$stamp"
trap 'rm -f "$stamp"' EXIT

echo "Building $name $version with PyInstaller" >&2
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist/pyinstaller --workpath build/pyinstaller installer/legalconnect.spec
bundle="dist/pyinstaller/$name"

if [ "$(uname -s)" = "Linux" ]; then
  # The spec leaves unused Qt parts out: nothing left in the bundle may link to one of them.
  qtlib="$bundle/_internal/PySide6/Qt/lib"
  missing=$(find "$bundle" -type f \( -name '*.so*' -o -name QtWebEngineProcess \) -print0 \
    | xargs -0 -r env LD_LIBRARY_PATH="$qtlib" ldd 2>/dev/null | grep 'libQt6.* => not found' | sort -u || true)
  if [ -n "$missing" ]; then
    echo "The bundle links to Qt libraries it left out:" >&2; echo "$missing" >&2; exit 1
  fi

  arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
  tar -C dist/pyinstaller -czf "dist/legalconnect-desktop-$version-linux-$(uname -m).tar.gz" "$name"
  root="build/deb/legalconnect-desktop"
  rm -rf "$root"
  mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/etc/apparmor.d"
  cp -a "$bundle" "$root/opt/legalconnect-desktop"
  ln -s "/opt/legalconnect-desktop/$name" "$root/usr/bin/legalconnect"
  for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "$root/usr/share/icons/hicolor/${size}x${size}/apps"
    cp "resources/icons/app/$size.png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/com.legalconnect.desktop.png"
  done
  cp installer/linux/com.legalconnect.desktop.desktop "$root/usr/share/applications/"
  # Ubuntu 24.04+ restricts unprivileged user namespaces, which QtWebEngine's sandbox needs: allow
  # them to this program only, rather than turning the sandbox off.
  cp installer/linux/apparmor-legalconnect-desktop "$root/etc/apparmor.d/legalconnect-desktop"
  cp installer/linux/postinst installer/linux/postrm "$root/DEBIAN/"
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"
  size_kb=$(du -sk "$root/opt" | cut -f1)
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size_kb/" installer/linux/control \
    > "$root/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz -z1 --build "$root" "dist/legalconnect-desktop_${version}_${arch}.deb" >/dev/null
  echo "Built dist/legalconnect-desktop_${version}_${arch}.deb and the .tar.gz" >&2
fi

os=$(uname -s)
exe="$bundle/$name"
case "$os" in
  Darwin)
    app="dist/pyinstaller/$name.app"
    installer/macos/sign.sh "$app"
    dmg="dist/LegalConnect-Desktop-$version-macos-$(uname -m).dmg"
    installer/macos/dmg.sh "$app" "$dmg"
    echo "Built $dmg" >&2
    exe="$app/Contents/MacOS/$name"
    bundle="$app"
    ;;
  MINGW*|MSYS*|CYGWIN*)
    makensis=$(command -v makensis || true)
    [ -n "$makensis" ] || makensis="/c/Program Files (x86)/NSIS/makensis.exe"
    [ -x "$makensis" ] || { echo "NSIS (makensis) is not installed: https://nsis.sourceforge.io" >&2; exit 1; }
    setup="dist/LegalConnect-Desktop-$version-windows-x64-setup.exe"
    "$makensis" -V2 -WX "-DPAYLOAD=$(cygpath -w "$bundle")" "-DVERSION=$version" \
      "-DOUTFILE=$(cygpath -w "$PWD/$setup")" installer/windows/legalconnect.nsi
    echo "Built $setup" >&2
    exe="$bundle/$name.exe"
    ;;
esac

if [ "$smoke" = 1 ]; then
  installer/smoke.sh "$exe" "$bundle" "$py"
fi
