"""The Result: its tables, costs, summary and files, on the tiny network whose
optimum is worked out by hand (tests/test_solving.py)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import hubopt
import hubopt._tables


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


def test_written_tables_are_rounded_and_the_result_is_not(tiny, tmp_path):
    legs = tiny.legs
    legs["cost_per_t"] = legs["cost_per_t"] + 1 / 3  # 4.3333... per tonne
    destinations = tiny.destinations
    destinations["demand_t"] = destinations["demand_t"] + 0.4  # 80.4 t ...
    net = tiny.replace(legs=legs, destinations=destinations)
    result = hubopt.solve(net)
    exact = result.markets["landed_cost_per_t"].copy()
    result.write(tmp_path / "out")
    for table in ("flows", "hubs", "markets", "paths"):
        text = (tmp_path / "out" / f"{table}.csv").read_text()
        written = pd.read_csv(tmp_path / "out" / f"{table}.csv", dtype=str)
        for column in written.columns:
            digits = hubopt._tables.decimals_for(column)
            if digits is None:
                continue
            for cell in written[column].dropna():
                decimals = cell.split(".")[1] if "." in cell else ""
                assert len(decimals) <= digits, (table, column, cell, text)
    markets = pd.read_csv(tmp_path / "out" / "markets.csv")
    assert markets["demand_t"].tolist() == [80, 70, 50]  # whole tonnes
    assert markets["landed_cost_per_t"].tolist() == exact.round(2).tolist()
    # the Result in memory keeps every digit
    pd.testing.assert_series_equal(result.markets["landed_cost_per_t"], exact)
    assert (exact != exact.round(2)).any()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["objective"] == round(result.objective, 2)
    assert summary["costs"]["total"] == round(result.costs.total, 2)
    assert summary["delivered_t"] == round(result.markets["served_t"].sum())
    assert summary["currency"] is None  # a user's network names no currency
    assert result.summary_dict()["objective"] == result.objective


def test_summary_json_names_the_bundled_currency(mk_result, tmp_path):
    mk_result.write_tables(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["currency"] == "USD"
    assert summary["costs"]["total"] == round(mk_result.costs.total, 2)
