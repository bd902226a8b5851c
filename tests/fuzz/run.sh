#!/usr/bin/env bash
# A time-boxed fuzz run of both targets (docs/testing.md#fuzzing), side by side.
#
#   tests/fuzz/run.sh [SECONDS] [BUILD_DIR] [WORK_DIR]
#
# SECONDS per target (default 60), BUILD_DIR the fuzz preset's (build/fuzz),
# WORK_DIR (default BUILD_DIR/fuzz-work) keeps the growing corpus between runs.
# Seeds: every YAML file of scenarios/ as written and with its extends
# resolved, common --set assignments over the teaching pyramid, and every
# crash ever found (tests/data/fuzz/<target>/). A crash, a leak, a timeout
# (10 s) or 2 GB of memory for one input fails the run, and the input is
# left in WORK_DIR/findings/ with the line that copies it into tests/data/fuzz.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=$(realpath -m "${2:-$root/build/fuzz}")
work=$(realpath -m "${3:-$build/fuzz-work}")
replay=$build/tiersim_fuzz_replay
for exe in "$replay" "$build/tiersim_fuzz_scenario" "$build/tiersim_fuzz_override"; do
  [ -x "$exe" ] || { echo "fuzz: $exe missing: cmake --preset fuzz && cmake --build --preset fuzz" >&2; exit 2; }
done

# Seed corpora (rebuilt each time; libFuzzer adds what it finds to corpus/<target>/).
seeds=$work/seeds
rm -rf "$seeds" "$work/findings"
mkdir -p "$seeds/scenario" "$seeds/override" "$work/corpus/scenario" "$work/corpus/override" "$work/findings"
n=0
while IFS= read -r yaml; do
  n=$((n + 1))
  cp "$yaml" "$seeds/scenario/$n-$(basename "$yaml")"
  "$replay" flatten "$yaml" > "$seeds/scenario/$n-flat-$(basename "$yaml")" 2>/dev/null \
    || rm -f "$seeds/scenario/$n-flat-$(basename "$yaml")"
done < <(find "$root/scenarios" -name '*.yaml' | sort)
pyramid=$seeds/scenario/pyramid-flat.yaml
"$replay" flatten "$root/scenarios/teaching/pyramid.yaml" > "$pyramid"
n=0
while IFS= read -r assignment; do
  n=$((n + 1))
  { printf '%s\n' "$assignment"; cat "$pyramid"; } > "$seeds/override/$n-pyramid"
  printf '%s\n' "$assignment" > "$seeds/override/$n-alone"
done <<'ASSIGNMENTS'
run.ticks=24
run.seed=7
ordering.forecast=exponential_smoothing
ordering.adjustment_months=3
credit.credit_averse.micro=0.67
policies.certification_subsidy.share=0.3
policies.credit_guarantee={coverage: 0.7, budget_mxn: 5.0e7, eligibility: {size_classes: [micro, small, medium]}}
shocks.credit_crunch=[]
sectors.vehicles.tiers.t2.lead_time_months=4
sectors.vehicles.final_demand.noise_sd=0.2
name="2024"
tiers[1].count=7
parameters[0].values=[0.5, 0.7]
a.b[0].c=null
x=|
ASSIGNMENTS

status=0
pids=()
for target in scenario override; do
  "$build/tiersim_fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -dict="$root/tests/fuzz/yaml.dict" -print_final_stats=1 \
      -artifact_prefix="$work/findings/$target-" \
      "$work/corpus/$target" "$seeds/$target" "$root/tests/data/fuzz/$target" \
      > "$work/$target.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  target=$([ $i -eq 0 ] && echo scenario || echo override)
  if wait "${pids[$i]}"; then
    echo "fuzz: $target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$') inputs in ${seconds} s, no crash"
  else
    status=1
    echo "fuzz: $target FOUND A PROBLEM (log: $work/$target.log):" >&2
    grep -E "^(==[0-9]+==ERROR|tiersim fuzz:|SUMMARY|artifact_prefix|Test unit written)" "$work/$target.log" | head -20 >&2 || true
  fi
done
for finding in "$work"/findings/*; do
  [ -e "$finding" ] || continue
  target=${finding##*/}; target=${target%%-*}
  echo "fuzz: reproduce with $replay $target $finding" >&2
  echo "      keep it as a regression test: cp $finding $root/tests/data/fuzz/$target/" >&2
done
exit $status
