"""Program evaluation from a run's records (docs/hdf5.md, "records"; docs/evaluation.md): what a program
caused, what it only paid for, what it cost per result, and how long firms survive.

- **Additionality** of a guarantee: the share of guaranteed loans the bank denied without the cover
  (records/loans, `outcome_without_cover` not `approved`). **Deadweight**: the guaranteed loans it would
  have made anyway. **Substitution** (two runs): the change in loans lent without cover, policy minus
  base, paired on common random numbers.
- **Grants**: a certification grant is additional when the firm's own decision rule, evaluated with a
  grant of 0, would not have started the certification (records/grants `would_start_without` = 0).
- **Cost per result**: a program's fiscal cost (transfers + resource costs - fees, programs/accounts) per
  additional loan, per firm certified thanks to a grant, and (two runs) per job-year added.
- **Survival**: Kaplan-Meier curves of firms from entry (or from the first month, for the initial
  population, which is then left-truncated) to exit, by cohort, size class or cluster, from the event
  table and panel/firms.

All functions take Runs (tiersim_analysis.load) and return plain numbers or DataFrames; one run is one
draw: for intervals compare replications with `tiersim compare` (the metrics `additionality`,
`additional_loans`, `guaranteed_loans`, `fiscal_cost` name these numbers there).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Optional

import numpy as np
import pandas as pd

from .load import Run


def _nan_ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


# --------------------------------------------------------------------------- loans

def loans(run: Run) -> pd.DataFrame:
    """records/loans, one row per application, with the evaluator's columns added:

    lent (a loan was made), guaranteed (lent with cover), additional (guaranteed, denied without the
    cover), deadweight (guaranteed, approved without it), default_tick (the borrower's first write-off
    at or after the loan's tick; NaN: never), defaulted, and lost_mxn (the part of the principal still
    owed at that write-off; the default rate counts any write-off, the loss rate weighs it).
    """
    table = run.table("records/loans").copy()
    if not len(table):
        return table
    approved_without = table["outcome_without_cover"].astype(str) == "approved"
    table["lent"] = table["amount_mxn"] > 0
    table["guaranteed"] = table["lent"] & (table["cover_mxn"] > 0)
    table["additional"] = table["guaranteed"] & ~approved_without
    table["deadweight"] = table["guaranteed"] & approved_without
    table["default_tick"] = _first_default_after(table, run.table("records/loan_defaults"))
    table["defaulted"] = table["lent"] & table["default_tick"].notna()
    # Loans amortise geometrically (1/term of the debt a month, docs/model.md "11. finance"): what is
    # left of this one when its borrower's debt is written off.
    term = float((run.scenario_dict.get("credit") or {}).get("loan_term_months", 24))
    left = (1.0 - 1.0 / term) ** (table["default_tick"] - table["tick"])
    table["lost_mxn"] = np.where(table["defaulted"], table["amount_mxn"] * left, 0.0)
    return table


def _first_default_after(table: pd.DataFrame, defaults: pd.DataFrame) -> pd.Series:
    """For each (firm, tick) row, the tick of the firm's first write-off at or after it (NaN: none)."""
    out = pd.Series(np.nan, index=table.index)
    if not len(defaults):
        return out
    by_firm = defaults.groupby("firm")["tick"].apply(lambda t: np.sort(t.to_numpy()))
    for firm, rows in table.groupby("firm").groups.items():
        if firm not in by_firm.index:
            continue
        ticks = by_firm[firm]
        loan_ticks = table.loc[rows, "tick"].to_numpy()
        position = np.searchsorted(ticks, loan_ticks, side="left")
        found = position < len(ticks)
        values = np.full(len(rows), np.nan)
        values[found] = ticks[position[found]]
        out.loc[rows] = values
    return out


def loan_additionality(run: Run) -> "OrderedDict[str, float]":
    """Counts and shares of a guarantee's loans: applications, loans lent, guaranteed, additional,
    deadweight, additionality (additional / guaranteed), deadweight share, pesos guaranteed and
    additional, and the default and loss rates of additional and deadweight loans. NaN shares without
    guaranteed loans."""
    table = loans(run)
    out = OrderedDict()
    if not len(table):
        return out
    guaranteed, additional, deadweight = (int(table[c].sum()) for c in ("guaranteed", "additional", "deadweight"))
    out["applications"] = float(len(table))
    out["loans lent"] = float(table["lent"].sum())
    out["guaranteed loans"] = float(guaranteed)
    out["additional loans"] = float(additional)
    out["deadweight loans"] = float(deadweight)
    out["additionality"] = _nan_ratio(additional, guaranteed)
    out["deadweight share"] = _nan_ratio(deadweight, guaranteed)
    out["guaranteed principal (MXN)"] = float(table.loc[table["guaranteed"], "amount_mxn"].sum())
    out["additional principal (MXN)"] = float(table.loc[table["additional"], "amount_mxn"].sum())
    out["default rate, additional loans"] = _nan_ratio(table.loc[table["additional"], "defaulted"].sum(), additional)
    out["default rate, deadweight loans"] = _nan_ratio(table.loc[table["deadweight"], "defaulted"].sum(), deadweight)
    for kind in ("additional", "deadweight"):
        rows = table[table[kind]]
        out[f"loss rate, {kind} loans"] = _nan_ratio(rows["lost_mxn"].sum(), rows["amount_mxn"].sum())
    return out


