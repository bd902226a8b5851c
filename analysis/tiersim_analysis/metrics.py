"""Derived series and the key numbers of a run, from the tables of docs/hdf5.md.

Every function takes a Run (tiersim_analysis.load) and returns a DataFrame or a
Series indexed by tick, summed over sectors (national totals) unless it says
otherwise. Shares are ratios of sums (pesos over pesos), never means of shares.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Optional

import numpy as np
import pandas as pd

from .load import MSME_CLASSES, SIZE_CLASSES, TIERS, Run


def _ratio(numerator, denominator):
    numerator = pd.Series(numerator, dtype=float)
    denominator = pd.Series(denominator, dtype=float)
    return (numerator / denominator.where(denominator != 0)).fillna(0.0)


def by_tier_totals(run: Run, columns) -> pd.DataFrame:
    """Columns of series/by_tier summed over sectors: index tick, columns (column, tier)."""
    table = run.by_tier
    totals = table.groupby(["tick", "tier"], observed=False)[list(columns)].sum().unstack("tier")
    return totals.reindex(columns=pd.MultiIndex.from_product([list(columns), TIERS]), fill_value=0.0)


def pyramid(run: Run) -> Dict[str, pd.DataFrame]:
    """Firms, output (units), employment and value added by tier over time: {name: tick x tier}."""
    names = ("firms", "output", "employment", "value_added")
    totals = by_tier_totals(run, list(names))
    return {name: totals[name] for name in names}


def rolling_year(frame, months: int = 12):
    """Trailing 12-month mean (fewer months at the start): flows that swing month to month, e.g. value added."""
    return frame.rolling(months, min_periods=1).mean()


def local_content(run: Run) -> pd.Series:
    """National local content share: domestic value embodied in OEM sales over OEM sales."""
    oem = run.by_tier[run.by_tier["tier"] == "OEM"].groupby("tick")[["domestic_value", "revenue"]].sum()
    return _ratio(oem["domestic_value"], oem["revenue"]).rename("local_content_share")


def oem_import_share(run: Run) -> pd.Series:
    """Imports as a share of OEMs' input purchases."""
    oem = run.by_tier[run.by_tier["tier"] == "OEM"].groupby("tick")[["imports", "domestic_purchases"]].sum()
    return _ratio(oem["imports"], oem["imports"] + oem["domestic_purchases"]).rename("oem_import_share")


def import_share_by_tier(run: Run) -> pd.DataFrame:
    """Imports as a share of input purchases, tier by tier (tick x tier); NaN in a month a tier bought nothing."""
    totals = by_tier_totals(run, ["imports", "domestic_purchases"])
    purchases = totals["imports"] + totals["domestic_purchases"]
    return totals["imports"] / purchases.where(purchases != 0)


def by_sector(run: Run, column: str) -> pd.DataFrame:
    """One column of series/by_sector, tick x sector."""
    table = run.by_sector
    return table.pivot_table(index="tick", columns="sector", values=column, observed=True, aggfunc="sum")


def msme_shares(run: Run) -> pd.DataFrame:
    """MSME (micro, small, medium) share of operating firms and of employment, by tick."""
    table = run.by_size.copy()
    table["msme"] = table["size_class"].isin(MSME_CLASSES)
    total = table.groupby("tick")[["firms", "employment"]].sum()
    msme = table[table["msme"]].groupby("tick")[["firms", "employment"]].sum().reindex(total.index, fill_value=0)
    return pd.DataFrame({"firms": _ratio(msme["firms"], total["firms"]),
                         "employment": _ratio(msme["employment"], total["employment"])})


def firms_by_size(run: Run) -> pd.DataFrame:
    """Operating firms by size class, tick x size class."""
    table = run.by_size.groupby(["tick", "size_class"], observed=False)["firms"].sum().unstack("size_class")
    return table.reindex(columns=SIZE_CLASSES, fill_value=0)


