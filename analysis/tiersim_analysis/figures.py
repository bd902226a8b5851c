"""The standard figures. Each function takes loaded results and returns a matplotlib Figure.

Run figures take one Run, comparison figures two (A, B), sweep figures a Sweep.
FIGURES maps each command-line name to its function, kind and one-line help;
`tiersim-plot list` prints it.

This module only draws: every number a figure shows comes from a function of
`metrics` (the one exception is scaling to an axis unit, e.g. MXN to million MXN).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import metrics  # noqa: E402
from .load import SIZE_CLASSES, TIERS, Run, Sweep  # noqa: E402

# OEM at the top of the stack, dark; Tier 3 at the bottom, light.
TIER_COLOURS = {"OEM": "#08306b", "T1": "#2171b5", "T2": "#6baed6", "T3": "#c6dbef"}
SIZE_COLOURS = {"micro": "#fdae6b", "small": "#f16913", "medium": "#a63603", "large": "#4d4d4d", "MSME": "#d62728"}
A_STYLE = {"color": "#1f77b4", "linestyle": "-"}
B_STYLE = {"color": "#d62728", "linestyle": "--"}


def _years(index) -> np.ndarray:
    return np.asarray(index, dtype=float) / 12.0


def _new(rows=1, cols=1, width=6.4, height=3.6, **kw):
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False, **kw)
    return fig, axes.ravel()


def _finish(fig, title, runs=()):
    """Titles the figure and shades, on every time axis, the shocks of `runs` (union of their windows)."""
    windows = sorted({w for run in runs for w in metrics.shock_windows(run)})
    if windows:
        for ax in fig.axes:
            if ax.get_xlabel() == "years since start":
                _shade(ax, windows)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig


def _shade(ax, windows):
    """Shock windows as grey bands (a path's steps as dotted lines), labelled once per axis."""
    labelled = set()
    for start, end, name in windows:
        label = f"shock: {name}" if name not in labelled else None
        labelled.add(name)
        if end > start:
            ax.axvspan(start / 12.0, end / 12.0, color="#999999", alpha=0.18, lw=0, label=label, zorder=0)
        else:
            ax.axvline(start / 12.0, color="#777777", lw=1, linestyle=":", label=label, zorder=0)


def run_names(a: Run, b: Run):
    """Names that tell two runs apart in titles: their scenario names, or, when those are the same (a
    lesson and its baseline from one file with --set), their file names, or their paths."""
    if a.label() != b.label():
        return a.label(), b.label()
    if Path(a.path).stem != Path(b.path).stem:
        return f"{a.label()} [{Path(a.path).stem}]", f"{b.label()} [{Path(b.path).stem}]"
    return f"{a.label()} [{a.path}]", f"{b.label()} [{b.path}]"


def _time_axis(ax):
    ax.set_xlabel("years since start")
    ax.grid(alpha=0.3)


def _percent_axis(ax):
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))


