"""One self-contained HTML page from a run, a comparison of two runs, or a sweep.

Figures are embedded as base64 PNG, so the page is one file to mail or attach
to a policy memo; nothing is fetched when it opens.

This module only assembles: numbers come from `metrics`, images from `figures`.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime
import html
import io
from pathlib import Path

import pandas as pd

from . import evaluation, figures, metrics
from .load import Run, Sweep

STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 1200px; margin: 2em auto;
       color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.meta { color: #555; font-size: 0.9em; } pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 0.8em; }
"""


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    figures.plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(fig, caption: str) -> str:
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{_png(fig)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _table(frame: pd.DataFrame, formatter=None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or ""] + list(frame.columns))
    rows = []
    for label, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            text = formatter(str(label), value) if formatter else value
            cells.append(f"<td>{html.escape(str(text))}</td>")
        rows.append(f"<tr><td>{html.escape(str(label))}</td>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _format(label, value):
    if isinstance(value, (int, float)):
        return metrics.format_number(label, float(value))
    return value


def _provenance(run: Run) -> str:
    keys = ["scenario_name", "scenario_file", "seed", "replication", "ticks_completed", "status",
            "tiersim_version", "git_commit", "created_utc", "wall_time_s"]
    frame = pd.DataFrame({"value": [run.attrs.get(k, "") for k in keys]}, index=keys)
    frame.index.name = "provenance"
    return _table(frame)


def _page(title: str, body: str) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p class=\"meta\">tiersim report, made {stamp} by tiersim_analysis.</p>{body}</body></html>\n")


def _evaluation_section(run: Run, base: Run = None) -> list:
    """Additionality, deadweight and cost per result from the run's records (B against A as the base);
    nothing when the run has no guaranteed loan and no grant."""
    numbers = evaluation.evaluation_numbers(run, base)
    if not numbers.get("loans: guaranteed loans") and not numbers.get("grants: grants"):
        return []
    table = pd.DataFrame({"value": list(numbers.values())}, index=list(numbers.keys()))
    table.index.name = "evaluation" + (" of B, A as the base" if base is not None else "")
    return ["<h2>Program evaluation (one draw, no interval)</h2>", _table(table, _format),
            "<p class=\"meta\">Additional: guaranteed loans the bank denied without the cover; deadweight: "
            "those it would have made anyway (records/loans). A grant is additional when the firm's own rule "
            "with a grant of 0 would not have started the certification (records/grants). Costs are the "
            "program's fiscal cost. For intervals use <code>tiersim compare</code> with the metrics "
            "additionality, additional_loans and fiscal_cost (docs/evaluation.md).</p>"]


def run_report(run: Run) -> str:
    numbers = metrics.key_numbers(run)
    table = pd.DataFrame({"value": list(numbers.values())}, index=list(numbers.keys()))
    table.index.name = "key number"
    parts = ["<h2>Key numbers</h2>", _table(table, _format),
             "<p class=\"meta\">Shares are ratios of peso totals; 'last 12 months' values are means over the "
             "run's final year. Survival counts the firms present at tick 0.</p>",
             "<h2>Figures</h2>"]
    for name in figures.RUN_FIGURES:
        function, _, caption = figures.FIGURES[name]
        if name == "policy" and metrics.policy_outlays(run) is None:
            continue
        parts.append(_figure(function(run), f"{name}: {caption}"))
    parts += _evaluation_section(run)
    parts += ["<h2>Provenance</h2>", _provenance(run),
              f"<details><summary>Resolved scenario (rerun with <code>tiersim run</code>)</summary>"
              f"<pre>{html.escape(run.scenario)}</pre></details>"]
    return _page(f"{run.label()}: results of {run.path}", "".join(parts))


def compare_report(a: Run, b: Run) -> str:
    # Runs of one scenario file (a lesson and its baseline by --set) share a name: every title names
    # the file too, so A and B can be told apart.
    name_a, name_b = figures.run_names(a, b)
    a, b = dataclasses.replace(a, name=name_a), dataclasses.replace(b, name=name_b)
    table = metrics.compare_numbers(a, b)
    table.index.name = "key number"
    parts = [f"<p>A = <code>{html.escape(a.path)}</code> ({html.escape(a.label())}), "
             f"B = <code>{html.escape(b.path)}</code> ({html.escape(b.label())}).</p>",
             "<h2>Key numbers (one draw, no interval)</h2>",
             f"<p><strong>{html.escape(metrics.ONE_DRAW)}.</strong></p>", _table(table, _format),
             "<p class=\"meta\">Fiscal cost = transfers (payouts, subsidies, rate subsidy, tariff revenue forgone) + "
             "resource costs (services, administration, capital) - fees. Cost per job kept = extra "
             "fiscal cost of B over A / (employment B - A, last-12-month means); cost per point of local content "
             "= extra fiscal cost / (100 x (local content B - A)). "
             "Shown only when B spends more than A.</p>",
             *_evaluation_section(b, a),
             "<h2>A vs B</h2>", _figure(figures.compare(a, b), "compare: key series, A solid, B dashed"),
             _figure(figures.compare_tiers(a, b), "compare-tiers: tier by tier, A solid, B dashed")]
    for name in ("pyramid", "local-content", "msme", "credit"):
        function, _, caption = figures.FIGURES[name]
        parts.append(f"<h2>{name}</h2>")
        parts.append(_figure(function(a), f"A: {caption}"))
        parts.append(_figure(function(b), f"B: {caption}"))
    parts += ["<h2>Provenance of A</h2>", _provenance(a), "<h2>Provenance of B</h2>", _provenance(b)]
    return _page(f"{a.label()} vs {b.label()}", "".join(parts))