def survival(run: Run) -> Optional[pd.DataFrame]:
    """Share of the firms present at tick 0 still operating after each tick, by size class (and 'MSME').

    Needs the tick-0 firm snapshot (panel/firms) and the event table; None without them.
    """
    panel, events = run.panel, run.events
    if not len(panel) or "tick" not in panel or 0 not in set(panel["tick"]) or not len(events.columns):
        return None
    initial = panel[(panel["tick"] == 0) & (panel["alive"] == 1)][["firm", "size_class"]]
    exits = events[events["event"] == "exited"][["tick", "firm"]]
    exits = exits.merge(initial, on="firm")  # exits of initial firms only
    ticks = pd.RangeIndex(run.ticks, name="tick")
    out = {}
    groups = [(str(s), [s]) for s in SIZE_CLASSES] + [("MSME", MSME_CLASSES)]
    for name, classes in groups:
        n = int(initial["size_class"].isin(classes).sum())
        if n == 0:
            continue
        exited = exits[exits["size_class"].isin(classes)].groupby("tick").size().reindex(ticks, fill_value=0)
        out[name] = 1.0 - exited.cumsum() / n
    return pd.DataFrame(out, index=ticks)


def entries_exits(run: Run) -> pd.DataFrame:
    """Entries and exits per tick (all tiers) and their cumulative sums."""
    table = run.by_tier.groupby("tick")[["entries", "exits"]].sum()
    table["cumulative_entries"] = table["entries"].cumsum()
    table["cumulative_exits"] = table["exits"].cumsum()
    return table


def credit_flows(run: Run) -> pd.DataFrame:
    """Applications, approvals and defaults per tick (firms), all tiers."""
    return run.by_tier.groupby("tick")[["credit_applications", "loans_approved", "defaults"]].sum()


def credit_outcomes(run: Run, by: Optional[str] = None) -> pd.DataFrame:
    """Applications by outcome (approved or the denial reason); per tick, or totals by `by` (e.g. size_class)."""
    table = run.credit
    index = by or "tick"
    return table.groupby([index, "outcome"], observed=False)["applications"].sum().unstack("outcome")


def certifications_started(run: Run) -> pd.Series:
    """Certifications obtained per tick (events 'certified')."""
    events = run.events
    if not len(events):
        return pd.Series(0, index=pd.RangeIndex(run.ticks, name="tick"), name="certified")
    certified = events[events["event"] == "certified"].groupby("tick").size()
    return certified.reindex(pd.RangeIndex(run.ticks, name="tick"), fill_value=0).rename("certified")


def certification_holders(run: Run) -> Optional[pd.DataFrame]:
    """Operating firms holding each certification at each snapshot tick, by tier: index (tick, tier)."""
    panel = run.panel
    if not len(panel):
        return None
    alive = panel[panel["alive"] == 1]
    bits = alive["certifications"].to_numpy().astype(np.int64)
    out = alive[["tick", "tier"]].copy()
    for k, name in enumerate(run.certification_names):
        out[name] = (bits >> k) & 1
    return out.groupby(["tick", "tier"], observed=False).sum()


def program_accounts(run: Run) -> Optional[pd.DataFrame]:
    """Rows of programs/accounts for the programs the scenario has (in force at some tick); None if none."""
    accounts = run.table("programs/accounts")
    if not len(accounts) or "program" not in accounts:
        return None
    active = accounts.groupby("program", observed=True)["in_force"].max()
    names = [str(p) for p, on in active.items() if on > 0]
    if not names:
        return None
    accounts = accounts[accounts["program"].astype(str).isin(names)].copy()
    accounts["program"] = accounts["program"].astype(str)
    return accounts


def _by_program(run: Run, values) -> Optional[pd.DataFrame]:
    accounts = program_accounts(run)
    if accounts is None:
        return None
    accounts = accounts.assign(_value=values(accounts))
    out = accounts.pivot_table(index="tick", columns="program", values="_value", aggfunc="sum").fillna(0.0)
    return out.reindex(pd.RangeIndex(run.ticks, name="tick"), fill_value=0.0)


def policy_outlays(run: Run) -> Optional[pd.DataFrame]:
    """Public money spent per tick (outlays_mxn), tick x program, for the programs the scenario has."""
    return _by_program(run, lambda a: a["outlays_mxn"])


def fiscal_cost(run: Run) -> Optional[pd.DataFrame]:
    """Fiscal cost per tick, tick x program: outlays + tariff revenue forgone - fees (docs/hdf5.md)."""
    return _by_program(run, lambda a: a["outlays_mxn"] + a["revenue_forgone_mxn"] - a["fees_mxn"])


def program_take_up(run: Run) -> Optional[pd.DataFrame]:
    """Firms each program reached per tick, tick x program."""
    return _by_program(run, lambda a: a["take_up"].astype(float))


