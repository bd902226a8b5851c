"""Reading and plotting tiersim results: `load` a run or a sweep as DataFrames, draw the standard figures,
render an HTML report. Command line: `analysis/tiersim-plot --help` (or `python3 -m tiersim_analysis`)."""
from .load import ResultsFileError, Run, Sweep, load, load_run, load_sweep, read_table  # noqa: F401

__all__ = ["ResultsFileError", "Run", "Sweep", "load", "load_run", "load_sweep", "read_table"]
