"""Program evaluation (tiersim_analysis.evaluation) on real results files: the teaching 70% guarantee and
the certification-subsidy lesson, written by ctest's policy_results fixture; the teaching baseline is the
paired base run (same seed, replication 0)."""
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tiersim_analysis import evaluation, figures, load, metrics, report


def _results(variable):
    path = os.environ.get(variable)
    if not path or not Path(path).exists():
        pytest.skip(f"{variable} names no results file (ctest sets it: the policy_results fixture)")
    return load(path)


@pytest.fixture(scope="module")
def guarantee():
    return _results("TIERSIM_GUARANTEE_RESULTS")


@pytest.fixture(scope="module")
def subsidy():
    return _results("TIERSIM_SUBSIDY_RESULTS")


def test_loans_split_into_additional_and_deadweight(guarantee):
    table = evaluation.loans(guarantee)
    numbers = evaluation.loan_additionality(guarantee)
    assert numbers["guaranteed loans"] > 0
    assert numbers["additional loans"] + numbers["deadweight loans"] == numbers["guaranteed loans"]
    # Under the steady-state rules the teaching guarantee's loans are mostly or all deadweight.
    assert 0 <= numbers["additionality"] <= 1
    assert numbers["additionality"] + numbers["deadweight share"] == pytest.approx(1)
    # An additional loan was denied without cover and approved with it.
    additional = table[table["additional"]]
    assert (additional["outcome_without_cover"].astype(str) != "approved").all()
    assert (additional["outcome_with_cover"].astype(str) == "approved").all()
    # Every loan lent appears in the series.
    assert table["lent"].sum() == guarantee.by_tier["loans_approved"].sum()


@pytest.fixture(scope="module")
def guarantee_under_a_slump(tmp_path_factory):
    """The teaching guarantee through a year-long 50% demand slump with thin cash: loans that default."""
    exe = os.environ.get("TIERSIM_EXE")
    if not exe:
        pytest.skip("TIERSIM_EXE not set (ctest sets it)")
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "policies" / "teaching_guarantee_70.yaml"
    out = tmp_path_factory.mktemp("slump") / "slump.h5"
    subprocess.run([exe, "run", str(scenario), "-q", "-o", str(out), "--set", "economy.initial_cash_months=0.5",
                    "--set", "shocks.demand=[{start_tick: 12, months: 12, level: -0.5}]"], check=True)
    return load(out)


def test_defaults_are_joined_to_the_loans_they_end(guarantee_under_a_slump):
    run = guarantee_under_a_slump
    table = evaluation.loans(run)
    defaulted = table[table["defaulted"]]
    assert len(defaulted)
    assert (defaulted["default_tick"] >= defaulted["tick"]).all()
    assert (defaulted["lost_mxn"] <= defaulted["amount_mxn"] + 1e-6).all()
    defaults = run.table("records/loan_defaults")
    assert defaults["claimed_mxn"].to_numpy() == pytest.approx((defaults["paid_mxn"] + defaults["unpaid_mxn"]).to_numpy())


def test_cost_per_additional_loan_is_the_guarantees_fiscal_cost_over_its_additional_loans(guarantee):
    cost = evaluation.program_fiscal_cost(guarantee, "credit_guarantee")
    accounts = guarantee.accounts[guarantee.accounts["program"].astype(str) == "credit_guarantee"]
    assert cost == pytest.approx((accounts["transfers_mxn"] + accounts["resource_cost_mxn"] - accounts["fees_mxn"]).sum())
    # Transfers and resource costs add up to the old definition plus the new costs.
    old = (accounts["outlays_mxn"] + accounts["revenue_forgone_mxn"] - accounts["fees_mxn"]).sum()
    new = (accounts["rate_subsidy_mxn"] + accounts["administration_mxn"] + accounts["capital_cost_mxn"]).sum()
    assert cost == pytest.approx(old + new)
    additional = evaluation.loan_additionality(guarantee)["additional loans"]
    if additional > 0:
        assert evaluation.cost_per_additional_loan(guarantee) == pytest.approx(cost / additional)
    else:
        assert math.isnan(evaluation.cost_per_additional_loan(guarantee))
    assert (accounts["budget_left_mxn"] >= 0).all()


def test_substitution_and_job_years_against_the_paired_base(run, guarantee):
    numbers = evaluation.substitution(run, guarantee)
    # The guarantee covers loans the bank made uncovered in the base run.
    assert numbers["change in uncovered loans"] < 0
    assert np.isfinite(evaluation.job_years(run, guarantee))
    assert set(evaluation.evaluation_numbers(guarantee, run)) >= {"cost per additional loan (MXN)",
                                                                  "cost per job-year (MXN)"}


