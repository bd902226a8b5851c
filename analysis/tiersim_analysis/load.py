"""Load tiersim results as tidy pandas DataFrames, in one call.

    >>> from tiersim_analysis import load
    >>> run = load("results/pyramid.h5")          # one run: a Run
    >>> run.by_tier.head()                        # tick, sector, tier (labels), firms, output, ...
    >>> sweep = load("sweep.h5")                  # a sweep file: a Sweep
    >>> sweep.runs                                # one row per run: parameters, seed, status, metrics
    >>> sweep.run("r0003").by_sector              # one run of the sweep, as a Run

Every table of the file (docs/hdf5.md) becomes a DataFrame with coded columns
(`sector`, `tier`, `size_class`, `ownership`, `outcome`, `event`) turned into
pandas Categoricals with the file's labels, byte strings decoded, rows cut at
the `ticks_completed` attribute (a consistent view of an interrupted run), and
each column's units and description kept in `DataFrame.attrs`.

A file that is not a readable tiersim results file (missing, a directory,
empty, text, truncated, corrupt, or an HDF5 file some other program wrote)
raises `ResultsFileError`, whose message is one line naming the file and the
problem; `tiersim-plot` prints it and exits 2.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import stat
from pathlib import Path
from typing import Dict, List, Optional

import h5py
import numpy as np
import pandas as pd

#: The tables of a single-run file (docs/hdf5.md), by attribute name on Run.
RUN_TABLES = {
    "by_tier": "series/by_tier",
    "by_sector": "series/by_sector",
    "by_size": "series/by_size",
    "credit": "series/credit",
    "events": "events",
    "panel": "panel/firms",
    "links": "network/links",
    "by_cluster": "series/by_cluster",
    "accounts": "programs/accounts",
    "beneficiaries": "programs/beneficiaries",
}

TIERS = ["OEM", "T1", "T2", "T3"]

#: The eight bytes every HDF5 file starts with (at offset 0, or 512, 1024, ... after a user block).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

#: What reading a damaged HDF5 file can raise from h5py, numpy or our own decoding.
_READ_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError, IndexError, AttributeError,
                UnicodeDecodeError)


class ResultsFileError(ValueError):
    """A file that cannot be read as tiersim results. str() is one line: "PATH: what is wrong"."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = " ".join(str(problem).split())  # one line, whatever h5py's message held
        super().__init__(f"{self.path}: {self.problem}")


def _h5_message(error: BaseException) -> str:
    """h5py's message without the errno prefix, the HDF5 detail that repeats the path, and newlines."""
    text = " ".join(str(error).split())
    text = re.sub(r"^\[Errno \d+\] ", "", text)
    return text or type(error).__name__


def _not_hdf5(head: bytes) -> str:
    if not head.strip(b"\t\r\n "):
        return "not an HDF5 file (only blank text)"
    try:
        head.decode("utf-8")
        text = b"\0" not in head
    except UnicodeDecodeError as error:  # a multi-byte character cut at the end of the sample is still text
        text = error.start >= len(head) - 3 and b"\0" not in head
    if text:
        return "a text file, not an HDF5 results file"
    return "not an HDF5 file (no HDF5 signature)"


