"""tiersim_analysis on real results: loaders, invariants of the derived series, every figure command,
the reports. Structure and invariants only: the model's numbers are still being calibrated."""
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from tiersim_analysis import Run, Sweep, figures, load, load_run, load_sweep, metrics, report
from tiersim_analysis.__main__ import main

from conftest import METRICS, PARAMETERS

WRAPPER = Path(__file__).resolve().parents[2] / "analysis" / "tiersim-plot"
PNG = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ loading

def test_a_run_loads_every_table_in_one_call(run):
    assert isinstance(run, Run)
    for table in ("by_tier", "by_sector", "by_size", "credit", "events", "panel", "links", "by_cluster",
                  "accounts", "beneficiaries"):
        assert len(getattr(run, table)) > 0, table
    assert run.attrs["status"] == "completed"
    assert run.ticks == run.attrs["ticks_planned"]
    assert "sectors:" in run.scenario
    for name in ("by_tier", "by_sector", "by_size", "credit"):
        assert sorted(getattr(run, name)["tick"].unique()) == list(range(run.ticks)), name


def test_coded_columns_become_labelled_categoricals(run):
    assert list(run.by_tier["tier"].cat.categories) == ["OEM", "T1", "T2", "T3"]
    assert list(run.by_size["size_class"].cat.categories) == ["micro", "small", "medium", "large"]
    assert "approved" in list(run.credit["outcome"].cat.categories)
    assert "certification_subsidy" in list(run.accounts["program"].cat.categories)
    assert set(run.events["event"].dropna().unique()) <= {"certified", "moved_tier", "defaulted", "entered",
                                                            "exited", "loan", "retired"}
    assert not run.by_tier["tier"].isna().any()


def test_units_and_descriptions_travel_with_the_tables(run):
    assert run.by_tier.attrs["units"]["output"] == "units/month"
    assert run.by_sector.attrs["units"]["local_content_share"] == "1"
    assert run.by_tier.attrs["descriptions"]["firms"]


def test_an_interrupted_run_is_cut_at_ticks_completed(results_path, tmp_path):
    copy = tmp_path / "cut.h5"
    shutil.copy(results_path, copy)
    with h5py.File(copy, "r+") as f:
        f.attrs["ticks_completed"] = 10
        f.attrs["status"] = "running"
    cut = load(copy)
    assert cut.ticks == 10
    assert cut.by_tier["tick"].max() == 9 and cut.events["tick"].max() <= 9
    assert len(cut.by_sector) == 10 * len(cut.by_sector["sector"].cat.categories)


def test_load_run_refuses_a_sweep_and_load_sweep_a_run(results_path, sweep_path):
    with pytest.raises(ValueError):
        load_run(sweep_path)
    with pytest.raises(ValueError):
        load_sweep(results_path)


# ------------------------------------------------------------------ derived series

def test_the_pyramid_adds_up_to_the_by_tier_table(run):
    pyramid = metrics.pyramid(run)
    assert list(pyramid["firms"].columns) == ["OEM", "T1", "T2", "T3"]
    assert pyramid["firms"].to_numpy().sum() == run.by_tier["firms"].sum()
    assert np.isclose(pyramid["output"].to_numpy().sum(), run.by_tier["output"].sum())
    assert (pyramid["firms"] >= 0).all().all()


def test_shares_are_shares(run):
    for series in (metrics.local_content(run), metrics.oem_import_share(run)):
        assert len(series) == run.ticks
        assert ((series >= 0) & (series <= 1)).all()
    shares = metrics.msme_shares(run)
    assert ((shares >= 0) & (shares <= 1)).all().all()
    by_tier = metrics.import_share_by_tier(run).stack()  # drops the months a tier bought nothing (NaN)
    assert len(by_tier) and ((by_tier >= 0) & (by_tier <= 1)).all()


def test_survival_starts_at_one_and_never_rises(run):
    survival = metrics.survival(run)
    assert survival is not None and "MSME" in survival
    assert (survival.iloc[0] <= 1).all()
    assert (survival.diff().dropna() <= 1e-12).all().all()
    assert (survival >= 0).all().all()


def test_credit_outcomes_agree_with_the_tier_series(run):
    outcomes = metrics.credit_outcomes(run)
    flows = metrics.credit_flows(run)
    assert outcomes["approved"].sum() == pytest.approx(flows["loans_approved"].sum())
    assert outcomes.to_numpy().sum() == pytest.approx(flows["credit_applications"].sum())


def test_entries_and_exits_match_the_events(run):
    flows = metrics.entries_exits(run)
    events = run.events
    assert flows["exits"].sum() == (events["event"] == "exited").sum()
    assert flows["entries"].sum() == (events["event"] == "entered").sum()
    assert metrics.certifications_started(run).sum() == (events["event"] == "certified").sum()


