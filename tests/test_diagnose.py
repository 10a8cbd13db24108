"""explain_infeasible: plain-words reasons and the smallest relaxation."""

from __future__ import annotations

import pytest

import hubopt


def test_supply_short(tiny):
    origins = tiny.origins
    origins["supply_t"] = 50
    diagnosis = hubopt.explain_infeasible(tiny.replace(origins=origins))
    assert not diagnosis.feasible
    assert "50 t short of the 150 t" in diagnosis.text


def test_unreachable_market(tiny):
    legs = tiny.legs
    legs = legs[legs["destination"] != "D1"]
    diagnosis = hubopt.explain_infeasible(tiny.replace(legs=legs))
    assert diagnosis.unreachable_markets == ["D1"]
    assert diagnosis.shortfall.set_index("destination")["short_t"][
        "D1"
    ] == pytest.approx(80)


def test_capacity_short(tiny):
    hubs = tiny.hubs
    hubs["capacity_t"] = 20
    legs = tiny.legs
    legs = legs[~((legs["origin"] == "O1") & (legs["destination"] == "D1"))]
    diagnosis = hubopt.explain_infeasible(tiny.replace(hubs=hubs, legs=legs))
    # 60 t of capacity for 150 t of must-serve demand: 90 t short at the least.
    assert diagnosis.shortfall["short_t"].sum() == pytest.approx(90)
    assert "capacity" in diagnosis.text


def test_forced_open_beyond_max_hubs(tiny):
    hubs = tiny.hubs
    hubs["status"] = "open"
    diagnosis = hubopt.explain_infeasible(tiny.replace(hubs=hubs), max_hubs=1)
    assert "max_hubs is 1" in diagnosis.text


def test_feasible_network(tiny):
    assert hubopt.explain_infeasible(tiny).feasible