def _note(ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=10, color="#555555",
            wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


# ----------------------------------------------------------------- one run

def pyramid(run: Run):
    """The pyramid by tier over time: firms, employment and output (value added) as stacked layers, Tier 3 at
    the bottom. Output is in pesos of value added, not units: a unit of each tier is a different good."""
    data = metrics.pyramid_layers(run)
    fig, axes = _new(1, 3, width=5.0)
    stack_order = list(reversed(TIERS))  # T3 at the bottom, OEM on top
    panels = ((axes[0], "firms", 1.0, "operating firms", "firms"),
              (axes[1], "employment", 1.0, "workers", "employment"),
              (axes[2], "value_added", 1e6, "million MXN/month", "output: value added (12-month mean)"))
    for ax, name, scale, unit, title in panels:
        table = data[name][stack_order] / scale
        ax.stackplot(_years(table.index), *[table[t].to_numpy() for t in stack_order], labels=stack_order,
                     colors=[TIER_COLOURS[t] for t in stack_order], alpha=0.95)
        ax.set_ylabel(unit)
        ax.set_title(f"{title} by tier")
        _time_axis(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(handles[::-1], labels[::-1], loc="lower left", fontsize=8, framealpha=0.8)
    return _finish(fig, f"{run.label()}: the pyramid by tier", runs=(run,))


def bullwhip(run: Run):
    """Orders placed by each tier relative to its mean, and their variability relative to final demand."""
    skip = metrics.bullwhip_start(run)
    series = metrics.bullwhip_series(run, skip)
    fig, axes = _new(1, 2)
    ax = axes[0]
    ax.plot(_years(series.index), series["final_demand"], color="black", lw=2, label="final demand")
    for tier in TIERS:
        if tier in series:
            ax.plot(_years(series.index), series[tier], color=TIER_COLOURS[tier] if tier != "T3" else "#9ecae1",
                    lw=1.1, label=f"{tier} orders placed")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylabel("orders / their mean")
    ax.set_title("orders placed, tier by tier (each over its mean)")
    ax.legend(fontsize=8)
    _time_axis(ax)
    ax = axes[1]
    ratios = metrics.bullwhip_ratios(run, skip)
    values = [1.0] + list(ratios)
    bars = ax.bar(["final\ndemand"] + [f"{t}\norders" for t in TIERS], values,
                  color=["black"] + [TIER_COLOURS[t] for t in TIERS], edgecolor="black")
    for bar, value in zip(bars, values):
        ax.annotate(f"{value:.1f}x", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("coefficient of variation / final demand's")
    ax.set_title(f"amplification along the tiers (months {skip}+)")
    ax.grid(alpha=0.3, axis="y")
    return _finish(fig, f"{run.label()}: the bullwhip along the tiers", runs=(run,))


def local_content(run: Run):
    """Local content share by sector and nationally; import share by sector and by tier."""
    fig, axes = _new(1, 2)
    ax = axes[0]
    lc = metrics.by_sector(run, "local_content_share")
    if lc.shape[1] > 1:
        for sector in lc.columns:
            ax.plot(_years(lc.index), lc[sector], lw=1, label=str(sector))
    national = metrics.local_content(run)
    ax.plot(_years(national.index), national, color="black", lw=2, label="all sectors")
    ax.set_title("local content of OEM sales")
    ax.set_ylabel("domestic value added / OEM sales")
    _percent_axis(ax)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    _time_axis(ax)
    ax = axes[1]
    share = metrics.by_sector(run, "import_share")
    if share.shape[1] > 1:
        for sector in share.columns:
            ax.plot(_years(share.index), share[sector], lw=1.5, label=f"{sector} (all tiers)")
    else:
        ax.plot(_years(share.index), share.iloc[:, 0], color="black", lw=2, label="all tiers")
    by_tier = metrics.import_share_by_tier(run)
    for tier in TIERS:
        ax.plot(_years(by_tier.index), by_tier[tier], lw=1, color=TIER_COLOURS[tier] if tier != "T3" else "#9ecae1",
                linestyle=":" if tier != "OEM" else "-", label=tier)
    ax.set_title("import share of input purchases (gaps: tier bought nothing)")
    _percent_axis(ax)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=2)
    _time_axis(ax)
    return _finish(fig, f"{run.label()}: local content and imports", runs=(run,))


def msme(run: Run):
    """MSME survival by size class, entries and exits per year, MSME share of firms and employment."""
    fig, axes = _new(1, 3, width=5.0)
    ax = axes[0]
    surv = metrics.survival(run)
    if surv is None:
        _note(ax, "survival needs the tick-0 snapshot\n(output.snapshot_every_months) and events")
    else:
        for column in surv.columns:
            ax.plot(_years(surv.index), surv[column], color=SIZE_COLOURS.get(column, "grey"),
                    lw=2.5 if column == "MSME" else 1.2, label=column)
        ax.set_ylim(min(0.5, float(surv.min().min()) - 0.05), 1.01)
        _percent_axis(ax)
        ax.legend(fontsize=8)
        _time_axis(ax)
    ax.set_title("survival of the firms present at the start")
    ax = axes[1]
    flows = metrics.entries_exits_per_year(run)
    x = np.arange(len(flows))
    ax.bar(x - 0.2, flows["entries"], width=0.4, color="#31a354", label="entries")
    ax.bar(x + 0.2, -flows["exits"], width=0.4, color="#de2d26", label="exits (negative)")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x)
    ax.set_xlabel("year")
    ax.set_ylabel("firms per year")
    ax.set_title("entries and exits")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    ax = axes[2]
    sizes = metrics.firms_by_size(run)
    ax.stackplot(_years(sizes.index), *[sizes[s].to_numpy(dtype=float) for s in SIZE_CLASSES],
                 labels=SIZE_CLASSES, colors=[SIZE_COLOURS[s] for s in SIZE_CLASSES])
    shares = metrics.msme_shares(run)
    ax.set_title(f"firms by size class (MSMEs: {shares['firms'].iloc[-1]:.0%} of firms,\n"
                 f"{shares['employment'].iloc[-1]:.0%} of employment at the end)", fontsize=10)
    ax.set_ylabel("operating firms")
    ax.legend(fontsize=8, loc="lower left")
    _time_axis(ax)
    return _finish(fig, f"{run.label()}: MSMEs", runs=(run,))


def credit(run: Run):
    """Credit applications, approvals and defaults per year; outcomes by size class."""
    fig, axes = _new(1, 2)
    ax = axes[0]
    flows = metrics.credit_per_year(run)
    x = np.arange(len(flows))
    ax.bar(x - 0.27, flows["credit_applications"], width=0.27, color="#9ecae1", label="applications")
    ax.bar(x, flows["loans_approved"], width=0.27, color="#3182bd", label="approved")
    ax.bar(x + 0.27, flows["defaults"], width=0.27, color="#de2d26", label="defaults")
    ax.set_xticks(x)
    ax.set_xlabel("year")
    ax.set_ylabel("firms per year")
    ax.set_title("credit per year")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    ax = axes[1]
    outcomes = metrics.credit_outcomes_by_size(run)
    if outcomes.to_numpy().sum() == 0:
        _note(ax, "no credit applications in this run")
    else:
        colours = plt.get_cmap("Set2")(np.linspace(0, 1, max(2, outcomes.shape[1])))
        bottom = np.zeros(len(outcomes))
        for k, outcome in enumerate(outcomes.columns):
            values = outcomes[outcome].to_numpy(dtype=float)
            ax.bar(outcomes.index.astype(str), values, bottom=bottom,
                   color="#3182bd" if outcome == "approved" else colours[k], label=str(outcome).replace("_", " "))
            bottom += values
        ax.set_ylabel("applications over the run")
        ax.set_title("outcome of applications, by size class")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3, axis="y")
    return _finish(fig, f"{run.label()}: credit", runs=(run,))


