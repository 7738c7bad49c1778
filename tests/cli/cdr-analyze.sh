#!/bin/sh
# cdr-analyze.sh -- end-to-end: `metaleak analyze --import-cdr` on call-detail
# records.  A pair of users with a known answer (home, work, top contact,
# rhythm peak, calls held by both files counted once); pseudonyms by default
# and real ids with --reveal, targets named by pseudonym; population mode;
# the report; bandicoot's sample user, whose home must be bandicoot's;
# bad inputs with their exit status and message; and a simulated town
# exported as CDRs, whose home antennas are compared with the simulator's
# truth.  Skips (77) without the sqlite3 shell.
. "${top_srcdir:-.}/tests/cli/lib.sh"
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "sqlite3 shell missing"; exit 77; }
DATA="$top_srcdir/tests/data/bandicoot"
q() { "$SQL" "$@"; }

# ---- a pair with a known answer (2026-01-05 is a Monday) -------------------
# alice: home H (texts from carol at 23:00 on ten nights), work W (calls to
# bob at 10:00 every weekday, and at 10:30 on Tuesdays), bob calls her back
# on Wednesdays at 18:30, a text to dave from X on a Saturday.  bob's file
# holds the other side of every call between them (5 s later).
mkdir pair
printf 'antenna_id,latitude,longitude\nH,48.85,2.35\nW,48.89,2.30\nX,48.80,2.45\nB,48.86,2.36\n' > antennas.csv
hdr='interaction,direction,correspondent_id,datetime,call_duration,antenna_id'
weekdays='05 06 07 08 09 12 13 14 15 16'
{
  echo "$hdr"
  for d in $weekdays; do echo "call,out,bob,2026-01-$d 10:00:00,60,W"; done
  for d in 06 13; do echo "call,out,bob,2026-01-$d 10:30:00,30,W"; done
  for d in 07 14; do echo "call,in,bob,2026-01-$d 18:30:05,90,W"; done
  for d in 05 06 07 08 09 10 11 12 13 14; do echo "text,in,carol,2026-01-$d 23:00:00,,H"; done
  echo "text,out,dave,2026-01-10 11:00:00,,X"
} > pair/alice.csv
{
  echo "$hdr"
  for d in $weekdays; do echo "call,in,alice,2026-01-$d 10:00:05,60,B"; done
  for d in 06 13; do echo "call,in,alice,2026-01-$d 10:30:05,30,B"; done
  for d in 07 14; do echo "call,out,alice,2026-01-$d 18:30:00,90,B"; done
} > pair/bob.csv

run_ml 0 cdr import --records pair --antennas antennas.csv --out pair.db
expect_in err '2 users, 39 records kept'
run_ml 0 analyze run --import-cdr pair.db
expect_in err 'random:20: only 1 CDR user has at least 20 records: all taken'
expect_in out '^metaleak analyze: results in run/cases/cdr$'
for f in provider.db geo.mmdb pseudonym.key cases/cdr/analysis.db cases/cdr/findings.json cases/cdr/tables/places.csv; do
  [ -s "run/$f" ] || fail "run/$f missing"
done
C=run/cases/cdr
grep -qx 'input,cdr' $C/tables/params.csv || fail "params lack input=cdr"
grep -qx 'cdr_mirrored,14' $C/tables/params.csv || fail "expected 14 mirrored records: $(grep mirrored $C/tables/params.csv)"
grep -qx 'night_start_h,19' $C/tables/params.csv || fail "the cdr case is not the default"
grep -q '"imported": 1' $C/findings.json || fail "findings.json does not say imported"
# the five sentences of a run without truth describe what was obtained
# bob and carol are reported; dave's one text is too weak a tie
expect_in out 'name 2\.0 contacts per target after 4 orders, 2\.0 after one'
expect_in out 'A home was placed for 100 % of targets .* and a work place for 100 %'
expect_in out 'evidence rows \(call and text records\) about 1 target,'
expect_not_in out 'n/a'
grep -q 'These are real records' $C/findings.json || fail "findings.json has the simulation's caveats"
ok "--import-cdr builds the run and analyses it with the cdr case (14 calls held by both files)"

