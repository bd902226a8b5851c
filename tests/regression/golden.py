#!/usr/bin/python3
"""Golden results: key aggregates of every library scenario, compared bit for bit.

A golden is a small YAML file per scenario (tests/regression/golden/<scenario path>.yaml)
holding the rows of a few result tables at a few ticks. The suite runs each
scenario and fails when one value differs in one bit. Changing a golden is a
deliberate act: regenerate, read what changed, and say in the commit which
rule changed and why the numbers moved.

    tests/regression/golden.py check  TIERSIM SCENARIO     # one ctest per scenario
    tests/regression/golden.py update TIERSIM [SCENARIO..] # rewrite, print what changed

Floats are written with repr(), which round-trips exactly; categorical
columns (sector, tier, program, ...) are written as their labels, so a
reordering of codes is not a change of results.
"""
import argparse
import math
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy
import yaml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "tests" / "regression" / "golden"
TABLES = ("series/by_tier", "series/by_sector", "series/by_size", "series/by_cluster", "programs/accounts")
TICKS = (0, 11, 59, 119)
# Scenarios that are not whole scenarios, or too big for the suite.
EXCLUDED = ("scenarios/sweeps/", "scenarios/bench/cluster_1m.yaml", "scenarios/bench/cluster_5m.yaml")


def library_scenarios():
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name.startswith("_") or any(rel.startswith(x) for x in EXCLUDED):
            continue
        yield rel


def golden_path(scenario):
    return GOLDEN_DIR / (Path(scenario).relative_to("scenarios").with_suffix("").as_posix().replace("/", "__") + ".yaml")


def run(tiersim, scenario, output):
    # Two threads: the results are the same for any count, and the suite checks that elsewhere.
    subprocess.run([tiersim, "run", str(ROOT / scenario), "-q", "--threads", "2", "-o", str(output)], check=True)


def extract(results):
    """The golden rows of a results file: {table: [{column: value}]} at the golden ticks (and the last)."""
    out = {}
    with h5py.File(results, "r") as f:
        ticks = int(f.attrs["ticks_completed"])
        wanted = sorted({t for t in TICKS if t < ticks} | {ticks - 1})
        out["ticks"] = wanted
        # Which levers and shocks the scenario uses: the suite's completeness check reads them.
        resolved = yaml.safe_load(f["scenario/resolved"][()].decode())
        out["levers"] = sorted(k for k, v in (resolved.get("policies") or {}).items() if v is not None)
        out["shocks"] = sorted(k for k, v in (resolved.get("shocks") or {}).items() if v)
        for name in TABLES:
            if name not in f:
                continue
            data = f[name][:]
            columns = list(data.dtype.names)
            labels = {c: [str(x) for x in f[name].attrs[f"{c}.labels"]] for c in columns if f"{c}.labels" in f[name].attrs}
            rows = []
            for row in data[numpy.isin(data["tick"], wanted)]:
                record = {}
                for c in columns:
                    value = row[c].item()
                    if c in labels:
                        value = labels[c][int(value)]
                    elif isinstance(value, float):
                        value = repr(value)
                    record[c] = value
                rows.append(record)
            # Rows in a fixed order of their labels: the order of codes in a table is not a result.
            out[name] = sorted(rows, key=row_key)
    return out


KEY_COLUMNS = ("tick", "sector", "tier", "size_class", "ownership", "cluster", "program")


def row_key(row):
    """What identifies a row of a long-format table: its tick and its categorical columns."""
    return tuple((c, str(row[c])) if c != "tick" else (c, int(row[c])) for c in KEY_COLUMNS if c in row)


def bits(value):
    """A value's exact bits: floats by their IEEE pattern, so NaN equals NaN and -0.0 differs from 0.0."""
    if isinstance(value, str):
        try:
            return struct.pack("<d", float(value))
        except ValueError:
            return value
    return value


