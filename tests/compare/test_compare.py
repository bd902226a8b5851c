"""`tiersim compare` end to end on the teaching pyramid, 12 months a run (seconds a test): pairing on
common random numbers, the stopping rule, resume, shards and merge, and an unknown outcome refused
before anything runs. Every file is read back with h5py.

    TIERSIM=build/release/tiersim /usr/bin/python3 -m pytest tests/compare
"""
import os
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios/teaching/pyramid.yaml"
POLICY = ROOT / "scenarios/policies/teaching_guarantee_70.yaml"
# Thin cash and no credit aversion, so that firms borrow within the twelve
# months and the guarantee's cost varies from draw to draw.
SHORT = ["--set", "run.ticks=12", "--set", "economy.initial_cash_months=0.3",
         "--set", "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}", "--threads", "2", "-q"]


@pytest.fixture(scope="session")
def tiersim():
    path = os.environ.get("TIERSIM")
    if not path or not Path(path).exists():
        pytest.skip("TIERSIM names no tiersim binary (ctest sets it)")
    return path


def compare(tiersim, out, *args, arms=(BASE, POLICY), check=True):
    command = [tiersim, "compare", *map(str, arms), "-o", str(out), *SHORT, *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}: {result.stderr}")
    return result


def runs(path):
    with h5py.File(path) as f:
        table = f["runs"][:]
    return table


def differences(path):
    with h5py.File(path) as f:
        return f["compare/differences"][:], dict(f["compare"].attrs), list(f["compare/differences"].attrs["outcome.labels"])


