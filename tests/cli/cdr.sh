#!/bin/sh
# cdr.sh -- `metaleak cdr`: bandicoot CSV import, indicators, drops and bad inputs.
. "${top_srcdir:-.}/tests/cli/lib.sh"
DATA="$top_srcdir/tests/data/bandicoot"

run_ml 2 cdr
expect_in err 'a verb is required'
ok "cdr without a verb: exit 2"

run_ml 0 cdr --help
expect_in out '^  import '
expect_in out '^  indicators '
expect_not_in out 'generate'
ok "cdr --help lists the public verbs"

for verb in import indicators; do
  run_ml 0 cdr "$verb" --help
  expect_in out '^Usage:'
done
ok "each verb has its own --help"

mkdir records
cp "$DATA/manual/A.csv" "$DATA/manual/B.csv" records/
run_ml 0 cdr import --records records --antennas "$DATA/manual/towers.csv" --out ab.db
expect_in err '2 users, 14 records kept of 14 rows, 0 rows dropped'
[ -f ab.db ] || fail "ab.db was not written"
ok "import of the manual users"

run_ml 2 cdr import --records records --antennas "$DATA/manual/towers.csv" --out ab.db
expect_in err 'ab.db: exists; use --force'
ok "an existing database is not replaced without --force"

run_ml 0 cdr indicators ab.db --groupby none --format json
expect_in out '"active_days__allweek__allday__callandtext": 2,'
expect_in out '"percent_initiated_conversations__allweek__allday__callandtext": 0.75,'
expect_in out '"reporting__weekend": \[6, 7\],'
ok "indicators as bandicoot's flattened JSON"

run_ml 0 cdr indicators ab.db
expect_in out '^name,reporting__antennas_path,'
expect_in out ',active_days__allweek__allday__callandtext__mean,'
[ "$(wc -l < "$TMP/out")" -eq 3 ] || fail "expected a header and two rows"
ok "weekly CSV by default: a header and a row per user"

run_ml 0 cdr indicators ab.db --split-week --split-day --summary extended --out ind.csv
grep -q 'number_of_contacts__weekend__night__call__mean' ind.csv || fail "split keys missing"
grep -q 'call_duration__allweek__allday__call__kurtosis__std' ind.csv || fail "extended keys missing"
ok "--out writes the file; splits and extended summary add keys"

run_ml 2 cdr indicators ab.db --groupby month
expect_in err "^metaleak: error: --groupby: bad value 'month'"
run_ml 2 cdr indicators ab.db --night-start 25:00
expect_in err "--night-start: bad value '25:00'"
ok "bad option values are usage errors naming the value"

mkdir messy
{
  printf 'direction,datetime,interaction,correspondent_id,call_duration,antenna_id,extra\n'
  printf 'in,2014-08-20 20:30:37,call,A,12.0,2367.0,x\n'
  printf 'in,2014-08-20 25:30:37,call,A,12,2367\n'
  printf ',2014-08-21 10:00:00,,,,2367\n'
  printf 'out,2014-08-21 10:05:00,text,,,2367\n'
} > messy/m.csv
printf 'antenna_id,latitude,longitude\n2367,42.3,-71.1\n' > ant.csv
run_ml 0 cdr import --records messy --antennas ant.csv --out m.db
expect_in err 'messy/m.csv:3: dropped: bad datetime .2014-08-20 25:30:37.'
expect_in err 'messy/m.csv:5: dropped: empty correspondent_id'
expect_in err '2 records kept of 4 rows, 2 rows dropped'
ok "tolerant import reports each dropped row with file, line and reason"

run_ml 0 cdr indicators m.db --groupby none --format json
expect_in out '"reporting__percent_records_missing_location": 0.0,'
expect_in out '"call_duration__allweek__allday__call__mean": 12.0,'
ok "12.0 seconds and antenna 2367.0 are read as bandicoot's users meant"

run_ml 0 cdr import --bandicoot-strict --records messy --antennas ant.csv --out s.db
expect_in err '0 records kept of 4 rows, 4 rows dropped'
run_ml 0 cdr indicators s.db --groupby none --format json
expect_in out '"reporting__ignored_records__all": 4,'
expect_in out '"reporting__ignored_records__call_duration": 1,'
expect_in out '"reporting__ignored_records__direction": 1,'
ok "--bandicoot-strict reproduces bandicoot's drops and counts"

mkdir nocol
printf 'interaction,direction,datetime\ncall,in,2014-08-20 20:30:37\n' > nocol/x.csv
run_ml 2 cdr import --records nocol --out x.db
expect_in err "nocol/x.csv:1: missing column 'correspondent_id'"
[ ! -e x.db ] || fail "a failed import left x.db behind"
ok "a missing column is bad input, and no database is left behind"

run_ml 2 cdr import --records no-such-dir --out y.db
expect_in err 'no-such-dir: cannot read the records directory'
run_ml 2 cdr import --out y.db
expect_in err -- '--records DIR is required'
ok "a missing records directory is bad usage or input"

printf 'not a database' > bogus.db
run_ml 2 cdr indicators bogus.db
ok "indicators on a file that is not a cdr.db: exit 2"

done_testing
