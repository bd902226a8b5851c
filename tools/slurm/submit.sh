#!/bin/bash
# Submits a sweep or a comparison as a Slurm job array of N shards and, as a
# job that depends on the whole array, the merge (docs/sweeps.md, "Slurm").
#
#   tools/slurm/submit.sh OUT_DIR N sweep scenarios/sweeps/guarantee_subsidy.yaml
#   tools/slurm/submit.sh OUT_DIR N compare BASE.yaml POLICY.yaml --outcome msme_exits
#
# TIERSIM names the binary (default: build/release/tiersim of this checkout,
# by absolute path: compute nodes do not have it on PATH). Scenario paths are
# made absolute here, so the jobs may start in any directory.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TIERSIM=${TIERSIM:-$(realpath "$here/../../build/release/tiersim")}
[ -x "$TIERSIM" ] || { echo "submit.sh: no tiersim binary at $TIERSIM (set TIERSIM)" >&2; exit 2; }
out=$(realpath -m "$1") shards=$2
shift 2
args=()
for a in "$@"; do [ -f "$a" ] && args+=("$(realpath "$a")") || args+=("$a"); done
kind=${args[0]}
[ "$kind" = sweep ] || [ "$kind" = compare ] || { echo "submit.sh: the command is sweep or compare, not '$kind'" >&2; exit 2; }
mkdir -p "$out/shards"
array=$(sbatch --parsable --array=1-"$shards" --output="$out/shards/slurm-%a.out" \
               --export=ALL,OUT="$out",SHARDS="$shards" "$here/shard.sh" "${args[@]}")
# afterany, not afterok: the merge also runs when a shard failed, and then
# refuses the incomplete set with a non-zero exit (the job shows FAILED).
sbatch --parsable --dependency=afterany:"${array%%;*}" --output="$out/merge.out" \
       --export=ALL,OUT="$out",SHARDS="$shards",KIND="$kind" "$here/merge.sh"
echo "submitted array $array and its merge; results: $out/merged.h5"