# place KIND of the target at 4 windows in case DIR, as "lat,lon"
place() { q "$1/analysis.db" "SELECT round(lat, 6) || ',' || round(lon, 6) FROM places WHERE kind = '$2' AND n_windows = 4"; }
[ "$(place $C home)" = "48.85,2.35" ] \
  || fail "home is not antenna H: $(q $C/analysis.db "SELECT * FROM places WHERE n_windows = 4")"
[ "$(place $C work)" = "48.89,2.3" ] \
  || fail "work is not antenna W"
[ "$(q $C/analysis.db "SELECT n_out || '/' || n_in FROM contacts WHERE n_windows = 4 AND rank = 1")" = "12/2" ] \
  || fail "top contact is not bob with 12 calls out and 2 in: $(q $C/analysis.db "SELECT * FROM contacts WHERE n_windows = 4")"
[ "$(q $C/analysis.db "SELECT weekday || ' ' || hour || ' ' || lookups FROM rhythm ORDER BY lookups DESC LIMIT 1")" = "2 10 4" ] \
  && [ "$(q $C/analysis.db "SELECT count(*) FROM rhythm WHERE lookups >= 3")" -eq 1 ] \
  || fail "the rhythm does not peak on Tuesday 10h with 4 records alone"
[ "$(q $C/analysis.db "SELECT count(*) FROM timeline WHERE class = 'antenna'")" -eq 25 ] || fail "timeline classes"
ok "home H, work W, top contact bob (12 out, 2 in), rhythm peak Tuesday 10h"

raw=$(grep -rlE 'alice|bob|carol|dave' $C || true)
[ -z "$raw" ] || fail "real ids in a pseudonymised analysis: $raw"
target=$(q $C/analysis.db "SELECT target FROM targets")
echo "$target" | grep -Eq '^h-[0-9a-f]{16}$' || fail "target $target is not a pseudonym"
[ "$(q $C/analysis.db "SELECT count(*) FROM contacts WHERE handle NOT LIKE 'h-%'")" -eq 0 ] || fail "contacts not pseudonymised"
run_ml 0 analyze run --quiet --reveal --out revealed
[ "$(q revealed/analysis.db "SELECT target FROM targets")" = alice ] || fail "--reveal does not show alice"
[ "$(q revealed/analysis.db "SELECT handle FROM contacts WHERE n_windows = 4 AND rank = 1")" = bob ] || fail "--reveal: top contact"
run_ml 0 analyze run --quiet --reveal --out by-pseudonym --set "case.targets=$target"
[ "$(q by-pseudonym/analysis.db "SELECT target FROM targets")" = alice ] || fail "a pseudonym does not name its user"
ok "handles are pseudonyms by default, real ids with --reveal; a pseudonym names its target"

run_ml 0 analyze run --quiet --population --out pop
[ "$(q pop/analysis.db "SELECT count(*) || ' ' || max(people) FROM uniqueness")" = "8 2" ] || fail "uniqueness rows"
[ "$(q pop/analysis.db "SELECT count(*) FROM homework_unique")" -eq 4 ] || fail "homework_unique rows"
ok "--population measures uniqueness over the users' (hour, antenna) points"

if [ -n "${GNUPLOT:-}" ] || command -v gnuplot >/dev/null 2>&1; then want=0; else want=3; fi
run_ml $want report $C
[ -s $C/report/index.html ] && [ -s $C/report/brief.md ] || fail "report files missing"
! grep -rqE 'alice|bob|carol|dave' $C/report || fail "real ids in the report"
grep -q "$target" $C/report/index.html || fail "the report does not name the target by its pseudonym"
grep -q 'imported call-detail records of 2 users, their antennas as places' $C/report/brief.md \
  || fail "the brief does not say the data are CDRs"
ok "metaleak report renders the CDR case (exit $want) with pseudonyms only"

