"""One self-contained HTML page from a run, a comparison of two runs, or a sweep.

Figures are embedded as base64 PNG, so the page is one file to mail or attach
to a policy memo; nothing is fetched when it opens.

This module only assembles: numbers come from `metrics`, images from `figures`.
"""
from __future__ import annotations

import base64
import datetime
import html
import io

import pandas as pd

from . import figures, metrics
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
    parts += ["<h2>Provenance</h2>", _provenance(run),
              f"<details><summary>Resolved scenario (rerun with <code>tiersim run</code>)</summary>"
              f"<pre>{html.escape(run.scenario)}</pre></details>"]
    return _page(f"{run.label()}: results of {run.path}", "".join(parts))


def compare_report(a: Run, b: Run) -> str:
    table = metrics.compare_numbers(a, b)
    table.index.name = "key number"
    parts = [f"<p>A = <code>{html.escape(a.path)}</code> ({html.escape(a.label())}), "
             f"B = <code>{html.escape(b.path)}</code> ({html.escape(b.label())}).</p>",
             "<h2>Key numbers</h2>", _table(table, _format),
             "<p class=\"meta\">Fiscal cost = outlays + tariff revenue forgone - fees. Cost per job kept = extra "
             "fiscal cost of B over A / (employment B - A, last-12-month means); cost per point of local content "
             "= extra fiscal cost / (100 x (local content B - A)). "
             "Shown only when B spends more than A.</p>",
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


def render(*results) -> str:
    """HTML for one Run, two Runs (A vs B) or one Sweep."""
    if len(results) == 1 and isinstance(results[0], Sweep):
        return sweep_report(results[0])
    if len(results) == 1 and isinstance(results[0], Run):
        return run_report(results[0])
    if len(results) == 2 and all(isinstance(r, Run) for r in results):
        return compare_report(*results)
    raise ValueError("a report takes one run, two runs (A B) or one sweep")