def test_certification_holders_count_operating_firms(run):
    holders = metrics.certification_holders(run)
    names = run.certification_names
    assert list(holders.columns) == names and names == sorted(names)
    alive = run.panel[run.panel["alive"] == 1].groupby("tick").size()
    per_tick = holders.groupby(level="tick").sum()
    for name in names:
        assert (per_tick[name] <= alive.reindex(per_tick.index)).all()


def test_key_numbers_are_finite(run):
    numbers = metrics.key_numbers(run)
    for label in ("local content share (last 12 months)", "OEM import share (last 12 months)",
                  "MSME share of firms (end)", "MSME share of employment (end)", "entries (total)",
                  "exits (total)", "loans approved (total)"):
        assert np.isfinite(numbers[label]), label
    assert "policy outlays (total, MXN)" not in numbers  # the teaching pyramid has no program in force
    assert metrics.policy_outlays(run) is None


def test_program_accounts_are_found_and_cost_effectiveness_computed(run, policy_results_path):
    with_policy = load(policy_results_path)
    outlays = metrics.policy_outlays(with_policy)
    assert list(outlays.columns) == ["certification_subsidy"]
    assert outlays.to_numpy().sum() == pytest.approx(1e5 * run.ticks)
    assert metrics.fiscal_cost(with_policy).to_numpy().sum() == pytest.approx(1e5 * run.ticks)
    assert metrics.program_take_up(with_policy).to_numpy().sum() == 2 * run.ticks
    table = metrics.compare_numbers(run, with_policy)
    assert table.loc["policy outlays (total, MXN)", "B"] == pytest.approx(1e5 * run.ticks)
    assert table.loc["extra fiscal cost B - A (MXN)", "B"] == pytest.approx(1e5 * run.ticks)
    assert np.isnan(table.loc["cost per job kept (MXN)", "B"])  # same economy: no job kept


# ------------------------------------------------------------------ sweeps

def test_a_sweep_loads_its_runs_table(sweep):
    assert isinstance(sweep, Sweep)
    assert sweep.parameters == list(PARAMETERS)
    assert sweep.metrics == list(METRICS)
    assert len(sweep.runs) == 18 and len(sweep.done) == 17
    assert set(sweep.runs["status"]) == {"done", "failed"}
    assert sweep.runs["run_id"].map(type).eq(str).all()


def test_a_stored_sweep_definition_names_parameters_and_metrics(sweep_path, tmp_path):
    copy = tmp_path / "renamed.h5"
    shutil.copy(sweep_path, copy)
    with h5py.File(copy, "r+") as f:
        rows = f["runs"][:]
        names = [n if n != "local_content_share" else "lc.final" for n in rows.dtype.names]
        renamed = rows.astype(np.dtype({"names": names, "formats": [rows.dtype[n] for n in rows.dtype.names]}))
        del f["runs"]
        f["runs"] = renamed
        f["sweep/resolved"] = ("parameters:\n" + "".join(f"  - {{key: {p}}}\n" for p in PARAMETERS)
                               + "metrics:\n  - {name: lc.final}\n  - {name: msme_survival}\n")
    loaded = load(copy)
    assert loaded.parameters == list(PARAMETERS)
    assert loaded.metrics == ["lc.final", "msme_survival"]


def test_each_run_of_a_sweep_loads_as_a_run_copied_or_linked(sweep, run):
    for run_id in sweep.done["run_id"][:2]:  # the first is copied, the second an external link
        one = sweep.run(run_id)
        assert one.name == run_id
        assert len(one.by_tier) == len(run.by_tier)
    stacked = sweep.table("series/by_sector")
    assert len(stacked) == len(sweep.done) * len(run.by_sector)
    assert {"run_id", "arm", "replication", *PARAMETERS} <= set(stacked.columns)


def test_sensitivity_finds_the_parameter_that_matters(sweep):
    indices = metrics.sensitivity_indices(sweep)
    assert indices.shape == (2, 2)
    assert ((indices >= 0) & (indices <= 1 + 1e-9)).all().all()
    assert indices.loc["policies.credit_guarantee.coverage", "msme_survival"] > 0.8
    assert indices.loc["credit.base_rate_annual", "msme_survival"] < 0.2


def test_the_response_has_one_point_per_value_with_an_interval(sweep):
    table = metrics.response_table(sweep, "msme_survival", "policies.credit_guarantee.coverage")
    assert list(table["_x"]) == [0.0, 0.35, 0.7]
    assert (table["low"] <= table["mean"]).all() and (table["mean"] <= table["high"]).all()
    assert table["mean"].is_monotonic_increasing


