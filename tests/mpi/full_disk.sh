#!/bin/bash
# Full disks under MPI (issue 16), on a 1 MiB tmpfs filled to a little room. A sweep on 1 and 3
# ranks ends with exit code 1 on every rank, one line from pase naming the results file and "no
# room", and no crash (HDF5 used to crash at MPI_Finalize after failing to close the file); once
# there is room, the rerun folds the journals into a results file with every point. With no room for
# the journals at all, every rank stops (one line, exit code 1, no MPI_Abort). A search on 2
# ranks under -q: checkpoints without room are warnings and the search finishes (exit 0); a stop
# whose checkpoint finds no room ends with exit code 1 and one line.
# Arguments: PASE MPIEXEC SOURCE_DIR. Needs root (mount); exit code 77 (skipped) otherwise.
set -u
PASE=$1
MPIEXEC=$2
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pase_full_disk.XXXXXX")
DISK=$WORK/disk
mkdir -p "$DISK"
mount -t tmpfs -o size=1m tmpfs "$DISK" || { echo "cannot mount a tmpfs: skipped"; rm -rf "$WORK"; exit 77; }
trap 'umount "$DISK"; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
FAILURES=0
fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}
cat > spec.yaml <<SPEC
format: pase-sweep
version: 1
name: full-disk
models:
  - file: $3/inputs/alexnet.json
axes:
  procs: [2, 4, 8]
  flops: [10, 20, 40]
  bw: [10, 20]
SPEC
for ranks in 1 3; do
  for room_kib in 60 28; do
    rm -f "$DISK"/*
    dd if=/dev/zero of="$DISK/fill" bs=1k count=$((1024 - room_kib)) 2> /dev/null
    launcher=()
    [ "$ranks" -gt 1 ] && launcher=("$MPIEXEC" -n "$ranks" --oversubscribe)
    "${launcher[@]}" "$PASE" sweep spec.yaml -o "$DISK/r.h5" -q > stdout 2> stderr
    code=$?
    what="$ranks rank(s), $room_kib KiB of room"
    [ "$code" -eq 1 ] || fail "$what: exit code $code, expected 1"
    lines=$(grep -c "^pase" stderr)
    [ "$lines" -eq 1 ] || fail "$what: $lines lines from pase, expected 1"
    grep -q "^pase sweep: $DISK/r.h5.tmp: no room for the results file" stderr || fail "$what: no 'no room' line"
    grep -qi "segmentation\|signal\|MPI_ABORT" stderr && fail "$what: a crash or an abort"
    [ -e "$DISK/r.h5" ] && fail "$what: a results file was written"
    [ -e "$DISK/r.h5.tmp" ] && fail "$what: the temporary file is left"
    [ "$FAILURES" -eq 0 ] || sed 's/^/    /' stderr | head -5 >&2
  done
done
# No room at all: the journals cannot be written. Every rank stops; one line, exit code 1, no MPI_Abort.
for ranks in 1 3; do
  rm -f "$DISK"/*
  dd if=/dev/zero of="$DISK/fill" bs=1k count=1024 2> /dev/null
  launcher=()
  [ "$ranks" -gt 1 ] && launcher=("$MPIEXEC" -n "$ranks" --oversubscribe)
  "${launcher[@]}" "$PASE" sweep spec.yaml -o "$DISK/r.h5" -q > stdout 2> stderr
  code=$?
  what="$ranks rank(s), no room for the journals"
  [ "$code" -eq 1 ] || fail "$what: exit code $code, expected 1"
  [ "$(grep -c "^pase" stderr)" -eq 1 ] || fail "$what: not one line from pase"
  grep -q "^pase sweep: .*$DISK/r.h5.journal.[0-9]: writing the journal failed: No space left on device" stderr ||
    fail "$what: no 'writing the journal failed' line"
  grep -qi "segmentation\|signal\|MPI_ABORT" stderr && fail "$what: a crash or an abort"
  [ "$FAILURES" -eq 0 ] || sed 's/^/    /' stderr | head -5 >&2
done
rm -f "$DISK"/*
dd if=/dev/zero of="$DISK/fill" bs=1k count=900 2> /dev/null
MODEL="$3/inputs/transformer.json -p 16"
"$MPIEXEC" -n 2 --oversubscribe "$PASE" search $MODEL -q --checkpoint "$DISK/ck.h5" --checkpoint-every 0 \
  -o out.json > stdout 2> stderr
code=$?
[ "$code" -eq 0 ] || fail "search, periodic checkpoints without room: exit code $code, expected 0"
grep -q "^pase search: warning: $DISK/ck.h5: checkpoint not written (no room" stderr ||
  fail "search, periodic checkpoints without room: no warning under -q"
grep -q '"total_cost"' out.json || fail "search, periodic checkpoints without room: no report"
rm -f "$DISK"/ck.h5*
PASE_STOP_AFTER_STEP=100 "$MPIEXEC" -n 2 --oversubscribe "$PASE" search $MODEL -q --checkpoint "$DISK/ck.h5" \
  > stdout 2> stderr
code=$?
[ "$code" -eq 1 ] || fail "search, a stop without room: exit code $code, expected 1"
[ "$(grep -c "^pase" stderr)" -eq 1 ] || fail "search, a stop without room: not one line from pase"
grep -q "^pase search: $DISK/ck.h5: checkpoint not written (no room" stderr || fail "search, a stop without room: no line"
rm -f "$DISK"/*
"$PASE" sweep spec.yaml -o "$DISK/r.h5" -q > stdout 2> stderr || fail "the rerun with room: exit code $?"
"$PASE" export "$DISK/r.h5" --csv rows.csv > /dev/null 2>&1 || fail "export after the rerun"
rows=$(($(wc -l < rows.csv) - 1))
[ "$rows" -eq 18 ] || fail "the rerun's results file has $rows rows, expected 18"
[ "$FAILURES" -eq 0 ] || { echo "$FAILURES failure(s)" >&2; exit 1; }
echo "all passed"