def certifications(run: Run):
    """Certifications obtained per year; holders of each certification by tier at the snapshots."""
    fig, axes = _new(1, 2)
    ax = axes[0]
    per_year = metrics.certifications_per_year(run)
    ax.bar(per_year.index, per_year["certified"], color="#756bb1")
    ax.set_xlabel("year")
    ax.set_ylabel("certifications obtained per year")
    ax.set_title("certifications obtained")
    ax.grid(alpha=0.3, axis="y")
    ax = axes[1]
    holders = metrics.certification_holders_by_tier(run)
    if not holders:
        _note(ax, "holders need firm snapshots\n(output.snapshot_every_months)")
    else:
        styles = ["-", "--", ":", "-."]
        for k, (name, table) in enumerate(holders.items()):
            for tier in TIERS[1:]:
                if tier in table and table[tier].max() > 0:
                    ax.plot(_years(table.index), table[tier], marker="o", ms=3, linestyle=styles[k % 4],
                            color=TIER_COLOURS[tier] if tier != "T3" else "#9ecae1", label=f"{name}, {tier}")
        ax.set_ylabel("operating firms holding it")
        ax.set_title("certified suppliers by tier (snapshots)")
        ax.legend(fontsize=7)
        _time_axis(ax)
    return _finish(fig, f"{run.label()}: certifications", runs=(run,))


