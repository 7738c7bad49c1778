#!/bin/sh
# usage.sh -- the dispatcher: usage errors, --help, version, unknown commands.
. "${top_srcdir:-.}/tests/cli/lib.sh"

run_ml 2
expect_in err '^usage: metaleak <command>'
ok "no command: usage on stderr, exit 2"

run_ml 0 --help
expect_in out '^  sim +generate'
expect_in out '^  analyze '
expect_in out '^  report '
expect_in out '^  demo '
ok "--help lists every command"

run_ml 0 help
expect_in out '^usage: metaleak'
ok "help with no argument prints usage"

run_ml 2 frobnicate
expect_in err "^metaleak: error: 'frobnicate' is not a metaleak command"
ok "unknown command: exit 2 and a git-style error"

run_ml 2 simm
expect_in err "did you mean 'sim'\\?"
ok "a near-miss command gets a suggestion"

run_ml 0 version
expect_in out '^metaleak [0-9]+\.[0-9]+\.[0-9]+$'
expect_in out 'sqlite 3\.[0-9]+'
expect_in out 'igraph [0-9]+\.'
ok "version prints metaleak's and the libraries' versions"

run_ml 2 version extra
expect_in err "^metaleak: error: version takes no arguments, got 'extra'"
ok "version rejects arguments"

for cmd in sim analyze report demo; do
  run_ml 0 "$cmd" --help
  expect_in out "^Usage:"
  expect_in out "metaleak $cmd|$cmd "
  run_ml 0 help "$cmd"
  expect_in out "^Usage:"
  ok "$cmd --help and help $cmd print the command's options"
done

run_ml 2 sim --no-such-option
expect_in err '^metaleak: error: Unknown option --no-such-option'
ok "unknown option: exit 2"

run_ml 2 sim --people=lots
expect_in err '^metaleak: error: .*lots'
ok "a non-numeric --people is a usage error naming the value"

run_ml 2 help frobnicate
expect_in err "'frobnicate' is not a metaleak command"
ok "help on an unknown command: exit 2"

run_ml 2 sim no-such-scenario
expect_in err "unknown scenario 'no-such-scenario'.*demo"
ok "an unknown scenario name lists the shipped ones"

run_ml 2 sim ./missing.ini
expect_in err "^metaleak: error: ./missing.ini: no such file"
ok "a missing scenario file is named"

done_testing
