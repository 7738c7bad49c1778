#!/bin/sh
# report.sh -- end-to-end: `metaleak report` on the fixture case
# (tests/data/report-fixture): the files it writes and references, valid
# images, re-running a plot script with gnuplot alone, audiences and
# formats, determinism, redaction of imported logs, refusing to overwrite,
# bad inputs, and the partial report (exit 3) when gnuplot is missing.
# Skips (77) without the sqlite3 shell (to build the fixture) or gnuplot.
. "${top_srcdir:-.}/tests/cli/lib.sh"
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "sqlite3 shell missing"; exit 77; }
GP=${GNUPLOT:-}
[ -n "$GP" ] || GP=$(command -v gnuplot || true)
[ -n "$GP" ] || { echo "gnuplot missing"; exit 77; }
FIXTURE="$top_srcdir/tests/data/report-fixture"

"$FIXTURE/make-fixture.sh" case >/dev/null || fail "cannot build the fixture case"

# png_ok FILE: the PNG signature, an IHDR chunk first, width and height > 200.
png_ok() {
  [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ] || return 1
  [ "$(od -An -c -j12 -N4 "$1" | tr -d ' \n')" = "IHDR" ] || return 1
  w=$(od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  h=$(od -An -tu1 -j20 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  [ "$w" -gt 200 ] && [ "$h" -gt 200 ]
}

# refs FILE: every src= and href= target of an HTML file, one per line.
refs() {
  grep -oE '(src|href)="[^"]*"' "$1" | sed -E 's/^(src|href)="//; s/"$//' | grep -v '^#'
}

run_ml 0 report case
expect_in out '^metaleak report: wrote case/report: index.html, brief.md, 9 plots, 22 data tables$'
for f in index.html brief.md plots data; do [ -e "case/report/$f" ] || fail "case/report/$f missing"; done
[ "$(ls case/report/data | wc -l)" -eq "$(ls case/tables | wc -l)" ] || fail "data/ does not hold every table"
cmp -s case/tables/metrics.csv case/report/data/metrics.csv || fail "data/metrics.csv is not a copy"
ok "report writes index.html, brief.md, plots/ and data/ (a copy of tables/)"

n=0
for r in $(refs case/report/index.html); do
  case "$r" in http:*|https:*|//*) fail "index.html references the network: $r" ;; esac
  [ -f "case/report/$r" ] || fail "index.html references $r, which does not exist"
  n=$((n + 1))
done
[ "$n" -gt 40 ] || fail "index.html references only $n files"
ok "every one of the $n files index.html references exists, none on the network"

n=0
for png in case/report/plots/*.png; do
  png_ok "$png" || fail "$png is not a PNG larger than 200x200"
  [ "$(wc -c < "$png")" -gt 10000 ] || fail "$png is suspiciously small"
  stem=${png%.png}
  [ -f "$stem.gp" ] && [ -f "$stem.dat" ] || fail "$png has no .gp or .dat beside it"
  n=$((n + 1))
done
[ "$n" -eq 9 ] || fail "$n PNGs, expected 9"
[ "$(grep -c '<img src="plots/' case/report/index.html)" -eq 9 ] || fail "index.html does not show the 9 plots"
ok "9 plots are valid PNGs over 200x200, each beside its script and data"

expect_brief() { grep -Fq -- "$1" case/report/brief.md || { cat case/report/brief.md >&2; fail "brief.md lacks: $1"; }; }
expect_brief "**After 4 chained 30-day orders, 84 % of the 3 targets' true contacts were recovered and their homes placed within 1.8 km (median), from logs that hold no message content.**"
expect_brief "| 2 | 60 | 66 % | 67 % | 2.6 km | 5.1 km | 52 % |"
expect_brief "## Caveats"
[ "$(wc -l < case/report/brief.md)" -lt 60 ] || fail "brief.md is longer than a page"
ok "brief.md states the headline with its numbers, what each order adds, and the caveats"

mkdir redraw && cp case/report/plots/timeline-1.gp case/report/plots/timeline-1.dat redraw/
(cd redraw && "$GP" timeline-1.gp) || fail "gnuplot timeline-1.gp failed in a copy of plots/"
png_ok redraw/timeline-1.png || fail "gnuplot timeline-1.gp did not redraw timeline-1.png"
ok "running gnuplot NAME.gp beside NAME.dat redraws the plot"

run_ml 2 report case
expect_in err '^metaleak: error: case/report: exists; use --force to replace it$'
run_ml 0 report case --force --quiet
[ ! -s "$TMP/out" ] || fail "--quiet printed: $(cat "$TMP/out")"
ok "an existing report is refused without --force and replaced with it"

run_ml 0 report case --out research --audience research --format both
[ "$(ls research/plots/*.png | wc -l)" -eq 17 ] && [ "$(ls research/plots/*.svg | wc -l)" -eq 17 ] \
  || fail "research --format both: $(ls research/plots | tr '\n' ' ')"
grep -q '<td>contacts_f1</td>' research/index.html || fail "research report lacks the metric table"
grep -q '<td>retention_days</td>' research/index.html || fail "research report lacks the parameters"
grep -q 'href="plots/ego-network-3.svg"' research/index.html || fail "research report does not link the SVGs"
run_ml 0 report case --out class --audience class --format svg
ls class/plots/*.png >/dev/null 2>&1 && fail "--format svg wrote PNGs"
grep -q '<img src="plots/leakage-contacts.svg"' class/index.html || fail "class report does not show SVGs"
grep -q 'What a pen register is' class/index.html || fail "class report does not explain pen registers"
grep -q 'Why an IP address reveals a location' class/index.html || fail "class report does not explain IP location"
grep -q 'A lookup is not proof of communication' class/index.html || fail "class report does not explain lookups"
ok "research adds every metric and parameter and SVGs; class explains the concepts"

export SOURCE_DATE_EPOCH=1767571200
run_ml 0 report case --out same-a --audience research
run_ml 0 report case --out same-b --audience research
unset SOURCE_DATE_EPOCH
diff -r -x '*.png' same-a same-b >&2 || fail "two reports of the same analysis differ"
run_ml 0 report case --out same-c --audience research
grep -v 'class="generated"' same-a/index.html > a.html
grep -v 'class="generated"' same-c/index.html > c.html
cmp -s a.html c.html || fail "index.html differs beyond its generation time"
[ "$(grep -c 'class="generated"' same-c/index.html)" -eq 1 ] || fail "the generation time is not on one line"
ok "the same analysis gives the same data, scripts and HTML apart from the generation time"

cp -r case imported && rm -rf imported/report
"$SQL" imported/analysis.db "UPDATE params SET value = '1' WHERE key = 'imported'" || fail "cannot edit the fixture"
run_ml 0 report imported --audience research
! grep -rq -- '999123456' imported/report || fail "raw handles in $(grep -rl -- '999123456' imported/report | head -3)"
grep -q 'anon-1' imported/report/index.html || fail "no pseudonyms in the imported report"
run_ml 0 report imported --out revealed --reveal
grep -q -- '+99912345670001' revealed/index.html || fail "--reveal did not show the handles"
ok "an imported log's report holds no raw handle anywhere unless --reveal"

got=0
GNUPLOT= PATH=/nonexistent "$METALEAK" report case --out nognuplot >"$TMP/out" 2>"$TMP/err" || got=$?
[ "$got" -eq 3 ] || { cat "$TMP/err" >&2; fail "without gnuplot: exit $got, expected 3"; }
expect_in err '^metaleak: warning: gnuplot not found .*Debian package gnuplot-nox'
[ -f nognuplot/index.html ] && [ -f nognuplot/brief.md ] && [ -f nognuplot/data/metrics.csv ] \
  && [ -f nognuplot/plots/leakage-contacts.gp ] && [ -f nognuplot/plots/leakage-contacts.dat ] \
  || fail "the partial report lacks its pages, data or scripts"
ls nognuplot/plots/*.png >/dev/null 2>&1 && fail "PNGs without gnuplot?"
for r in $(refs nognuplot/index.html); do [ -f "nognuplot/$r" ] || fail "partial index.html references missing $r"; done
ok "without gnuplot: exit 3, a warning naming gnuplot-nox, and data, scripts and pages all written"

run_ml 2 report
expect_in err '^metaleak: error: report needs a case directory'
run_ml 2 report no-such-case
expect_in err '^metaleak: error: no-such-case: no such directory$'
mkdir not-a-case
run_ml 2 report not-a-case
expect_in err "not a case directory \\(no analysis.db\\); run 'metaleak analyze"
run_ml 2 report case --audience press
expect_in err "^metaleak: error: --audience: 'press' is not policy, research or class$"
run_ml 2 report case --format pdf
expect_in err "^metaleak: error: --format: 'pdf' is not png, svg or both$"
run_ml 2 report case --out case --force
expect_in err 'would replace the case directory'
[ -f case/analysis.db ] || fail "the case directory was touched"
ok "bad inputs exit 2 with the offending value named"

done_testing
