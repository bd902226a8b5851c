"""Reads a tiersim results file with h5py and pandas, as an analyst would.

Usage: check_results.py RESULTS.h5
Exits non-zero (with the reason) if a table does not load in one line, lacks
units or descriptions, or holds ticks that are not whole and in order.
"""
import sys

import h5py
import pandas


def check(path):
    with h5py.File(path, "r") as f:
        assert f.attrs["status"] == "completed", f.attrs["status"]
        ticks = int(f.attrs["ticks_completed"])
        assert ticks == int(f.attrs["ticks_planned"]), (ticks, f.attrs["ticks_planned"])
        resolved = f["scenario/resolved"][()].decode()
        assert "sectors:" in resolved
        for name in ("series/by_tier", "series/by_sector", "series/by_size", "series/credit", "events",
                     "panel/firms", "network/links"):
            table = pandas.DataFrame(f[name][:])  # the one line an analyst writes
            assert len(table) > 0, name
            if name.startswith("series/"):
                assert sorted(table["tick"].unique()) == list(range(ticks)), name
            for column in f[name].attrs["columns"]:
                assert column in table.columns, (name, column)
                assert f[name].attrs[f"{column}.description"], (name, column)
                assert f"{column}.units" in f[name].attrs, (name, column)
        panel = pandas.DataFrame(f["panel/firms"][:])
        snapshots = sorted(panel["tick"].unique())
        assert snapshots == list(range(0, ticks, 12)), snapshots
        by_tier = pandas.DataFrame(f["series/by_tier"][:])
        # Operating firms: active ones (firms) and dormant ones.
        operating = by_tier.groupby("tick")["firms"].sum() + by_tier.groupby("tick")["dormant_firms"].sum()
        alive_in_panel = panel[panel["alive"] == 1].groupby("tick").size()
        assert (alive_in_panel == operating.loc[snapshots]).all(), (alive_in_panel, operating.loc[snapshots])
        network = pandas.DataFrame(f["network/links"][:])
        assert set(network["buyer"]) <= set(panel["firm"]) and len(network) > 0
        events = pandas.DataFrame(f["events"][:])
        assert set(events["event"]) <= set(range(len(f["events"].attrs["event.labels"])))
        tiers = list(f["series/by_tier"].attrs["tier.labels"])
        assert [t.decode() if isinstance(t, bytes) else t for t in tiers] == ["OEM", "T1", "T2", "T3"], tiers
        by_tier = pandas.DataFrame(f["series/by_tier"][:])
        assert (by_tier[["output", "shipped", "finished_goods", "backlog"]] >= 0).all().all()
    print(f"{path}: {ticks} ticks; tables load into pandas with units and descriptions")


if __name__ == "__main__":
    check(sys.argv[1])
