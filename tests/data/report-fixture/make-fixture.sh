#!/bin/sh
# make-fixture.sh -- build the report fixture case directory.
#
#   tests/data/report-fixture/make-fixture.sh CASEDIR
#
# Writes CASEDIR/analysis.db (from fixture.sql), CASEDIR/findings.json and
# CASEDIR/tables/TABLE.csv for every table, the layout `metaleak analyze`
# writes (docs/analyze/outputs.md).  Needs the sqlite3 shell ($SQLITE3 or
# sqlite3 on PATH); exits 77 (skip) without it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: make-fixture.sh CASEDIR}
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "make-fixture.sh: no sqlite3 shell" >&2; exit 77; }

mkdir -p "$dir/tables"
rm -f "$dir/analysis.db"
"$SQL" -bail "$dir/analysis.db" < "$here/fixture.sql"
cp "$here/findings.json" "$dir/findings.json"
for t in $("$SQL" "$dir/analysis.db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
  "$SQL" -header -csv "$dir/analysis.db" "SELECT * FROM \"$t\"" > "$dir/tables/$t.csv"
done