def substitution(base: Run, policy: Run) -> "OrderedDict[str, float]":
    """Loans lent without cover, base and policy runs (same seed and replication: one paired draw), and
    the change; a fall means guaranteed loans replaced loans the bank made uncovered before."""
    counts = []
    for run in (base, policy):
        table = loans(run)
        uncovered = table["lent"] & ~table["guaranteed"] if len(table) else pd.Series(dtype=bool)
        counts.append((float(uncovered.sum()), float(table.loc[uncovered, "amount_mxn"].sum()) if len(table) else 0.0))
    return OrderedDict([("uncovered loans, base", counts[0][0]), ("uncovered loans, policy", counts[1][0]),
                        ("change in uncovered loans", counts[1][0] - counts[0][0]),
                        ("change in uncovered principal (MXN)", counts[1][1] - counts[0][1])])


# --------------------------------------------------------------------------- grants

def grants(run: Run) -> pd.DataFrame:
    """records/grants with `additional` (the firm would not have started without the grant) and
    `certified` (a `certified` event of the firm after the grant's tick, within the run: the audit
    passed)."""
    table = run.table("records/grants").copy()
    if not len(table):
        return table
    table["additional"] = table["would_start_without"] == 0
    events = run.events
    certified = events[events["event"].astype(str) == "certified"] if len(events) else pd.DataFrame(columns=["firm", "tick"])
    first = certified.groupby("firm")["tick"].apply(lambda t: np.sort(t.to_numpy()))
    table["certified"] = [firm in first.index and bool((first[firm] > tick).any())
                          for firm, tick in zip(table["firm"], table["tick"])]
    return table


def grant_additionality(run: Run) -> "OrderedDict[str, float]":
    """Grants, additional grants, the deadweight share, pesos granted and the firms certified after an
    additional grant."""
    table = grants(run)
    out = OrderedDict()
    if not len(table):
        return out
    additional = int(table["additional"].sum())
    out["grants"] = float(len(table))
    out["additional grants"] = float(additional)
    out["deadweight share"] = _nan_ratio(len(table) - additional, len(table))
    out["granted (MXN)"] = float(table["grant_mxn"].sum())
    out["firms certified after an additional grant"] = float(table.loc[table["additional"] & table["certified"], "firm"].nunique())
    return out


# --------------------------------------------------------------------------- costs

def program_fiscal_cost(run: Run, program: Optional[str] = None) -> float:
    """Fiscal cost over the run: transfers + resource costs - fees (programs/accounts), of one program or
    all of them. Files written before the split (no transfers_mxn): outlays + revenue forgone - fees."""
    accounts = run.accounts
    if not len(accounts):
        return 0.0
    if program is not None:
        accounts = accounts[accounts["program"].astype(str) == program]
    if "transfers_mxn" in accounts:
        return float((accounts["transfers_mxn"] + accounts["resource_cost_mxn"] - accounts["fees_mxn"]).sum())
    return float((accounts["outlays_mxn"] + accounts["revenue_forgone_mxn"] - accounts["fees_mxn"]).sum())


def cost_per_additional_loan(run: Run) -> float:
    """The guarantee's fiscal cost per additional loan (NaN without one)."""
    return _nan_ratio(program_fiscal_cost(run, "credit_guarantee"), loan_additionality(run).get("additional loans", 0))


def cost_per_certified_firm(run: Run) -> float:
    """The certification subsidy's fiscal cost per firm certified after an additional grant (NaN without one)."""
    return _nan_ratio(program_fiscal_cost(run, "certification_subsidy"),
                      grant_additionality(run).get("firms certified after an additional grant", 0))


