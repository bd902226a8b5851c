"""Command line: draw the standard figures, the key numbers, or an HTML report.

    tiersim-plot list                                   the figures, with what each shows
    tiersim-plot pyramid results.h5 -o pyramid.png      one figure (.png, .svg or .pdf)
    tiersim-plot all results.h5 -o figures/             every run figure into a folder
    tiersim-plot compare a.h5 b.h5 -o ab.png            scenario A vs scenario B
    tiersim-plot response sweep.h5 --metric M --param P -o r.png
    tiersim-plot numbers results.h5 [b.h5]              key numbers as a table
    tiersim-plot report results.h5 [b.h5] -o report.html
    tiersim-plot report comparison.h5 -o report.html    `tiersim compare`: effects with intervals
    tiersim-plot effects comparison.h5 --outcome msme_exits -o e.png

Installed (pip install ./analysis), `tiersim-plot` is this module's main(); from a
clone, analysis/tiersim-plot or `python3 -m tiersim_analysis` run the same.

Exit status: 0 done; 2 a FILE.h5 that is not a readable tiersim results file
(one line on stderr names the file and the problem) or a usage error; 1 an
output that cannot be written.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import figures, metrics, report
from .load import ResultsFileError, Run, Sweep, load


def _load_runs(paths, kind):
    results = [load(p) for p in paths]
    if kind == "sweep":
        if len(results) != 1 or not isinstance(results[0], Sweep):
            raise SystemExit("error: this figure takes one sweep file")
    elif kind == "comparison":
        if len(results) != 1 or not isinstance(results[0], Sweep) or results[0].comparison is None:
            raise SystemExit("error: this figure takes one `tiersim compare` file")
    elif kind == "compare":
        if len(results) != 2 or not all(isinstance(r, Run) for r in results):
            raise SystemExit("error: compare takes two single-run files: A B")
    elif len(results) != 1 or not isinstance(results[0], Run):
        raise SystemExit("error: this figure takes one single-run file (for a sweep: response, heatmap, "
                         "sensitivity)")
    return results


def _parser():
    parser = argparse.ArgumentParser(prog="tiersim-plot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="list the figures")
    for name, (_, kind, text) in figures.FIGURES.items():
        # argparse %-formats help strings (for %(default)s): a literal % ("95% intervals") must be doubled.
        p = sub.add_parser(name, help=text.replace("%", "%%"), description=text)
        p.add_argument("files", nargs="+", metavar="FILE.h5",
                       help={"compare": "A.h5 B.h5", "sweep": "the sweep file",
                             "comparison": "a `tiersim compare` file"}.get(kind, "a results file"))
        p.add_argument("-o", "--output", required=True, help="image file: .png, .svg or .pdf")
        p.add_argument("--dpi", type=int, default=110)
        if kind == "sweep":
            p.add_argument("--metric", help="metric column of the runs table (default: the first)")
            p.add_argument("--param", help="parameter column (default: the first varied parameter)")
            p.add_argument("--param2", help="second parameter (response: one line per value; heatmap: y axis)")
        if kind == "comparison":
            p.add_argument("--outcome", help="outcome to draw (default: the first)")
    p = sub.add_parser("all", help="every run figure of one file into a folder")
    p.add_argument("files", nargs=1, metavar="FILE.h5")
    p.add_argument("-o", "--output", required=True, help="folder (created if missing)")
    p.add_argument("--format", default="png", choices=["png", "svg", "pdf"])
    p.add_argument("--dpi", type=int, default=110)
    p = sub.add_parser("numbers", help="key numbers of a run, or of A and B side by side")
    p.add_argument("files", nargs="+", metavar="FILE.h5")
    p = sub.add_parser("report", help="self-contained HTML report of a run, A vs B, or a sweep")
    p.add_argument("files", nargs="+", metavar="FILE.h5")
    p.add_argument("-o", "--output", required=True, help="HTML file")
    return parser


def main(argv=None) -> int:
    """The command line; argv None: sys.argv[1:] (the `tiersim-plot` console script)."""
    if argv is None:
        _quiet_broken_pipe()
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except ResultsFileError as error:
        print(f"tiersim-plot: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # every input error is a ResultsFileError: this is the output
        where = f"{error.filename}: " if error.filename else ""
        print(f"tiersim-plot: cannot write {where}{error.strerror or error}", file=sys.stderr)
        return 1


def _command(args) -> int:
    if args.command == "list":
        for name, (_, kind, text) in figures.FIGURES.items():
            print(f"{name:15s} {kind:8s} {text}")
        return 0
    if args.command == "report":
        results = [load(p) for p in args.files]
        try:
            page = report.render(*results)
        except ValueError as error:
            raise SystemExit(f"error: {error}")
        Path(args.output).write_text(page, encoding="utf-8")
        print(f"tiersim-plot: wrote {args.output}")
        return 0
    if args.command == "numbers":
        results = [load(p) for p in args.files]
        if len(results) == 1 and isinstance(results[0], Run):
            for label, value in metrics.key_numbers(results[0]).items():
                print(f"{label:60s} {metrics.format_number(label, value):>14s}")
        elif len(results) == 2 and all(isinstance(r, Run) for r in results):
            table = metrics.compare_numbers(*results)
            print(f"# {metrics.ONE_DRAW}")
            print(f"{'':60s} {'A':>14s} {'B':>14s} {'B - A':>14s}")
            for label, row in table.iterrows():
                cells = [metrics.format_number(label, v) for v in row]
                print(f"{label:60s} " + " ".join(f"{c:>14s}" for c in cells))
        else:
            raise SystemExit("error: numbers takes one run or two runs (A B)")
        return 0
    if args.command == "all":
        (run,) = _load_runs(args.files, "run")
        folder = Path(args.output)
        folder.mkdir(parents=True, exist_ok=True)
        for name in figures.RUN_FIGURES:
            path = folder / f"{name}.{args.format}"
            figures.save(figures.FIGURES[name][0](run), path, dpi=args.dpi)
            print(f"tiersim-plot: wrote {path}")
        return 0
    function, kind, _ = figures.FIGURES[args.command]
    results = _load_runs(args.files, kind)
    try:
        if kind == "sweep":
            fig = function(results[0], metric=args.metric, parameter=args.param, parameter2=args.param2)
        elif kind == "comparison":
            fig = function(results[0], outcome=args.outcome)
        else:
            fig = function(*results)
    except ValueError as error:
        raise SystemExit(f"error: {error}")
    figures.save(fig, args.output, dpi=args.dpi)
    print(f"tiersim-plot: wrote {args.output}")
    return 0


def _quiet_broken_pipe():
    """`tiersim-plot numbers ... | head` ends quietly (only when run as a command, never on import)."""
    import signal
    try:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    except (AttributeError, ValueError):  # no SIGPIPE (Windows), or not the main thread
        pass


if __name__ == "__main__":
    sys.exit(main())
