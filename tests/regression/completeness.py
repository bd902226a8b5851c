#!/usr/bin/python3
"""Every registered lever and shock has a mechanism test, a golden scenario and a docs section.

    tests/regression/completeness.py TIERSIM MECHANISM_TESTS

The registered levers and shocks are the keys of `policies` and `shocks` in
the schema (`tiersim schema`, generated from the lever and shock tables). A
lever has:
  - a mechanism test: a Catch2 test tagged [lever:<key>] ([shock:<key>] for a shock);
  - a golden scenario: a library scenario that uses it (tests/regression/golden/*.yaml);
  - a docs section: a heading of docs/model.md that names it in backticks.
"""
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def registered(tiersim):
    """Keys of the `policies` and `shocks` tables of the schema reference."""
    schema = subprocess.run([tiersim, "schema"], check=True, capture_output=True, text=True).stdout
    keys = {}
    for block in ("policies", "shocks"):
        section = re.search(rf"^## `{block}`\n(.*?)(?=^## )", schema, re.S | re.M)
        if not section:
            sys.exit(f"completeness: no `{block}` table in `tiersim schema`")
        keys[block] = re.findall(r"^\| `([a-z_0-9]+)` \|", section.group(1), re.M)
    return keys["policies"], keys["shocks"]


def tagged(mechanism_tests):
    # Catch2 v2 exits with the number of tags listed.
    tags = subprocess.run([mechanism_tests, "--list-tags"], check=False, capture_output=True, text=True).stdout
    return set(re.findall(r"\[((?:lever|shock):[a-z_0-9]+)\]", tags))


def golden_uses():
    uses = set()
    for path in (ROOT / "tests/regression/golden").glob("*.yaml"):
        golden = yaml.safe_load(path.read_text())
        uses |= {f"lever:{k}" for k in golden.get("levers") or []}
        uses |= {f"shock:{k}" for k in golden.get("shocks") or []}
    return uses


def documented():
    headings = [line for line in (ROOT / "docs/model.md").read_text().splitlines() if line.startswith("#")]
    return {key for line in headings for key in re.findall(r"`([a-z_0-9]+)`", line)}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    levers, shocks = registered(sys.argv[1])
    tests, goldens, docs = tagged(sys.argv[2]), golden_uses(), documented()
    missing = []
    for kind, keys in (("lever", levers), ("shock", shocks)):
        for key in keys:
            name = f"{kind}:{key}"
            if name not in tests:
                missing.append(f"{kind} {key}: no mechanism test tagged [{name}] in tests/mechanisms/")
            if name not in goldens:
                missing.append(f"{kind} {key}: no library scenario uses it (no golden in tests/regression/golden/)")
            if key not in docs:
                missing.append(f"{kind} {key}: no heading of docs/model.md names `{key}`")
    if not levers or not shocks:
        missing.append("no levers or no shocks registered: the schema has changed shape")
    for line in missing:
        print(line, file=sys.stderr)
    if missing:
        return 1
    print(f"{len(levers)} levers and {len(shocks)} shocks: each has a mechanism test, a golden scenario and a docs section")
    return 0


if __name__ == "__main__":
    sys.exit(main())
