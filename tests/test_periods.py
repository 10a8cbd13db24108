"""The multi-period model: periods, stock at hubs, reserves, period shares, the
checker's period families; small networks checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import solving
from hubopt.errors import ValidationError
from hubopt.periods import Periods, period_networks, read_periods


def _periods(days=(1, 1), ids=("harvest", "lean"), values=None) -> Periods:
    table = pd.DataFrame({"id": list(ids), "days": list(days)})
    return Periods.from_frames(table, None if values is None else pd.DataFrame(values))


def _values(*rows) -> list[dict]:
    return [
        dict(zip(("table", "id", "column", "period", "value"), row, strict=True))
        for row in rows
    ]


def _store_network(
    silo_t: float = 80.0,
    storage: float = 1.0,
    loss: float = 0.0,
    penalty: float = np.nan,
    levels: pd.DataFrame | None = None,
) -> hubopt.Network:
    """O (300 t, 150 t a period) -> H -> D (100 t): inbound 2 per t, outbound 1 per t; H opens
    for 10 with a silo of ``silo_t``."""
    origins = pd.DataFrame(
        {"id": ["O"], "name": ["O"], "lon": [0.0], "lat": [0.0], "supply_t": [300.0]}
    )
    hubs = pd.DataFrame(
        {
            "id": ["H"],
            "name": ["H"],
            "lon": [1.0],
            "lat": [0.0],
            "fixed_cost": [10.0],
            "silo_capacity_t": [silo_t],
            "storage_cost_per_t_period": [storage],
            "stock_loss_share": [loss],
        }
    )
    dests = pd.DataFrame(
        {
            "id": ["D"],
            "name": ["D"],
            "lon": [2.0],
            "lat": [0.0],
            "demand_t": [100.0],
            "unmet_penalty_per_t": [penalty],
        }
    )
    legs = pd.DataFrame(
        {
            "origin": ["O", "H"],
            "destination": ["H", "D"],
            "mode": ["rail", "sea"],
            "cost_per_t": [2.0, 1.0],
        }
    )
    return hubopt.Network.from_frames(origins, hubs, dests, legs, hub_levels=levels)


#: Shipping into the hub costs 10 per t in the lean period instead of 2.
LATE_IS_DEAR = _values(("legs", "O->H", "cost_per_t", "lean", 10.0))


def _flow(result, period, origin, destination) -> float:
    flows = result.periods.flows
    mine = flows[
        (flows["period"] == period)
        & (flows["from"] == origin)
        & (flows["to"] == destination)
    ]
    return float(mine["tonnes"].sum())


def _stock(result, period, hub="H") -> float:
    stock = result.periods.stock
    mine = stock[(stock["period"] == period) & (stock["hub_id"] == hub)]
    return float(mine["stock_t"].sum())


# -- one period is today's model ---------------------------------------------------
@pytest.mark.parametrize("name", ["tiny", "morocco_kazakhstan"])
def test_one_period_is_todays_model(name):
    net = getattr(hubopt.datasets, name)()
    year = _periods(days=(365,), ids=("year",))
    plain = solving.solve(net)
    periodic = solving.solve(net, periods=year)
    assert periodic.objective == pytest.approx(plain.objective, rel=1e-9)
    assert periodic.open_hubs == plain.open_hubs
    # leg by leg, to a millionth of a tonne (a solver's residues on an optimal
    # face, below that, are not flows; main's tie-break may clean them)
    keys = ["from", "to", "mode", "corridor"]
    both = plain.flows[[*keys, "tonnes"]].merge(
        periodic.flows[[*keys, "tonnes"]], on=keys, how="outer"
    )
    both[["tonnes_x", "tonnes_y"]] = both[["tonnes_x", "tonnes_y"]].fillna(0.0)
    assert both["tonnes_x"].to_numpy() == pytest.approx(
        both["tonnes_y"].to_numpy(), rel=1e-9, abs=1e-6
    )
    assert both["tonnes_x"].sum() > 0


def test_periods_without_period_values_split_the_year_pro_rata():
    net = hubopt.datasets.tiny()
    nets = period_networks(net, _periods(days=(1, 3)))
    assert [n.total_demand_t for n in nets] == [50.0, 150.0]
    assert nets[0].hubs["capacity_t"].tolist() == [25.0, 50.0, 15.0]


# -- stock ---------------------------------------------------------------------------
def test_storing_beats_shipping_late():
    net = _store_network()
    result = solving.solve(net, periods=_periods(values=LATE_IS_DEAR))
    # all 100 t in at harvest (2 per t), 50 t kept one period (1 per t), 100 t out
    assert result.objective == pytest.approx(10 + 200 + 50 + 100)
    assert _flow(result, "harvest", "O", "H") == pytest.approx(100.0)
    assert _flow(result, "lean", "O", "H") == pytest.approx(0.0)
    assert _stock(result, "harvest") == pytest.approx(50.0)
    assert _stock(result, "lean") == pytest.approx(0.0)
    # the annual tables keep their meaning: 100 t in and out of H in the year
    assert result.flows["tonnes"].tolist() == pytest.approx([100.0, 100.0])
    assert result.flows["cost"].tolist() == pytest.approx([200.0, 100.0])
    costs = result.costs
    assert (costs.fixed, costs.transport, costs.storage) == (10.0, 300.0, 50.0)
    assert costs.total == pytest.approx(result.objective)
    # 50 t held at the end of harvest: the lean period's 50 t, one day of D's
    # demand there (a period lasts 1 day)
    assert result.periods.cover["cover_days"].tolist() == pytest.approx([1.0, 0.0])
    assert result.periods.worst_month.loc[0, "period"] == "lean"


@pytest.mark.parametrize(
    "how",
    [{"linking": "all"}, {"linking": "lazy"}, {"linking": "none"}, {"solver": "cbc"}],
)
def test_storing_is_found_whatever_the_linking_and_solver(how):
    net = _store_network()
    result = solving.solve(net, periods=_periods(values=LATE_IS_DEAR), **how)
    assert result.objective == pytest.approx(360.0)
    assert _stock(result, "harvest") == pytest.approx(50.0)


def test_without_a_silo_the_hub_ships_late():
    net = _store_network(silo_t=0.0)
    result = solving.solve(net, periods=_periods(values=LATE_IS_DEAR))
    assert result.objective == pytest.approx(10 + 50 * 2 + 50 * 10 + 100)
    assert result.periods.stock.empty
    # the year's flow into H: 100 t at 2 and 10, an average of 6 per t
    assert result.flows["cost_per_t"].tolist() == pytest.approx([6.0, 1.0])
    assert result.costs.total == pytest.approx(result.objective)


def test_loss_in_stock_is_made_up_at_harvest():
    net = _store_network(loss=0.2)
    result = solving.solve(net, periods=_periods(values=LATE_IS_DEAR))
    # 50 t reach D in the lean period from 62.5 t stored (20 % lost)
    assert _stock(result, "harvest") == pytest.approx(62.5)
    assert _flow(result, "harvest", "O", "H") == pytest.approx(112.5)
    assert result.objective == pytest.approx(10 + 112.5 * 2 + 62.5 + 100)


def test_a_year_that_is_not_cyclic_starts_with_empty_silos():
    net = _store_network()
    # harvest comes second: with empty silos at the start the lean period ships
    periods = _periods(ids=("lean", "harvest"), values=LATE_IS_DEAR)
    cyclic = solving.solve(net, periods=periods)
    assert _stock(cyclic, "harvest") == pytest.approx(50.0)  # carried round the year
    linear = solving.solve(net, periods=periods, cyclic_stock=False)
    assert _flow(linear, "lean", "O", "H") == pytest.approx(50.0)
    assert linear.objective == pytest.approx(10 + 50 * 10 + 50 * 2 + 100)


def test_hub_capacity_holds_per_period_pro_rata_to_days():
    net = _store_network()
    hubs = net.hubs
    hubs["capacity_t"] = 120.0  # 60 t per period of equal length
    result = solving.solve(
        net.replace(hubs=hubs), periods=_periods(values=LATE_IS_DEAR)
    )
    assert _flow(result, "harvest", "O", "H") == pytest.approx(60.0)
    assert _stock(result, "harvest") == pytest.approx(10.0)


# -- food security -------------------------------------------------------------------
def test_a_reserve_forces_a_bigger_level():
    levels = pd.DataFrame(
        {
            "hub_id": ["H", "H"],
            "level": ["small", "big"],
            "capacity_t": [1000.0, 1000.0],
            "fixed_cost": [10.0, 50.0],
            "silo_capacity_t": [10.0, 100.0],
        }
    )
    net = _store_network(levels=levels)
    periods = _periods(days=(182.5, 182.5))
    plain = solving.solve(net, periods=periods)
    assert plain.hubs["level"].tolist() == ["small"]
    # 30 days of 100 t a year over 365 days: 8.2 t, fits the small silo
    small = solving.solve(net, periods=periods, reserve_days=30)
    assert small.hubs["level"].tolist() == ["small"]
    # 73 days: 20 t, only the big silo holds it, at the end of both periods
    big = solving.solve(net, periods=periods, reserve_days=73)
    assert big.hubs["level"].tolist() == ["big"]
    assert big.periods.stock["stock_t"].tolist() == pytest.approx([20.0, 20.0])
    assert big.objective == pytest.approx(50 + 200 + 100 + 2 * 20)
    cover = big.periods.cover
    assert cover["cover_days"].tolist() == pytest.approx([73.0, 73.0])
    assert big.periods.worst_month["cover_days"].iloc[0] == pytest.approx(73.0)


def test_a_reserve_needs_a_silo():
    net = _store_network(silo_t=0.0)
    with pytest.raises(ValidationError, match="no hub serving the reserve markets"):
        solving.solve(net, periods=_periods(), reserve_days=10)


def test_reserve_markets_must_be_markets():
    with pytest.raises(ValidationError, match=r"reserve_markets names \['X'\]"):
        solving.solve(
            _store_network(),
            periods=_periods(),
            reserve_days=10,
            reserve_markets=("X",),
        )


def test_min_period_share_serves_every_period():
    # a 5 per t penalty: without a share the lean period goes unserved
    net = _store_network(silo_t=0.0, penalty=5.0)
    periods = _periods(values=LATE_IS_DEAR)
    loose = solving.solve(net, periods=periods)
    assert _flow(loose, "lean", "H", "D") == pytest.approx(0.0)
    share = solving.solve(net, periods=periods, min_period_share=0.6)
    assert _flow(share, "lean", "H", "D") == pytest.approx(30.0)
    markets = share.periods.markets
    assert markets["served_t"].tolist() == pytest.approx([50.0, 30.0])


def test_landed_cost_spread_uses_each_periods_costs():
    net = _store_network(silo_t=0.0)
    result = solving.solve(net, periods=_periods(values=LATE_IS_DEAR))
    spread = result.periods.landed_cost_spread
    assert spread["min"] == pytest.approx((50 * 3 + 50 * 11) / 100)
    assert spread["spread"] == 0.0  # one market


def test_period_options_need_periods():
    with pytest.raises(ValidationError, match="reserve_days need periods"):
        solving.solve(_store_network(), reserve_days=10)


def test_options_the_period_model_does_not_have_are_refused():
    with pytest.raises(ValidationError, match="single_sourcing"):
        solving.solve(_store_network(), periods=_periods(), single_sourcing=True)


# -- shut corridors --------------------------------------------------------------------
def test_a_leg_shut_in_a_period_carries_nothing_then():
    net = hubopt.datasets.tiny()
    shut = _values(("legs", "O1->H1", "available", "b", 0))
    result = solving.solve(net, periods=_periods(ids=("a", "b"), values=shut))
    assert _flow(result, "b", "O1", "H1") == 0.0
    assert _flow(result, "a", "O1", "H1") > 0.0


def test_a_corridor_shut_in_a_period_carries_nothing_then():
    net = hubopt.datasets.tiny()
    legs = net.legs
    legs.loc[legs["origin"].isin(["O1", "O2"]), "corridor"] = "land"
    net = net.replace(legs=legs)
    shut = _values(
        ("corridors", "land", "available", "b", 0),
        ("origins", "O1", "supply_t", "a", 150),  # the whole year's harvest in a
        ("origins", "O2", "supply_t", "a", 100),
    )
    periods = _periods(ids=("a", "b"), values=shut)
    without = solving.solve(net, periods=periods, raise_on_failure=False)
    assert without.status == "infeasible"  # D2 has no way but through a hub
    hubs = net.hubs
    hubs["silo_capacity_t"] = [0.0, 200.0, 0.0]
    result = solving.solve(net.replace(hubs=hubs), periods=periods)
    # nothing reaches a hub in b: H2 serves b out of what it stored in a
    flows = result.periods.flows
    assert flows.loc[(flows["period"] == "b") & (flows["kind"] == "inbound")].empty
    assert _stock(result, "a", "H2") > 0.0
    assert result.periods.results[1].markets["unmet_t"].sum() == 0.0


# -- checker ---------------------------------------------------------------------------
def test_the_checker_catches_a_broken_stock_balance():
    net = _store_network()
    result = solving.solve(net, periods=_periods(values=LATE_IS_DEAR))
    stock = result.periods.stock
    stock.loc[stock["period"] == "harvest", "stock_t"] = 40.0
    result.periods.stock = stock
    problems = hubopt.check_solution(net, result)
    assert any("stock balance" in p and "period harvest" in p for p in problems)


def test_the_checker_catches_stock_beyond_the_silo():
    net = _store_network(silo_t=50.0)
    result = solving.solve(net, periods=_periods(values=LATE_IS_DEAR))
    shrunk = _store_network(silo_t=40.0)
    problems = hubopt.check_solution(shrunk, result)
    assert any("more than the silo" in p for p in problems)


def test_the_checker_catches_a_missed_reserve():
    net = _store_network()
    result = solving.solve(net, periods=_periods(days=(182.5, 182.5)), reserve_days=73)
    stock = result.periods.stock
    stock["stock_t"] = 10.0
    result.periods.stock = stock
    problems = hubopt.check_solution(net, result)
    assert any(p.startswith("period harvest: reserve:") for p in problems)


# -- the tables ------------------------------------------------------------------------
def test_period_values_that_do_not_add_up_are_refused():
    values = _values(
        ("origins", "O", "supply_t", "harvest", 70),
        ("origins", "O", "supply_t", "lean", 20),
    )
    with pytest.raises(ValidationError, match=r"add up to 90 t, the annual supply_t"):
        solving.solve(_store_network(), periods=_periods(values=values))


def test_a_corridor_cost_factor_scales_its_legs_in_the_period():
    net = hubopt.datasets.tiny()
    legs = net.legs
    legs.loc[legs["origin"] == "O2", "corridor"] = "south"
    values = _values(("corridors", "south", "cost_factor", "lean", 3))
    nets = period_networks(net.replace(legs=legs), _periods(values=values))
    south = (legs["corridor"] == "south").to_numpy()
    costs = [n.legs["cost_per_t"].to_numpy() for n in nets]
    assert costs[0].tolist() == legs["cost_per_t"].tolist()
    assert costs[1][south].tolist() == [3.0, 6.0]
    assert (costs[1][~south] == costs[0][~south]).all()


def test_a_supply_given_for_some_periods_leaves_the_rest_to_the_others():
    values = _values(("origins", "O", "supply_t", "harvest", 70))
    nets = period_networks(_store_network(), _periods(values=values))
    assert [n.total_supply_t for n in nets] == [70.0, 230.0]


@pytest.mark.parametrize(
    ("periods", "values", "match"),
    [
        ({"id": ["a"], "days": [0]}, None, r"period a, column 'days': 0"),
        ({"id": ["a", "a"], "days": [1, 2]}, None, r"'a' appears twice"),
        ({"id": ["a"], "days": ["x"]}, None, r"'x' is not a number"),
        ({"id": ["a"]}, None, r"missing \['days'\]"),
        (
            {"id": ["a"], "days": [1]},
            _values(("hubs", "H", "fixed_cost", "a", 1)),
            r"hubs.fixed_cost cannot vary by period",
        ),
        (
            {"id": ["a"], "days": [1]},
            _values(("legs", "O->H", "cost_per_t", "z", 1)),
            r"'z' is not in table 'periods'",
        ),
        (
            {"id": ["a"], "days": [1]},
            _values(("legs", "O->H", "available", "a", 0.5)),
            r"available is 0 or 1",
        ),
        (
            {"id": ["a"], "days": [1]},
            _values(("legs", "O->H", "cost_per_t", "a", -1)),
            r"column 'value': -1; give a finite number >= 0",
        ),
    ],
)
def test_bad_period_tables_are_named(periods, values, match):
    with pytest.raises(ValidationError, match=match):
        Periods.from_frames(
            pd.DataFrame(periods), None if values is None else pd.DataFrame(values)
        )


def test_a_period_value_for_an_unknown_row_is_named():
    periods = _periods(values=_values(("legs", "O->X", "cost_per_t", "lean", 1)))
    with pytest.raises(ValidationError, match=r"'O->X' is not ORIGIN->DESTINATION"):
        solving.solve(_store_network(), periods=periods)


def test_a_loss_share_above_one_is_refused():
    with pytest.raises(ValidationError, match=r"stock_loss_share': 1\.5"):
        solving.solve(_store_network(loss=1.5), periods=_periods())


def test_read_periods(tmp_path):
    pd.DataFrame({"id": ["q1", "q2"], "days": [90, 275], "order": [2, 1]}).to_csv(
        tmp_path / "periods.csv", index=False
    )
    pd.DataFrame(_values(("origins", "O", "supply_t", "q1", 10))).to_csv(
        tmp_path / "period_values.csv", index=False
    )
    periods = read_periods(tmp_path)
    assert periods.ids == ["q2", "q1"]
    assert len(periods.values) == 1
    with pytest.raises(ValidationError, match=r"no periods\.csv"):
        read_periods(tmp_path / "nowhere")


# -- capacities per period -----------------------------------------------------------
def _with_h1_capacity(capacity_t: float) -> hubopt.Network:
    net = hubopt.datasets.tiny()
    caps = pd.DataFrame({"id": ["h1_gate"], "capacity_t": [capacity_t], "node": ["H1"]})
    return net.replace(capacities=caps)


def test_capacities_rows_hold_per_period_pro_rata_to_days():
    net = _with_h1_capacity(60.0)
    plain = solving.solve(hubopt.datasets.tiny(), periods=_periods(ids=("a", "b")))
    assert _flow(plain, "a", "O1", "H1") == pytest.approx(50.0)  # H1's 100 t / 2
    result = solving.solve(net, periods=_periods(ids=("a", "b")))
    assert _flow(result, "a", "O1", "H1") == pytest.approx(30.0)
    assert _flow(result, "b", "O1", "H1") == pytest.approx(30.0)


def test_a_period_value_gives_a_capacities_row_its_own_figure():
    net = _with_h1_capacity(60.0)
    narrower = _values(("capacities", "h1_gate", "capacity_t", "a", 20))
    result = solving.solve(net, periods=_periods(ids=("a", "b"), values=narrower))
    assert _flow(result, "a", "O1", "H1") == pytest.approx(20.0)
    assert _flow(result, "b", "O1", "H1") == pytest.approx(30.0)


def test_the_checker_catches_a_period_over_a_capacities_row():
    wide = _values(("capacities", "h1_gate", "capacity_t", "a", 40))
    periods = _periods(ids=("a", "b"), values=wide)
    result = solving.solve(_with_h1_capacity(60.0), periods=periods)
    narrow = _periods(ids=("a", "b"))  # 30 t in a
    result.periods.periods = narrow
    problems = hubopt.check_solution(_with_h1_capacity(60.0), result)
    assert any(p.startswith("period a:") and "h1_gate" in p for p in problems)


def test_a_reserve_for_some_markets_is_held_where_they_are_served():
    net = hubopt.datasets.tiny()
    hubs = net.hubs
    hubs["silo_capacity_t"] = [100.0, 100.0, 100.0]
    hubs["storage_cost_per_t_period"] = 1.0
    net = net.replace(hubs=hubs)
    periods = _periods(ids=("a", "b"), days=(182.5, 182.5))
    result = solving.solve(net, periods=periods, reserve_days=73, reserve_markets="D3")
    # D3 (50 t a year) is served from H2 and H3: 10 t held there in every period
    stock = result.periods.stock
    held = stock[stock["hub_id"].isin(["H2", "H3"])].groupby("period")["stock_t"].sum()
    assert held.tolist() == pytest.approx([10.0, 10.0])
    assert stock.loc[stock["hub_id"] == "H1", "stock_t"].sum() == 0.0


# -- annual options stated once for the year (issue 18, part A) -------------------------
def _direct_network(penalty: float = np.nan) -> hubopt.Network:
    """O (300 t) -> D (100 t a year) by road (1 per t, 1 t CO2 per t) or rail (3 per
    t, no CO2); no hub."""
    origins = pd.DataFrame(
        {"id": ["O"], "name": ["O"], "lon": [0.0], "lat": [0.0], "supply_t": [300.0]}
    )
    hubs = pd.DataFrame({"id": ["H"], "name": ["H"], "lon": [1.0], "lat": [1.0]})
    dests = pd.DataFrame(
        {
            "id": ["D"],
            "name": ["D"],
            "lon": [2.0],
            "lat": [0.0],
            "demand_t": [100.0],
            "unmet_penalty_per_t": [penalty],
        }
    )
    legs = pd.DataFrame(
        {
            "origin": ["O", "O", "O", "H"],
            "destination": ["D", "D", "H", "D"],
            "mode": ["road", "rail", "rail", "sea"],
            "cost_per_t": [1.0, 3.0, 50.0, 50.0],
            "co2_kg_per_t": [1000.0, 0.0, 0.0, 0.0],
        }
    )
    return hubopt.Network.from_frames(origins, hubs, dests, legs)


def test_the_co2_cap_holds_for_the_year_not_each_period():
    # 30 t of CO2 in the year: 30 t by road, 70 t by rail = 30 + 210; a cap in
    # each period would let 60 t go by road (180)
    result = solving.solve(_direct_network(), periods=_periods(), max_co2_t=30.0)
    assert result.objective == pytest.approx(240.0)
    road = result.flows[result.flows["mode"] == "road"]["tonnes"].sum()
    assert road == pytest.approx(30.0)


def _short_network() -> hubopt.Network:
    """:func:`_direct_network` with road at 5 per t and rail at 7: D (penalty 1 per
    t) would rather go short."""
    net = _direct_network(penalty=1.0)
    return net.replace(legs=net.legs.assign(cost_per_t=[5.0, 7.0, 50.0, 50.0]))


def test_the_programme_holds_for_the_year_not_each_period():
    # 60 t delivered over the year by road, 40 t short = 60 x 5 + 40 x 1; in each
    # period, 60 t would exceed its 50 t demand
    result = solving.solve(_short_network(), periods=_periods(), programme_t=60.0)
    assert result.markets["served_t"].sum() == pytest.approx(60.0)
    assert result.objective == pytest.approx(340.0)


def test_a_programme_above_the_year_s_demand_is_refused():
    with pytest.raises(ValidationError, match=r"programme_t 150 t is more than"):
        solving.solve(_direct_network(1.0), periods=_periods(), programme_t=150.0)


def test_the_checker_finds_a_broken_annual_programme():
    net = _short_network()
    result = solving.solve(net, periods=_periods(), programme_t=60.0)
    result.options = result.options.replace(programme_t=80.0)
    problems = hubopt.check_solution(net, result)
    assert any("less than programme_t=80" in p for p in problems)


@pytest.mark.parametrize(
    ("option", "value"),
    [("single_sourcing", True), ("min_throughput_t", 1.0)],
)
def test_options_not_yet_over_periods_are_refused(option, value):
    with pytest.raises(
        ValidationError, match=rf"does not have these options yet: {option}"
    ):
        solving.solve(_direct_network(), periods=_periods(), **{option: value})