def test_grants_say_whether_the_firm_would_have_started_without(subsidy):
    table = evaluation.grants(subsidy)
    numbers = evaluation.grant_additionality(subsidy)
    assert numbers["grants"] == len(table) > 0
    assert set(table["would_start_without"]) <= {0, 1}
    assert table["grant_mxn"].sum() == pytest.approx(
        subsidy.accounts[subsidy.accounts["program"].astype(str) == "certification_subsidy"]["outlays_mxn"].sum())
    assert (table["grant_mxn"] <= table["cost_mxn"] + 1e-6).all()
    assert numbers["firms certified after an additional grant"] > 0
    assert np.isfinite(evaluation.cost_per_certified_firm(subsidy))


def test_panel_has_the_evaluation_columns(guarantee):
    panel = guarantee.panel
    for column in ("cluster", "age_months", "programs", "program_reach", "fill_rate", "backlog"):
        assert column in panel
    assert (panel["age_months"] >= 0).all()
    # Firms enrolled in the guarantee (bit 0 of programs: credit_guarantee, the first program label).
    labels = [str(x) for x in guarantee.accounts["program"].cat.categories]
    bit = 1 << labels.index("credit_guarantee")
    assert ((panel["programs"] & bit) != 0).any()
    assert panel["fill_rate"].between(0, 1).all()


def test_kaplan_meier_survival_by_cohort_size_and_cluster(run):
    lifetimes = evaluation.lifetimes(run)
    assert (lifetimes["months"] >= 0).all()
    for by in ("cohort", "size_class", "cluster"):
        curves = evaluation.survival_curves(run, by)
        assert len(curves.columns)
        values = curves.to_numpy()
        assert np.nanmax(values) <= 1 and np.nanmin(values) >= 0
        for column in curves:  # a survival curve never rises
            series = curves[column].dropna()
            assert (series.diff().dropna() <= 1e-12).all()
    # Without censoring the estimator is the share still operating.
    initial = lifetimes[lifetimes["cohort"] == "initial"]
    km = evaluation.kaplan_meier(initial["months"], initial["exited"])
    exited_by_end = (initial["exited"] & (initial["months"] <= km.index[-1])).sum()
    assert km.iloc[-1] == pytest.approx(1 - exited_by_end / len(initial))


def test_kaplan_meier_with_censoring_by_hand():
    import pandas as pd
    # Four firms: exits at 2 and 5, censored at 3 and 6.
    km = evaluation.kaplan_meier(pd.Series([2, 3, 5, 6]), pd.Series([True, False, True, False]))
    assert km[1] == 1
    assert km[2] == pytest.approx(3 / 4)
    assert km[5] == pytest.approx(3 / 4 * 1 / 2)
    assert km[6] == pytest.approx(3 / 8)


def test_firm_count_at_start_is_the_one_tiersim_validate_prints(run):
    exe = os.environ.get("TIERSIM_EXE")
    if not exe:
        pytest.skip("TIERSIM_EXE not set (ctest sets it)")
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "teaching" / "pyramid.yaml"
    out = subprocess.run([exe, "validate", str(scenario)], capture_output=True, text=True, check=True).stdout
    firms = int(out.split(" firms")[0].rsplit(" ", 1)[-1])
    assert metrics.key_numbers(run)["firms at start (as tiersim validate counts them)"] == firms


def test_two_runs_of_one_scenario_are_told_apart_and_shocks_are_shaded(run, results_path, tmp_path):
    import shutil
    other = tmp_path / "other.h5"
    shutil.copy(results_path, other)
    b = load(other)
    name_a, name_b = figures.run_names(run, b)
    assert name_a != name_b and Path(results_path).stem in name_a and "other" in name_b
    fig = figures.compare(run, b)
    assert name_a in fig._suptitle.get_text() and name_b in fig._suptitle.get_text()
    page = report.compare_report(run, b)
    assert f"{name_a} vs {name_b}" in page


def test_shock_windows_come_from_the_resolved_scenario(run):
    import dataclasses
    shocked = dataclasses.replace(run, scenario=run.scenario + "\nshocks:\n  demand:\n    - {start_tick: 24, months: 6, level: -0.2}\n"
                                  "  interest_rate:\n    - {tick: 30, value: 0.2}\n")
    assert set(metrics.shock_windows(shocked)) >= {(24, 30, "demand"), (30, 30, "interest_rate")}
    fig = figures.msme(shocked)
    shaded = [patch for ax in fig.axes for patch in ax.patches if patch.get_label() == "shock: demand"]
    assert shaded
