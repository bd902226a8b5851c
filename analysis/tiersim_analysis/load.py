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
"""
from __future__ import annotations

import dataclasses
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

    @property
    def name(self) -> str:
        return self.attrs.get("sweep_name") or self.attrs.get("name") or Path(self.path).stem

    @property
    def done(self) -> pd.DataFrame:
        """The runs that finished."""
        return self.runs[self.runs["status"] == "done"].reset_index(drop=True)

    def run(self, run_id: str) -> Run:
        """One run of the sweep, loaded as a Run."""
        with h5py.File(self.path, "r") as f:
            return _read_run(f[f"run/{run_id}"], self.path, name=str(run_id))

    def table(self, table_path: str, columns: Optional[List[str]] = None) -> pd.DataFrame:
        """One table of every finished run, stacked, with run_id, arm, replication and the parameters."""
        frames = []
        keys = ["run_id", "arm", "replication"] + self.parameters
        with h5py.File(self.path, "r") as f:
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
    return Sweep(path=str(path), attrs=attrs, runs=runs, parameters=parameters, metrics=metrics)


def is_sweep(path) -> bool:
    with h5py.File(path, "r") as f:
        return "runs" in f and isinstance(f["runs"], h5py.Dataset)


def load(path):
    """Load a results file: a Run for a single-run file, a Sweep for a sweep file."""
    path = str(path)
    with h5py.File(path, "r") as f:
        if "runs" in f and isinstance(f["runs"], h5py.Dataset):
            return _read_sweep(f, path)
        return _read_run(f, path)


def load_run(path) -> Run:
    result = load(path)
    if not isinstance(result, Run):
        raise ValueError(f"{path} is a sweep file; use load() or load_sweep()")
    return result


def load_sweep(path) -> Sweep:
    result = load(path)
    if not isinstance(result, Sweep):
        raise ValueError(f"{path} is a single-run file, not a sweep (no /runs table)")
    return result
