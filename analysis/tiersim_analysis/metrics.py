"""Every number the figures, the report and `tiersim-plot numbers` show: derived series, key numbers,
and the statistics of a sweep, from the tables of docs/hdf5.md.

This is the package's only computing module: `load` reads tables into DataFrames, `figures` draws what
these functions return, `report` assembles pages from both. Everything here is a plain function of a Run
or a Sweep (tiersim_analysis.load) returning a DataFrame, a Series, a dict of them or a number; nothing
here draws.

Run functions return series indexed by tick, summed over sectors (national totals) unless they say
otherwise. Shares are ratios of sums (pesos over pesos), never means of shares. Money is in MXN, flows
per month unless the name says per year.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Optional

import numpy as np
import pandas as pd

from .load import MSME_CLASSES, SIZE_CLASSES, TIERS, Run, Sweep


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


def per_year(frame, how: str = "sum"):
    """Monthly rows (index: tick) grouped into years since the start (index 0, 1, ...): sums of flows
    (how="sum") or means (how="mean"). A final partial year is summed over the months it has."""
    years = (frame.index.to_numpy() // 12).astype(int)
    grouped = frame.groupby(years)
    return grouped.sum() if how == "sum" else grouped.mean()


def pyramid_layers(run: Run) -> Dict[str, pd.DataFrame]:
    """The layers of the `pyramid` figure, tick x tier: operating firms, employment (workers) and value added
    (MXN/month) as a trailing 12-month mean, negative months clipped to 0 (a stack has no negative layer).
    Value added rather than output: a unit of each tier is a different good."""
    data = pyramid(run)
    return {"firms": data["firms"], "employment": data["employment"],
            "value_added": rolling_year(data["value_added"]).clip(lower=0)}


def tier_series(run: Run) -> Dict[str, pd.DataFrame]:
    """The tier-by-tier series of the `compare-tiers` figure, tick x tier: operating firms, import share of
    input purchases (NaN in a month a tier bought nothing) and value added (MXN/month, trailing 12-month
    mean)."""
    data = pyramid(run)
    return {"firms": data["firms"], "import_share": import_share_by_tier(run),
            "value_added": rolling_year(data["value_added"])}


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


def _orders_and_demand(run: Run):
    placed = by_tier_totals(run, ["orders_placed"])["orders_placed"]
    demand = run.by_sector.groupby("tick")["final_demand"].sum()
    return placed, demand


def bullwhip_start(run: Run, skip: int = 12) -> int:
    """Start-up months the bullwhip measures leave out: `skip`, but at most a quarter of the run."""
    return min(skip, max(0, run.by_sector["tick"].nunique() // 4))


def bullwhip_series(run: Run, skip: int = 12) -> pd.DataFrame:
    """National final demand ('final_demand') and each tier's orders placed, each over its own mean after
    the start-up months (bullwhip_start): tick x series, 1 = the series' mean. A tier that placed no orders
    after the start-up has no column."""
    placed, demand = _orders_and_demand(run)
    skip = min(skip, max(0, len(demand) // 4))
    out = {"final_demand": demand / demand.iloc[skip:].mean()}
    for tier in TIERS:
        mean = placed[tier].iloc[skip:].mean()
        if mean > 0:
            out[tier] = placed[tier] / mean
    return pd.DataFrame(out)


def bullwhip_ratios(run: Run, skip: int = 12) -> pd.Series:
    """Coefficient of variation (sd / mean) of each tier's orders placed over that of final demand,
    after `skip` start-up months (at most a quarter of the run): 1 = no amplification. Relative
    variability, so tiers that buy smaller volumes (part of their inputs imported) compare fairly.
    NaN for a tier that placed no orders."""
    placed, demand = _orders_and_demand(run)
    skip = min(skip, max(0, len(demand) // 4))

    def cv(series):
        part = series.iloc[skip:]
        return part.std() / part.mean() if part.mean() > 0 else np.nan

    base = cv(demand)
    return pd.Series({tier: cv(placed[tier]) / base if base > 0 else np.nan for tier in TIERS},
                     name="bullwhip_ratio")


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


def entries_exits_per_year(run: Run) -> pd.DataFrame:
    """Entries and exits per year since the start (index: year)."""
    return per_year(entries_exits(run)[["entries", "exits"]])


def credit_flows(run: Run) -> pd.DataFrame:
    """Applications, approvals and defaults per tick (firms), all tiers."""
    return run.by_tier.groupby("tick")[["credit_applications", "loans_approved", "defaults"]].sum()


def credit_per_year(run: Run) -> pd.DataFrame:
    """Applications, approvals and defaults per year since the start (index: year)."""
    return per_year(credit_flows(run))


def credit_outcomes(run: Run, by: Optional[str] = None) -> pd.DataFrame:
    """Applications by outcome (approved or the denial reason); per tick, or totals by `by` (e.g. size_class)."""
    table = run.credit
    index = by or "tick"
    return table.groupby([index, "outcome"], observed=False)["applications"].sum().unstack("outcome")


def credit_outcomes_by_size(run: Run) -> pd.DataFrame:
    """Applications over the whole run by outcome (columns), size class by size class (rows, micro first)."""
    return credit_outcomes(run, by="size_class").reindex(SIZE_CLASSES)


def certifications_started(run: Run) -> pd.Series:
    """Certifications obtained per tick (events 'certified')."""
    events = run.events
    if not len(events):
        return pd.Series(0, index=pd.RangeIndex(run.ticks, name="tick"), name="certified")
    certified = events[events["event"] == "certified"].groupby("tick").size()
    return certified.reindex(pd.RangeIndex(run.ticks, name="tick"), fill_value=0).rename("certified")


def certifications_per_year(run: Run) -> pd.DataFrame:
    """Certifications obtained per year since the start: one column, 'certified' (index: year)."""
    return per_year(certifications_started(run).to_frame())


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


def certification_holders_by_tier(run: Run) -> Dict[str, pd.DataFrame]:
    """certification_holders reshaped: {certification: snapshot tick x tier}; empty without snapshots."""
    holders = certification_holders(run)
    if holders is None:
        return {}
    return {name: holders[name].unstack("tier") for name in holders.columns}


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
    """Fiscal cost per tick, tick x program: transfers + resource costs - fees (docs/model.md, "Fiscal
    accounts"); files written before that split: outlays + tariff revenue forgone - fees."""
    def cost(a):
        if "transfers_mxn" in a:
            return a["transfers_mxn"] + a["resource_cost_mxn"] - a["fees_mxn"]
        return a["outlays_mxn"] + a["revenue_forgone_mxn"] - a["fees_mxn"]
    return _by_program(run, cost)


def program_take_up(run: Run) -> Optional[pd.DataFrame]:
    """Firms each program reached per tick, tick x program."""
    return _by_program(run, lambda a: a["take_up"].astype(float))


def outlays_per_year(run: Run) -> Optional[pd.DataFrame]:
    """policy_outlays summed by year since the start: year x program (MXN per year); None without programs."""
    outlays = policy_outlays(run)
    return None if outlays is None else per_year(outlays)


def cumulative_fiscal_cost(run: Run) -> Optional[pd.DataFrame]:
    """fiscal_cost accumulated since the start: tick x program (MXN); None without programs."""
    cost = fiscal_cost(run)
    return None if cost is None else cost.cumsum()


def firms_at_start(run: Run) -> Optional[int]:
    """The firms the scenario builds, as `tiersim validate` counts them: the sum of every tier's `firms`
    in the resolved scenario (slots kept for entrants are not firms). None without the scenario text."""
    sectors = run.scenario_dict.get("sectors") or {}
    if not sectors:
        return None
    return int(sum(int((tier or {}).get("firms", 0)) for sector in sectors.values()
                   for tier in ((sector or {}).get("tiers") or {}).values()))


def shock_windows(run: Run) -> list:
    """The shocks of the resolved scenario on the time axis: (first tick, last tick + 1, label) for each
    shock with a window (start_tick and months), (tick, tick, label) for each step of a path (a value from
    a tick on)."""
    windows = []
    for name, entries in (run.scenario_dict.get("shocks") or {}).items():
        for entry in entries or []:
            if not isinstance(entry, dict):
                continue
            if "start_tick" in entry and "months" in entry:
                start = int(entry["start_tick"])
                windows.append((start, start + int(entry["months"]), name))
            elif "tick" in entry:
                windows.append((int(entry["tick"]), int(entry["tick"]), name))
    return windows


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
    start = firms_at_start(run)
    if start is not None:
        numbers["firms at start (as tiersim validate counts them)"] = float(start)
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


#: What every single-run A-vs-B difference is, said wherever one is shown.
ONE_DRAW = ("one draw, no interval: a difference between two single runs is one draw of a random quantity; "
            "for an effect with its interval use `tiersim compare A.yaml B.yaml` (docs/evaluation.md)")


def compare_numbers(a: Run, b: Run) -> pd.DataFrame:
    """Key numbers of A and B side by side, B - A, and the policy's cost-effectiveness when B has outlays.
    One draw each, no interval (ONE_DRAW): `tiersim compare` gives effects with intervals.

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


def compare_series(run: Run) -> "OrderedDict[str, pd.Series]":
    """The key series the `compare` figure draws for one scenario, by title, each indexed by tick:
    local content and OEM import share, operating firms, employment, cumulative loans approved, exits and
    certifications obtained, MSME survival (when the run has the tick-0 snapshot) and cumulative fiscal
    cost over all programs (0 without programs)."""
    series = OrderedDict()
    series["local content share"] = local_content(run)
    series["OEM import share"] = oem_import_share(run)
    series["operating firms"] = run.by_tier.groupby("tick")["firms"].sum()
    series["employment (workers)"] = run.by_tier.groupby("tick")["employment"].sum()
    series["loans approved, cumulative"] = credit_flows(run)["loans_approved"].cumsum()
    series["exits, cumulative"] = entries_exits(run)["cumulative_exits"]
    series["certifications obtained, cumulative"] = certifications_started(run).cumsum()
    surv = survival(run)
    if surv is not None and "MSME" in surv:
        series["MSME survival"] = surv["MSME"]
    cost = fiscal_cost(run)
    series["fiscal cost, cumulative (MXN)"] = (cost.sum(axis=1).cumsum() if cost is not None
                                               else pd.Series(0.0, index=pd.RangeIndex(run.ticks)))
    return series


# ----------------------------------------------------------------- sweeps

def pick_metric(sweep: Sweep, metric: Optional[str] = None) -> str:
    """`metric` if the runs table has it (ValueError naming the metrics if not); None: the first metric."""
    if metric is None:
        if not sweep.metrics:
            raise ValueError("the sweep's runs table has no metric columns")
        return sweep.metrics[0]
    if metric not in sweep.runs.columns:
        raise ValueError(f"no metric '{metric}' in the runs table; metrics: {', '.join(sweep.metrics)}")
    return metric


def pick_parameter(sweep: Sweep, parameter: Optional[str] = None, position: int = 0) -> str:
    """`parameter` if the runs table has it (ValueError naming the parameters if not); None: the varied
    parameter at `position` (0: the first)."""
    if parameter is None:
        if len(sweep.parameters) <= position:
            raise ValueError("the sweep varies fewer parameters than this figure needs")
        return sweep.parameters[position]
    if parameter not in sweep.runs.columns:
        raise ValueError(f"no parameter '{parameter}' in the runs table; parameters: {', '.join(sweep.parameters)}")
    return parameter


def binned(values: pd.Series, bins: int = 8) -> pd.Series:
    """Grid values as they are (at most `bins` distinct values); a space-filling sample cut into quantile
    bins, each value replaced by its bin's mean."""
    if values.nunique() <= bins:
        return values
    codes = pd.qcut(values, q=bins, labels=False, duplicates="drop")
    return values.groupby(codes).transform("mean")


def response_table(sweep: Sweep, metric: str, parameter: str, by: Optional[str] = None) -> pd.DataFrame:
    """Mean, sd, n ('count') and 95% interval of the mean ('low', 'high': mean -+ 1.96 sd / sqrt(n)) of a
    metric over the finished runs at each value '_x' of a parameter (binned), and of `by` ('_by', binned
    in 5) if given."""
    runs = sweep.done.copy()
    runs["_x"] = binned(runs[parameter])
    keys = ["_x"] + (["_by"] if by else [])
    if by:
        runs["_by"] = binned(runs[by], bins=5)
    grouped = runs.groupby(keys)[metric]
    table = grouped.agg(["mean", "std", "count"]).reset_index()
    half = 1.96 * table["std"].fillna(0.0) / np.sqrt(table["count"].clip(lower=1))
    table["low"], table["high"] = table["mean"] - half, table["mean"] + half
    return table


def heatmap_table(sweep: Sweep, metric: str, parameter: str, parameter2: str) -> pd.DataFrame:
    """Mean of a metric over the finished runs in each cell: rows the (binned) values of `parameter2`,
    columns those of `parameter`, both ascending; NaN where no run fell."""
    runs = sweep.done.copy()
    runs["_x"] = binned(runs[parameter])
    runs["_y"] = binned(runs[parameter2])
    return runs.pivot_table(index="_y", columns="_x", values=metric, aggfunc="mean")


def sensitivity_indices(sweep: Sweep) -> pd.DataFrame:
    """First-order sensitivity index of each metric to each parameter (parameters x metrics).

    S_i = Var(E[Y | X_i]) / Var(Y), estimated from the runs table: the variance of the metric's mean
    within each value of X_i (grid) or each quantile bin of X_i (space-filling sample; sqrt(runs) bins,
    2 to 10), over the metric's total variance. 0: the parameter explains nothing; 1: everything.
    """
    runs = sweep.done
    table = pd.DataFrame(index=sweep.parameters, columns=sweep.metrics, dtype=float)
    bins = max(2, min(10, int(np.sqrt(max(len(runs), 1)))))
    for metric in sweep.metrics:
        y = runs[metric].astype(float)
        total = y.var(ddof=0)
        for parameter in sweep.parameters:
            if total == 0 or not np.isfinite(total):
                table.loc[parameter, metric] = 0.0
                continue
            x = binned(runs[parameter], bins=bins)
            groups = y.groupby(x)
            between = (groups.count() * (groups.mean() - y.mean()) ** 2).sum() / len(y)
            table.loc[parameter, metric] = float(between / total)
    return table


def run_status(sweep: Sweep) -> pd.DataFrame:
    """Number of runs by status (done, failed, pending): index 'status', one column 'runs', most first."""
    status = sweep.runs["status"].value_counts().to_frame("runs")
    status.index.name = "status"
    return status


def failed_runs(sweep: Sweep) -> pd.DataFrame:
    """The error of each failed run: index run_id, one column 'error' (empty if none failed)."""
    runs = sweep.runs
    return runs[runs["status"] == "failed"].set_index("run_id")[["error"]]


def arm_means(sweep: Sweep) -> pd.DataFrame:
    """Per arm (index) of the finished runs: 'replications' (how many finished), then the mean of each
    parameter and each metric."""
    done = sweep.done
    summary = done.groupby("arm")[sweep.parameters + sweep.metrics].mean()
    summary.insert(0, "replications", done.groupby("arm").size())
    return summary


# Student's t, 97.5% quantile, for 1..30 degrees of freedom (two-sided 95% intervals).
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042)


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (Cornish-Fisher beyond 30)."""
    if df < 1:
        return float("nan")
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def t_interval(values) -> Dict[str, float]:
    """Mean of `values` with its 95% Student-t interval: n, mean, sd, low, high (NaN below two values)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    sd = float(values.std(ddof=1)) if n >= 2 else float("nan")
    half = t975(n - 1) * sd / np.sqrt(n) if n >= 2 else float("nan")
    return {"n": n, "mean": mean, "sd": sd, "low": mean - half, "high": mean + half}