def policy(run: Run):
    """Program outlays per year by program, cumulative fiscal cost, and take-up."""
    yearly = metrics.outlays_per_year(run)
    fig, axes = _new(1, 3, width=5.0)
    if yearly is None:
        for ax in axes:
            _note(ax, "")
        _note(axes[1], "no policy program in force in this run\n(scenario key: policies)")
        return _finish(fig, f"{run.label()}: policy programs", runs=(run,))
    colours = dict(zip(yearly.columns, plt.get_cmap("tab10")(np.arange(len(yearly.columns)))))
    bottom = np.zeros(len(yearly))
    for program in yearly.columns:
        axes[0].bar(yearly.index, yearly[program] / 1e6, bottom=bottom, color=colours[program],
                    label=program.replace("_", " "))
        bottom += yearly[program].to_numpy() / 1e6
    axes[0].set_xlabel("year")
    axes[0].set_ylabel("million MXN per year")
    axes[0].set_title("outlays by program")
    axes[0].legend(fontsize=8)
    axes[0].grid(alpha=0.3, axis="y")
    cost = metrics.cumulative_fiscal_cost(run) / 1e6
    for program in cost.columns:
        axes[1].plot(_years(cost.index), cost[program], lw=2, color=colours[program], label=program.replace("_", " "))
    axes[1].set_ylabel("million MXN, cumulative")
    axes[1].set_title("fiscal cost: outlays + revenue forgone - fees")
    _time_axis(axes[1])
    take_up = metrics.program_take_up(run)
    for program in take_up.columns:
        axes[2].plot(_years(take_up.index), take_up[program], lw=1.2, color=colours[program],
                     label=program.replace("_", " "))
    axes[2].set_ylabel("firms reached per month")
    axes[2].set_title("take-up")
    _time_axis(axes[2])
    return _finish(fig, f"{run.label()}: policy programs", runs=(run,))


# ----------------------------------------------------------------- A vs B

def compare(a: Run, b: Run):
    """Scenario A against scenario B on one figure: the key series, A solid, B dashed."""
    sa, sb = metrics.compare_series(a), metrics.compare_series(b)
    names = [n for n in sa if n in sb]
    cols = 3
    rows = int(np.ceil(len(names) / cols))
    fig, axes = _new(rows, cols, width=4.2, height=3.0)
    name_a, name_b = run_names(a, b)
    label_a, label_b = f"A: {name_a}", f"B: {name_b}"
    for ax, name in zip(axes, names):
        ax.plot(_years(sa[name].index), sa[name], lw=1.6, label=label_a, **A_STYLE)
        ax.plot(_years(sb[name].index), sb[name], lw=1.6, label=label_b, **B_STYLE)
        ax.set_title(name, fontsize=10)
        if "share" in name or "survival" in name:
            _percent_axis(ax)
        _time_axis(ax)
    for ax in axes[len(names):]:
        ax.axis("off")
    axes[0].legend(fontsize=7)
    effectiveness = metrics.cost_effectiveness(a, b)
    title = f"{name_a} (A) vs {name_b} (B)"
    if effectiveness:
        def money(value, none):
            return f"{value:,.0f} MXN" if np.isfinite(value) else none
        title += "\none draw, no interval (use tiersim compare): cost per job kept: {}; per point of local content: {}".format(
            money(effectiveness["cost per job kept (MXN)"], "no jobs kept"),
            money(effectiveness["cost per point of local content (MXN)"], "no gain in local content"))
    return _finish(fig, title, runs=(a, b))


