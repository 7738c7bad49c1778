#!/bin/sh
# sim.sh -- end-to-end: `metaleak sim` on the classroom scenario: outputs,
# the provider's view, determinism across thread counts, refusing to
# overwrite, bad scenarios, and interruption.
. "${top_srcdir:-.}/tests/cli/lib.sh"
SQL=${SQLITE3:-sqlite3}
command -v "$SQL" >/dev/null 2>&1 || { echo "sqlite3 shell missing"; exit 77; }

run_ml 0 sim classroom --quiet --days 14 --threads 1 --out a
for f in provider.db geo.mmdb directory.csv truth.db manifest.json; do
  [ -s "a/$f" ] || fail "a/$f missing or empty"
done
[ -z "$(ls -A . | grep -v '^a$')" ] || fail "stray files beside the output: $(ls -A)"
[ "$(ls -A a | sort | tr '\n' ' ')" = "directory.csv geo.mmdb manifest.json provider.db truth.db " ] \
  || fail "unexpected files in a/: $(ls -A a)"
ok "sim writes provider.db, geo.mmdb, truth.db and manifest.json and nothing else"

# The indexes are filled through imposters from sorted runs (sim/writer.c):
# integrity_check compares every index entry with its table row.
for db in provider truth; do
  chk=$("$SQL" "a/$db.db" "PRAGMA integrity_check")
  [ "$chk" = "ok" ] || fail "$db.db integrity_check: $chk"