def _check_file(path: str) -> None:
    """Refuses, before h5py sees it, what is no HDF5 file at all: one clear reason each."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ResultsFileError(path, "no such file") from None
    except OSError as error:
        raise ResultsFileError(path, f"cannot read it: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ResultsFileError(path, "is a directory, not a results file")
    if not stat.S_ISREG(info.st_mode):
        raise ResultsFileError(path, "not a regular file (a pipe or device?), not a results file")
    if info.st_size == 0:
        raise ResultsFileError(path, "empty file (0 bytes), not a results file")
    try:
        with open(path, "rb") as f:
            head = f.read(512)
            found = head.startswith(HDF5_SIGNATURE)
            offset = 512
            while not found and offset < info.st_size:  # a user block: 512, 1024, 2048, ...
                f.seek(offset)
                found = f.read(8) == HDF5_SIGNATURE
                offset *= 2
    except OSError as error:
        raise ResultsFileError(path, f"cannot read it: {error.strerror or error}") from None
    if not found:
        raise ResultsFileError(path, _not_hdf5(head))


def _open_problem(error: BaseException) -> str:
    message = _h5_message(error)
    truncated = re.search(r"truncated file: eof = (\d+).*stored_eof = (\d+)", message)
    if truncated:
        return (f"truncated HDF5 file ({int(truncated.group(1)):,} of {int(truncated.group(2)):,} bytes; "
                "an interrupted copy or a full disk?)")
    if isinstance(error, PermissionError):
        return "cannot read it: permission denied"
    return f"corrupt or unreadable HDF5 file ({message})"


@contextlib.contextmanager
def open_results(path):
    """h5py.File(path, "r") of a file checked to be HDF5; any failure to open or read inside the block
    becomes a ResultsFileError naming the file."""
    path = str(path)
    _check_file(path)
    try:
        f = h5py.File(path, "r")
    except _READ_ERRORS as error:
        raise ResultsFileError(path, _open_problem(error)) from None
    try:
        with f:
            yield f
    except ResultsFileError:
        raise
    except _READ_ERRORS as error:
        raise ResultsFileError(path, f"corrupt HDF5 file ({_h5_message(error)})") from None


def _kind(f: h5py.File, path: str) -> str:
    """"sweep" or "run"; ResultsFileError for an HDF5 file tiersim did not write."""
    if "runs" in f and isinstance(f["runs"], h5py.Dataset):
        return "sweep"
    if "tiersim_version" in f.attrs or isinstance(f.get("series"), h5py.Group):
        return "run"
    raise ResultsFileError(path, "an HDF5 file, but not a tiersim results file "
                                 "(no tiersim_version attribute, no series/ group, no runs table)")
SIZE_CLASSES = ["micro", "small", "medium", "large"]
MSME_CLASSES = ["micro", "small", "medium"]


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _attr_dict(attrs) -> dict:
    out = {}
    for key, value in attrs.items():
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        elif isinstance(value, np.generic):
            value = value.item()
        out[key] = value
    return out


def read_table(dataset: h5py.Dataset, ticks_completed: Optional[int] = None) -> pd.DataFrame:
    """One compound dataset as a DataFrame: labels decoded, strings decoded, cut at ticks_completed."""
    frame = pd.DataFrame(dataset[:])
    attrs = dataset.attrs
    for column in frame.columns:
        if frame[column].dtype == object and len(frame) and isinstance(frame[column].iloc[0], bytes):
            frame[column] = frame[column].str.decode("utf-8")
        labels_key = f"{column}.labels"
        if labels_key in attrs:
            labels = [_text(label) for label in attrs[labels_key]]
            codes = frame[column].to_numpy().astype(np.int64)
            codes = np.where((codes >= 0) & (codes < len(labels)), codes, -1)
            frame[column] = pd.Categorical.from_codes(codes, categories=labels)
    if ticks_completed is not None and "tick" in frame.columns:
        frame = frame[frame["tick"] < ticks_completed].reset_index(drop=True)
    frame.attrs["units"] = {c: _text(attrs[f"{c}.units"]) for c in frame.columns if f"{c}.units" in attrs}
    frame.attrs["descriptions"] = {
        c: _text(attrs[f"{c}.description"]) for c in frame.columns if f"{c}.description" in attrs
    }
    if "description" in attrs:
        frame.attrs["description"] = _text(attrs["description"])
    return frame


def _walk_tables(group: h5py.Group, prefix: str = "") -> List[str]:
    """Paths of every compound (table) dataset under group, following links that resolve."""
    paths = []
    for name in group:
        try:
            item = group[name]
        except (KeyError, OSError):  # a dangling external link: a run not written yet
            continue
        path = f"{prefix}{name}"
        if isinstance(item, h5py.Group):
            paths += _walk_tables(item, path + "/")
        elif isinstance(item, h5py.Dataset) and item.dtype.names:
            paths.append(path)
    return paths


@dataclasses.dataclass
class Run:
    """One run's results: provenance, the scenario, and every table as a DataFrame."""

    path: str
    name: str                      # scenario name (or the sweep's run id)
    attrs: dict                    # root attributes: seed, version, status, ticks_completed, ...
    scenario: str                  # the resolved scenario, as YAML text ("" if absent)
    tables: Dict[str, pd.DataFrame]  # every table, by its path in the file ("series/by_tier", ...)

    # The tables of docs/hdf5.md by short name; an absent table is an empty DataFrame.
    def table(self, path: str) -> pd.DataFrame:
        return self.tables.get(path, pd.DataFrame())

    @property
    def by_tier(self) -> pd.DataFrame:
        return self.table("series/by_tier")

    @property
    def by_sector(self) -> pd.DataFrame:
        return self.table("series/by_sector")

    @property
    def by_size(self) -> pd.DataFrame:
        return self.table("series/by_size")

    @property
    def credit(self) -> pd.DataFrame:
        return self.table("series/credit")

    @property
    def events(self) -> pd.DataFrame:
        return self.table("events")

    @property
    def panel(self) -> pd.DataFrame:
        return self.table("panel/firms")

    @property
    def links(self) -> pd.DataFrame:
        return self.table("network/links")

    @property
    def ticks(self) -> int:
        if "ticks_completed" in self.attrs:
            return int(self.attrs["ticks_completed"])
        return int(self.by_tier["tick"].max()) + 1 if len(self.by_tier) else 0

    @property
    def by_cluster(self) -> pd.DataFrame:
        return self.table("series/by_cluster")

    @property
    def accounts(self) -> pd.DataFrame:
        """programs/accounts: money and take-up of each policy program per tick."""
        return self.table("programs/accounts")

    @property
    def beneficiaries(self) -> pd.DataFrame:
        return self.table("programs/beneficiaries")

    @property
    def scenario_dict(self) -> dict:
        """The resolved scenario parsed (needs python3-yaml; {} without it)."""
        try:
            import yaml
        except ImportError:  # pragma: no cover - python3-yaml is in quickstart's packages
            return {}
        try:
            return yaml.safe_load(self.scenario) or {}
        except yaml.YAMLError:
            return {}

    @property
    def certification_names(self) -> List[str]:
        """Names of the certifications in bit order of panel/firms.certifications (name order)."""
        names = sorted((self.scenario_dict.get("certifications") or {}).keys())
        if not names and len(self.panel):
            top = int(self.panel["certifications"].max()).bit_length()
            names = [f"certification {k}" for k in range(top)]
        return names

    def label(self) -> str:
        return self.name


