#!/usr/bin/env bash
# Acceptance tests of `tiersim sweep` (issue 5): a sweep killed half-way and
# resumed, a sweep run as two shards and merged, and a sweep under mpirun all
# give a sweep file identical to an uninterrupted run. "Identical" is h5diff
# over every dataset and attribute, following the /run/<id> external links into
# every run's results, with /timing (wall-clock seconds, host names) excluded.
#
#
# Issue 14 (nothing lost, nothing clobbered): a run file corrupted on disk is
# redone by --resume; a refused or failed merge leaves nothing behind; a shard
# given twice is refused; a full disk stops the sweep with exit 1, leaves no
# half-made file, and --resume then completes it.
#
# usage: acceptance.sh TIERSIM SWEEP.yaml WORKDIR
#          resume|shard|mpi|failure|corrupt|merge-failure|duplicate-shard|full-disk
set -euo pipefail
tiersim=$1 sweep=$2 work=$3 mode=$4
rm -rf "$work/$mode" && mkdir -p "$work/$mode" && cd "$work/$mode"

same() {  # reference candidate
  # h5diff exits 0 (identical), 1 (differences) or 2 (an error, e.g. a file it
  # cannot read: silent without -v). Any of the latter two is a failure.
  h5diff --follow-symlinks --exclude-path /timing "$1" "$2" || { echo "FAIL: $2 differs from $1"; exit 1; }
  echo "identical: $2 and $1"
}

fail() { echo "FAIL: $*"; exit 1; }

# Runs a command, storing its exit status in $rc (set -e would stop at a failure).
status() { rc=0; "$@" || rc=$?; }

nothing_left() {  # OUT.h5: no OUT.h5, no OUT.runs/, no OUT.h5.creating
  local stem=${1%.h5}
  [ ! -e "$1" ] || fail "$1 was written"
  [ ! -e "$stem.runs" ] || fail "$stem.runs/ was left behind: $(ls -A "$stem.runs" | head -3)"
  [ ! -e "$1.creating" ] || fail "$1.creating was left behind"
}

shards() {  # one/shard1.h5 and two/shard2.h5
  mkdir -p one two
  "$tiersim" sweep "$sweep" -q --threads 2 --shard 1/2 -o one/shard1.h5
  "$tiersim" sweep "$sweep" -q --threads 2 --shard 2/2 -o two/shard2.h5
}

mkdir full && "$tiersim" sweep "$sweep" -q --threads 2 -o full/sweep.h5

