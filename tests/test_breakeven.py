"""Break-even values by bisection and the candidate ranking, on a two-hub network
whose answers are worked out by hand.

One origin O (1,000 t) and one market D (100 t). Shipping direct costs 10 a tonne;
through H1 2 + 3 = 5 a tonne plus a fixed cost of 300; through H2 1 + 2 = 3 a tonne
plus 600; handling is 1 a tonne at either hub. H3 is closed by its status. With
every leg's cost times k, the plans cost

    direct 1000 k,   H1 500 k + 400,   H2 300 k + 700,

so H1 opens from k = 0.8 (1000 k = 500 k + 400) and H2 takes over from k = 1.5
(500 k + 400 = 300 k + 700). At k = 1 the optimum is H1 at 900; H2 alone costs 1000.
With handling times m (k = 1): H1 costs 800 + 100 m against 1000 direct, so the hub
closes from m = 2. With demand times d: H1 600 d + 300, H2 400 d + 600, direct
1000 d: H2 takes over from d = 1.5.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import hubopt
from hubopt import breakeven, solving


def two_hubs(direct: float = 10.0) -> hubopt.Network:
    origins = pd.DataFrame(
        {"id": ["O"], "name": ["O"], "lon": [0.0], "lat": [0.0], "supply_t": [1000.0]}
    )
    hubs = pd.DataFrame(
        {
            "id": ["H1", "H2", "H3"],
            "name": ["Hub one", "Hub two", "Hub three"],
            "lon": [1.0, 1.0, 1.0],
            "lat": [0.0, 1.0, -1.0],
            "capacity_t": [1e6, 1e6, 1e6],
            "fixed_cost": [300.0, 600.0, 1.0],
            "handling_cost_per_t": [1.0, 1.0, 0.0],
            "status": ["candidate", "candidate", "closed"],
            "status_reason": ["", "", "closed: silted up; set status to reopen"],
        }
    )
    markets = pd.DataFrame(
        {
            "id": ["D"],
            "name": ["Market D"],
            "lon": [2.0],
            "lat": [0.0],
            "demand_t": [100.0],
        }
    )
    legs = pd.DataFrame(
        {
            "origin": ["O", "O", "H1", "O", "H2", "O", "H3"],
            "destination": ["D", "H1", "D", "H2", "D", "H3", "D"],
            "cost_per_t": [direct, 2.0, 3.0, 1.0, 2.0, 0.1, 0.1],
            "mode": ["sea"] * 7,
        }
    )
    return hubopt.Network.from_frames(origins, hubs, markets, legs, name="two hubs")


@pytest.fixture(scope="module")
def net():
    return two_hubs()


def test_the_hand_computed_optimum(net):
    result = solving.solve(net)
    assert breakeven.portfolio(result) == (("H1", "base"),)
    assert result.objective == pytest.approx(900.0)


@pytest.mark.parametrize(
    ("driver", "low", "high", "exact", "below", "above"),
    [
        ("freight", 1.0, 3.0, 1.5, ["H1"], ["H2"]),
        ("freight", 0.2, 1.0, 0.8, [], ["H1"]),
        ("sea_freight", 1.0, 3.0, 1.5, ["H1"], ["H2"]),
        ("handling", 1.0, 3.0, 2.0, ["H1"], []),
        ("demand", 1.0, 3.0, 1.5, ["H1"], ["H2"]),
    ],
)
def test_bisection_finds_the_hand_computed_break_even(
    net, driver, low, high, exact, below, above
):
    edge = hubopt.break_even(net, driver, low=low, high=high, tol=0.01)
    assert edge.changes and edge.driver == driver and edge.base_value == 1.0
    assert [h for h, _ in edge.portfolio_below] == below
    assert [h for h, _ in edge.portfolio_above] == above
    lo, hi = edge.bracket
    assert lo <= exact <= hi and hi - lo <= 0.01
    assert edge.value == pytest.approx(exact, abs=0.01)
    # two end points, then one solve per halving of the interval down to tol
    halvings = 0
    width = high - low
    while width > 0.01:
        width /= 2
        halvings += 1
    assert edge.solves == 2 + halvings
    with pytest.raises(dataclasses.FrozenInstanceError):
        edge.value = 0.0  # type: ignore[misc]


def test_no_change_in_the_interval(net):
    edge = hubopt.break_even(net, "fixed_cost", low=0.9, high=1.1)
    assert edge.value is None and not edge.changes and edge.solves == 2
    assert edge.portfolio_below == edge.portfolio_above
    assert edge.bracket == (0.9, 1.1)


def test_any_function_of_the_network_is_a_driver(net):
    def direct_cost(network, value):
        legs = network.legs
        legs.loc[legs["destination"].eq("D") & legs["origin"].eq("O"), "cost_per_t"] = (
            value
        )
        return network.replace(legs=legs)

    # direct at c a tonne: 100 c against H1's 900, so H1 closes below c = 9
    edge = hubopt.break_even(
        net, direct_cost, low=5.0, high=10.0, tol=0.05, base_value=10.0
    )
    assert edge.driver == "direct_cost" and edge.base_value == 10.0
    assert edge.bracket[0] <= 9.0 <= edge.bracket[1]
    assert edge.portfolio_below == () and edge.portfolio_above[0][0] == "H1"


def test_options_reach_every_solve(net):
    # with max_hubs=0 no hub can open anywhere: nothing changes
    edge = hubopt.break_even(net, "freight", low=0.2, high=3.0, options={"max_hubs": 0})
    assert edge.value is None and edge.portfolio_below == ()
    same = hubopt.break_even(
        net, "freight", low=0.2, high=3.0, options=hubopt.SolveOptions(max_hubs=0)
    )
    assert same == edge


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"driver": "tariffs", "low": 0.5, "high": 2.0}, "unknown driver 'tariffs'"),
        ({"driver": 3, "low": 0.5, "high": 2.0}, "driver must be a name"),
        ({"driver": "freight", "low": 2.0, "high": 1.0}, "low must be below high"),
        ({"driver": "freight", "low": 1.0, "high": 1.0}, "low must be below high"),
        ({"driver": "freight", "low": 0.5, "high": 2.0, "tol": 0}, "tol must be > 0"),
        ({"driver": "freight", "low": "a", "high": 2.0}, "low must be a number"),
        (
            {"driver": "freight", "low": 0.5, "high": float("inf")},
            "high must be finite",
        ),
        (
            {"driver": "freight", "low": 0.5, "high": 2.0, "options": [1]},
            "options must be a hubopt.SolveOptions",
        ),
        # demand x20 needs 2,000 t from an origin of 1,000 t
        (
            {"driver": "demand", "low": 1.0, "high": 20.0},
            "demand at 20 has no solution",
        ),
    ],
)
def test_bad_arguments(net, kwargs, match):
    driver = kwargs.pop("driver")
    with pytest.raises(hubopt.ValidationError, match=match):
        hubopt.break_even(net, driver, **kwargs)


def test_candidate_ranking_by_hand(net):
    result = solving.solve(net)
    table = breakeven.candidate_ranking(result)
    assert table.columns.tolist() == list(breakeven.RANKING_COLUMNS)
    assert table["hub_id"].tolist() == ["H1", "H2", "H3"]
    first, second, closed = (table.iloc[i] for i in range(3))
    assert first["rank"] == 1 and first["extra_cost"] == pytest.approx(0.0)
    assert first["markets_served"] == "Market D"
    assert first["throughput_t"] == pytest.approx(100.0)
    # H2 alone: 300 + 600 + 100 = 1000, 100 more than the optimum, over 100 t
    assert second["rank"] == 2 and second["extra_cost"] == pytest.approx(100.0)
    assert second["extra_cost_per_t_through_hub"] == pytest.approx(1.0)
    assert second["extra_cost_per_t_delivered"] == pytest.approx(1.0)
    assert second["utilisation"] == pytest.approx(100 / 1e6)
    assert pd.isna(closed["rank"]) and closed["solve_status"] == "closed by status"
    assert closed["status_reason"].startswith("closed: silted up")


def test_candidate_ranking_shows_progress(net, capsys):
    breakeven.candidate_ranking(solving.solve(net), progress=True)
    assert "ranking the candidate hubs" in capsys.readouterr().err
