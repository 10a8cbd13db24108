"""The model on small networks whose optimum is worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp
import pytest

import hubopt
from hubopt.errors import InfeasibleError, SolverError, ValidationError


def test_tiny_optimum_by_hand(tiny):
    # Open H1 and H2 (fixed 100 + 150). H1 (cap 100) takes O1's 80 t to D1 at
    # 2 + 1 handling + 1 = 4/t and 20 t to D2 at 2 + 1 + 3 = 6/t. O2's 100 t go through
    # H2: 50 t to D2 at 1 + 1 + 2 = 4/t, 50 t to D3 at 1 + 1 + 3 = 5/t.
    # 250 + 320 + 120 + 200 + 250 = 1140. Every other hub set costs more
    # (H2 alone 1460, H1+H3 1370, H2+H3 1410, all three 1170).
    result = hubopt.solve(tiny)
    assert result.status == "optimal"
    assert result.proven_optimal
    assert result.objective == pytest.approx(1140.0)
    assert result.costs.total == pytest.approx(1140.0)
    opened = result.hubs.set_index("hub_id")["open"]
    assert opened.to_dict() == {"H1": True, "H2": True, "H3": False}
    flows = result.flows.set_index(["from", "to"])["tonnes"]
    assert flows[("O1", "H1")] == pytest.approx(100)
    assert flows[("H1", "D2")] == pytest.approx(20)
    assert flows[("H2", "D3")] == pytest.approx(50)
    markets = result.markets.set_index("destination")
    assert markets.loc["D1", "landed_cost_per_t"] == pytest.approx(4.0)
    assert markets.loc["D2", "landed_cost_per_t"] == pytest.approx((120 + 200) / 70)
    assert result.gap == pytest.approx(0, abs=1e-7)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_both_solvers_agree(tiny, solver):
    result = hubopt.solve(tiny, solver=solver)
    assert result.solver == solver
    assert result.objective == pytest.approx(1140.0)


def test_pulp_solver_object(tiny):
    result = hubopt.solve(tiny, solver=pulp.HiGHS(msg=False))
    assert result.objective == pytest.approx(1140.0)


def test_max_hubs_one(tiny):
    # With one hub only H2 can serve every market: 1460 (worked out in the table above).
    result = hubopt.solve(tiny, max_hubs=1)
    assert result.objective == pytest.approx(1460.0)
    assert result.hubs.loc[result.hubs["open"], "hub_id"].tolist() == ["H2"]


def test_min_hubs_three(tiny):
    assert hubopt.solve(tiny, min_hubs=3).objective == pytest.approx(1170.0)


def test_forced_open_and_closed(tiny):
    hubs = tiny.hubs
    hubs.loc[hubs["id"] == "H3", "status"] = "open"
    hubs.loc[hubs["id"] == "H1", "status"] = "closed"
    result = hubopt.solve(tiny.replace(hubs=hubs))
    # H2 + H3 is the best set containing H3 and not H1: 1410.
    assert result.objective == pytest.approx(1410.0)


def test_unmet_penalty_used_when_cheaper(tiny):
    # Make every route to D3 dearer than its penalty of 20: D3 is left short.
    legs = tiny.legs
    legs.loc[legs["destination"] == "D3", "cost_per_t"] = 100
    result = hubopt.solve(tiny.replace(legs=legs))
    market = result.markets.set_index("destination").loc["D3"]
    assert market["unmet_t"] == pytest.approx(50)
    assert result.costs.unmet_penalty == pytest.approx(1000)


def test_hub_levels_choose_one(tiny):
    levels = pd.DataFrame(
        {
            "hub_id": ["H1", "H1"],
            "level": ["small", "large"],
            "capacity_t": [50, 150],
            "fixed_cost": [40, 120],
        }
    )
    result = hubopt.solve(tiny.replace(hub_levels=levels))
    h1 = result.hubs.set_index("hub_id").loc["H1"]
    assert h1["open"]
    assert h1["level"] in ("small", "large")
    assert h1["throughput_t"] <= h1["capacity_t"] + 1e-6


def test_infeasible_raises_with_advice(tiny):
    origins = tiny.origins
    origins["supply_t"] = 10
    with pytest.raises(InfeasibleError, match="no feasible solution"):
        hubopt.solve(tiny.replace(origins=origins))


def test_infeasible_result_when_asked(tiny):
    origins = tiny.origins
    origins["supply_t"] = 10
    result = hubopt.solve(tiny.replace(origins=origins), raise_on_failure=False)
    assert result.status == "infeasible"
    assert result.objective is None
    assert result.flows.empty


def test_bad_options():
    net = hubopt.datasets.tiny()
    with pytest.raises(ValidationError, match="max_hubs"):
        hubopt.solve(net, max_hubs=-1)
    with pytest.raises(ValidationError, match="min_hubs"):
        hubopt.solve(net, max_hubs=1, min_hubs=2)
    with pytest.raises(ValidationError, match="solver"):
        hubopt.solve(net, solver="gurobi")
    with pytest.raises(ValidationError, match="time_limit_s"):
        hubopt.solve(net, time_limit_s=0)
    with pytest.raises(ValidationError, match=r"hubopt\.Network"):
        hubopt.solve("not a network")


def test_missing_cbc_gives_install_hint(tiny, monkeypatch):
    import hubopt.pulp_adapter

    monkeypatch.setattr(hubopt.pulp_adapter, "cbc_path", lambda: None)
    with pytest.raises(SolverError, match=r"pip install 'pulp\[cbc\]'"):
        hubopt.solve(tiny, solver="cbc")


def test_leg_without_cost_is_explained(tiny):
    legs = tiny.legs
    legs.loc[0, "cost_per_t"] = None
    with pytest.raises(ValidationError, match="with_leg_attributes"):
        hubopt.solve(tiny.replace(legs=legs))


def test_direct_leg_used_when_cheapest(tiny):
    legs = tiny.legs
    legs.loc[(legs["origin"] == "O1") & (legs["destination"] == "D1"), "cost_per_t"] = 1
    result = hubopt.solve(tiny.replace(legs=legs))
    market = result.markets.set_index("destination").loc["D1"]
    assert market["direct_t"] == pytest.approx(80)


def test_carbon_price_shifts_the_choice():
    # Two routes to one market: a cheap dirty one via H1 and a dearer clean one via
    # H2. Without a carbon price H1 wins (cost 10 vs 12 per tonne); at 100 per t CO2
    # the dirty route costs 10 + 0.1 * 50 = 15 > 12 + 0.1 * 10 = 13, so H2 wins.
    origins = pd.DataFrame(
        {"id": ["O"], "name": ["O"], "lon": [0.0], "lat": [0.0], "supply_t": [100.0]}
    )
    hubs = pd.DataFrame(
        {
            "id": ["H1", "H2"],
            "name": ["dirty", "clean"],
            "lon": [1.0, 1.0],
            "lat": [0.0, 1.0],
            "fixed_cost": [1.0, 1.0],
        }
    )
    dests = pd.DataFrame(
        {"id": ["D"], "name": ["D"], "lon": [2.0], "lat": [0.0], "demand_t": [100.0]}
    )
    legs = pd.DataFrame(
        {
            "origin": ["O", "O", "H1", "H2"],
            "destination": ["H1", "H2", "D", "D"],
            "mode": ["sea"] * 4,
            "cost_per_t": [5.0, 6.0, 5.0, 6.0],
            "co2_kg_per_t": [25.0, 5.0, 25.0, 5.0],
        }
    )
    net = hubopt.Network.from_frames(origins, hubs, dests, legs)
    plain = hubopt.solve(net)
    priced = hubopt.solve(net, carbon_price_per_t_co2=100)
    assert plain.hubs.loc[plain.hubs["open"], "hub_id"].tolist() == ["H1"]
    assert priced.hubs.loc[priced.hubs["open"], "hub_id"].tolist() == ["H2"]
    assert priced.objective == pytest.approx(1 + 100 * 13)
    assert priced.costs.carbon == pytest.approx(100 * 10 / 1000 * 100)
    by_mode = priced.co2_by_mode.set_index("mode")
    # 100 t on two clean legs of 5 kg/t each: 1 t of CO2.
    assert by_mode.loc["total", "co2_t"] == pytest.approx(1.0)
    assert by_mode.loc["sea", "tonnes"] == pytest.approx(200)


def _limited_and_free_markets() -> pd.DataFrame:
    """Two markets of 50 t: D_limited within 10 days, D_free without a limit."""
    return pd.DataFrame(
        {
            "id": ["D_limited", "D_free"],
            "name": ["L", "F"],
            "lon": [2.0, 2.0],
            "lat": [0.0, 1.0],
            "demand_t": [50.0, 50.0],
            "max_transit_days": [10.0, None],
        }
    )


def test_transit_limit_enforced_exactly():
    # Two origins feed one hub; only O_fast's path meets the 10-day limit of D_limited,
    # while D_free takes anything. The arc-flow model alone would mix the two.
    origins = pd.DataFrame(
        {
            "id": ["O_fast", "O_slow"],
            "name": ["fast", "slow"],
            "lon": [0.0, 0.0],
            "lat": [0.0, 1.0],
            "supply_t": [50.0, 100.0],
        }
    )
    hubs = pd.DataFrame(
        {"id": ["H"], "name": ["hub"], "lon": [1.0], "lat": [0.0], "dwell_days": [2.0]}
    )
    dests = _limited_and_free_markets()
    legs = pd.DataFrame(
        {
            "origin": ["O_fast", "O_slow", "H", "H"],
            "destination": ["H", "H", "D_limited", "D_free"],
            "mode": ["rail", "sea", "sea", "sea"],
            "cost_per_t": [10.0, 1.0, 1.0, 1.0],
            "transit_days": [3.0, 20.0, 4.0, 4.0],
        }
    )
    net = hubopt.Network.from_frames(origins, hubs, dests, legs)
    result = hubopt.solve(net)
    paths = result.paths
    limited = paths[paths["destination"] == "D_limited"]
    assert limited["origin"].tolist() == ["O_fast"]
    assert limited["transit_days"].max() == pytest.approx(9.0)
    # O_fast's 50 t all go to D_limited; D_free gets the cheap slow tonnes.
    assert result.objective == pytest.approx(50 * 11 + 50 * 2)


def test_time_limit_reports_honestly():
    # A 1-second limit on a tiny model still finishes: the status must say optimal
    # only with a gap within tolerance.
    result = hubopt.solve(hubopt.datasets.tiny(), time_limit_s=1)
    assert result.status == "optimal"
    assert result.gap is not None and result.gap <= 1e-6


def test_checker_catches_a_tampered_result(tiny):
    result = hubopt.solve(tiny)
    result.objective = result.objective + 5
    problems = hubopt.check_solution(tiny, result)
    assert any("objective" in p for p in problems)


def test_checker_catches_capacity_violation(tiny):
    result = hubopt.solve(tiny)
    hubs = tiny.hubs
    hubs.loc[hubs["id"] == "H1", "capacity_t"] = 50
    problems = hubopt.check_solution(tiny.replace(hubs=hubs), result)
    assert any("exceeds capacity" in p for p in problems)


def test_transit_limit_with_parallel_legs():
    # Two legs join O and H: a cheap slow corridor (20 days) and a dear fast one
    # (2 days). D_limited (limit 10 days) can only be served by the fast one; D_free
    # takes the cheap slow one. 50 t each: 50 * (10 + 1) + 50 * (1 + 1) = 650.
    origins = pd.DataFrame(
        {"id": ["O"], "name": ["o"], "lon": [0.0], "lat": [0.0], "supply_t": [100.0]}
    )
    hubs = pd.DataFrame({"id": ["H"], "name": ["hub"], "lon": [1.0], "lat": [0.0]})
    dests = _limited_and_free_markets()
    legs = pd.DataFrame(
        {
            "origin": ["O", "O", "H", "H"],
            "destination": ["H", "H", "D_limited", "D_free"],
            "mode": ["rail", "rail", "sea", "sea"],
            "corridor": ["slow", "fast", "", ""],
            "cost_per_t": [1.0, 10.0, 1.0, 1.0],
            "transit_days": [20.0, 2.0, 3.0, 3.0],
        }
    )
    net = hubopt.Network.from_frames(origins, hubs, dests, legs)
    result = hubopt.solve(net)
    assert result.objective == pytest.approx(650)
    limited = result.paths[result.paths["destination"] == "D_limited"]
    assert limited["leg_in"].tolist() == [1]  # the fast corridor
    assert limited["transit_days"].tolist() == [pytest.approx(5.0)]
    # A path that claims the slow corridor's leg is caught by the checker.
    tampered = result.paths
    tampered.loc[tampered["destination"] == "D_limited", "leg_in"] = 0
    result._tables["paths"] = tampered
    assert any("over the limit" in p for p in hubopt.check_solution(net, result))


def test_another_thread_count_in_the_same_process(tiny):
    # HiGHS keeps one thread scheduler per process: a solve asking for another
    # count than the one before used to end with no solution ("Not Set")
    first = hubopt.solve(tiny)
    assert hubopt.solve(tiny, threads=1).objective == first.objective
    assert hubopt.solve(tiny, threads=2).objective == first.objective
    assert hubopt.solve(tiny).objective == first.objective


# -- solver settings and options out of range ------------------------------------------
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"threads": 100000},
            r"threads must be a whole number from 1 to 256, got 100000",
        ),
        ({"threads": 0}, r"threads must be a whole number from 1 to 256, got 0"),
        ({"threads": True}, r"threads must be a whole number from 1 to 256, got True"),
        ({"threads": 2.0}, r"threads must be a whole number"),
        (
            {"time_limit_s": "5"},
            r"time_limit_s must be a positive, finite number .*'5'",
        ),
        ({"time_limit_s": float("inf")}, r"time_limit_s must be .*finite.*got inf"),
        ({"time_limit_s": float("nan")}, r"time_limit_s must be .*got nan"),
        ({"time_limit_s": 0}, r"time_limit_s must be a positive"),
        ({"mip_gap": "0.1"}, r"mip_gap must be in \[0, 1\), got '0.1'"),
        ({"mip_gap": 1.0}, r"mip_gap must be in \[0, 1\), got 1.0"),
        ({"max_hubs": -1}, r"max_hubs must be zero or more, got -1"),
        ({"min_hubs": 1.5}, r"min_hubs must be a whole number or None, got 1.5"),
        (
            {"min_hubs": 2, "max_hubs": 1},
            r"min_hubs \(2\) is larger than max_hubs \(1\)",
        ),
        ({"carbon_price_per_t_co2": "5"}, r"carbon_price_per_t_co2 must be a finite"),
        ({"carbon_price_per_t_co2": -1.0}, r"carbon_price_per_t_co2 must be a finite"),
        ({"carbon_price_per_t_co2": float("inf")}, r"must be a finite number >= 0"),
    ],
)
def test_bad_solver_settings_are_refused(tiny, options, message):
    with pytest.raises(ValidationError, match=message):
        hubopt.SolveOptions(**options)
    with pytest.raises(ValidationError, match=message):
        hubopt.solve(tiny, **options)


def test_threads_at_the_cap_solve(tiny):
    assert hubopt.solve(tiny, threads=2).objective == pytest.approx(1140.0)


def test_min_hubs_above_the_number_of_hubs_is_refused_up_front(tiny):
    with pytest.raises(
        ValidationError, match=r"min_hubs is 4 but the network has only 3 hub\(s\)"
    ):
        hubopt.solve(tiny, min_hubs=4)


def test_max_hubs_zero_is_a_question_not_an_error(tiny):
    """No hub at all: legitimate when markets can go short or be served directly."""
    dests = tiny.destinations
    dests["unmet_penalty_per_t"] = 50.0
    result = hubopt.solve(tiny.replace(destinations=dests), max_hubs=0)
    assert result.status == "optimal"
    assert not result.hubs["open"].any()
    # O1->D1 direct at 9/t for 80 t, the other 120 t short at 50/t
    assert result.objective == pytest.approx(80 * 9 + 120 * 50)


@pytest.fixture
def priced(tiny):
    legs = tiny.legs
    legs["co2_kg_per_t"] = np.linspace(5.0, 200.0, len(legs))
    return tiny.replace(legs=legs)


@pytest.mark.parametrize("price", [1e20, 1e300])
def test_carbon_price_beyond_exact_arithmetic_is_refused(priced, price):
    """1e20 reported "proven optimal" with a hub open at 0 t; 1e300 overflowed into
    no_solution (Unknown)."""
    with pytest.raises(
        ValidationError,
        match=r"carbon_price_per_t_co2 .* is too large for this network: with its "
        r"largest co2_kg_per_t \(200\) and 250 t of supply .*use at most 2e\+13",
    ):
        hubopt.solve(priced, carbon_price_per_t_co2=price)


def test_carbon_price_within_the_bound_solves(priced):
    result = hubopt.solve(priced, carbon_price_per_t_co2=1e6)
    assert result.status == "optimal"
    opened = result.hubs[result.hubs["open"]]
    assert (opened["throughput_t"] > 0).all()


# -- the tie-break: equally cheap alternatives resolve the same way ---------------------
def _tied_network(order=None):
    """O1 is 2 per tonne cheaper than O2 at every market but has supply for one
    market only: D1 or D2 may have it at the same total cost (landed 10 and 16, or
    12 and 14). D3 is served through hub H from O2."""
    from ._small import network

    legs = [
        {"origin": "O1", "destination": "D1", "cost_per_t": 10.0},
        {"origin": "O1", "destination": "D2", "cost_per_t": 14.0},
        {"origin": "O2", "destination": "D1", "cost_per_t": 12.0},
        {"origin": "O2", "destination": "D2", "cost_per_t": 16.0},
        {"origin": "O2", "destination": "D3", "cost_per_t": 50.0},
        {"origin": "O2", "destination": "H", "cost_per_t": 5.0},
        {"origin": "H", "destination": "D3", "cost_per_t": 5.0},
    ]
    origins = [("O1", 80.0), ("O2", 500.0)]
    destinations = [("D1", 80.0), ("D2", 80.0), ("D3", 50.0)]
    if order is not None:
        rng = np.random.default_rng(order)
        legs = [legs[i] for i in rng.permutation(len(legs))]
        origins = [origins[i] for i in rng.permutation(len(origins))]
        destinations = [destinations[i] for i in rng.permutation(len(destinations))]
    return network(origins, [("H", np.nan, 100.0)], destinations, legs)


def _landed(result):
    markets = result.markets.set_index("destination").sort_index()
    return markets["landed_cost_per_t"].round(9).to_dict()


def test_two_equally_cheap_origins_resolve_by_id():
    from hubopt import decisions, solving

    result = solving.solve(_tied_network())
    assert result.open_hubs == ["H"]
    # the first origin in id order serves the first market in id order
    assert _landed(result) == {"D1": 10.0, "D2": 16.0, "D3": 10.0}
    baseline = decisions.direct_baseline(result)
    assert baseline.open_hubs == []
    assert _landed(baseline) == {"D1": 10.0, "D2": 16.0, "D3": 50.0}
    for seed in range(5):  # the rows in another order: the same figures
        again = solving.solve(_tied_network(order=seed))
        assert _landed(again) == _landed(result), seed
        assert again.objective == result.objective


def test_the_tie_break_keeps_the_optimum_and_the_marginal_values(tiny):
    from hubopt import model, solving
    from hubopt.options import ModelOptions

    result = solving.solve(tiny)
    assert result.objective == 1140.0
    raw = model.run(model.build(tiny, ModelOptions()))
    plain = model.marginal_values(tiny, ModelOptions(), raw.open_level, raw.flow_t)
    settled = model.settle(tiny, ModelOptions(), raw)
    for key in plain:
        np.testing.assert_allclose(settled[key], plain[key], equal_nan=True)
    assert raw.objective == pytest.approx(1140.0)


def test_canonical_weights_follow_the_ids_not_the_row_order():
    from hubopt import model
    from hubopt.options import ModelOptions

    def by_leg(net):
        built = model.build(net, ModelOptions())
        weights = model.canonical_weights(net, built)
        legs = net.legs
        return {
            (a, b): weights[col]
            for a, b, col in zip(
                legs["origin"], legs["destination"], built.flow, strict=True
            )
        }

    first = by_leg(_tied_network())
    assert by_leg(_tied_network(order=3)) == first
    assert len(set(first.values())) == len(first)  # no two legs weigh the same
    assert first[("O1", "D1")] < first[("O2", "D1")]  # the first origin first
