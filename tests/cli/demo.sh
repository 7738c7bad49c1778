#!/bin/sh
# demo.sh -- end-to-end on the demo: `metaleak demo` simulates, analyses and
# reports; calibration within the documented tolerances; leakage curves
# sane (recall never falls as windows are chained, shares in [0,1],
# distances >= 0); a second demo replaces the first; a foreign directory is
# refused.
. "${top_srcdir:-.}/tests/cli/lib.sh"
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "sqlite3 shell missing"; exit 77; }

run_ml 0 demo --quiet --out d
[ -s d/run/provider.db ] && [ -s d/run/truth.db ] && [ -s d/run/calibration.json ] || fail "demo run incomplete"
case_dir=d/run/cases/default
[ -s $case_dir/analysis.db ] && [ -s $case_dir/findings.json ] && [ -s $case_dir/tables/metrics.csv ] \
  || fail "demo analysis incomplete"
ok "demo writes the run and the analysis"

# Calibration: every metric with a tolerance falls within it, except the
# known misses listed (with their cause) in docs/model/calibration.md: an
# extended regular expression of metric names, empty when there is none.
KNOWN_MISSES=''
outside=$(grep '"within": false' d/run/calibration.json | grep -cvE "${KNOWN_MISSES:-^$}" || true)
within=$(grep -c '"within": true' d/run/calibration.json || true)
[ "$within" -ge 5 ] || fail "only $within calibration metrics checked"
[ "$outside" -eq 0 ] || { grep -B3 '"within": false' d/run/calibration.json >&2; fail "$outside calibration metrics outside tolerance"; }
ok "calibration: $within metrics within their published tolerances"

db=$case_dir/analysis.db
bad=$("$SQL" $db "SELECT count(*) FROM metrics WHERE (metric GLOB '*precision*' OR metric GLOB '*recall*' OR metric GLOB '*within*' OR metric GLOB '*found*' OR metric = 'lookups_not_messaged') AND (value < 0 OR value > 1)")
[ "$bad" -eq 0 ] || fail "$bad shares outside [0,1]"
neg=$("$SQL" $db "SELECT count(*) FROM metrics WHERE metric GLOB '*_km' AND value < 0")
[ "$neg" -eq 0 ] || fail "$neg negative distances"
ok "precision and recall in [0,1], distances >= 0"

falls=$("$SQL" $db "SELECT count(*) FROM metrics a JOIN metrics b ON a.scope = b.scope AND a.metric = b.metric AND b.n_windows = a.n_windows + 1 WHERE a.metric = 'contacts_recall' AND b.value < a.value - 1e-12")
[ "$falls" -eq 0 ] || fail "contacts recall fell in $falls places as windows were chained"
n=$("$SQL" $db "SELECT count(DISTINCT n_windows) FROM metrics WHERE metric = 'contacts_recall' AND scope = 'all'")
[ "$n" -eq 4 ] || fail "leakage curve has $n points, expected 4 windows"
r1=$("$SQL" $db "SELECT value FROM metrics WHERE metric = 'contacts_recall' AND scope = 'all' AND n_windows = 1")
r4=$("$SQL" $db "SELECT value FROM metrics WHERE metric = 'contacts_recall' AND scope = 'all' AND n_windows = 4")
awk "BEGIN { exit !($r4 > $r1 && $r1 > 0.2) }" || fail "recall 1 window $r1, 4 windows $r4"
ok "contacts recall never falls as windows are chained ($r1 -> $r4)"

grep -q '"summary"' $case_dir/findings.json || fail "findings.json has no summary"

# The report: every file index.html references exists; PNGs are real images.
rep=$case_dir/report
[ -s $rep/index.html ] && [ -s $rep/brief.md ] || fail "demo report missing"
for f in $(grep -oE '(src|href)="[^"#:]+"' $rep/index.html | sed -E 's/^(src|href)="//; s/"$//' | sort -u); do
  [ -e "$rep/$f" ] || fail "index.html references missing $f"
done
n_png=$(ls $rep/plots/*.png 2>/dev/null | wc -l)
if [ -n "${GNUPLOT:-}" ]; then
  [ "$n_png" -ge 6 ] || fail "only $n_png plots"
  for p in $rep/plots/*.png; do
    [ "$(head -c 8 "$p" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$p is not a PNG"
    [ "$(wc -c < "$p")" -gt 5000 ] || fail "$p is trivially small"
  done
fi
grep -Eq '[0-9]+ %' $rep/brief.md || fail "brief.md has no numbers"
ok "the demo's report: every referenced file exists, $n_png PNG plots, a brief with numbers"
run_ml 0 demo --quiet --out d
ok "a second demo replaces the first"

mkdir foreign && touch foreign/precious
run_ml 2 demo --quiet --out foreign
expect_in err "foreign: exists and was not made by 'metaleak demo'"
[ -e foreign/precious ] || fail "the foreign directory was touched"
ok "a directory not made by demo is refused and left alone"

done_testing
