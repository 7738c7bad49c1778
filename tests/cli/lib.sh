# lib.sh -- helpers for metaleak's end-to-end CLI tests (sourced).
# Each test runs the built binary ($METALEAK) in a fresh temporary directory
# ($TMP/work, the current directory; $TMP/out and $TMP/err hold captures)
# and asserts on exit codes and outputs; `fail` ends the test with status 1.
set -u

: "${METALEAK:?METALEAK must point to the built binary}"
: "${top_srcdir:=.}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/metaleak-cli-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/work" && cd "$TMP/work" || exit 99   # outputs go here; captures stay in $TMP
n_checks=0

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
ok() { n_checks=$((n_checks + 1)); printf 'ok %d - %s\n' "$n_checks" "$*"; }

# run_ml EXPECTED_STATUS ARGS...: run metaleak, capture stdout/stderr in
# $TMP/out and $TMP/err, and check the exit status.
run_ml() {
  local want=$1 got=0
  shift
  "$METALEAK" "$@" >"$TMP/out" 2>"$TMP/err" || got=$?
  if [ "$got" -ne "$want" ]; then
    printf -- '--- stdout\n' >&2; cat "$TMP/out" >&2
    printf -- '--- stderr\n' >&2; cat "$TMP/err" >&2
    fail "metaleak $* exited $got, expected $want"
  fi
}

# expect_in FILE PATTERN: FILE (out or err) matches the extended regexp.
expect_in() {
  grep -Eq -- "$2" "$TMP/$1" || { cat "$TMP/$1" >&2; fail "$1 does not match /$2/"; }
}
expect_not_in() {
  ! grep -Eq -- "$2" "$TMP/$1" || { cat "$TMP/$1" >&2; fail "$1 matches /$2/"; }
}
done_testing() { printf '%d checks passed\n' "$n_checks"; exit 0; }