def compare_tiers(a: Run, b: Run):
    """A vs B tier by tier: operating firms, import share of input purchases and value added,
    A solid, B dashed: where along the chain a scenario differs."""
    fig, axes = _new(1, 3, width=5.0)
    data = [metrics.tier_series(r) for r in (a, b)]
    firms = [d["firms"] for d in data]
    imports = [d["import_share"] for d in data]
    value = [d["value_added"] / 1e6 for d in data]
    panels = ((axes[0], firms, "operating firms", "firms by tier"),
              (axes[1], imports, "imports / input purchases", "import share by tier"),
              (axes[2], value, "million MXN/month", "value added by tier (12-month mean)"))
    for ax, (ta, tb), unit, title in panels:
        for tier in TIERS:
            colour = TIER_COLOURS[tier] if tier != "T3" else "#9ecae1"
            ax.plot(_years(ta.index), ta[tier], color=colour, lw=1.6, label=f"{tier} A")
            ax.plot(_years(tb.index), tb[tier], color=colour, lw=1.6, linestyle="--", label=f"{tier} B")
        ax.set_ylabel(unit)
        ax.set_title(title)
        _time_axis(ax)
    _percent_axis(axes[1])
    axes[1].set_ylim(0, 1.02)
    axes[0].legend(fontsize=7, ncol=2)
    name_a, name_b = run_names(a, b)
    return _finish(fig, f"{name_a} (A, solid) vs {name_b} (B, dashed), tier by tier", runs=(a, b))


# ----------------------------------------------------------------- sweeps

def response(sweep: Sweep, metric=None, parameter=None, parameter2=None):
    """A metric against one parameter: mean over replications with its 95% interval (one line per value of
    a second parameter if given)."""
    metric = metrics.pick_metric(sweep, metric)
    parameter = metrics.pick_parameter(sweep, parameter)
    fig, axes = _new(1, 1, width=7.0, height=4.2)
    ax = axes[0]
    table = metrics.response_table(sweep, metric, parameter, by=parameter2)
    groups = table.groupby("_by") if parameter2 else [(None, table)]
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, max(1, len(groups))))
    for colour, (value, part) in zip(colours, groups):
        label = f"{parameter2} = {value:g}" if parameter2 else "mean, 95% interval"
        ax.plot(part["_x"], part["mean"], marker="o", color=colour, lw=1.8, label=label)
        ax.fill_between(part["_x"], part["low"], part["high"], color=colour, alpha=0.2)
    runs = sweep.done
    if not parameter2:
        ax.scatter(runs[parameter], runs[metric], s=8, color="grey", alpha=0.5, label="runs")
    ax.set_xlabel(parameter)
    ax.set_ylabel(metric)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _finish(fig, f"{sweep.label()}: response of {metric}")


def heatmap(sweep: Sweep, metric=None, parameter=None, parameter2=None):
    """A metric over two parameters: the mean over replications in each cell."""
    metric = metrics.pick_metric(sweep, metric)
    parameter = metrics.pick_parameter(sweep, parameter, 0)
    parameter2 = metrics.pick_parameter(sweep, parameter2, 1)
    grid = metrics.heatmap_table(sweep, metric, parameter, parameter2)
    fig, axes = _new(1, 1, width=7.0, height=5.0)
    ax = axes[0]
    image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], rotation=45)
    ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index])
    for (i, j), value in np.ndenumerate(grid.to_numpy()):
        if np.isfinite(value) and grid.size <= 100:
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=7, color="white")
    ax.set_xlabel(parameter)
    ax.set_ylabel(parameter2)
    fig.colorbar(image, ax=ax, label=f"{metric} (mean)")
    return _finish(fig, f"{sweep.label()}: {metric}")


def sensitivity(sweep: Sweep, metric=None, parameter=None, parameter2=None):
    """First-order sensitivity indices, parameters x metrics, as a heat map."""
    table = metrics.sensitivity_indices(sweep)
    fig, axes = _new(1, 1, width=max(5.0, 1.4 * len(table.columns) + 3), height=max(3.0, 0.6 * len(table) + 2))
    ax = axes[0]
    image = ax.imshow(table.to_numpy(dtype=float), cmap="magma_r", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(table.shape[1]), table.columns, rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]), table.index)
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9,
                color="white" if value > 0.5 else "black")
    fig.colorbar(image, ax=ax, label="first-order index Var(E[Y|X]) / Var(Y)")
    return _finish(fig, f"{sweep.label()}: sensitivity")