def job_years(base: Run, policy: Run) -> float:
    """Employment of the policy run minus the base run, summed over the months both ran, in years of a
    job (one paired draw)."""
    employment = [run.by_tier.groupby("tick")["employment"].sum() for run in (base, policy)]
    difference = (employment[1] - employment[0]).dropna()
    return float(difference.sum() / 12.0)


def cost_per_job_year(base: Run, policy: Run) -> float:
    """Extra fiscal cost of the policy run over the base per job-year added (NaN when none is added)."""
    added = job_years(base, policy)
    extra = program_fiscal_cost(policy) - program_fiscal_cost(base)
    return extra / added if added > 0 else float("nan")


def evaluation_numbers(run: Run, base: Optional[Run] = None) -> "OrderedDict[str, float]":
    """Every number above that the run (and a paired base run) allows, labelled for a table."""
    out = OrderedDict()
    for label, value in loan_additionality(run).items():
        out[f"loans: {label}"] = value
    if out:
        out["cost per additional loan (MXN)"] = cost_per_additional_loan(run)
    for label, value in grant_additionality(run).items():
        out[f"grants: {label}"] = value
    if any(k.startswith("grants:") for k in out):
        out["cost per certified firm (MXN)"] = cost_per_certified_firm(run)
    if base is not None:
        for label, value in substitution(base, run).items():
            out[f"loans: {label}"] = value
        out["job-years added"] = job_years(base, run)
        out["cost per job-year (MXN)"] = cost_per_job_year(base, run)
    return out


# --------------------------------------------------------------------------- survival

def lifetimes(run: Run) -> pd.DataFrame:
    """One row per firm that operated: entry_tick (0 for the initial population), exit_tick (NaN: still
    operating at the end), months (to exit, or to the end: censored), exited, and its size_class, cluster
    and tier at its first snapshot (NaN for a firm that entered and exited between snapshots), cohort
    ('initial', or 'entered year k')."""
    events, panel = run.events, run.panel
    if not len(events.columns):
        raise ValueError("survival needs the event table (output.events)")
    kinds = events["event"].astype(str)
    entered = events[kinds == "entered"].groupby("firm")["tick"].min()
    exited = events[kinds == "exited"].groupby("firm")["tick"].min()
    firms = set(entered.index) | set(exited.index)
    if len(panel):
        firms |= set(panel["firm"])
    frame = pd.DataFrame(index=pd.Index(sorted(firms), name="firm"))
    frame["entry_tick"] = entered.reindex(frame.index).fillna(0).astype(int)
    frame["exit_tick"] = exited.reindex(frame.index)
    frame["exited"] = frame["exit_tick"].notna()
    last = run.ticks - 1
    frame["months"] = frame["exit_tick"].fillna(last) - frame["entry_tick"]
    frame["cohort"] = np.where(frame.index.isin(entered.index),
                               "entered year " + (frame["entry_tick"] // 12).astype(str), "initial")
    if len(panel):
        first = panel.sort_values("tick").groupby("firm").first()
        for column in ("size_class", "cluster", "tier"):
            if column in first:
                frame[column] = first[column].reindex(frame.index)
    return frame.reset_index()


def kaplan_meier(months: pd.Series, exited: pd.Series) -> pd.Series:
    """Kaplan-Meier survival S(t) at t = 0, 1, ... max(months): the product over exit months u <= t of
    (1 - exits at u / firms at risk at u); a firm still operating at the end is censored."""
    months = months.to_numpy(dtype=float)
    exited = exited.to_numpy(dtype=bool)
    horizon = int(months.max()) if len(months) else 0
    survival, s = [], 1.0
    for t in range(horizon + 1):
        at_risk = (months >= t).sum()
        exits = ((months == t) & exited).sum()
        if at_risk > 0:
            s *= 1.0 - exits / at_risk
        survival.append(s)
    return pd.Series(survival, index=pd.RangeIndex(horizon + 1, name="months"))


def survival_curves(run: Run, by: str = "cohort", msme_only: bool = False) -> pd.DataFrame:
    """Kaplan-Meier survival by `by` ('cohort', 'size_class', 'cluster' or 'tier'): months since entry x
    group. `msme_only` keeps micro, small and medium firms (size at the first snapshot)."""
    frame = lifetimes(run)
    if by not in frame:
        raise ValueError(f"no '{by}' for the firms (size_class, cluster and tier need panel/firms)")
    if msme_only:
        frame = frame[frame["size_class"].astype(str).isin(["micro", "small", "medium"])]
    curves = {str(group): kaplan_meier(rows["months"], rows["exited"])
              for group, rows in frame.groupby(by, observed=True) if len(rows)}
    return pd.DataFrame(curves)
