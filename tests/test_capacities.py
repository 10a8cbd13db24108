"""Capacities on nodes and sets of legs, contestable demand and a fixed programme,
on networks small enough to solve by hand.

The corridor network: an origin O (100 t, procurement 1/t) and a market D (100 t)
joined by two direct rail legs, "north" at 2/t (its route passes the terminal AKTAU)
and "south" at 5/t; a hub H on a detour at 50/t a leg. Uncapacitated, all 100 t go
north: 100 x (1 + 2) = 300.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import model, solving
from hubopt.io import read_network, write_network


def corridor_network(
    capacities=None, *, demand_t=100.0, supply_t=100.0, dests=None, hub_status=None
) -> hubopt.Network:
    origins = pd.DataFrame(
        {
            "id": ["O"],
            "name": ["Farm"],
            "lon": [0.0],
            "lat": [0.0],
            "supply_t": [supply_t],
            "cost_per_t": [1.0],
        }
    )
    hubs = pd.DataFrame(
        {
            "id": ["H"],
            "name": ["Port"],
            "lon": [1.0],
            "lat": [0.0],
            "fixed_cost": [10.0],
            "status": [hub_status or "candidate"],
        }
    )
    if dests is None:
        dests = pd.DataFrame(
            {"id": ["D"], "name": ["City"], "lon": [2.0], "lat": [0.0]}
        ).assign(demand_t=demand_t)
    legs = pd.DataFrame(
        {
            "origin": ["O", "O", "O", "H"],
            "destination": ["D", "D", "H", "D"],
            "mode": ["rail", "rail", "rail", "sea"],
            "corridor": ["north", "south", "", ""],
            "cost_per_t": [2.0, 5.0, 50.0, 50.0],
            "route": [
                "rail/north_line@AKTAU; caspian_ferry@BAKU; rail",
                None,
                None,
                None,
            ],
        }
    )
    return hubopt.Network.from_frames(
        origins, hubs, dests, legs, name="corridors", capacities=capacities
    )


def caps(*rows) -> pd.DataFrame:
    """Capacities rows as (id, capacity_t, node, corridor, mode)."""
    return pd.DataFrame(rows, columns=["id", "capacity_t", "node", "corridor", "mode"])


def tonnes(result, corridor):
    flows = result.flows
    return float(flows.loc[flows["corridor"] == corridor, "tonnes"].sum())


def test_without_capacities_everything_goes_north():
    result = solving.solve(corridor_network())
    assert result.objective == pytest.approx(300.0)
    assert tonnes(result, "north") == pytest.approx(100.0)
    assert result.capacities.empty


def test_a_corridor_capacity_diverts_flow_to_the_second_corridor():
    net = corridor_network(caps(("north_cap", 60.0, "", "north", "")))
    result = solving.solve(net)
    # 60 t north at 3/t, 40 t south at 6/t
    assert tonnes(result, "north") == pytest.approx(60.0)
    assert tonnes(result, "south") == pytest.approx(40.0)
    assert result.objective == pytest.approx(60 * 3 + 40 * 6)
    row = result.capacities.iloc[0]
    assert row["used_t"] == pytest.approx(60.0)
    assert bool(row["binding"])
    # one more tonne north saves 5 - 2 = 3
    assert row["value_per_t"] == pytest.approx(3.0)


def test_a_node_capacity_on_a_waypoint_binds_and_one_on_the_market_does_not():
    net = corridor_network(
        caps(("aktau", 70.0, "AKTAU", "", ""), ("city", 150.0, "D", "", ""))
    )
    result = solving.solve(net)
    assert tonnes(result, "north") == pytest.approx(70.0)  # AKTAU is on north only
    table = result.capacities.set_index("id")
    assert table.loc["aktau", "used_t"] == pytest.approx(70.0)
    assert bool(table.loc["aktau", "binding"])
    assert table.loc["city", "used_t"] == pytest.approx(100.0)
    assert not bool(table.loc["city", "binding"])
    assert table.loc["city", "value_per_t"] == pytest.approx(0.0)
    assert table.loc["city", "utilisation"] == pytest.approx(100 / 150)


def test_a_mode_of_a_route_step_selects_the_legs_that_take_it():
    """The ferry is a step of the north leg's route, not the leg's own mode."""
    result = solving.solve(
        corridor_network(caps(("ferry", 25.0, "", "", "caspian_ferry")))
    )
    assert tonnes(result, "north") == pytest.approx(25.0)
    assert tonnes(result, "south") == pytest.approx(75.0)


def test_a_corridor_and_a_mode_must_both_match():
    """The north leg's (mode, corridor) pairs are rail/north (its own), rail/
    north_line, caspian_ferry and rail (its route): sea/north matches none."""
    both = caps(
        ("rail_north", 30.0, "", "north", "rail"),
        ("sea_north", 0.0, "", "north", "sea"),
    )
    result = solving.solve(corridor_network(both))
    assert tonnes(result, "north") == pytest.approx(30.0)
    assert result.capacities["used_t"].tolist() == pytest.approx([30.0, 0.0])


def test_an_origin_capacity_limits_what_leaves_it_and_a_hub_its_throughput():
    # an origin node: what leaves it; D may go short at 100/t
    dests = pd.DataFrame(
        {"id": ["D"], "name": ["City"], "lon": [2.0], "lat": [0.0], "demand_t": [100.0]}
    ).assign(unmet_penalty_per_t=100.0)
    result = solving.solve(
        corridor_network(caps(("farm", 80.0, "O", "", "")), dests=dests)
    )
    assert result.markets["unmet_t"].iloc[0] == pytest.approx(20.0)
    # a hub node: its throughput (the legs into it); forced open, nothing goes through
    net = corridor_network(caps(("port", 0.0, "H", "", "")), hub_status="open")
    result = solving.solve(net)
    assert result.capacities["used_t"].iloc[0] == pytest.approx(0.0)


def test_path_flows_into_a_market_with_a_transit_limit_count():
    """A market with max_transit_days is served by path variables; a capacity on
    the hub->market leg's mode still counts their tonnes."""
    dests = pd.DataFrame(
        {"id": ["D"], "name": ["City"], "lon": [2.0], "lat": [0.0], "demand_t": [100.0]}
    ).assign(max_transit_days=10.0)
    net = corridor_network(caps(("sea", 30.0, "", "", "sea")), dests=dests)
    legs = net.legs
    legs["transit_days"] = [20.0, 20.0, 2.0, 2.0]  # only the hub route is fast
    net = net.replace(legs=legs)
    built = model.build(net, model.ModelOptions())
    assert len(built.path_cols) == 1
    with pytest.raises(hubopt.InfeasibleError):
        solving.solve(net)  # 100 t must go by sea, 30 t may
    result = solving.solve(net.replace(capacities=caps(("sea", 100.0, "", "", "sea"))))
    assert result.capacities["used_t"].iloc[0] == pytest.approx(100.0)


