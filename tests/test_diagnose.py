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
    hubopt.write_network(tiny.replace(origins=origins), tmp_path / "net")
    assert main(["solve", str(tmp_path / "net"), "--out", str(tmp_path / "o")]) == 3
    err = capsys.readouterr().err
    assert "status infeasible" in err
    assert "50 t short of the 150 t" in err
    assert "Traceback" not in err


# -- the options of the failing solve ----------------------------------------------------
_MAX_HUBS_0 = (
    "max_hubs is 0 (no hub may open), but market D2 (70 t) has no direct leg from an "
    "origin and can only be served through a hub"
)


def test_explains_with_the_result_of_the_failing_solve(tiny):
    """Without the options the explanation said "the network has a feasible
    solution" for a solve that failed because of max_hubs = 0."""
    result = hubopt.solve(tiny, max_hubs=0, raise_on_failure=False)
    assert result.status == "infeasible"
    diagnosis = hubopt.explain_infeasible(tiny, result)
    assert not diagnosis.feasible
    assert _MAX_HUBS_0 in diagnosis.text
    assert diagnosis.shortfall.set_index("destination")["short_t"][
        "D2"
    ] == pytest.approx(70)


@pytest.mark.parametrize(
    "options",
    [
        {"max_hubs": 0},
        hubopt.SolveOptions(max_hubs=0),
        hubopt.SolveOptions(max_hubs=0).model_options(),
    ],
    ids=["dict", "SolveOptions", "ModelOptions"],
)
def test_options_in_any_form(tiny, options):
    assert _MAX_HUBS_0 in hubopt.explain_infeasible(tiny, options).text


def test_binding_budget_is_named(tiny):
    # 10 of budget opens no hub (the cheapest costs 50): D2 goes 70 t short
    result = hubopt.solve(tiny, budget=10.0, raise_on_failure=False)
    diagnosis = hubopt.explain_infeasible(tiny, result)
    assert not diagnosis.feasible
    assert (
        "budget = 10.0 is binding: without it the markets fall 0 t short instead of "
        "70 t" in diagnosis.text
    )


def test_min_hubs_above_the_open_able_hubs(tiny):
    hubs = tiny.hubs
    hubs.loc[hubs["id"] == "H3", "status"] = "closed"
    diagnosis = hubopt.explain_infeasible(tiny.replace(hubs=hubs), {"min_hubs": 3})
    assert "min_hubs is 3 but only 2 hubs are not closed" in diagnosis.text


def test_keyword_overrides_the_options(tiny):
    assert hubopt.explain_infeasible(tiny, {"max_hubs": 0}, max_hubs=2).feasible


def test_options_of_the_wrong_kind(tiny):
    with pytest.raises(hubopt.ValidationError, match=r"options must be a Result"):
        hubopt.explain_infeasible(tiny, 3)