def same_files(a, b):
    """h5diff over every dataset and attribute, through the run links, /timing excluded (docs/sweeps.md)."""
    result = subprocess.run(["h5diff", "--follow-symlinks", "--exclude-path", "/timing", str(a), str(b)],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"{b} differs from {a}: {result.stdout[-2000:]} {result.stderr[-2000:]}"


def test_same_replication_same_seed_in_every_arm(tiersim, tmp_path):
    out = tmp_path / "g.h5"
    compare(tiersim, out, "--min-replications", "3", "--max-replications", "3")
    table = runs(out)
    for r in range(3):
        rows = table[table["replication"] == r]
        assert sorted(rows["arm"]) == [0, 1]
        assert len(set(rows["seed"])) == 1
    with h5py.File(out) as f:
        for row in table:
            run = f[f"run/{row['run_id'].decode()}"]
            assert run.attrs["replication"] == row["replication"]
            assert run.attrs["seed"] == row["seed"]


def test_an_arm_identical_to_the_base_differs_by_exactly_zero(tiersim, tmp_path):
    out = tmp_path / "same.h5"
    compare(tiersim, out, "--min-replications", "3", "--max-replications", "3", arms=(BASE, BASE))
    diffs, attrs, labels = differences(out)
    assert len(diffs) == len(labels) == 6
    assert (diffs["mean"] == 0).all()
    assert (diffs["ci_low"] == 0).all() and (diffs["ci_high"] == 0).all() and (diffs["half_width"] == 0).all()
    assert attrs["stop_reason"] == "targets met"


def test_a_loose_target_stops_at_the_minimum_and_a_tight_one_at_the_cap(tiersim, tmp_path):
    outcomes = ["--outcome", "employment_end", "--outcome", "fiscal_cost"]
    compare(tiersim, tmp_path / "loose.h5", "--min-replications", "3", "--max-replications", "9", "--batch", "3",
            *outcomes, "--target", "employment_end=1e9", "--target", "fiscal_cost=1e12")
    diffs, attrs, _ = differences(tmp_path / "loose.h5")
    assert attrs["replications"] == 3 and attrs["stop_reason"] == "targets met"
    assert (diffs["met"] == 1).all() and (diffs["n"] == 3).all()
    # In twelve months the guarantee moves the fiscal cost from draw to draw (employment not at all).
    compare(tiersim, tmp_path / "tight.h5", "--min-replications", "3", "--max-replications", "9", "--batch", "3",
            *outcomes, "--target", "fiscal_cost=1e-9")
    diffs, attrs, labels = differences(tmp_path / "tight.h5")
    assert attrs["replications"] == 9 and attrs["stop_reason"] == "max_replications reached"
    assert diffs["met"][labels.index("fiscal_cost")] == 0
    with h5py.File(tmp_path / "tight.h5") as f:
        assert sorted(set(f["compare/stages"]["replications"])) == [3, 6, 9]
    assert len(runs(tmp_path / "tight.h5")) == 18


def test_pairing_reduces_the_variance_of_the_difference(tiersim, tmp_path):
    out = tmp_path / "g.h5"
    compare(tiersim, out, "--min-replications", "6", "--max-replications", "6", "--outcome", "employment_end")
    diffs, _, _ = differences(out)
    assert diffs["variance_reduction"][0] > 1
    table = runs(out)
    base = table[table["arm"] == 0]["employment_end"]
    policy = table[table["arm"] == 1]["employment_end"]
    assert diffs["mean"][0] == pytest.approx(np.mean(policy - base))
    assert diffs["unpaired_variance"][0] == pytest.approx(np.var(base, ddof=1) + np.var(policy, ddof=1))


def test_resume_gives_the_uninterrupted_file(tiersim, tmp_path):
    args = ("--min-replications", "3", "--max-replications", "6", "--batch", "3", "--outcome", "fiscal_cost",
            "--target", "fiscal_cost=1e-9")
    compare(tiersim, tmp_path / "full.h5", *args)
    (tmp_path / "cut").mkdir()
    shutil.copytree(tmp_path / "full.runs", tmp_path / "cut/full.runs")
    # As if killed in the second batch: two of its runs never finished, one left half a file.
    table = runs(tmp_path / "full.h5")
    later = [row["run_id"].decode() for row in table if row["replication"] >= 3]
    for run_id in later[:2]:
        (tmp_path / f"cut/full.runs/{run_id}.h5").unlink()
        (tmp_path / f"cut/full.runs/{run_id}.checksum").unlink()
    (tmp_path / f"cut/full.runs/{later[2]}.checksum").unlink()
    compare(tiersim, tmp_path / "cut/full.h5", *args, "--resume")
    same_files(tmp_path / "full.h5", tmp_path / "cut/full.h5")


def test_shards_merged_give_the_unsharded_file(tiersim, tmp_path):
    args = ("--min-replications", "3", "--max-replications", "6", "--batch", "3", "--outcome", "employment_end",
            "--target", "employment_end=1e9")
    compare(tiersim, tmp_path / "full.h5", *args)
    for k in (1, 2):
        (tmp_path / f"s{k}").mkdir()
        compare(tiersim, tmp_path / f"s{k}/shard.h5", *args, "--shard", f"{k}/2")
    # One shard alone is an incomplete set: refused, nothing written.
    alone = subprocess.run([tiersim, "compare", "merge", str(tmp_path / "alone.h5"), str(tmp_path / "s1/shard.h5")],
                           capture_output=True, text=True)
    assert alone.returncode == 2 and "incomplete" in alone.stderr
    assert not (tmp_path / "alone.h5").exists()
    (tmp_path / "merged").mkdir()
    subprocess.run([tiersim, "compare", "merge", "-q", str(tmp_path / "merged/full.h5"),
                    str(tmp_path / "s1/shard.h5"), str(tmp_path / "s2/shard.h5")], check=True)
    same_files(tmp_path / "full.h5", tmp_path / "merged/full.h5")


def test_an_unknown_outcome_is_refused_before_anything_runs(tiersim, tmp_path):
    result = compare(tiersim, tmp_path / "typo.h5", "--outcome", "msme_exitz", check=False)
    assert result.returncode == 2
    assert "unknown metric 'msme_exitz'" in result.stderr and "did you mean 'msme_exits'" in result.stderr
    assert "fiscal_cost" in result.stderr  # the known names are listed
    assert not (tmp_path / "typo.h5").exists() and not (tmp_path / "typo.runs").exists()


def test_a_sweep_metric_by_name_is_refused_at_plan_time_when_unknown(tiersim, tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"name: s\nbase: {{scenario: {BASE}, set: [run.ticks=6]}}\nreplications: 2\n"
                     "parameters:\n  - {key: policies.credit_guarantee.coverage, values: [0.0, 0.7]}\n"
                     "metrics:\n  - {name: msme_exits}\n  - {name: fiscal_cots}\n")
    result = subprocess.run([tiersim, "sweep", str(sweep), "-o", str(tmp_path / "s.h5"), "-q"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "sweep.yaml:8:" in result.stderr and "unknown metric 'fiscal_cots'" in result.stderr
    assert not (tmp_path / "s.runs").exists()
    sweep.write_text(sweep.read_text().replace("fiscal_cots", "fiscal_cost"))
    subprocess.run([tiersim, "sweep", str(sweep), "-o", str(tmp_path / "s.h5"), "-q", "--threads", "2"], check=True)
    table = runs(tmp_path / "s.h5")
    assert np.isfinite(table["msme_exits"]).all() and np.isfinite(table["fiscal_cost"]).all()


def test_the_report_shows_one_figure_per_outcome_with_its_interval(tiersim, tmp_path):
    import sys
    sys.path.insert(0, str(ROOT / "analysis"))
    from tiersim_analysis import load, metrics, report
    out = tmp_path / "g.h5"
    compare(tiersim, out, "--min-replications", "3", "--max-replications", "3", "--outcome", "employment_end",
            "--outcome", "fiscal_cost")
    comparison = load(out)
    effects = metrics.comparison_effects(comparison)
    assert list(effects["outcome"]) == ["employment_end", "fiscal_cost"]
    assert (effects["ci_low"] <= effects["mean"]).all() and (effects["mean"] <= effects["ci_high"]).all()
    page = report.render(comparison)
    assert page.count("<img") == 2 and "Stopping rule" in page and "teaching_guarantee_70" in page
    # The sweep-side numbers agree with the file's: arm 1 minus arm 0, replication by replication.
    paired = metrics.paired_differences(comparison).loc[(1, "employment_end")]
    assert paired["mean"] == pytest.approx(effects["mean"][0])
    assert paired["high"] == pytest.approx(effects["ci_high"][0], rel=1e-3)


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="no mpirun")
def test_under_mpirun_rank_0_dispatches_batches_and_the_file_is_the_same(tiersim, tmp_path):
    args = ("--min-replications", "3", "--max-replications", "6", "--batch", "3", "--outcome", "fiscal_cost",
            "--target", "fiscal_cost=1e-9")
    compare(tiersim, tmp_path / "c.h5", *args)
    (tmp_path / "mpi").mkdir()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    # Open MPI's own allocations outlive MPI_Finalize: LeakSanitizer would fail
    # every rank of an ASan build (as in the sweep's mpi acceptance test).
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    command = ["mpirun", "-n", "3", tiersim, "compare", str(BASE), str(POLICY), "-o", str(tmp_path / "mpi/c.h5"),
               *SHORT, *args]
    subprocess.run(command, check=True, env=env, timeout=300)
    same_files(tmp_path / "c.h5", tmp_path / "mpi/c.h5")
    with h5py.File(tmp_path / "mpi/c.h5") as f:
        workers = {w.decode() if isinstance(w, bytes) else w for w in f["timing"]["worker"]}
    assert workers <= {"mpi rank 1", "mpi rank 2"} and workers  # rank 0 runs nothing; ranks by number
