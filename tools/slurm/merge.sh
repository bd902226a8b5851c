#!/bin/bash
# After the whole array: merges the N shard files into OUT/merged.h5. An
# incomplete set (a shard file missing, or runs no shard finished) is refused
# with a non-zero exit and nothing written; rerun the failed tasks (same
# command, same task ids: they resume) and then this script.
#SBATCH --job-name=tiersim-merge
#SBATCH --time=00:30:00
set -euo pipefail
: "${TIERSIM:?set TIERSIM to the tiersim binary}" "${OUT:?}" "${SHARDS:?}" "${KIND:?sweep or compare}"
files=()
for k in $(seq 1 "$SHARDS"); do
    f="$OUT/shards/shard-$k.h5"
    [ -e "$f" ] || { echo "merge.sh: shard $k/$SHARDS is missing ($f): incomplete set, nothing merged" >&2; exit 1; }
    files+=("$f")
done
exec "$TIERSIM" "$KIND" merge "$OUT/merged.h5" "${files[@]}"