def _read_run(group: h5py.Group, path: str, name: Optional[str] = None) -> Run:
    attrs = _attr_dict(group.attrs)
    ticks = attrs.get("ticks_completed")
    ticks = int(ticks) if ticks is not None else None
    tables = {}
    for table_path in _walk_tables(group):
        tables[table_path] = read_table(group[table_path], ticks)
    scenario = ""
    if "scenario/resolved" in group:
        scenario = _text(group["scenario/resolved"][()])
    return Run(path=str(path), name=name or attrs.get("scenario_name") or Path(path).stem,
               attrs=attrs, scenario=scenario, tables=tables)


@dataclasses.dataclass
class Sweep:
    """A sweep file: the runs table and each run's results under /run/<run_id>/."""

    path: str
    attrs: dict
    runs: pd.DataFrame          # one row per run: run_id, arm, replication, seed, status, error, parameters, metrics
    parameters: List[str]       # varied parameters (dotted scenario keys)
    metrics: List[str]          # summary metrics
    # A `tiersim compare` file: its /compare tables as DataFrames ("differences", "stages", "arms") and the
    # group's attributes ("attrs"); None for a sweep.
    comparison: Optional[dict] = None

    @property
    def name(self) -> str:
        return self.attrs.get("sweep_name") or self.attrs.get("name") or Path(self.path).stem

    @property
    def done(self) -> pd.DataFrame:
        """The runs that finished."""
        return self.runs[self.runs["status"] == "done"].reset_index(drop=True)

    def run(self, run_id: str) -> Run:
        """One run of the sweep, loaded as a Run."""
        with open_results(self.path) as f:
            if f"run/{run_id}" not in f:
                raise ResultsFileError(self.path, f"the sweep has no results of run {run_id!r}")
            return _read_run(f[f"run/{run_id}"], self.path, name=str(run_id))

    def table(self, table_path: str, columns: Optional[List[str]] = None) -> pd.DataFrame:
        """One table of every finished run, stacked, with run_id, arm, replication and the parameters."""
        frames = []
        keys = ["run_id", "arm", "replication"] + self.parameters
        with open_results(self.path) as f:
            for _, row in self.done.iterrows():
                group_path = f"run/{row['run_id']}"
                try:
                    group = f[group_path]
                    dataset = group[table_path]
                except (KeyError, OSError):
                    continue
                ticks = group.attrs.get("ticks_completed")
                frame = read_table(dataset, int(ticks) if ticks is not None else None)
                if columns:
                    frame = frame[[c for c in frame.columns if c in columns or c in ("tick",)]]
                for position, key in enumerate(keys):
                    if key not in frame.columns:
                        frame.insert(position, key, row[key])
                frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def label(self) -> str:
        return self.name


