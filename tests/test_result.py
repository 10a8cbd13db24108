"""The Result: its tables, costs, summary and files, on the tiny network whose
optimum is worked out by hand (tests/test_solving.py)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import hubopt


def test_costs_add_up(tiny):
    costs = hubopt.solve(tiny).costs
    assert costs.fixed == 250
    assert costs.handling == pytest.approx(200)  # 200 t through hubs at 1/t
    assert costs.transport == pytest.approx(690)


def test_summary_and_write(tiny, tmp_path):
    result = hubopt.solve(tiny)
    text = result.summary()
    assert "optimal" in text and "West port" in text
    result.write(tmp_path)
    for name in ("summary.json", "flows.csv", "hubs.csv", "markets.csv", "paths.csv"):
        assert (tmp_path / name).exists()
    hubs = pd.read_csv(tmp_path / "hubs.csv")
    assert {
        "hub_id",
        "open",
        "level",
        "capacity_t",
        "throughput_t",
        "utilisation",
        "fixed_cost",
        "handling_cost",
    } <= set(hubs.columns)
    flows = pd.read_csv(tmp_path / "flows.csv")
    assert {"from", "to", "mode", "tonnes", "cost_per_t", "cost"} <= set(flows.columns)


def test_to_geodataframes(tiny):
    frames = hubopt.solve(tiny).to_geodataframes()
    assert set(frames) == {"origins", "hubs", "markets", "flows"}
    for gdf in frames.values():
        assert gdf.crs.to_epsg() == 4326
    assert (frames["flows"].geometry.geom_type == "LineString").all()


def test_write_tables_writes_the_files_as_they_are(tiny, tmp_path):
    result = hubopt.solve(tiny)
    result.write_tables(tmp_path / "plain")
    names = sorted(p.name for p in (tmp_path / "plain").iterdir())
    assert names == [
        "flows.csv",
        "hubs.csv",
        "markets.csv",
        "paths.csv",
        "run.json",
        "summary.json",
    ]
    summary = json.loads((tmp_path / "plain" / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(1140.0)
    assert summary["options"] == result.options.as_dict()


def test_a_result_without_a_solution_writes_no_tables(tiny, tmp_path):
    result = hubopt.solve(tiny, max_hubs=0, raise_on_failure=False)
    assert result.status == "infeasible"
    folder = result.write(tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == [
        ".hubopt.json",
        "run.json",
        "summary.json",
    ]
