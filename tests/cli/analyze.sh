#!/bin/sh
# analyze.sh -- end-to-end: `metaleak analyze` on a small run: outputs,
# bad case files (FILE:LINE, exit 2), a missing run, determinism across
# thread counts, and real-log import (malformed rows reported, --strict
# fatal, handles pseudonymised in every output unless --reveal).
. "${top_srcdir:-.}/tests/cli/lib.sh"
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "sqlite3 shell missing"; exit 77; }

run_ml 0 sim classroom --quiet --out run
run_ml 0 analyze run --quiet --threads 1
for f in analysis.db findings.json tables/metrics.csv tables/contacts.csv tables/evidence.csv tables/orders.csv; do
  [ -s "run/cases/default/$f" ] || fail "run/cases/default/$f missing"
done
orders=$("$SQL" run/cases/default/analysis.db "SELECT count(*) FROM orders WHERE hop = 1")
targets=$("$SQL" run/cases/default/analysis.db "SELECT count(*) FROM targets WHERE hop = 1")
[ "$orders" -eq $((targets * 4)) ] || fail "$orders orders for $targets targets (expected 4 each)"
ok "analyze writes analysis.db, findings.json and tables ($targets targets x 4 orders)"

run_ml 0 analyze run --quiet --threads 2 --out two
# scores are computed on the workers, and the evidence is written aside
# and copied in: the same rows either way
for t in contacts metrics hops places evidence; do
  a=$("$SQL" run/cases/default/analysis.db "SELECT * FROM $t ORDER BY rowid" | sha256sum)
  b=$("$SQL" two/analysis.db "SELECT * FROM $t ORDER BY rowid" | sha256sum)
  [ "$a" = "$b" ] || fail "$t differ between 1 and 2 threads"
done
# with 2 threads tables/ is streamed while the analysis is written; with 1
# it is read back from analysis.db: the same bytes either way
for f in run/cases/default/tables/*.csv; do
  cmp -s "$f" "two/tables/${f##*/}" || fail "tables/${f##*/} differs between streaming (2 threads) and export (1 thread)"
done
[ "$(ls two/tables | wc -l)" = "$(ls run/cases/default/tables | wc -l)" ] || fail "the two runs wrote different tables"
ls two/tables | grep -qv '\.csv$' && fail "a temporary file is left in tables/: $(ls two/tables)"
[ "$(ls two | tr '\n' ' ')" = "analysis.db findings.json tables " ] || fail "two/ holds more than the outputs: $(ls two)"
n=$("$SQL" two/analysis.db "SELECT count(*) FROM metrics WHERE metric = 'contacts_recall' AND scope <> 'all'")
[ "$n" -gt 0 ] || fail "no per-target contacts_recall with 2 threads"
ok "the same analysis with 1 and 2 threads (contacts, metrics, hops, places, evidence; $n per-target recalls)"

run_ml 2 analyze run --quiet
expect_in err "run/cases/default: exists; use --force"
ok "an existing case directory is refused without --force"

printf '[case]\nname = bad\n\n[order]\nwindow_days = 90\n' > bad.ini
run_ml 2 analyze run --quiet --case ./bad.ini
expect_in err "^metaleak: error: \./bad\.ini:5: .*window_days.*90"
printf '[case]\nname = bad2\ntargets = +99900000000001\n' > bad2.ini
run_ml 2 analyze run --quiet --case ./bad2.ini
expect_in err "bad2\.ini:3: .*\+99900000000001"
printf '[case]\nname = bad3\n[ordr]\n' > bad3.ini
run_ml 2 analyze run --quiet --case ./bad3.ini
expect_in err "bad3\.ini:3: .*did you mean"
[ ! -e run/cases/bad ] && [ ! -e run/cases/bad2 ] || fail "a bad case wrote output"
ok "bad case files exit 2 with FILE:LINE and write nothing"

run_ml 2 analyze nowhere --quiet
expect_in err "nowhere: no such run directory"
ok "a missing run directory is named"

# A real log in the provider's return layout: ISO and epoch times, one bad row.
"$SQL" -csv run/provider.db "SELECT ts, source_handle, lookup_handle, client_ip, lookup_devices FROM lookups LIMIT 3000" > log.csv
printf '2026-13-45T00:00:00Z,+1,+2,10.0.0.1,1\n' >> log.csv
printf '[case]\nname = real\ntargets = random:3\n' > real.ini
rm -rf real
run_ml 0 analyze --import-log log.csv --geoip run/geo.mmdb real --quiet --case ./real.ini
expect_in err "3001"
grep -q "13-45" real/import-errors.csv || fail "the malformed row is not in import-errors.csv"
raw=$(grep -rhoE '\+999[0-9]{11}' real/cases/real | head -1 || true)
[ -z "$raw" ] || fail "raw handle $raw in an imported analysis"
"$SQL" real/cases/real/analysis.db "SELECT target FROM targets LIMIT 1" | grep -Eq '^h-[0-9a-f]{16}$' || fail "targets not pseudonymised"
# no truth: the summary says what the orders obtained, never "n/a"
grep -q 'evidence rows (directory lookups) about 3 targets' real/cases/real/findings.json \
  || fail "the imported summary does not count 3 targets: $(grep -A2 '"summary"' real/cases/real/findings.json)"
grep -q 'n/a' real/cases/real/findings.json && fail "n/a in an imported run's findings.json"
ok "an imported log: the malformed row reported by line, every handle pseudonymised, a summary without truth"

rm -rf strict
run_ml 2 analyze --import-log log.csv strict --quiet --strict --case ./real.ini
expect_in err "log\.csv:3001: .*2026-13-45"
[ ! -e strict/provider.db ] || fail "--strict left a provider.db"
ok "--strict makes a malformed row fatal, naming file and line"

done_testing