done
imp=$("$SQL" a/provider.db "SELECT count(*) FROM sqlite_schema WHERE name GLOB '*_rows' OR name GLOB '*_entries'")
[ "$imp" -eq 0 ] || fail "$imp imposters left in provider.db's schema"
stats=$("$SQL" a/provider.db "SELECT group_concat(idx, ' ') FROM (SELECT idx FROM sqlite_stat1 WHERE tbl = 'lookup_log' ORDER BY idx)")
[ "$stats" = "lookup_by_ip lookup_by_lookup lookup_by_source" ] || fail "lookup_log statistics: $stats"
n_idx=$("$SQL" a/provider.db "SELECT count(*) FROM lookup_log INDEXED BY lookup_by_ip WHERE ip >= 0")
n_tab=$("$SQL" a/provider.db "SELECT count(*) FROM lookup_log NOT INDEXED")
[ "$n_idx" = "$n_tab" ] || fail "lookup_by_ip has $n_idx entries for $n_tab rows"
for plan in "stays WHERE person = 3:PRIMARY KEY (person=?)" "messages_daily WHERE sender = 3:PRIMARY KEY (sender=?)"; do
  q=${plan%%:*} want=${plan#*:}
  "$SQL" a/truth.db "EXPLAIN QUERY PLAN SELECT * FROM $q" | grep -qF "$want" || fail "truth.db: $q does not use $want"
done
ok "both databases pass integrity_check; indexes and clustered tables serve their access paths"

cols=$("$SQL" a/provider.db "SELECT group_concat(name, ',') FROM pragma_table_info('lookups')")
[ "$cols" = "ts,source_handle,lookup_handle,client_ip,lookup_devices" ] || fail "lookups columns: $cols"
rows=$("$SQL" a/provider.db "SELECT count(*) FROM lookups")
[ "$rows" -gt 1000 ] || fail "only $rows lookups for 300 people over 14 days"
ok "provider.db exposes exactly the provider's return columns ($rows rows)"

bad=$("$SQL" a/provider.db "SELECT count(*) FROM lookups WHERE NOT ((source_handle GLOB '+999[0-9]*' OR source_handle GLOB 'u*@example.com') AND (lookup_handle GLOB '+999[0-9]*' OR lookup_handle GLOB 'u*@example.com'))")
[ "$bad" -eq 0 ] || fail "$bad handles outside the reserved ranges"
badip=$("$SQL" a/provider.db "SELECT count(*) FROM lookups WHERE NOT (client_ip GLOB '10.*' OR client_ip GLOB '172.1[6-9].*' OR client_ip GLOB '172.2[0-9].*' OR client_ip GLOB '172.3[01].*' OR client_ip GLOB '100.*')")
[ "$badip" -eq 0 ] || fail "$badip client IPs outside the reserved ranges"
ok "handles are +999/example.com and IPs come from reserved ranges"

zero=$("$SQL" a/provider.db "SELECT count(*) FROM lookups WHERE lookup_devices = 0")
pos=$("$SQL" a/provider.db "SELECT count(*) FROM lookups WHERE lookup_devices > 0")
[ "$zero" -gt 0 ] && [ "$pos" -gt 0 ] || fail "lookup_devices: $zero zero, $pos positive"
ok "lookups of handles not on iMessage are logged with lookup_devices = 0"

nonim=$("$SQL" a/provider.db "ATTACH 'a/truth.db' AS t; SELECT count(*) FROM lookups l JOIN t.people p ON p.handle = l.source_handle WHERE p.imessage = 0")
[ "$nonim" -eq 0 ] || fail "$nonim lookups asked by people not on iMessage"
ok "only iMessage users' phones ask the directory"

content=$("$SQL" a/truth.db "SELECT count(*) FROM pragma_table_info('messages') WHERE name NOT IN ('ts','sender','recipient','channel')")
[ "$content" -eq 0 ] || fail "messages table has columns beyond time, sender, recipient, channel"
ok "no message content anywhere: messages carry only time, ends and channel"

run_ml 0 sim classroom --quiet --days 14 --threads 2 --out b
h1=$("$SQL" a/provider.db "SELECT * FROM lookups" | sha256sum)
h2=$("$SQL" b/provider.db "SELECT * FROM lookups" | sha256sum)
[ "$h1" = "$h2" ] || fail "1 thread and 2 threads gave different lookups"
t1=$("$SQL" a/truth.db "SELECT * FROM messages_daily ORDER BY 1,2,3" | sha256sum)
t2=$("$SQL" b/truth.db "SELECT * FROM messages_daily ORDER BY 1,2,3" | sha256sum)
[ "$t1" = "$t2" ] || fail "1 thread and 2 threads gave different message counts"
cmp -s a/provider.db b/provider.db || fail "1 thread and 2 threads gave different provider.db files"
cmp -s a/truth.db b/truth.db || fail "1 thread and 2 threads gave different truth.db files"
ok "the same seed gives identical rows with 1 and 2 threads"

run_ml 0 sim classroom --quiet --days 14 --seed 99 --out c
h3=$("$SQL" c/provider.db "SELECT * FROM lookups" | sha256sum)
[ "$h1" != "$h3" ] || fail "a different seed gave the same lookups"
ok "a different seed gives different rows"

run_ml 2 sim classroom --quiet --days 3 --out a
expect_in err "a: exists; use --force"
[ "$("$SQL" a/provider.db 'SELECT count(*) FROM lookups')" = "$rows" ] || fail "refused run touched a/"
run_ml 0 sim classroom --quiet --days 3 --out a --force
[ "$("$SQL" a/provider.db 'SELECT count(*) FROM lookups')" -lt "$rows" ] || fail "--force did not replace a/"
ok "an existing output directory is refused, and replaced with --force"

printf '[run]\npeople = 50\n\n# a typo\n[population]\n' > bad1.ini
run_ml 2 sim ./bad1.ini --quiet --out d
expect_in err "^metaleak: error: \./bad1\.ini:5: "
[ ! -e d ] || fail "a bad scenario created its output directory"
printf '[run]\npeple = 50\n' > bad2.ini
run_ml 2 sim ./bad2.ini --quiet --out d
expect_in err "bad2\.ini:2: .*'peple'.*did you mean 'people'"
printf '[run]\ndays = ten\n' > bad3.ini
run_ml 2 sim ./bad3.ini --quiet --out d
expect_in err "bad3\.ini:2: .*'ten'"
printf '[run]\ndays = 0\n' > bad4.ini
run_ml 2 sim ./bad4.ini --quiet --out d
expect_in err "bad4\.ini:2: .*out of range"
[ ! -e d ] || fail "bad scenarios created output"
ok "bad scenarios exit 2 with FILE:LINE and write nothing"

# Interruption: SIGTERM mid-run leaves neither the output nor temporaries.
"$METALEAK" sim classroom --quiet --days 400 --out e >/dev/null 2>err.txt &
pid=$!
sleep 1
kill -TERM "$pid" 2>/dev/null
status=0
wait "$pid" || status=$?
[ "$status" -ne 0 ] || fail "interrupted run exited 0"
[ ! -e e ] || fail "interrupted run left its output directory"
leftovers=$(ls -A | grep -c 'tmp' || true)
[ "$leftovers" -eq 0 ] || fail "interrupted run left temporaries: $(ls -A)"
grep -q "interrupted" err.txt || fail "no 'interrupted' message: $(cat err.txt)"
ok "SIGTERM mid-run exits non-zero and leaves nothing behind"

done_testing
