#!/usr/bin/python3
"""A baseline's calibration outcomes over replications, as the markdown rows of docs/scenarios.md.

    tools/baseline_table.py SCENARIO [--replications 10] [--tiersim build/release/tiersim] [--set KEY=VALUE ...]

Runs SCENARIO with run.replication = 0 .. N-1 (two at a time), and prints
each outcome at tick 0 and over the last 12 months as a mean with the
half-width of its 95% t-interval over replications. Never one draw: the
numbers in docs/scenarios.md come from here.
"""
import argparse
import concurrent.futures
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

# Two-sided 95% Student t quantiles by degrees of freedom (scipy is not a dependency).
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
       11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 19: 2.093, 24: 2.064, 29: 2.045}


def t95(df):
    return T95.get(df) or T95[max(k for k in T95 if k <= df)] if df >= 1 else math.nan


def outcomes(path):
    """Outcome name -> (at tick 0, over the last 12 months) for one run."""
    with h5py.File(path, "r") as f:
        tier, size, sector = (f[f"series/{t}"][:] for t in ("by_tier", "by_size", "by_sector"))
    last = tier["tick"].max()
    start, end = tier["tick"] == 0, tier["tick"] > last - 12

    def tier_sum(column, rows, k=None):
        pick = rows if k is None else rows & (tier["tier"] == k)
        return tier[column][pick].sum() / (1 if rows is start else 12)

    def at(fn):
        return fn(start, size["tick"] == 0, sector["tick"] == 0), fn(end, size["tick"] > last - 12,
                                                                     sector["tick"] > last - 12)

    out = {}
    for k, name in enumerate(("OEM", "Tier 1", "Tier 2", "Tier 3")):
        out[f"active firms, {name}"] = at(lambda r, s, c, k=k: tier_sum("firms", r, k))
    out["active firms, all"] = at(lambda r, s, c: tier_sum("firms", r))
    out["dormant firms"] = at(lambda r, s, c: tier_sum("dormant_firms", r))
    msme = size["size_class"] < 3
    out["MSME share of active firms"] = at(lambda r, s, c: size["firms"][s & msme].sum() / size["firms"][s].sum())
    out["MSME share of employment"] = at(
        lambda r, s, c: size["employment"][s & msme].sum() / size["employment"][s].sum())
    out["employment (thousands)"] = at(lambda r, s, c: tier_sum("employment", r) / 1e3)

    def domestic_share(r, k):
        d, m = tier_sum("domestic_purchases", r, k), tier_sum("imports", r, k)
        return d / (d + m) if d + m > 0 else math.nan

    out["Tier 1 domestic share of purchases"] = at(lambda r, s, c: domestic_share(r, 1))
    out["OEM import share of input value"] = at(lambda r, s, c: 1 - domestic_share(r, 0))
    out["local content (OEM sales)"] = at(lambda r, s, c: np.average(
        sector["local_content_share"][c], weights=np.maximum(sector["final_demand"][c], 1e-12)))
    out["output, Tier 3 over OEM (index, tick 0 = 1)"] = (1.0, (tier_sum("output", end, 3) / tier_sum("output", start, 3))
                                                          / (tier_sum("output", end, 0) / tier_sum("output", start, 0)))
    every = tier["tick"] >= 0
    out["exits, whole run (of which retirements)"] = (math.nan, tier["exits"][every].sum())
    out["retirements, whole run"] = (math.nan, tier["retirements"][every].sum())
    out["entries, whole run"] = (math.nan, tier["entries"][every].sum())
    return out


def run_one(tiersim, scenario, replication, overrides, folder):
    out = Path(folder) / f"rep{replication}.h5"
    args = [tiersim, "run", scenario, "-q", "--threads", "1", "--overwrite", "-o", str(out),
            "--set", f"run.replication={replication}"]
    for o in overrides:
        args += ["--set", o]
    subprocess.run(args, check=True)
    return outcomes(out)


def describe(values):
    values = np.asarray(values, dtype=float)
    if np.all(np.isnan(values)):
        return "—"
    mean = values.mean()
    half = t95(len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else math.nan
    digits = 0 if abs(mean) >= 100 else 3 if abs(mean) < 10 else 1
    return f"{mean:,.{digits}f} ± {half:,.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--tiersim", default=str(Path(__file__).resolve().parents[1] / "build/release/tiersim"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--jobs", type=int, default=2)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        runs = list(pool.map(lambda r: run_one(a.tiersim, a.scenario, r, a.overrides, folder), range(a.replications)))
    print(f"`{a.scenario}`{' ' + ' '.join('--set ' + o for o in a.overrides) if a.overrides else ''}, "
          f"{a.replications} replications, mean ± 95% interval half-width\n")
    print("| outcome | tick 0 | last 12 months |\n|---|---|---|")
    for name in runs[0]:
        if name == "retirements, whole run":
            continue
        first = describe([r[name][0] for r in runs])
        last = describe([r[name][1] for r in runs])
        if name.startswith("exits"):
            last += f" ({describe([r['retirements, whole run'][1] for r in runs])})"
        print(f"| {name} | {first} | {last} |")


if __name__ == "__main__":
    sys.exit(main())
