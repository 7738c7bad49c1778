#!/bin/sh
# export.sh -- `metaleak sim --export bandicoot DIR` writes every message as
# bandicoot text records on both sides, and metaleak's own importer reads
# them back in --bandicoot-strict mode with no row dropped.
. "${top_srcdir:-.}/tests/cli/lib.sh"
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "sqlite3 shell missing"; exit 77; }

run_ml 0 sim classroom --quiet --days 7 --out run --export bandicoot bc
[ -s bc/antennas.csv ] || fail "no antennas.csv"
head -1 bc/antennas.csv | grep -qx 'antenna_id,latitude,longitude' || fail "antennas header"
n_files=$(ls bc/records | wc -l)
[ "$n_files" -gt 100 ] || fail "only $n_files record files"
f=$(ls bc/records | head -1)
head -1 "bc/records/$f" | grep -qx 'interaction,direction,correspondent_id,datetime,call_duration,antenna_id' \
  || fail "records header"
sed -n 2p "bc/records/$f" | grep -Eq '^text,(in|out),[0-9a-z@.]+,2026-01-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},,[0-9]+$' \
  || fail "record line: $(sed -n 2p "bc/records/$f")"
ok "records and antennas follow bandicoot's layout"

records=$(cat bc/records/*.csv | grep -c '^text,')
messages=$("$SQL" run/truth.db "SELECT sum(imessage + sms) FROM messages_daily")
[ "$records" -eq $((2 * messages)) ] || fail "$records records for $messages messages (expected twice)"
ok "each message is a record on both sides ($messages messages)"

run_ml 0 cdr import --records bc/records --antennas bc/antennas.csv --out cdr.db --bandicoot-strict
expect_in err "$n_files users, $records records kept of $records rows, 0 rows dropped"
ok "the strict importer reads the export back with no row dropped"

run_ml 2 sim classroom --quiet --days 2 --out run2 --export=csv:x
expect_in err "--export takes 'bandicoot DIR'"
ok "an unknown export format is a usage error"

done_testing
