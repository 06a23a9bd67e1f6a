# Helpers for the command-line checkpoint tests. Usage in a test:
#   source "$(dirname "$0")/lib.sh" "$@"     (arguments: PASE_BINARY INPUTS_FOLDER MPIEXEC)
set -u
PASE=$1
INPUTS=$2
MPIEXEC=${3:-mpiexec}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pase_cli_test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
FAILURES=0

fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}

finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES failure(s)" >&2
    exit 1
  fi
  echo "all passed"
  exit 0
}

# pase on N ranks (1: no launcher).
run() {
  local ranks=$1
  shift
  if [ "$ranks" -eq 1 ]; then
    "$PASE" "$@"
  else
    "$MPIEXEC" -n "$ranks" "$PASE" "$@"
  fi
}

# The strategy and cost of a JSON report, to compare runs bit for bit: the totals (as printed by
# the report, exactly) and every layer's configuration.
result_of() {
  tr -d ' \n' < "$1" | grep -o '"total_cost":[^,}]*\|"config":\[[^]]*\]' | cksum
}

# expect_exit CODE DESCRIPTION COMMAND...: runs the command, keeps its stderr in $WORK/stderr.
expect_exit() {
  local want=$1 what=$2
  shift 2
  "$@" > "$WORK/stdout" 2> "$WORK/stderr"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$what: exit code $got, expected $want"
    sed 's/^/    /' "$WORK/stderr" | head -5 >&2
  fi
}

# expect_message TEXT DESCRIPTION: the last command's stderr contains TEXT.
expect_message() {
  if ! grep -qF -- "$1" "$WORK/stderr"; then
    fail "$2: stderr lacks '$1'"
    sed 's/^/    /' "$WORK/stderr" | head -5 >&2
  fi
}

# The progress (steps done) of a checkpoint, from pase inspect; "invalid" when it is not valid.
steps_in() {
  local out
  if ! out=$("$PASE" inspect "$1" 2>&1); then
    echo invalid
    return
  fi
  echo "$out" | sed -n 's/^progress *\([0-9]*\) of.*/\1/p'
}