def test_an_infeasible_capacity_is_refused_and_explained():
    net = corridor_network(
        caps(
            ("north_cap", 60.0, "", "north", ""), ("south_cap", 30.0, "", "south", "")
        ),
        hub_status="closed",
    )
    with pytest.raises(hubopt.InfeasibleError, match="explain_infeasible"):
        solving.solve(net)
    diagnosis = hubopt.explain_infeasible(net)
    assert not diagnosis.feasible
    text = diagnosis.text
    assert "go 10 t short" in text
    assert "capacity north_cap (corridor north) is full at 60 t" in text
    assert "capacity south_cap (corridor south) is full at 30 t" in text


def test_capacities_send_the_model_past_the_lagrangian():
    net = corridor_network(caps(("north_cap", 60.0, "", "north", "")))
    assert model.build(net, model.ModelOptions()).hub_problem is None
    assert model.build(corridor_network(), model.ModelOptions()).hub_problem is not None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            caps(("t", 1.0, "AKTAUU", "", "")),
            r"table 'capacities', row 't', column 'node': unknown node 'AKTAUU' "
            r"\(did you mean 'AKTAU'\?\)",
        ),
        (
            caps(("t", 1.0, "", "nort", "")),
            r"table 'capacities', row 't', column 'corridor': unknown corridor 'nort'",
        ),
        (
            caps(("t", 1.0, "", "", "air")),
            r"table 'capacities', row 't', column 'mode': unknown mode 'air'",
        ),
        (caps(("t", 1.0, "", "", "")), r"table 'capacities', row 't': names nothing"),
        (
            caps(("t", -1.0, "D", "", "")),
            r"table 'capacities', row 't', column 'capacity_t'",
        ),
        (
            caps(("t", 1.0, "D", "", ""), ("t", 2.0, "O", "", "")),
            r"table 'capacities', row 't': duplicate row",
        ),
    ],
)
def test_bad_capacities_are_refused(rows, message):
    with pytest.raises(hubopt.ValidationError, match=message):
        corridor_network(rows)


