"""tiersim_analysis.metrics computes the right numbers: each function checked against the same quantity
worked out here by hand from the raw HDF5 tables (h5py + numpy, not tiersim_analysis.load), on the real
teaching results (TIERSIM_RESULTS) and on the sweep of conftest.py. Plus the module layout: figures.py
draws and report.py assembles, neither computes."""
import ast
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from tiersim_analysis import figures, load, metrics
from tiersim_analysis.load import SIZE_CLASSES, TIERS

from conftest import METRICS, PARAMETERS

PACKAGE = Path(__file__).resolve().parents[2] / "analysis" / "tiersim_analysis"


class Raw:
    """The results file as plain numpy arrays, with each coded column's labels."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.ticks = int(f.attrs["ticks_completed"])
            self.tables = {name: f[name][:] for name in ("series/by_tier", "series/by_sector", "series/by_size",
                                                         "series/credit", "events", "panel/firms",
                                                         "programs/accounts")}
            self.labels = {}
            for name in self.tables:
                for key, value in f[name].attrs.items():
                    if key.endswith(".labels"):
                        self.labels[(name, key[:-len(".labels")])] = [
                            v.decode() if isinstance(v, bytes) else str(v) for v in value]

    def code(self, table, column, label):
        return self.labels[(table, column)].index(label)

    def __getitem__(self, name):
        return self.tables[name]


@pytest.fixture(scope="module")
def raw(results_path):
    return Raw(results_path)


def tier_rows(raw, tier):
    table = raw["series/by_tier"]
    return table[table["tier"] == raw.code("series/by_tier", "tier", tier)]


def per_tick(rows, column, ticks):
    return np.bincount(rows["tick"], weights=rows[column].astype(float), minlength=ticks)


# ------------------------------------------------------------------ one run: series

def test_per_year_sums_twelve_months_at_a_time():
    frame = pd.DataFrame({"x": np.arange(30.0)}, index=pd.RangeIndex(30, name="tick"))
    sums, means = metrics.per_year(frame), metrics.per_year(frame, how="mean")
    assert list(sums.index) == [0, 1, 2]
    assert list(sums["x"]) == [sum(range(12)), sum(range(12, 24)), sum(range(24, 30))]
    assert list(means["x"]) == [5.5, 17.5, 26.5]


def test_local_content_and_import_share_are_ratios_of_oem_totals(run, raw):
    oem = tier_rows(raw, "OEM")
    content = per_tick(oem, "domestic_value", raw.ticks) / per_tick(oem, "revenue", raw.ticks)
    imports, domestic = per_tick(oem, "imports", raw.ticks), per_tick(oem, "domestic_purchases", raw.ticks)
    np.testing.assert_allclose(metrics.local_content(run).to_numpy(), np.nan_to_num(content), rtol=1e-12)
    np.testing.assert_allclose(metrics.oem_import_share(run).to_numpy(),
                               np.nan_to_num(imports / (imports + domestic)), rtol=1e-12)


def test_pyramid_layers_are_tier_totals_with_value_added_smoothed_over_a_year(run, raw):
    layers = metrics.pyramid_layers(run)
    assert set(layers) == {"firms", "employment", "value_added"}
    for tier in TIERS:
        rows = tier_rows(raw, tier)
        np.testing.assert_array_equal(layers["firms"][tier].to_numpy(), per_tick(rows, "firms", raw.ticks))
        np.testing.assert_allclose(layers["employment"][tier].to_numpy(), per_tick(rows, "employment", raw.ticks))
        value = per_tick(rows, "value_added", raw.ticks)
        for tick in (0, 5, 11, 30, raw.ticks - 1):
            expected = max(0.0, value[max(0, tick - 11):tick + 1].mean())
            assert layers["value_added"][tier].iloc[tick] == pytest.approx(expected, rel=1e-9, abs=1e-6), (tier, tick)
    assert (layers["value_added"] >= 0).all().all()


def test_tier_series_are_firms_import_shares_and_smoothed_value_added_by_tier(run, raw):
    series = metrics.tier_series(run)
    tick = raw.ticks - 1
    for tier in TIERS:
        rows = tier_rows(raw, tier)
        imports = per_tick(rows, "imports", raw.ticks)[tick]
        purchases = imports + per_tick(rows, "domestic_purchases", raw.ticks)[tick]
        share = series["import_share"][tier].iloc[tick]
        if purchases:
            assert share == pytest.approx(imports / purchases)
        else:
            assert np.isnan(share)
        value = per_tick(rows, "value_added", raw.ticks)
        assert series["value_added"][tier].iloc[tick] == pytest.approx(value[-12:].mean(), rel=1e-9)
        assert series["firms"][tier].iloc[tick] == per_tick(rows, "firms", raw.ticks)[tick]


def test_bullwhip_series_and_ratios(run, raw):
    skip = metrics.bullwhip_start(run)
    assert skip == min(12, raw.ticks // 4)
    sectors = raw["series/by_sector"]
    demand = per_tick(sectors, "final_demand", raw.ticks)
    series = metrics.bullwhip_series(run, skip)
    np.testing.assert_allclose(series["final_demand"].to_numpy(), demand / demand[skip:].mean())
    ratios = metrics.bullwhip_ratios(run, skip)
    assert list(ratios.index) == TIERS
    cv_demand = demand[skip:].std(ddof=1) / demand[skip:].mean()
    for tier in TIERS:
        placed = per_tick(tier_rows(raw, tier), "orders_placed", raw.ticks)[skip:]
        if placed.mean() > 0:
            assert series[tier].iloc[skip:].mean() == pytest.approx(1.0)
            assert ratios[tier] == pytest.approx(placed.std(ddof=1) / placed.mean() / cv_demand)
        else:
            assert tier not in series and np.isnan(ratios[tier])


def test_msme_shares_and_firms_by_size_class(run, raw):
    sizes = raw["series/by_size"]
    msme = np.isin(sizes["size_class"], [raw.code("series/by_size", "size_class", s) for s in ("micro", "small",
                                                                                               "medium")])
    shares = metrics.msme_shares(run)
    for column in ("firms", "employment"):
        expected = per_tick(sizes[msme], column, raw.ticks) / per_tick(sizes, column, raw.ticks)
        np.testing.assert_allclose(shares[column].to_numpy(), expected)
    by_size = metrics.firms_by_size(run)
    assert list(by_size.columns) == SIZE_CLASSES
    for size in SIZE_CLASSES:
        rows = sizes[sizes["size_class"] == raw.code("series/by_size", "size_class", size)]
        np.testing.assert_array_equal(by_size[size].to_numpy(), per_tick(rows, "firms", raw.ticks))


def test_survival_counts_the_initial_firms_that_never_exited(run, raw):
    panel, events = raw["panel/firms"], raw["events"]
    micro = [raw.code("panel/firms", "size_class", s) for s in ("micro", "small", "medium")]
    initial = panel[(panel["tick"] == 0) & (panel["alive"] == 1)]
    msmes = set(initial["firm"][np.isin(initial["size_class"], micro)].tolist())
    exited = events[events["event"] == raw.code("events", "event", "exited")]
    survival = metrics.survival(run)["MSME"]
    for tick in (0, raw.ticks // 2, raw.ticks - 1):
        gone = set(exited["firm"][exited["tick"] <= tick].tolist()) & msmes
        assert survival.iloc[tick] == pytest.approx(1 - len(gone) / len(msmes)), tick


def test_flows_per_year_add_up_the_events_and_the_tier_series(run, raw):
    events = raw["events"]
    years = -(-raw.ticks // 12)
    flows = metrics.entries_exits_per_year(run)
    for column, event in (("entries", "entered"), ("exits", "exited")):
        ticks = events["tick"][events["event"] == raw.code("events", "event", event)]
        np.testing.assert_array_equal(flows[column].to_numpy(), np.bincount(ticks // 12, minlength=years))
    certified = events["tick"][events["event"] == raw.code("events", "event", "certified")]
    per_year = metrics.certifications_per_year(run)
    assert list(per_year.columns) == ["certified"]
    np.testing.assert_array_equal(per_year["certified"].to_numpy(), np.bincount(certified // 12, minlength=years))
    credit = metrics.credit_per_year(run)
    tiers = raw["series/by_tier"]
    for column in ("credit_applications", "loans_approved", "defaults"):
        by_year = np.bincount(tiers["tick"] // 12, weights=tiers[column].astype(float), minlength=years)
        np.testing.assert_allclose(credit[column].to_numpy(), by_year)


def test_credit_outcomes_by_size_class(run, raw):
    table = metrics.credit_outcomes_by_size(run)
    assert list(table.index.astype(str)) == SIZE_CLASSES
    credit = raw["series/credit"]
    for size in SIZE_CLASSES:
        for outcome in raw.labels[("series/credit", "outcome")]:
            rows = credit[(credit["size_class"] == raw.code("series/credit", "size_class", size))
                          & (credit["outcome"] == raw.code("series/credit", "outcome", outcome))]
            assert table.loc[size, outcome] == pytest.approx(rows["applications"].sum()), (size, outcome)


def test_certification_holders_by_tier_read_the_bits_of_the_snapshots(run, raw):
    holders = metrics.certification_holders_by_tier(run)
    assert list(holders) == run.certification_names
    panel = raw["panel/firms"]
    alive = panel[panel["alive"] == 1]
    for bit, name in enumerate(run.certification_names):
        table = holders[name]
        assert list(table.index) == sorted(set(panel["tick"].tolist()))
        for tier in TIERS:
            for tick in table.index:
                rows = alive[(alive["tick"] == tick) & (alive["tier"] == raw.code("panel/firms", "tier", tier))]
                assert table.loc[tick, tier] == ((rows["certifications"].astype(np.int64) >> bit) & 1).sum()


def test_program_money_per_year_and_cumulative(run, policy_results_path):
    assert metrics.outlays_per_year(run) is None and metrics.cumulative_fiscal_cost(run) is None
    with_policy = load(policy_results_path)
    ticks = with_policy.ticks
    yearly = metrics.outlays_per_year(with_policy)
    assert list(yearly.columns) == ["certification_subsidy"]
    months = np.bincount(np.arange(ticks) // 12)
    np.testing.assert_allclose(yearly["certification_subsidy"].to_numpy(), 1e5 * months)
    cumulative = metrics.cumulative_fiscal_cost(with_policy)["certification_subsidy"]
    np.testing.assert_allclose(cumulative.to_numpy(), 1e5 * np.arange(1, ticks + 1))


def test_compare_series_are_the_key_series_of_one_scenario(run, raw, policy_results_path):
    series = metrics.compare_series(run)
    assert list(series) == ["local content share", "OEM import share", "operating firms", "employment (workers)",
                            "loans approved, cumulative", "exits, cumulative",
                            "certifications obtained, cumulative", "MSME survival", "fiscal cost, cumulative (MXN)"]
    assert all(len(s) == raw.ticks for s in series.values())
    tiers = raw["series/by_tier"]
    np.testing.assert_array_equal(series["operating firms"].to_numpy(), per_tick(tiers, "firms", raw.ticks))
    np.testing.assert_allclose(series["loans approved, cumulative"].to_numpy(),
                               np.cumsum(per_tick(tiers, "loans_approved", raw.ticks)))
    assert (series["fiscal cost, cumulative (MXN)"] == 0).all()
    with_policy = metrics.compare_series(load(policy_results_path))
    assert with_policy["fiscal cost, cumulative (MXN)"].iloc[-1] == pytest.approx(1e5 * raw.ticks)


def test_key_numbers_agree_with_the_raw_tables(run, raw):
    numbers = metrics.key_numbers(run)
    sizes, events = raw["series/by_size"], raw["events"]
    assert numbers["firms operating (end)"] == sizes["firms"][sizes["tick"] == raw.ticks - 1].sum()
    assert numbers["employment (last 12 months)"] == pytest.approx(per_tick(sizes, "employment", raw.ticks)[-12:].mean())
    assert numbers["exits (total)"] == (events["event"] == raw.code("events", "event", "exited")).sum()
    tiers = raw["series/by_tier"]
    assert numbers["approval rate"] == pytest.approx(tiers["loans_approved"].sum() / tiers["credit_applications"].sum())


# ------------------------------------------------------------------ sweeps

@pytest.fixture(scope="module")
def runs_table(sweep_path):
    with h5py.File(sweep_path, "r") as f:
        table = pd.DataFrame(f["runs"][:])
    for column in ("run_id", "status", "error"):
        table[column] = table[column].map(lambda v: v.decode() if isinstance(v, bytes) else v)
    return table


def test_run_status_and_failed_runs(sweep, runs_table):
    status = metrics.run_status(sweep)
    assert status.index.name == "status" and list(status.columns) == ["runs"]
    assert status["runs"].to_dict() == runs_table["status"].value_counts().to_dict() == {"done": 17, "failed": 1}
    failed = metrics.failed_runs(sweep)
    assert list(failed.index) == ["a05r2"] and failed.loc["a05r2", "error"] == "tiersim exited with 1"


def test_arm_means_average_the_finished_runs_of_each_arm(sweep, runs_table):
    means = metrics.arm_means(sweep)
    assert list(means.columns) == ["replications", *PARAMETERS, *METRICS]
    done = runs_table[runs_table["status"] == "done"]
    for arm, rows in done.groupby("arm"):
        assert means.loc[arm, "replications"] == len(rows) == (2 if arm == 5 else 3)
        assert means.loc[arm, "msme_survival"] == pytest.approx(rows["msme_survival"].mean())


def test_the_response_table_is_mean_and_95_percent_interval_per_value(sweep, runs_table):
    done = runs_table[runs_table["status"] == "done"]
    table = metrics.response_table(sweep, "msme_survival", "policies.credit_guarantee.coverage")
    assert list(table["_x"]) == [0.0, 0.35, 0.7]
    for _, row in table.iterrows():
        values = done["msme_survival"][done["policies.credit_guarantee.coverage"] == row["_x"]]
        half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
        assert row["count"] == len(values)
        assert row["mean"] == pytest.approx(values.mean())
        assert (row["low"], row["high"]) == pytest.approx((values.mean() - half, values.mean() + half))
    by = metrics.response_table(sweep, "msme_survival", "policies.credit_guarantee.coverage",
                                by="credit.base_rate_annual")
    assert len(by) == 6 and by["count"].sum() == len(done)


def test_the_heatmap_table_is_the_mean_per_cell(sweep, runs_table):
    done = runs_table[runs_table["status"] == "done"]
    grid = metrics.heatmap_table(sweep, "msme_survival", "policies.credit_guarantee.coverage",
                                 "credit.base_rate_annual")
    assert list(grid.columns) == [0.0, 0.35, 0.7] and list(grid.index) == [0.08, 0.16]
    cell = done[(done["policies.credit_guarantee.coverage"] == 0.7) & (done["credit.base_rate_annual"] == 0.16)]
    assert len(cell) == 2  # the failed run is left out
    assert grid.loc[0.16, 0.7] == pytest.approx(cell["msme_survival"].mean())


def test_sensitivity_indices_match_the_variance_decomposition(sweep, runs_table):
    done = runs_table[runs_table["status"] == "done"]
    indices = metrics.sensitivity_indices(sweep)
    assert list(indices.index) == list(PARAMETERS) and list(indices.columns) == list(METRICS)
    y = done["msme_survival"]
    for parameter in PARAMETERS:
        means = y.groupby(done[parameter]).transform("mean")
        assert indices.loc[parameter, "msme_survival"] == pytest.approx(((means - y.mean()) ** 2).mean() / y.var(ddof=0))
    assert indices.loc["policies.credit_guarantee.coverage", "msme_survival"] > 0.8


def test_binned_keeps_a_grid_and_bins_a_sample():
    grid = pd.Series([0.1, 0.2, 0.1, 0.3])
    pd.testing.assert_series_equal(metrics.binned(grid), grid)
    sample = pd.Series(np.linspace(0, 1, 100))
    bins = metrics.binned(sample, bins=4)
    assert bins.nunique() == 4
    assert bins.iloc[0] == pytest.approx(sample.iloc[:25].mean())


def test_pick_metric_and_parameter(sweep):
    assert metrics.pick_metric(sweep) == METRICS[0]
    assert metrics.pick_parameter(sweep) == PARAMETERS[0]
    assert metrics.pick_parameter(sweep, position=1) == PARAMETERS[1]
    with pytest.raises(ValueError, match="msme_survival"):
        metrics.pick_metric(sweep, "nope")
    with pytest.raises(ValueError, match="credit.base_rate_annual"):
        metrics.pick_parameter(sweep, "nope")
    with pytest.raises(ValueError, match="fewer parameters"):
        metrics.pick_parameter(sweep, position=2)


# ------------------------------------------------------------------ layout: who computes

COMPUTING = {"groupby", "rolling", "expanding", "ewm", "cumsum", "cumprod", "pivot_table", "pivot", "value_counts",
             "agg", "aggregate", "mean", "sum", "std", "var", "median", "quantile", "diff", "pct_change", "unstack",
             "stack", "merge", "reindex", "resample", "clip", "qcut", "cut", "transform"}


@pytest.mark.parametrize("module,allowed", [
    ("figures.py", ["outcomes.to_numpy().sum() == 0",  # is there anything to draw?
                    'table.groupby("_by")']),           # one line per value of --param2
    ("report.py", [])])
def test_figures_draw_and_report_assembles_neither_computes(module, allowed):
    """Every aggregation lives in metrics.py; figures.py and report.py only call it."""
    source = (PACKAGE / module).read_text()
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in COMPUTING:
            line = lines[node.lineno - 1].strip()
            if not any(a in line for a in allowed):
                pytest.fail(f"{module}:{node.lineno} computes ({node.func.attr}): {line}")


def test_the_old_names_in_figures_are_the_metrics_functions():
    assert figures.sensitivity_indices is metrics.sensitivity_indices
    assert figures.response_table is metrics.response_table
    assert figures.bullwhip_ratios is metrics.bullwhip_ratios
