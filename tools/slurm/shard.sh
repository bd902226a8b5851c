#!/bin/bash
# One task of the array: shard SLURM_ARRAY_TASK_ID of SHARDS of the sweep or
# comparison named by the arguments ("sweep FILE.yaml ..." or "compare BASE
# POLICY ..."). --resume: a requeued task goes on where it stopped.
#SBATCH --job-name=tiersim-shard
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
set -euo pipefail
: "${TIERSIM:?set TIERSIM to the tiersim binary}" "${OUT:?}" "${SHARDS:?}" "${SLURM_ARRAY_TASK_ID:?}"
exec "$TIERSIM" "$@" --threads "${SLURM_CPUS_PER_TASK:-1}" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" \
     -o "$OUT/shards/shard-$SLURM_ARRAY_TASK_ID.h5" --resume -q
