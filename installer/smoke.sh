#!/usr/bin/env bash
# The packaged build's smoke test: the bundled executable starts offscreen on its bundled sandbox,
# shows the orders, opens Clio's sign-in pop-up (QtWebEngine from the bundle), and quits with exit 0
# and nothing on stderr. Prints the bundle's size and start-up time. With PYTHON (the one that built
# it) and Tesseract installed, the bundle's own OCR worker also makes a scanned page searchable.
# Usage: installer/smoke.sh EXE [BUNDLE] [PYTHON]
set -euo pipefail
exe="$1"; bundle="${2:-$(dirname "$exe")}"; py="${3:-}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export QT_QPA_PLATFORM=offscreen LEGALCONNECT_DESKTOP_HOME="$home"
[ "$(id -u)" -ne 0 ] || export QTWEBENGINE_DISABLE_SANDBOX=1
now_ms() { perl -MTime::HiRes=time -e 'printf "%d\n", time * 1000'; }  # BSD date has no %N
start=$(now_ms)
set +e
"$exe" --sandbox --smoke-test "$home/report.json" > "$home/out" 2> "$home/err"
code=$?
set -e
ms=$(( $(now_ms) - start ))
report=$(cat "$home/report.json" 2>/dev/null || true)
echo "smoke: exit $code in ${ms} ms: $report" >&2
fail() { echo "smoke test failed: $*" >&2; sed -n '1,40p' "$home/err" >&2; exit 1; }
[ "$code" -eq 0 ] || fail "exit status $code"
[ ! -s "$home/err" ] || fail "something was written to stderr"
echo "$report" | grep -q '"clio_page_loaded": true' || fail "Clio's pop-up did not load"
echo "$report" | grep -Eq '"orders_shown": [1-9]' || fail "no orders were shown"
echo "smoke: bundle $(du -sh "$bundle" | cut -f1)" >&2
if [ -n "$py" ] && command -v tesseract >/dev/null 2>&1; then
  "$py" -c 'import sys; from sandbox.seed.files import make_scanned_pdf
open(sys.argv[1], "wb").write(make_scanned_pdf("Signed Declaration", 1))' "$home/scan.pdf"
  "$exe" ocr-worker "$home/scan.pdf" "$home/searchable.pdf" --jobs 1 > "$home/ocr" 2>> "$home/err" \
    || fail "the bundled OCR worker failed: $(tail -n 1 "$home/ocr")"
  "$py" -c 'import sys; from pypdf import PdfReader
sys.exit("SIGNED DECLARATION" not in PdfReader(sys.argv[1]).pages[0].extract_text().upper())' \
    "$home/searchable.pdf" || fail "the bundled OCR worker's PDF has no text"
  echo "smoke: the bundled OCR worker made a scanned page searchable" >&2
fi
