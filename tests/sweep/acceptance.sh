#!/usr/bin/env bash
# Acceptance tests of `tiersim sweep` (issue 5): a sweep killed half-way and
# resumed, a sweep run as two shards and merged, and a sweep under mpirun all
# give a sweep file identical to an uninterrupted run. "Identical" is h5diff
# over every dataset and attribute, following the /run/<id> external links into
# every run's results, with /timing (wall-clock seconds, host names) excluded.
#
# usage: acceptance.sh TIERSIM SWEEP.yaml WORKDIR resume|shard|mpi|failure
set -euo pipefail
tiersim=$1 sweep=$2 work=$3 mode=$4
rm -rf "$work/$mode" && mkdir -p "$work/$mode" && cd "$work/$mode"

same() {  # reference candidate
  h5diff --follow-symlinks --exclude-path /timing "$1" "$2" || { echo "FAIL: $2 differs from $1"; exit 1; }
  echo "identical: $2 and $1"
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
esac
