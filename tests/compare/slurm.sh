#!/usr/bin/env bash
# The Slurm recipe of docs/sweeps.md runs as written: tools/slurm/shard.sh for
# every task id of the array, then tools/slurm/merge.sh, with the environment
# sbatch would give them (no Slurm here: the scripts are run directly). The
# merged file equals the sweep run at once; a set with a shard missing makes
# the merge exit non-zero and write nothing.
#   usage: slurm.sh TIERSIM ROOT WORKDIR
set -euo pipefail
export TIERSIM=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work/ref" && cd "$work"
sweep="$root/scenarios/sweeps/guarantee_subsidy.yaml"
fail() { echo "FAIL: $*"; exit 1; }
"$TIERSIM" sweep "$sweep" --set replications=1 --set "base.set=[run.ticks=6]" -q -o ref/merged.h5
export OUT="$work/out" SHARDS=3 KIND=sweep
mkdir -p "$OUT/shards"
for task in 1 2; do
  SLURM_ARRAY_TASK_ID=$task bash "$root/tools/slurm/shard.sh" sweep "$sweep" --set replications=1 --set "base.set=[run.ticks=6]"
done
rc=0; bash "$root/tools/slurm/merge.sh" 2> missing.txt || rc=$?
[ "$rc" -ne 0 ] || fail "a merge with shard 3 missing exited 0"
[ ! -e "$OUT/merged.h5" ] || fail "a refused merge wrote $OUT/merged.h5"
rc=0; "$TIERSIM" sweep merge "$OUT/merged.h5" "$OUT/shards/shard-1.h5" "$OUT/shards/shard-2.h5" 2> incomplete.txt || rc=$?
[ "$rc" -eq 2 ] || fail "a merge of an incomplete set exited $rc, not 2"
grep -q incomplete incomplete.txt || fail "the refusal does not say the set is incomplete: $(cat incomplete.txt)"
SLURM_ARRAY_TASK_ID=3 bash "$root/tools/slurm/shard.sh" sweep "$sweep" --set replications=1 --set "base.set=[run.ticks=6]"
bash "$root/tools/slurm/merge.sh"
h5diff --follow-symlinks --exclude-path /timing ref/merged.h5 "$OUT/merged.h5" || fail "the merged file differs from the sweep run at once"
echo "the Slurm recipe runs as written"
