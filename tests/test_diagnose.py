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


def test_transit_limit_no_route_meets(tiny):
    legs = tiny.legs
    legs["transit_days"] = 5.0
    dests = tiny.destinations
    dests["max_transit_days"] = [20.0, 20.0, 3.0]
    dests["unmet_penalty_per_t"] = float("nan")
    diagnosis = hubopt.explain_infeasible(tiny.replace(legs=legs, destinations=dests))
    assert not diagnosis.feasible
    assert (
        "market D3 must be reached within 3 days (max_transit_days) but its fastest "
        "route, O1->H2->D3, takes 10 days; raise the limit to 10" in diagnosis.text
    )
    assert diagnosis.shortfall.set_index("destination")["short_t"]["D3"] == 50


def test_cli_exit_3_explains(tiny, tmp_path, capsys):
    from hubopt.cli import main

    origins = tiny.origins
    origins["supply_t"] = 50
    tiny.replace(origins=origins).write(tmp_path / "net")
    assert main(["solve", str(tmp_path / "net"), "--out", str(tmp_path / "o")]) == 3
    err = capsys.readouterr().err
    assert "status infeasible" in err
    assert "50 t short of the 150 t" in err
    assert "Traceback" not in err