def differences(old, new):
    """Human-readable list of what changed between two goldens."""
    lines = []
    for key in ("ticks", "levers", "shocks"):
        if old.get(key) != new.get(key):
            lines.append(f"{key}: {old.get(key)} -> {new.get(key)}")
    for name in TABLES:
        a, b = old.get(name), new.get(name)
        if a is None and b is None:
            continue
        if a is None or b is None:
            lines.append(f"{name}: {0 if a is None else len(a)} rows -> {0 if b is None else len(b)} rows")
            continue
        rows_a = {row_key(r): r for r in a}
        rows_b = {row_key(r): r for r in b}
        for key in sorted(set(rows_a) ^ set(rows_b)):
            lines.append(f"{name}: row {dict(key)} {'removed' if key in rows_a else 'added'}")
        for key in sorted(set(rows_a) & set(rows_b)):
            row_a, row_b = rows_a[key], rows_b[key]
            if set(row_a) != set(row_b):
                lines.append(f"{name}: columns {sorted(set(row_a) ^ set(row_b))} added or removed")
                break
            key = ", ".join(f"{k}={v}" for k, v in key)
            for column in row_a:
                if bits(row_a[column]) != bits(row_b[column]):
                    lines.append(f"{name} [{key}] {column}: {row_a[column]} -> {row_b[column]}{relative(row_a[column], row_b[column])}")
    return lines


def relative(a, b):
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return ""
    if x == 0 or math.isnan(x) or math.isnan(y):
        return ""
    return f" ({(y - x) / abs(x):+.3%})"


def dump(golden, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        f.write("# Golden results (tests/regression/golden.py update regenerates; see docs/architecture.md).\n")
        yaml.safe_dump(golden, f, sort_keys=False, default_flow_style=None, width=1 << 16)


def compute(tiersim, scenario):
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "run.h5"
        run(tiersim, scenario, output)
        golden = {"scenario": scenario}
        golden.update(extract(output))
        return golden


def check(tiersim, scenario):
    path = golden_path(scenario)
    if not path.exists():
        print(f"{scenario}: no golden at {path.relative_to(ROOT)}; run tests/regression/golden.py update", file=sys.stderr)
        return 1
    with open(path) as f:
        old = yaml.safe_load(f)
    new = compute(tiersim, scenario)
    changed = differences(old, new)
    if changed:
        print(f"{scenario}: {len(changed)} values differ from {path.relative_to(ROOT)}:", file=sys.stderr)
        for line in changed[:40]:
            print("  " + line, file=sys.stderr)
        if len(changed) > 40:
            print(f"  ... and {len(changed) - 40} more", file=sys.stderr)
        return 1
    print(f"{scenario}: identical to its golden")
    return 0


def update(tiersim, scenarios):
    scenarios = scenarios or list(library_scenarios())
    for scenario in scenarios:
        path = golden_path(scenario)
        new = compute(tiersim, scenario)
        if path.exists():
            with open(path) as f:
                changed = differences(yaml.safe_load(f), new)
            print(f"{scenario}: {len(changed)} values changed" if changed else f"{scenario}: unchanged")
            for line in changed[:20]:
                print("  " + line)
            if len(changed) > 20:
                print(f"  ... and {len(changed) - 20} more")
        else:
            print(f"{scenario}: new golden")
        dump(new, path)
    stale = {p for p in GOLDEN_DIR.glob("*.yaml")} - {golden_path(s) for s in library_scenarios()}
    for path in sorted(stale):
        print(f"{path.relative_to(ROOT)}: no scenario has this golden any more; delete it")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="run one scenario and compare it with its golden")
    c.add_argument("tiersim")
    c.add_argument("scenario", help="path relative to the repository root, e.g. scenarios/teaching/pyramid.yaml")
    u = sub.add_parser("update", help="regenerate goldens (all library scenarios by default) and print what changed")
    u.add_argument("tiersim")
    u.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    if args.command == "check":
        return check(args.tiersim, args.scenario)
    return update(args.tiersim, args.scenarios)


if __name__ == "__main__":
    os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
    sys.exit(main())
