"""Lagrangian hub fixing: the bound is a bound, the fixings keep the optimum, and it
runs only on the model shape it is made for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import highs, lagrange, model, strategy

from ._small import network, random_network


def _reduce(net: hubopt.Network) -> tuple[model.BuiltModel, lagrange.Reduction]:
    built = model.build(net, model.ModelOptions(linking="lazy"))
    assert built.hub_problem is not None
    evaluate = highs.FixedLevelsLP(built.arrays, built.hub_problem, 1)
    return built, lagrange.reduce(built.hub_problem, evaluate)


def _variant(net: hubopt.Network, **hub_columns) -> hubopt.Network:
    hubs = net.hubs
    for column, values in hub_columns.items():
        hubs[column] = values
    return hubopt.Network.from_frames(
        net.origins, hubs, net.destinations, net.legs, name=net.name
    )


def test_two_hubs_by_hand():
    # one market of 10 t, two hubs that can each serve it; A costs 5 a year, B 50;
    # every tonne costs 1 in and 1 out at either: optimum A alone, 5 + 20 = 25
    net = network(
        [("O", 10.0)],
        [("A", 10.0, 5.0), ("B", 10.0, 50.0)],
        [("D", 10.0)],
        pd.DataFrame(
            {
                "origin": ["O", "O", "A", "B"],
                "destination": ["A", "B", "D", "D"],
                "cost_per_t": [1.0, 1.0, 1.0, 1.0],
            }
        ),
    )
    built, red = _reduce(net)
    assert red.bound == pytest.approx(25.0)
    assert red.objective == pytest.approx(25.0)
    b = built.open[1]  # the level column of hub B
    assert red.closed_cols.tolist() == [b]
    assert red.open_cols.tolist() == [built.open[0]]
    result = hubopt.solve(net, linking="lazy")
    assert result.objective == pytest.approx(25.0)
    assert result.hubs.set_index("hub_id").loc["A", "open"]


@pytest.mark.parametrize("seed", range(12))
def test_random_networks_keep_their_optimum(seed):
    net = random_network(seed, n_hubs=6, n_markets=8)
    every = hubopt.solve(net, linking="all")
    _, red = _reduce(net)
    best = every.objective
    assert red.bound <= best + 1e-6 * abs(best)
    assert red.objective is not None and red.objective >= best - 1e-6 * abs(best)
    # a level fixed closed is closed, fixed open is open, in an optimal solution:
    # solving with the fixings (what solve does) finds the same optimum
    assert hubopt.solve(net, linking="lazy").objective == pytest.approx(best, rel=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_must_open_hubs_shortfalls_and_uncapacitated_hubs(seed):
    rng = np.random.default_rng(seed)
    net = random_network(seed, n_hubs=5, n_markets=6)
    status = ["candidate"] * 5
    status[int(rng.integers(5))] = "open"
    capacity = net.hubs["capacity_t"].to_numpy(dtype=float).copy()
    capacity[int(rng.integers(5))] = np.nan  # uncapacitated
    net = _variant(net, status=status, capacity_t=capacity)
    dests = net.destinations
    dests["unmet_penalty_per_t"] = [30.0 if j % 2 else np.nan for j in range(6)]
    net = hubopt.Network.from_frames(net.origins, net.hubs, dests, net.legs)
    every = hubopt.solve(net, linking="all")
    lazy = hubopt.solve(net, linking="lazy")
    assert lazy.objective == pytest.approx(every.objective, rel=1e-7)
    _, red = _reduce(net)
    assert red.bound <= every.objective + 1e-6 * abs(every.objective)


def test_hub_levels_take_the_exact_knapsack():
    # Morocco-Kazakhstan: four levels at each port, so the level choice is a
    # multiple-choice knapsack (solved as a small MILP); without its capacities
    # table, which takes a model past the Lagrangian
    full = hubopt.datasets.morocco_kazakhstan()
    net = hubopt.Network.from_frames(
        full.origins, full.hubs, full.destinations, full.legs, full.hub_levels
    )
    every = hubopt.solve(net, linking="all")
    built, red = _reduce(net)
    assert lagrange._Relaxation(built.hub_problem).simple is False
    assert red.bound <= every.objective + 1e-6 * abs(every.objective)
    lazy = hubopt.solve(net, linking="lazy")
    assert lazy.objective == pytest.approx(every.objective, rel=1e-7)


@pytest.mark.parametrize(
    "options",
    [
        {"single_sourcing": True},
        {"max_hubs": 2},
        {"min_hubs": 1},
        {"budget": 100.0},
        {"max_co2_t": 1e6},
        {"min_throughput_share": 0.5},
        {"exclude_portfolios": (("H0",),)},
    ],
    ids=lambda o: next(iter(o)),
)
def test_other_shapes_are_left_to_the_mip(options):
    net = random_network(1)
    assert model.build(net, model.ModelOptions()).hub_problem is not None
    assert model.build(net, model.ModelOptions(**options)).hub_problem is None


def test_transit_limits_are_left_to_the_mip():
    net = random_network(2)
    dests = net.destinations
    legs = net.legs
    legs["transit_days"] = 1.0
    dests["max_transit_days"] = 5.0
    net = hubopt.Network.from_frames(net.origins, net.hubs, dests, legs)
    assert model.build(net, model.ModelOptions()).hub_problem is None


def test_small_models_skip_it(monkeypatch):
    # "auto" keeps every linking row on a small model: no pool, no Lagrangian
    called = []
    monkeypatch.setattr(model, "reduce", lambda *a, **k: called.append(1))
    hubopt.solve(random_network(3))
    assert not called


def test_ctrl_c_during_it_reports_an_interrupted_solve(monkeypatch):
    def pressed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model, "reduce", pressed)
    # on so small a network the probe would skip the method: take it anyway
    monkeypatch.setattr(strategy, "use_lagrangian", lambda settled: True)
    result = hubopt.solve(random_network(4), linking="lazy", raise_on_failure=False)
    assert result.interrupted
    assert result.status == "no_solution"
    assert result.message == model.INTERRUPTED