case "$mode" in
  resume)
    mkdir resumed
    "$tiersim" sweep "$sweep" -q --threads 2 -o resumed/sweep.h5 &
    pid=$!
    # Kill it (SIGKILL: no clean-up) once about half the runs have a file.
    total=$(grep -c $'\t' <("$tiersim" sweep "$sweep" --plan) || true)
    total=$((total - 1))
    while kill -0 "$pid" 2>/dev/null && [ "$(ls resumed/sweep.runs 2>/dev/null | grep -c '\.h5$')" -lt $((total / 2)) ]; do
      sleep 0.01
    done
    kill -9 "$pid" 2>/dev/null && echo "killed after $(ls resumed/sweep.runs | wc -l) of $total run files"
    wait "$pid" || true
    [ -e resumed/sweep.h5 ] && echo "note: the sweep finished before the kill"
    "$tiersim" sweep "$sweep" -q --threads 2 -o resumed/sweep.h5 --resume
    same full/sweep.h5 resumed/sweep.h5
    ;;
  shard)
    mkdir one two merged
    "$tiersim" sweep "$sweep" -q --threads 2 --shard 1/2 -o one/shard1.h5
    "$tiersim" sweep "$sweep" -q --threads 2 --shard 2/2 -o two/shard2.h5
    "$tiersim" sweep merge merged/sweep.h5 one/shard1.h5 two/shard2.h5
    same full/sweep.h5 merged/sweep.h5
    ;;
  mpi)
    mkdir mpi
    mpirun -n 3 --oversubscribe "$tiersim" sweep "$sweep" -q --threads 1 -o mpi/sweep.h5
    same full/sweep.h5 mpi/sweep.h5
    ;;
  failure)
    # A coverage above 1 is refused by the scenario schema: those runs fail,
    # with the message, and the others still run.
    "$tiersim" sweep "$sweep" -q --threads 2 -o bad.h5 --set replications=1 \
      --set 'parameters[0].values=[0.5, 1.5]' --set 'parameters[1].values=[0]'
    h5dump -d /runs bad.h5 > runs.txt
    grep -q '"failed' runs.txt && grep -q '"done' runs.txt && grep -q 'above the maximum' runs.txt \
      || { echo "FAIL: expected one failed and one done run"; cat runs.txt; exit 1; }
    "$tiersim" summarize full/sweep.h5 -o summary > summary.txt
    grep -q local_content_final summary.csv && [ "$(wc -l < summary.csv)" -eq 33 ] \
      || { echo "FAIL: summary.csv"; cat summary.csv; exit 1; }
    h5dump -H summary.h5 > /dev/null
    runs=(full/sweep.runs/*.h5)
    "$tiersim" summarize "${runs[0]}" "${runs[1]}" > compare.txt
    grep -q 'series/by_tier' compare.txt || { echo "FAIL: run comparison"; cat compare.txt; exit 1; }
    echo "failed run recorded, summary written"
    ;;
  corrupt)
    # A run file overwritten in the middle after it was written: its status
    # still reads completed, and h5diff may not see it (the bytes can be in a
    # superseded chunk copy; an unreadable chunk makes h5diff exit 2, silently).
    cp -r full corrupt
    runs=(corrupt/sweep.runs/*.h5)
    victim=${runs[5]} id=$(basename "${runs[5]}" .h5)
    cp "$victim" before.h5
    size=$(stat -c %s "$victim")
    printf 'CORRUPT!%.0s' $(seq 512) | dd of="$victim" bs=1 seek=$((size / 2)) conv=notrunc status=none
    cmp -s "$victim" before.h5 && fail "dd did not change $victim"
    cp "$victim" corrupted.h5
    # The check of docs/sweeps.md finds it.
    status "$tiersim" sweep verify corrupt/sweep.h5 2> verify.txt
    [ "$rc" -eq 1 ] && grep -q "run $id .*bytes have changed" verify.txt \
      || { cat verify.txt; fail "sweep verify (exit $rc) did not report run $id"; }
    "$tiersim" sweep verify -q full/sweep.h5 || fail "sweep verify of the intact sweep"
    # --resume redoes that run, saying so, and only that run.
    "$tiersim" sweep "$sweep" -q --threads 2 -o corrupt/sweep.h5 --resume 2> resume.txt
    cat resume.txt
    grep -q "run $id .*is redone.*fails verification" resume.txt || fail "no warning that run $id is redone"
    [ "$(grep -c 'is redone' resume.txt)" -eq 1 ] || fail "runs other than $id were redone"
    cmp -s "$victim" corrupted.h5 && fail "the corrupted file of run $id was kept"
    "$tiersim" sweep verify corrupt/sweep.h5 || fail "sweep verify after the resume"
    same full/sweep.h5 corrupt/sweep.h5
    ;;
  merge-failure)
    # A merge that is refused or fails writes nothing and leaves no OUT.runs/,
    # and deletes nothing it did not create.
    shards
    mkdir other
    "$tiersim" sweep "$sweep" -q --threads 2 --set replications=1 -o other/other.h5
    # Shards of two sweeps: refused before anything is written (exit 2).
    status "$tiersim" sweep merge refused.h5 one/shard1.h5 other/other.h5 2> refused.txt
    cat refused.txt
    [ "$rc" -eq 2 ] || fail "a merge of two sweeps' shards exited $rc, not 2"
    grep -q "not a shard of the same sweep" refused.txt || fail "no reason given"
    nothing_left refused.h5
    # A shard that is not a sweep file at all: the same.
    echo "not a sweep" > text.h5
    status "$tiersim" sweep merge refused.h5 one/shard1.h5 text.h5 2> refused.txt
    [ "$rc" -ne 0 ] || fail "a merge with a text file as a shard succeeded"
    nothing_left refused.h5
    # The merged sweep file does not fit on the disk (RLIMIT_FSIZE; the run
    # files are hard links and take no room): exit 1, and the run files and
    # the directory this merge made are removed again.
    status bash -c 'trap "" XFSZ; ulimit -f 8; exec "$@"' - "$tiersim" sweep merge full-disk.h5 one/shard1.h5 two/shard2.h5 2> full.txt
    cat full.txt
    [ "$rc" -eq 1 ] || fail "a merge on a full disk exited $rc, not 1"
    nothing_left full-disk.h5
    # The same into a run directory that holds a file of the user's: it stays.
    mkdir kept.runs && echo "mine" > kept.runs/notes.txt
    status bash -c 'trap "" XFSZ; ulimit -f 8; exec "$@"' - "$tiersim" sweep merge kept.h5 one/shard1.h5 two/shard2.h5 2> /dev/null
    [ "$rc" -eq 1 ] || fail "a merge on a full disk exited $rc, not 1"
    [ "$(ls -A kept.runs)" = notes.txt ] || fail "kept.runs/ holds $(ls -A kept.runs | head -3) after a failed merge"
    [ ! -e kept.h5 ] && [ ! -e kept.h5.creating ] || fail "kept.h5 written"
    # The shards are untouched: they still merge into the full sweep.
    mkdir merged && "$tiersim" sweep merge merged/sweep.h5 one/shard1.h5 two/shard2.h5
    same full/sweep.h5 merged/sweep.h5
    ;;
  duplicate-shard)
    # The same shard twice is a mistake in the user's script: refused (exit 2),
    # whether the same path, another path to the same file, or a copy.
    shards
    cp one/shard1.h5 one/copy.h5            # the same runs, in another file
    ln -s ../one/shard1.h5 two/link.h5      # the same file, by another path
    for dup in one/shard1.h5 ./one/shard1.h5 two/link.h5 one/copy.h5; do
      status "$tiersim" sweep merge dup.h5 one/shard1.h5 two/shard2.h5 "$dup" 2> dup.txt
      cat dup.txt
      [ "$rc" -eq 2 ] || fail "merging one/shard1.h5 and $dup exited $rc, not 2"
      grep -q "twice" dup.txt || fail "the message does not say the shard is given twice"
      nothing_left dup.h5
    done
    # The output is one of the shards: refused, the shard untouched.
    status "$tiersim" sweep merge one/shard1.h5 one/shard1.h5 two/shard2.h5 2> dup.txt
    [ "$rc" -eq 2 ] || fail "merging into a shard exited $rc, not 2"
    "$tiersim" sweep verify -q one/shard1.h5 || fail "one/shard1.h5 damaged by a refused merge"
    mkdir merged && "$tiersim" sweep merge merged/sweep.h5 one/shard1.h5 two/shard2.h5
    same full/sweep.h5 merged/sweep.h5
    ;;
  full-disk)
    # The disk fills up (RLIMIT_FSIZE: a write past it fails with EFBIG, with
    # SIGXFSZ ignored), first while runs write their files (about 470 kB
    # each): the sweep stops, writes the sweep file with those runs pending,
    # says why and exits 1.
    mkdir disk
    status bash -c 'trap "" XFSZ; ulimit -f 250; exec "$@"' - "$tiersim" sweep "$sweep" -q --threads 2 -o disk/sweep.h5 2> disk.txt
    grep -v '^ \|^HDF5\|#0' disk.txt || true
    [ "$rc" -eq 1 ] || fail "a sweep on a full disk exited $rc, not 1"
    grep -q 'cannot write.*File too large' disk.txt && grep -q -- '--resume' disk.txt || fail "no clear message"
    [ -z "$(find . -name '*.creating')" ] || fail "left behind: $(find . -name '*.creating')"
    pending=$(h5dump -a /runs_pending disk/sweep.h5 | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
    [ "${pending:-0}" -gt 0 ] || fail "no run pending in disk/sweep.h5"
    # Then while the sweep file itself is written: no sweep file, no OUT.creating.
    mkdir tiny
    status bash -c 'trap "" XFSZ; ulimit -f 8; exec "$@"' - "$tiersim" sweep "$sweep" -q --threads 2 -o tiny/sweep.h5 2> tiny.txt
    grep -v '^ \|^HDF5\|#0' tiny.txt || true
    [ "$rc" -eq 1 ] || fail "a sweep on a full disk exited $rc, not 1"
    grep -q 'cannot write the sweep file tiny/sweep.h5' tiny.txt || fail "no clear message"
    [ ! -e tiny/sweep.h5 ] && [ -z "$(find . -name '*.creating')" ] || fail "left behind: $(ls tiny) $(find . -name '*.creating')"
    # With room again, --resume completes both: nothing was lost.
    "$tiersim" sweep "$sweep" -q --threads 2 -o disk/sweep.h5 --resume
    same full/sweep.h5 disk/sweep.h5
    "$tiersim" sweep "$sweep" -q --threads 2 -o tiny/sweep.h5 --resume
    same full/sweep.h5 tiny/sweep.h5
    ;;
  *)
    fail "unknown mode $mode"
    ;;
esac