def test_capacities_round_trip_through_csv_and_result_files(tmp_path):
    rows = caps(("north_cap", 60.0, "", "north", "")).assign(
        source=["a terminal's published figure"], confidence=["M"]
    )
    net = corridor_network(rows)
    write_network(net, tmp_path / "net")
    assert (tmp_path / "net" / "capacities.csv").is_file()
    again = read_network(tmp_path / "net")
    assert again.capacities[["id", "capacity_t", "corridor"]].equals(
        net.capacities[["id", "capacity_t", "corridor"]]
    )
    solving.solve(again).write(tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "capacities.csv")
    assert written["used_t"].tolist() == [60.0]
    # a network without capacities writes no capacities.csv
    write_network(corridor_network(), tmp_path / "plain")
    assert not (tmp_path / "plain" / "capacities.csv").exists()


def markets(alternatives) -> pd.DataFrame:
    """The corridor network's market D (100 t) buying elsewhere at
    ``alternatives``; its landed cost from O is 3/t."""
    return pd.DataFrame(
        {
            "id": ["D"],
            "name": ["City"],
            "lon": [2.0],
            "lat": [0.0],
            "demand_t": [100.0],
            "alternative_cost_per_t": alternatives,
        }
    )


def two_market_network(alt_a: float, alt_b: float) -> hubopt.Network:
    """O (100 t at 1/t) -> A and B (50 t each) directly at 2/t: landed 3/t; A buys
    elsewhere at ``alt_a``, B at ``alt_b``."""
    origins = pd.DataFrame(
        {"id": ["O"], "name": ["Farm"], "lon": [0.0], "lat": [0.0]}
    ).assign(supply_t=100.0, cost_per_t=1.0)
    hubs = pd.DataFrame({"id": ["H"], "name": ["Port"], "lon": [1.0], "lat": [0.0]})
    dests = pd.DataFrame(
        {
            "id": ["A", "B"],
            "name": ["Dear market", "Cheap market"],
            "lon": [2.0, 3.0],
            "lat": [0.0, 0.0],
            "demand_t": [50.0, 50.0],
            "alternative_cost_per_t": [alt_a, alt_b],
        }
    )
    legs = pd.DataFrame(
        {
            "origin": ["O", "O", "O"],
            "destination": ["A", "B", "H"],
            "mode": ["sea", "sea", "sea"],
            "cost_per_t": [2.0, 2.0, 9.0],
        }
    )
    return hubopt.Network.from_frames(origins, hubs, dests, legs, name="contest")


def test_a_market_whose_alternative_is_cheaper_is_lost_and_a_dearer_one_won():
    result = solving.solve(two_market_network(10.0, 2.5))
    table = result.markets.set_index("destination")
    assert table.loc["A", "served_t"] == pytest.approx(50.0)
    assert table.loc["A", "outcome"] == "won"
    assert table.loc["B", "served_t"] == pytest.approx(0.0)
    assert table.loc["B", "outcome"] == "lost to alternative"
    assert table.loc["B", "lost_to_alternative_t"] == pytest.approx(50.0)
    assert table["unmet_t"].sum() == 0.0  # a market lost is not unmet demand
    # objective: 50 t delivered at 3/t, 50 t bought elsewhere at 2.5/t
    assert result.objective == pytest.approx(150.0 + 125.0)
    assert result.costs.alternative_purchase == pytest.approx(125.0)
    assert result.costs.total == pytest.approx(result.objective)
    assert result.summary_dict()["lost_to_alternative_t"] == pytest.approx(50.0)


def test_programme_t_forces_a_market_to_be_served_at_a_loss():
    net = two_market_network(10.0, 2.5)
    result = solving.solve(net, programme_t=80.0)
    table = result.markets.set_index("destination")
    assert table.loc["A", "served_t"] == pytest.approx(50.0)
    assert table.loc["B", "served_t"] == pytest.approx(30.0)  # at 3/t against 2.5
    assert table.loc["B", "outcome"] == "partly won"
    assert result.objective == pytest.approx(80 * 3.0 + 20 * 2.5)
    # a programme below what the market takes anyway changes nothing
    assert solving.solve(net, programme_t=40.0).objective == pytest.approx(275.0)


@pytest.mark.parametrize(
    ("programme", "message"),
    [
        (150.0, r"programme_t 150 t is more than the network's total demand of 100 t"),
        (-1.0, r"programme_t must be a finite number >= 0 or None, got -1.0"),
    ],
)
def test_a_programme_beyond_the_network_is_refused(programme, message):
    with pytest.raises(hubopt.ValidationError, match=message):
        solving.solve(two_market_network(10.0, 2.5), programme_t=programme)