_RUN_COLUMNS = ("run_id", "arm", "replication", "seed", "status", "error")


#: Where a sweep file may keep its definition (YAML text): its parameters' keys and metrics' names.
SWEEP_DEFINITIONS = ("sweep/resolved", "sweep/definition", "sweep/input", "definition")


def _sweep_definition(f: h5py.File) -> dict:
    for path in SWEEP_DEFINITIONS:
        if path in f and isinstance(f[path], h5py.Dataset) and f[path].shape == ():
            try:
                import yaml
                definition = yaml.safe_load(_text(f[path][()]))
            except Exception:  # noqa: BLE001 - a definition we cannot read: fall back on column names
                continue
            if isinstance(definition, dict):
                return definition
    return {}


def _read_sweep(f: h5py.File, path: str) -> Sweep:
    attrs = _attr_dict(f.attrs)
    runs = read_table(f["runs"])
    for column in ("run_id", "status", "error"):
        if column in runs.columns:
            runs[column] = runs[column].astype(str)
    runs_attrs = f["runs"].attrs

    def listed(name):
        for source in (runs_attrs, f.attrs):
            if name in source:
                return [_text(v) for v in np.atleast_1d(source[name])]
        return None

    floats = [c for c in runs.columns if c not in _RUN_COLUMNS and runs[c].dtype.kind == "f"]
    parameters = listed("parameters")
    metrics = listed("metrics")
    definition = _sweep_definition(f)
    if parameters is None and definition.get("parameters"):
        parameters = [p.get("key") for p in definition["parameters"] if isinstance(p, dict)]
    if metrics is None and definition.get("metrics"):
        metrics = [m.get("name") for m in definition["metrics"] if isinstance(m, dict)]
    # Without explicit lists: a varied parameter is named by its dotted scenario key; a metric is not.
    if parameters is None:
        parameters = [c for c in floats if "." in c and (metrics is None or c not in metrics)]
    if metrics is None:
        metrics = [c for c in floats if c not in parameters]
    parameters = [p for p in parameters if p in runs.columns]
    metrics = [m for m in metrics if m in runs.columns]
    return Sweep(path=str(path), attrs=attrs, runs=runs, parameters=parameters, metrics=metrics,
                 comparison=_read_comparison(f))


def _read_comparison(f: h5py.File) -> Optional[dict]:
    """The /compare group of a `tiersim compare` file (docs/hdf5.md), coded columns as labels."""
    if "compare" not in f:
        return None
    group = f["compare"]
    out = {"attrs": _attr_dict(group.attrs)}
    for name in ("differences", "stages", "arms"):
        if name in group:
            table = read_table(group[name])
            for column in table.columns:
                if table[column].dtype == object:
                    table[column] = table[column].map(_text)
            out[name] = table
    return out


def is_sweep(path) -> bool:
    with open_results(path) as f:
        return _kind(f, str(path)) == "sweep"


def load(path):
    """Load a results file: a Run for a single-run file, a Sweep for a sweep file.

    Raises ResultsFileError (a ValueError; one line naming the file and the problem) for a file that is
    missing, a directory, empty, text, truncated, corrupt, or an HDF5 file tiersim did not write."""
    path = str(path)
    with open_results(path) as f:
        if _kind(f, path) == "sweep":
            return _read_sweep(f, path)
        return _read_run(f, path)


def load_run(path) -> Run:
    result = load(path)
    if not isinstance(result, Run):
        raise ResultsFileError(path, "a sweep file, not a single run; use load() or load_sweep()")
    return result


def load_sweep(path) -> Sweep:
    result = load(path)
    if not isinstance(result, Sweep):
        raise ResultsFileError(path, "a single-run file, not a sweep (no /runs table)")
    return result