def paired_differences(sweep: Sweep) -> pd.DataFrame:
    """Each arm minus arm 0, replication by replication (common random numbers make the pairs), for every
    metric: index (arm, metric), columns n, mean, sd, low, high (95% t-interval) and the arm's parameters.
    Arm 0 has no row. The numbers `tiersim summarize` prints, from the runs table alone."""
    done = sweep.done
    rows = []
    if done.empty:
        return pd.DataFrame(columns=["n", "mean", "sd", "low", "high"])
    base_arm = done["arm"].min()
    base = done[done["arm"] == base_arm].set_index("replication")
    for arm, part in done[done["arm"] != base_arm].groupby("arm"):
        part = part.set_index("replication")
        common = part.index.intersection(base.index)
        for metric in sweep.metrics:
            stats = t_interval(part.loc[common, metric] - base.loc[common, metric])
            row = {"arm": arm, "metric": metric, **stats}
            for parameter in sweep.parameters:
                row[parameter] = part[parameter].iloc[0]
            rows.append(row)
    return pd.DataFrame(rows).set_index(["arm", "metric"])


def comparison_effects(sweep: Sweep) -> pd.DataFrame:
    """The paired differences of a `tiersim compare` file (/compare/differences), one row per (arm,
    outcome), with the arm's scenario file: columns arm, scenario, outcome, n, base_mean, arm_mean, mean,
    ci_low, ci_high, half_width, target, met, variance_reduction."""
    if sweep.comparison is None:
        raise ValueError(f"{sweep.path} is not a `tiersim compare` file (no /compare group)")
    effects = sweep.comparison["differences"].copy()
    arms = sweep.comparison["arms"].set_index("arm")["scenario"]
    effects.insert(1, "scenario", effects["arm"].map(arms))
    return effects


def replication_differences(sweep: Sweep, outcome: str) -> pd.DataFrame:
    """Per replication, each policy arm's outcome minus the base's (columns: arms 1...; index: replication)."""
    done = sweep.done.pivot_table(index="replication", columns="arm", values=outcome)
    base = done[done.columns.min()]
    return done.drop(columns=done.columns.min()).sub(base, axis=0)