# ------------------------------------------------------------------ figure commands

def _is_image(path: Path, suffix: str):
    data = path.read_bytes()
    assert len(data) > 5000, path
    if suffix == "png":
        assert data.startswith(PNG)
    else:
        assert b"<svg" in data[:2000]


@pytest.mark.parametrize("name", figures.RUN_FIGURES)
def test_every_run_figure_command_writes_an_image(name, results_path, tmp_path):
    out = tmp_path / f"{name}.png"
    assert main([name, str(results_path), "-o", str(out)]) == 0
    _is_image(out, "png")


def test_figures_write_svg_too(results_path, tmp_path):
    out = tmp_path / "pyramid.svg"
    assert main(["pyramid", str(results_path), "-o", str(out)]) == 0
    _is_image(out, "svg")


def test_the_policy_figure_draws_program_outlays(policy_results_path, tmp_path):
    out = tmp_path / "policy.png"
    assert main(["policy", str(policy_results_path), "-o", str(out)]) == 0
    _is_image(out, "png")


@pytest.mark.parametrize("name", ["compare", "compare-tiers"])
def test_compare_draws_a_and_b_on_one_figure(name, results_path, policy_results_path, tmp_path):
    out = tmp_path / f"{name}.png"
    assert main([name, str(results_path), str(policy_results_path), "-o", str(out)]) == 0
    _is_image(out, "png")


@pytest.mark.parametrize("name,extra", [("response", []),
                                        ("response", ["--metric", "msme_survival", "--param2",
                                                      "credit.base_rate_annual"]),
                                        ("heatmap", ["--metric", "msme_survival"]),
                                        ("sensitivity", [])])
def test_every_sweep_figure_command_writes_an_image(name, extra, sweep_path, tmp_path):
    out = tmp_path / f"{name}.png"
    assert main([name, str(sweep_path), "-o", str(out)] + extra) == 0
    _is_image(out, "png")


def test_a_run_figure_refuses_a_sweep_file(sweep_path, tmp_path):
    with pytest.raises(SystemExit, match="single-run"):
        main(["pyramid", str(sweep_path), "-o", str(tmp_path / "x.png")])


def test_a_sweep_figure_names_the_choices_for_an_unknown_metric(sweep_path, tmp_path):
    with pytest.raises(SystemExit, match="msme_survival"):
        main(["response", str(sweep_path), "--metric", "nope", "-o", str(tmp_path / "x.png")])


def test_all_writes_every_run_figure(results_path, tmp_path):
    assert main(["all", str(results_path), "-o", str(tmp_path / "figs"), "--format", "svg"]) == 0
    assert sorted(p.stem for p in (tmp_path / "figs").iterdir()) == sorted(figures.RUN_FIGURES)


def test_the_wrapper_runs_without_pythonpath(results_path, tmp_path):
    listing = subprocess.run([str(WRAPPER), "list"], capture_output=True, text=True, check=True,
                             env={"PATH": "/usr/bin:/bin"})
    assert all(name in listing.stdout for name in figures.FIGURES)
    numbers = subprocess.run([str(WRAPPER), "numbers", str(results_path)], capture_output=True, text=True,
                             check=True, env={"PATH": "/usr/bin:/bin"})
    assert "local content share" in numbers.stdout


# ------------------------------------------------------------------ reports

def _self_contained(page: str):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert 'src="data:image/png;base64,' in page
    assert "src=\"http" not in page and "<link" not in page and "<script" not in page


def test_the_run_report_renders_with_figures_and_key_numbers(results_path, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", str(results_path), "-o", str(out)]) == 0
    page = out.read_text()
    _self_contained(page)
    assert page.count("<img") == len(figures.RUN_FIGURES) - 1  # no program accounts: no policy figure
    for label in ("local content share", "OEM import share", "MSME share of firms", "MSME share of employment",
                  "MSME survival", "entries (total)", "exits (total)", "loans approved"):
        assert label in page, label


def test_the_comparison_report_renders(results_path, policy_results_path):
    page = report.render(load(results_path), load(policy_results_path))
    _self_contained(page)
    assert "B - A" in page and "policy outlays" in page
    # No single-draw headline: the differences say what they are and where the intervals come from.
    assert "one draw, no interval" in page and "tiersim compare" in page


def test_the_sweep_report_renders(sweep):
    page = report.render(sweep)
    _self_contained(page)
    assert "synthetic-sweep" in page and "failed" in page and "sensitivity" in page.lower()
    assert "Paired differences from arm 0" in page
    assert pd.Series(list(PARAMETERS)).map(lambda p: p in page).all()