def test_a_programme_beyond_supply_is_refused():
    net = corridor_network(supply_t=50.0, dests=markets([9.0]))
    with pytest.raises(hubopt.ValidationError, match="total supply of 50 t"):
        solving.solve(net, programme_t=60.0)


def test_a_market_with_a_penalty_and_an_alternative_is_refused():
    dests = markets([9.0]).assign(unmet_penalty_per_t=20.0)
    with pytest.raises(
        hubopt.ValidationError,
        match=r"table 'destinations', row 'D', column 'alternative_cost_per_t': 9 "
        r"beside unmet_penalty_per_t 20; give one",
    ):
        corridor_network(dests=dests)


def test_a_contestable_market_need_not_be_reachable():
    """explain_infeasible does not count a contestable market as one to serve."""
    net = corridor_network(dests=markets([2.0]), supply_t=0.0)
    assert hubopt.explain_infeasible(net).feasible
    result = solving.solve(net)
    assert result.markets["outcome"].tolist() == ["lost to alternative"]
    assert np.isclose(result.objective, 200.0)


def test_a_scenario_that_closes_a_corridor_drops_the_capacities_only_it_had():
    net = corridor_network(
        caps(("north_cap", 60.0, "", "north", ""), ("city", 150.0, "D", "", ""))
    )
    closed = hubopt.Scenario("no north", close_corridors=["north"]).apply(net)
    assert closed.capacities["id"].tolist() == ["city"]
    result = solving.solve(closed)
    assert tonnes(result, "south") == pytest.approx(100.0)


@pytest.mark.parametrize(
    "keywords", [{"solver": "cbc"}, {"linking": "lazy"}, {"linking": "none"}]
)
def test_capacities_hold_with_every_solver_and_linking(keywords):
    net = corridor_network(caps(("north_cap", 60.0, "", "north", "")))
    result = solving.solve(net, **keywords)
    assert result.objective == pytest.approx(420.0)
    assert tonnes(result, "north") == pytest.approx(60.0)


def test_contestable_markets_keep_the_lagrangian_and_its_answer():
    """Contestable demand is a shortfall price: the plain shape, so a lazy model
    goes through the Lagrangian hub fixing, with the same optimum."""
    net = two_market_network(10.0, 2.5)
    built = model.build(net, model.ModelOptions(linking="lazy"))
    assert built.hub_problem is not None and built.arrays.pool.n_rows > 0
    assert solving.solve(net, linking="lazy").objective == pytest.approx(275.0)


def test_robust_choice_respects_capacities_in_every_scenario():
    net = corridor_network(caps(("north_cap", 60.0, "", "north", "")))
    busy = hubopt.Scenario("busy", supply_changes={"O": 1.5}, demand_multiplier=1.2)
    choice = hubopt.robust(net, [hubopt.Scenario("base"), busy], progress=False)
    for result in choice.two_stage_results.values():
        assert tonnes(result, "north") == pytest.approx(60.0)


def test_the_summary_says_lost_not_unmet():
    text = solving.solve(two_market_network(10.0, 2.5)).summary()
    assert (
        "delivered: 50 t of 100 t demand (50 t lost to the markets' alternative" in text
    )
    assert "bought elsewhere 125" in text and "unmet" not in text


def test_capacities_round_trip_through_a_geopackage(tmp_path):
    net = corridor_network(caps(("north_cap", 60.0, "", "north", "")))
    write_network(net, tmp_path / "net.gpkg")
    again = read_network(tmp_path / "net.gpkg")
    assert again.capacities[["id", "capacity_t", "corridor"]].values.tolist() == [
        ["north_cap", 60.0, "north"]
    ]


def test_new_legs_keep_the_capacities_they_still_name():
    net = corridor_network(
        caps(("aktau", 60.0, "AKTAU", "", ""), ("city", 150.0, "D", "", ""))
    )
    legs = net.legs
    without_north = net.replace(legs=legs[legs["corridor"] != "north"])
    assert without_north.capacities["id"].tolist() == ["city"]
    # given explicitly, a row naming what no leg has is refused as ever
    with pytest.raises(hubopt.ValidationError, match="unknown node 'AKTAU'"):
        net.replace(legs=legs[legs["corridor"] != "north"], capacities=net.capacities)
