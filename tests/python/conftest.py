"""Fixtures of the analysis tests: the teaching results the test suite writes, and a sweep file in the
documented sweep layout built from them.

ctest passes TIERSIM_RESULTS (the file `tiersim run` wrote for the teaching_results fixture) and puts
analysis/ on PYTHONPATH; run by hand:

    TIERSIM_RESULTS=build/release/tests/teaching-results.h5 PYTHONPATH=analysis /usr/bin/python3 -m pytest tests/python
"""
import os
import shutil
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
if str(ANALYSIS) not in sys.path:
    sys.path.insert(0, str(ANALYSIS))


@pytest.fixture(scope="session")
def results_path():
    path = os.environ.get("TIERSIM_RESULTS")
    if not path or not Path(path).exists():
        pytest.skip("TIERSIM_RESULTS names no results file (ctest sets it: the teaching_results fixture)")
    return Path(path)


@pytest.fixture(scope="session")
def run(results_path):
    from tiersim_analysis import load
    return load(results_path)


@pytest.fixture(scope="session")
def policy_results_path(results_path, tmp_path_factory):
    """A copy of the results in which the certification subsidy was in force, spending 100,000 MXN a month
    (the teaching pyramid has no program)."""
    path = tmp_path_factory.mktemp("policy") / "with-policy.h5"
    shutil.copy(results_path, path)
    with h5py.File(path, "r+") as f:
        accounts = f["programs/accounts"]
        labels = [l.decode() if isinstance(l, bytes) else l for l in accounts.attrs["program.labels"]]
        rows = accounts[:]
        subsidy = rows["program"] == labels.index("certification_subsidy")
        rows["in_force"][subsidy] = 1
        rows["outlays_mxn"][subsidy] = 1e5
        rows["transfers_mxn"][subsidy] = 1e5  # a subsidy is a transfer (docs/model.md, "Fiscal accounts")
        rows["take_up"][subsidy] = 2
        accounts[:] = rows
    return path


# The sweep contract: /runs, one row per run (run_id, arm, replication, seed, status, error, one float64
# column per varied parameter named by its dotted key, one per metric), and each run's results under
# /run/<run_id>/ laid out as a single-run file's root (here: copies, and HDF5 external links).
PARAMETERS = ("policies.credit_guarantee.coverage", "credit.base_rate_annual")
METRICS = ("local_content_share", "msme_survival")


@pytest.fixture(scope="session")
def sweep_path(results_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "sweep.h5"
    coverage = [0.0, 0.35, 0.7]
    rates = [0.08, 0.16]
    replications = 3
    rng = np.random.default_rng(7)
    string = h5py.string_dtype()
    dtype = np.dtype([("run_id", string), ("arm", "<i8"), ("replication", "<i8"), ("seed", "<i8"),
                      ("status", string), ("error", string)]
                     + [(p, "<f8") for p in PARAMETERS] + [(m, "<f8") for m in METRICS])
    rows = []
    arm = 0
    for c in coverage:
        for r in rates:
            for k in range(replications):
                run_id = f"a{arm:02d}r{k}"
                status, error = ("failed", "tiersim exited with 1") if (arm, k) == (5, 2) else ("done", "")
                # survival rises strongly with coverage, weakly falls with the rate; local content ~ noise
                survival = 0.6 + 0.3 * c - 0.2 * r + rng.normal(0, 0.01)
                content = 0.3 + rng.normal(0, 0.01)
                if status != "done":
                    survival = content = np.nan
                rows.append((run_id, arm, k, 100 + k, status, error, c, r, content, survival))
            arm += 1
    with h5py.File(path, "w") as f:
        f.attrs["sweep_name"] = "synthetic-sweep"
        table = f.create_dataset("runs", data=np.array(rows, dtype=dtype))
        table.attrs["description"] = "one row per run"
        with h5py.File(results_path, "r") as source:
            for n, row in enumerate(rows):
                run_id, status = row[0], row[4]
                if status != "done":
                    continue
                if n % 2 == 0:
                    source.copy(source["/"], f, name=f"run/{run_id}")
                    for key, value in source.attrs.items():
                        f[f"run/{run_id}"].attrs[key] = value
                else:
                    f.require_group("run")[run_id] = h5py.ExternalLink(str(results_path), "/")
    return path


@pytest.fixture(scope="session")
def sweep(sweep_path):
    from tiersim_analysis import load
    return load(sweep_path)