# ---- bandicoot's sample user: the home bandicoot computes -----------------
mkdir sample && cp "$DATA/sample/sample_user.csv" sample/
run_ml 0 cdr import --records sample --antennas "$DATA/sample/sample_antennas.csv" --out sample.db
run_ml 0 analyze srun --import-cdr sample.db --quiet --reveal
# bandicoot 0.6.0's home of its sample user is antenna 707 (89 of its
# 30-minute night bins); antenna 701 has the most nights, 707 the most records
[ "$(place srun/cases/cdr home)" = "42.367589,-71.076537" ] || fail "the sample user's home is not bandicoot's antenna 707"
ok "bandicoot's sample user: home at antenna 707, as bandicoot finds it"

# ---- bad input --------------------------------------------------------------
run_ml 2 analyze bad1 --import-cdr antennas.csv --quiet
expect_in err "^metaleak: error: antennas\.csv: "
[ ! -e bad1/provider.db ] || fail "a CSV made a provider.db"
run_ml 2 analyze bad2 --import-cdr run/provider.db --quiet
expect_in err "run/provider\.db: is a 'provider' database, expected 'cdr'"
mkdir nothing && echo "$hdr" > nothing/u.csv
run_ml 0 cdr import --records nothing --out empty.db
run_ml 2 analyze bad3 --import-cdr empty.db --quiet
expect_in err "empty\.db: no records to analyse"
[ ! -e bad3/provider.db ] || fail "an empty cdr.db made a provider.db"
run_ml 1 analyze bad4 --import-cdr missing.db --quiet
expect_in err "missing\.db"
ok "not a cdr.db, a provider.db, an empty cdr.db (exit 2), a missing file (exit 1)"

run_ml 2 analyze pair.db --quiet
expect_in err "pair\.db: a cdr\.db, not a run directory; analyse it with 'metaleak analyze RUN --import-cdr pair\.db'"
run_ml 2 analyze run --import-cdr pair.db --quiet
expect_in err "run/provider\.db: exists: analyse run without --import-cdr"
run_ml 2 analyze bad5 --import-cdr pair.db --import-log x.csv --quiet
expect_in err "--import-log and --import-cdr cannot be combined"
run_ml 2 analyze run --quiet --out nobody --set case.targets=alice,random:1
expect_in err "random:1: no more CDR user has at least 20 records"
ok "a cdr.db as RUN, an existing run, both imports, too few users: exit 2 with a message"

# ---- a simulated town as CDRs, against the simulator's truth ----------------
run_ml 0 sim classroom --quiet --out sim --export bandicoot export
run_ml 0 cdr import --records export/records --antennas export/antennas.csv --out town.db
run_ml 0 analyze town --import-cdr town.db --quiet --reveal --set case.targets=random:60
mirrored=$(grep '^cdr_mirrored,' town/cases/cdr/tables/params.csv | cut -d, -f2)
records=$(grep '^cdr_records,' town/cases/cdr/tables/params.csv | cut -d, -f2)
[ $((2 * mirrored)) -eq "$records" ] || fail "every simulated message is in both files: $mirrored of $records mirrored"
share=$(q town/cases/cdr/analysis.db "
  ATTACH 'sim/truth.db' AS t; ATTACH 'town/provider.db' AS p;
  SELECT round(100.0 * avg(a.antenna = CAST(tp.district AS TEXT)))
  FROM places pl JOIN p.cdr_antennas a ON abs(a.latitude - pl.lat) < 1e-9 AND abs(a.longitude - pl.lon) < 1e-9
       JOIN t.people pe ON substr(pe.handle, 2) = pl.target
       JOIN t.households h ON h.id = pe.household JOIN t.places tp ON tp.id = h.home_place
  WHERE pl.kind = 'home' AND pl.n_windows = 4")
[ "${share%.*}" -ge 95 ] || fail "home antenna right for only $share % of the simulated users"
ok "a simulated town as CDRs: every message mirrored once, home antenna right for $share % of 60 users"

done_testing