def _tail_mean(series: pd.Series, months: int = 12) -> float:
    return float(series.iloc[-months:].mean()) if len(series) else float("nan")


def key_numbers(run: Run) -> "OrderedDict[str, float]":
    """The numbers a policy memo quotes, by label. Shares are fractions; last-year values are 12-month means."""
    numbers = OrderedDict()
    last = run.ticks - 1
    numbers["local content share (last 12 months)"] = _tail_mean(local_content(run))
    numbers["OEM import share (last 12 months)"] = _tail_mean(oem_import_share(run))
    shares = msme_shares(run)
    numbers["MSME share of firms (end)"] = float(shares["firms"].iloc[-1])
    numbers["MSME share of employment (end)"] = float(shares["employment"].iloc[-1])
    sizes = run.by_size
    numbers["firms operating (end)"] = float(sizes[sizes["tick"] == last]["firms"].sum())
    numbers["employment (last 12 months)"] = _tail_mean(sizes.groupby("tick")["employment"].sum())
    surv = survival(run)
    if surv is not None and "MSME" in surv:
        numbers["MSME survival (share of initial MSMEs operating at end)"] = float(surv["MSME"].iloc[-1])
    flows = entries_exits(run)
    numbers["entries (total)"] = float(flows["entries"].sum())
    numbers["exits (total)"] = float(flows["exits"].sum())
    credit = credit_flows(run)
    numbers["credit applications (total)"] = float(credit["credit_applications"].sum())
    numbers["loans approved (total)"] = float(credit["loans_approved"].sum())
    numbers["approval rate"] = float(_ratio([credit["loans_approved"].sum()],
                                            [credit["credit_applications"].sum()]).iloc[0])
    numbers["loan defaults (total)"] = float(credit["defaults"].sum())
    numbers["certifications obtained (total)"] = float(certifications_started(run).sum())
    outlays = policy_outlays(run)
    if outlays is not None:
        numbers["policy outlays (total, MXN)"] = float(outlays.to_numpy().sum())
        numbers["fiscal cost (total, MXN)"] = float(fiscal_cost(run).to_numpy().sum())
        numbers["program take-up (firm-months)"] = float(program_take_up(run).to_numpy().sum())
    return numbers


SHARE_LABELS = ("share", "rate", "survival")


def format_number(label: str, value: float) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if any(word in label for word in SHARE_LABELS) and abs(value) <= 1.5:
        return f"{100 * value:.1f}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def compare_numbers(a: Run, b: Run) -> pd.DataFrame:
    """Key numbers of A and B side by side, B - A, and the policy's cost-effectiveness when B has outlays.

    Cost per job kept = (fiscal cost B - fiscal cost A) / (employment B - employment A, last-12-month means);
    cost per point of local content = (fiscal cost B - A) / (100 x (local content B - A)).
    """
    na, nb = key_numbers(a), key_numbers(b)
    labels = list(OrderedDict.fromkeys(list(na) + list(nb)))
    table = pd.DataFrame({"A": [na.get(k, np.nan) for k in labels], "B": [nb.get(k, np.nan) for k in labels]},
                         index=labels)
    table["B - A"] = table["B"] - table["A"]
    for label, value in cost_effectiveness(a, b).items():
        table.loc[label] = [np.nan, value, np.nan]
    return table


def cost_effectiveness(a: Run, b: Run) -> "OrderedDict[str, float]":
    """Extra fiscal cost of B over A per job kept and per percentage point of local content
    (empty unless B costs more)."""
    out = OrderedDict()
    costs = [fiscal_cost(r) for r in (a, b)]
    spent = [float(c.to_numpy().sum()) if c is not None else 0.0 for c in costs]
    extra = spent[1] - spent[0]
    if extra <= 0:
        return out
    na, nb = key_numbers(a), key_numbers(b)
    jobs = nb["employment (last 12 months)"] - na["employment (last 12 months)"]
    points = 100 * (nb["local content share (last 12 months)"] - na["local content share (last 12 months)"])
    out["extra fiscal cost B - A (MXN)"] = extra
    out["cost per job kept (MXN)"] = extra / jobs if jobs > 0 else float("nan")
    out["cost per point of local content (MXN)"] = extra / points if points > 0 else float("nan")
    return out
