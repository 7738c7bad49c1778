#!/bin/sh
# browser.sh -- a real browser opens the report from disk: headless
# Chromium loads index.html (file://, offline), every image must load and
# the console must stay silent.  A screenshot is kept as a test artifact:
# $top_builddir/tests/cli/browser-screenshot.png.
#
# How failures are seen (Chromium 120 and later, checked on 156):
#  - images: index.html's inline script counts, on the load event, the
#    images that loaded and those that did not into <body data-images-ok
#    data-images-broken>; `--dump-dom` prints the DOM after that event.
#  - console: with --enable-logging=stderr, every console message (errors,
#    uncaught exceptions, Content-Security-Policy violations such as an
#    external font or image) is logged to stderr as "INFO:CONSOLE(LINE)
#    "message", source: URL".  The report logs nothing, so any such line
#    fails the test.
# A negative control (a copy of the report with one image removed and one
# external image added) checks that both detectors do see failures.
# Skips (77) without chromium ($CHROMIUM, chromium or chromium-browser),
# the sqlite3 shell or gnuplot.
start_dir=$(pwd)
. "${top_srcdir:-.}/tests/cli/lib.sh"
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "sqlite3 shell missing"; exit 77; }
GP=${GNUPLOT:-}
[ -n "$GP" ] || GP=$(command -v gnuplot || true)
[ -n "$GP" ] || { echo "gnuplot missing"; exit 77; }
BROWSER=${CHROMIUM:-}
[ -n "$BROWSER" ] || BROWSER=$(command -v chromium || command -v chromium-browser || true)
[ -n "$BROWSER" ] || { echo "chromium missing (Debian package chromium)"; exit 77; }
artifact_dir="${top_builddir:-$start_dir}/tests/cli"
mkdir -p "$artifact_dir" || exit 99
TIMEOUT=$(command -v timeout || true)

# browse OUT ERR ARGS...: run headless Chromium with a fresh profile.
browse() {
  out=$1 err=$2
  shift 2
  ${TIMEOUT:+$TIMEOUT 120} "$BROWSER" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$(mktemp -d "$TMP/profile-XXXXXX")" --enable-logging=stderr --v=0 "$@" >"$out" 2>"$err"
}

# attr NAME FILE: the value of the body attribute NAME in a dumped DOM.
attr() {
  grep -o "$1=\"[0-9]*\"" "$2" | head -n 1 | tr -dc 0-9
}

"$top_srcdir/tests/data/report-fixture/make-fixture.sh" case >/dev/null || fail "cannot build the fixture case"
run_ml 0 report case --audience class --quiet
url="file://$(pwd)/case/report/index.html"
n_img=$(grep -o '<img ' case/report/index.html | wc -l)
[ "$n_img" -ge 9 ] || fail "index.html shows only $n_img images"

browse dom.html console.log --dump-dom "$url" || fail "chromium failed: $(tail -n 3 console.log)"
ok_n=$(attr data-images-ok dom.html)
bad_n=$(attr data-images-broken dom.html)
[ -n "$ok_n" ] && [ -n "$bad_n" ] || fail "the page's image check did not run (no data-images-* in the DOM)"
[ "$bad_n" -eq 0 ] || fail "$bad_n images did not load"
[ "$ok_n" -eq "$n_img" ] || fail "$ok_n of $n_img images loaded"
ok "chromium loads all $n_img images of index.html from disk"

if grep -q ':CONSOLE' console.log; then
  grep ':CONSOLE' console.log >&2
  fail "the browser console reported messages"
fi
ok "the browser console stays silent (no errors, no blocked resources)"

browse shot.out shot.log --window-size=1200,2400 --screenshot="$artifact_dir/browser-screenshot.png" "$url" \
  || fail "chromium could not take a screenshot: $(tail -n 3 shot.log)"
[ "$(od -An -tx1 -N8 "$artifact_dir/browser-screenshot.png" | tr -d ' \n')" = "89504e470d0a1a0a" ] \
  || fail "no screenshot"
ok "screenshot saved: $artifact_dir/browser-screenshot.png"

cp -r case/report broken
rm broken/plots/rhythm-1.png
sed 's|</header>|<img src="https://example.invalid/x.png" alt=""></header>|' case/report/index.html > broken/index.html
browse dom2.html console2.log --dump-dom "file://$(pwd)/broken/index.html" || fail "chromium failed on the control"
[ "$(attr data-images-broken dom2.html)" -eq 2 ] || fail "the control's 2 broken images were not seen"
grep -q ':CONSOLE.*Content Security Policy' console2.log || fail "the control's external image left no console message"
ok "negative control: a missing and an external image are both detected"

done_testing