def sweep_report(sweep: Sweep) -> str:
    runs = sweep.runs
    status = metrics.run_status(sweep)
    parts = [f"<p>{len(runs)} runs, {len(sweep.parameters)} varied parameters "
             f"({html.escape(', '.join(sweep.parameters))}), metrics: {html.escape(', '.join(sweep.metrics))}.</p>",
             "<h2>Runs</h2>", _table(status)]
    errors = metrics.failed_runs(sweep)
    if len(errors):
        parts.append(_table(errors.head(20)))
    if len(sweep.done) and sweep.metrics:
        summary = metrics.arm_means(sweep)
        summary.index.name = "arm (means)"
        parts += ["<h2>Arms</h2>", _table(summary.applymap(lambda v: f"{v:.4g}"))]
        differences = metrics.paired_differences(sweep)
        if len(differences):
            shown = differences.reset_index().set_index("arm")
            parts += ["<h2>Paired differences from arm 0</h2>",
                      _table(shown.applymap(lambda v: f"{v:.4g}" if isinstance(v, float) else v)),
                      "<p class=\"meta\">Each arm minus arm 0, replication by replication (replication r of "
                      "every arm draws from the same random streams), with the 95% t-interval of the mean "
                      "difference. To add replications until the intervals are narrow enough, compare the "
                      "scenarios with <code>tiersim compare</code> (docs/evaluation.md).</p>"]
        if sweep.parameters:
            parts += ["<h2>Sensitivity</h2>", _figure(figures.sensitivity(sweep),
                                                     "first-order sensitivity indices Var(E[Y|X]) / Var(Y)")]
            parts.append("<h2>Responses</h2>")
            for metric in sweep.metrics[:4]:
                for parameter in sweep.parameters[:3]:
                    parts.append(_figure(figures.response(sweep, metric, parameter),
                                         f"{metric} against {parameter}: mean over replications, 95% interval"))
            if len(sweep.parameters) >= 2:
                for metric in sweep.metrics[:4]:
                    parts.append(_figure(figures.heatmap(sweep, metric), f"{metric} over the first two parameters"))
    return _page(f"sweep {sweep.label()}: {sweep.path}", "".join(parts))


def comparison_report(sweep: Sweep) -> str:
    """A `tiersim compare` file: the paired effects with their intervals, one figure per outcome, and the
    looks of the stopping rule."""
    comparison = sweep.comparison
    attrs = comparison["attrs"]
    effects = metrics.comparison_effects(sweep)
    arms = comparison["arms"]
    table = effects.assign(arm=[f"{a} {Path(s).stem}" for a, s in zip(effects["arm"], effects["scenario"])])
    table = table.set_index(["outcome", "arm"])[["n", "base_mean", "arm_mean", "mean", "ci_low", "ci_high",
                                                 "half_width", "target", "met", "variance_reduction"]]
    table = table.reset_index().set_index("outcome")
    level = attrs.get("confidence_level", 0.95)
    parts = [f"<p>Base: <code>{html.escape(arms['scenario'][0])}</code>; policy arms: "
             + ", ".join(f"<code>{html.escape(s)}</code>" for s in arms["scenario"][1:])
             + f". {int(attrs.get('replications', 0))} paired replications per arm on common random numbers "
             f"({html.escape(str(attrs.get('stop_reason', '')))}).</p>",
             "<h2>Effects</h2>", _table(table.applymap(lambda v: f"{v:.4g}" if isinstance(v, float) else v)),
             f"<p class=\"meta\">mean = mean over replications of (arm - base), replication r of every arm "
             f"drawing from the same random streams; ci_low, ci_high: its {100 * level:g}% t-interval; "
             "variance_reduction = (var(base) + var(arm)) / var(arm - base), how many times fewer replications "
             "pairing needs than independent runs for the same interval.</p>"]
    for outcome in effects["outcome"].unique():
        parts.append(_figure(figures.effects(sweep, outcome), f"{outcome}: paired effect of each arm"))
    stages = comparison["stages"]
    parts += ["<h2>Stopping rule</h2>",
              "<p class=\"meta\">Each look at the replications so far: half-width of each interval against its "
              "target. The rule stops at the first look where every target is met, or at the cap.</p>",
              _table(stages.set_index("replications").applymap(lambda v: f"{v:.4g}" if isinstance(v, float)
                                                                 else v))]
    return _page(f"comparison {Path(sweep.path).name}", "".join(parts))


def render(*results) -> str:
    """HTML for one Run, two Runs (A vs B), one Sweep or one `tiersim compare` file."""
    if len(results) == 1 and isinstance(results[0], Sweep) and results[0].comparison is not None:
        return comparison_report(results[0])
    if len(results) == 1 and isinstance(results[0], Sweep):
        return sweep_report(results[0])
    if len(results) == 1 and isinstance(results[0], Run):
        return run_report(results[0])
    if len(results) == 2 and all(isinstance(r, Run) for r in results):
        return compare_report(*results)
    raise ValueError("a report takes one run, two runs (A B) or one sweep")