#: name -> (function, kind, help); kind is 'run', 'compare' or 'sweep'.
def effects(sweep: Sweep, outcome=None):
    """One outcome of a `tiersim compare` file: each policy arm's paired difference from the base (arm -
    base) with its 95% interval, and the replication-by-replication differences behind it (grey dots)."""
    table = metrics.comparison_effects(sweep)
    outcome = outcome or table["outcome"].iloc[0]
    rows = table[table["outcome"] == outcome].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"no outcome {outcome!r} in {sweep.path} (outcomes: {', '.join(table['outcome'].unique())})")
    per_replication = metrics.replication_differences(sweep, outcome)
    fig, axes = _new(1, 1, width=7.0, height=1.2 + 0.9 * len(rows))
    ax = axes[0]
    for y, row in rows.iterrows():
        if row["arm"] in per_replication.columns:
            dots = per_replication[row["arm"]].dropna()
            ax.scatter(dots, np.full(len(dots), y) + np.linspace(-0.15, 0.15, len(dots)), s=9, color="grey",
                       alpha=0.6, label="replications" if y == 0 else None)
        ax.errorbar([row["mean"]], [y], xerr=[[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]],
                    fmt="o", color="C0", capsize=5, lw=2, label="mean, 95% interval" if y == 0 else None)
        note = (f"n={int(row['n'])}, ±{row['half_width']:.3g} (target {row['target']:.3g}"
                f"{'' if row['met'] else ', not met'}), pairing gain ×{row['variance_reduction']:.3g}")
        ax.annotate(note, (0.01, y + 0.3), xycoords=("axes fraction", "data"), fontsize=7, color="#444")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([Path(s).stem for s in rows["scenario"]])
    ax.set_ylim(-0.6, len(rows) - 0.2)
    ax.set_xlabel(f"{outcome}: arm - base, paired by replication")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    attrs = sweep.comparison["attrs"]
    return _finish(fig, f"{outcome}: effect against {Path(sweep.comparison['arms']['scenario'][0]).stem}\n"
                        f"{int(attrs.get('replications', 0))} replications, {attrs.get('stop_reason', '')}")


FIGURES = {
    "pyramid": (pyramid, "run", "firms and output by tier over time, as stacked layers"),
    "bullwhip": (bullwhip, "run", "orders placed by each tier and their amplification over final demand"),
    "local-content": (local_content, "run", "local content and import share by sector and tier"),
    "msme": (msme, "run", "MSME survival, entries and exits, MSME share of firms and employment"),
    "credit": (credit, "run", "credit applications, approvals and defaults; outcomes by size class"),
    "certifications": (certifications, "run", "certifications obtained; certified suppliers by tier"),
    "policy": (policy, "run", "policy programs: outlays per year, cumulative fiscal cost, take-up"),
    "compare": (compare, "compare", "scenario A vs scenario B: key series on one figure, cost-effectiveness"),
    "compare-tiers": (compare_tiers, "compare", "A vs B tier by tier: firms, import share, value added"),
    "response": (response, "sweep", "a metric against one parameter (or two: one line per value), 95% intervals"),
    "heatmap": (heatmap, "sweep", "a metric over two parameters, mean per cell"),
    "sensitivity": (sensitivity, "sweep", "first-order sensitivity indices, parameters x metrics"),
}

FIGURES["effects"] = (effects, "comparison",
                      "a `tiersim compare` file: each arm's paired effect on an outcome, with its interval")

RUN_FIGURES = [name for name, (_, kind, _) in FIGURES.items() if kind == "run"]

# Their home until the computations moved to metrics; kept so that scripts written against it still run.
bullwhip_ratios = metrics.bullwhip_ratios
response_table = metrics.response_table
sensitivity_indices = metrics.sensitivity_indices


def save(fig, path, dpi=110):
    """Write a figure (format from the extension: .png, .svg, .pdf) and close it."""
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
