#!/usr/bin/env bash
# Renders report.html of the lesson sweep in headless Chromium and checks that the page loads
# with no console error and has its charts; saves a screenshot for people to look at.
# Usage: tests/browser/check_report.sh [BUILD_DIR]   (default: build)
# Artifacts: BUILD_DIR/artifacts/report.png, report.html, report.dom.html, chromium.log.
# Installs Debian's chromium when it is missing and we are root; otherwise says so and skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath -m "${1:-build}")
nnsweep=$build/runner/nnsweep
artifacts=$build/artifacts

skip() {
  echo "check_report: SKIPPED: $*"
  exit 0
}

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "check_report: installing chromium (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
      >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
        >/dev/null 2>&1; } || skip "chromium could not be installed"
    browser=$(command -v chromium || true)
  fi
  [[ -n $browser ]] || skip "no chromium, and not root to install it"
fi
[[ -x $nnsweep ]] || { echo "check_report: FAILED: no $nnsweep (build first)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
"$nnsweep" run sweeps/examples/lesson.yaml --out "$work/run" --quiet
cp "$work/run/report.html" "$artifacts/report.html"
page="file://$work/run/report.html"

# Nothing may be fetched: any host lookup fails, so a request would show up as a console error.
chrome() {
  timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$(mktemp -d -p "$work")" "$@"
}
chrome --enable-logging=stderr --v=0 --dump-dom "$page" >"$work/dom.html" 2>"$artifacts/chromium.log"
chrome --window-size=1400,3000 --hide-scrollbars --screenshot="$artifacts/report.png" "$page" \
  >/dev/null 2>>"$artifacts/chromium.log"
cp "$work/dom.html" "$artifacts/report.dom.html"

failures=0
fail() {
  echo "check_report: FAILED: $*"
  failures=$((failures + 1))
}
# Console messages are logged as CONSOLE(...); blocked loads as "Refused to ...".
if grep -E 'CONSOLE|Refused to|ERR_NAME_NOT_RESOLVED|Uncaught' "$artifacts/chromium.log"; then
  fail "console errors or network requests (see $artifacts/chromium.log)"
fi
for id in status-bar curves-legend curves-0 curves-6 heatmap-svg importance boundary-0; do
  grep -q "id=\"$id\"" "$work/dom.html" || fail "no element with id=\"$id\" in the rendered page"
done
for class in '"panel"' '"train"' '"test"' '"band"' '"cell learned"' '"cell diverged"' \
  '"cell unstable"' '"cell underfit"' '"best"' '"bars"' '"chart"' '"trial"' '"median"'; do
  grep -q "class=$class" "$work/dom.html" || fail "no element of class $class in the rendered page"
done
grep -q '<image[^>]*href="data:image/png;base64,' "$work/dom.html" ||
  fail "the decision boundary has no image"
grep -q 'aria-label="parallel coordinates"' "$work/dom.html" ||
  fail "no parallel coordinates in the rendered page"
# The boundary, its frames as it trained and its neurons' tiles: one image each.
images=$(grep -o 'data:image/png;base64,' "$work/dom.html" | wc -l)
((images >= 10)) || fail "only $images images: the frames or the neurons are missing"
[[ -s $artifacts/report.png ]] || fail "no screenshot"
((failures == 0)) || exit 1
echo "check_report: OK ($(du -k "$artifacts/report.html" | cut -f1) KB page; screenshot $artifacts/report.png)"
