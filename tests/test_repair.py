"""The repair heuristic's first solution for single-source models, and its bound."""

from __future__ import annotations

import numpy as np
import pytest

import hubopt
from hubopt import _repair, highs
from hubopt._solution import RawSolution
from hubopt.deadline import Deadline
from hubopt.holmberg import read_holmberg
from hubopt.model import ModelOptions, build
from hubopt.orlib import read_orlib

from ._small import network
from .conftest import ORLIB
from .test_holmberg import HOLMBERG
from .test_limits import hard_network


def overloaded() -> hubopt.Network:
    """Two markets whose cheapest hub (H1, 1 per tonne) cannot hold both: A (6 t)
    and B (5 t) need 11 t, H1 holds 10. Through H2, A costs 2 and B 4 per tonne.
    Single-source optimum: B at H1 (5), A at H2 (12), both fixed costs (1 + 1): 19;
    A at H1 and B at H2 costs 6 + 20 + 2 = 28, both at H2 12 + 20 + 1 = 33."""
    return network(
        [("O", 100.0)],
        [("H1", 10.0, 1.0), ("H2", 20.0, 1.0)],
        [("A", 6.0), ("B", 5.0)],
        [
            {"origin": "O", "destination": "H1", "cost_per_t": 0.0},
            {"origin": "O", "destination": "H2", "cost_per_t": 0.0},
            {"origin": "H1", "destination": "A", "cost_per_t": 1.0},
            {"origin": "H1", "destination": "B", "cost_per_t": 1.0},
            {"origin": "H2", "destination": "A", "cost_per_t": 2.0},
            {"origin": "H2", "destination": "B", "cost_per_t": 4.0},
        ],
        name="overloaded",
    )


def _source_hubs(built, values) -> dict[str, str]:
    """Each market's hub in a column vector (the market and hub ids by position)."""
    table = built.sources
    chosen = {}
    for d, name in enumerate(["A", "B"]):
        cols = table.hub_col[d]
        picked = [h for h in range(table.n_hubs) if cols[h] >= 0 and values[cols[h]]]
        chosen[name] = f"H{picked[0] + 1}"
    return chosen


def test_the_repair_moves_a_market_off_an_overloaded_hub():
    built = build(overloaded(), ModelOptions(single_sourcing=True))
    table = built.sources
    cheapest = table.hub_cost.argmin(axis=1)
    assert cheapest.tolist() == [0, 0]  # the naive choice: both at H1 ...
    assert table.demand_t.sum() > table.capacity_t()[0]  # ... which cannot hold both
    start = _repair.start(built.arrays, built.sources, Deadline(60.0))
    assert start is not None
    assert start.objective == pytest.approx(19.0)
    assert _source_hubs(built, start.values) == {"A": "H2", "B": "H1"}
    assert _repair.feasible(built.arrays, start.values)
    assert start.bound is not None and start.bound <= 19.0 + 1e-9


def test_the_repair_keeps_to_max_hubs():
    built = build(overloaded(), ModelOptions(single_sourcing=True, max_hubs=1))
    start = _repair.start(built.arrays, built.sources, Deadline(None))
    assert start is not None
    assert start.objective == pytest.approx(33.0)  # both markets at H2
    assert _source_hubs(built, start.values) == {"A": "H2", "B": "H2"}


def test_the_repair_keeps_to_transit_limits():
    # A may take at most 5 days: through H1 (1 per tonne) it takes 4 + 6 = 10, so it
    # goes through H2 (3 per tonne, 1 + 1 days); B has no limit and takes H1.
    # Optimum: 6 x 3 + 5 x 1 + fixed 1 + 1 = 25 (only H2: 18 + 20 + 1 = 39)
    base = overloaded()
    legs = base.legs
    legs["transit_days"] = [4.0, 1.0, 6.0, 6.0, 1.0, 1.0]
    legs.loc[legs["destination"] == "A", "cost_per_t"] = [1.0, 3.0]
    destinations = base.destinations
    destinations["max_transit_days"] = [5.0, np.nan]
    hubs = base.hubs
    hubs["capacity_t"] = 20.0
    net = hubopt.Network.from_frames(
        base.origins, hubs, destinations, legs, name="transit"
    )
    built = build(net, ModelOptions(single_sourcing=True))
    start = _repair.start(built.arrays, built.sources, Deadline(60.0))
    assert start is not None
    assert start.objective == pytest.approx(25.0)
    assert _source_hubs(built, start.values) == {"A": "H2", "B": "H1"}
    assert hubopt.solve(net, single_sourcing=True).objective == pytest.approx(25.0)


def _stopped_mip(*args, **kwargs):
    """highs.solve stopped by its time limit before any solution (as HiGHS on a
    large single-source model whose root LP does not finish)."""
    stopped = RawSolution(
        "no_solution", None, None, None, 0.0, "highs", message="Time limit reached"
    )
    return stopped, None


def test_the_start_is_returned_when_the_mip_finds_nothing(monkeypatch):
    monkeypatch.setattr(highs, "solve", _stopped_mip)
    result = hubopt.solve(overloaded(), single_sourcing=True, time_limit_s=5.0)
    # checked by the checker (conftest); the heuristic's bound gives the gap
    assert result.status == "feasible"
    assert result.objective == pytest.approx(19.0)
    assert result.gap is not None and 0.0 <= result.gap < 1.0
    assert "repair heuristic" in result.message


def test_a_feasible_mip_solution_worse_than_the_start_gives_way():
    start = _repair.Start(values=np.array([1.0]), objective=10.0, bound=8.0)
    worse = RawSolution("feasible", 12.0, 5.0, 7 / 12, 0.0, "highs")
    solution, values = _repair.better_of(worse, np.array([2.0]), start)
    assert (solution.objective, solution.best_bound, values.tolist()) == (
        10.0,
        8.0,
        [1.0],
    )
    assert solution.gap == pytest.approx(0.2)
    optimal = RawSolution("optimal", 9.0, 9.0, 0.0, 0.0, "highs")
    kept, values = _repair.better_of(optimal, np.array([3.0]), start)
    assert (kept.objective, values.tolist()) == (9.0, [3.0])


@pytest.mark.parametrize(("instance", "optimum"), [("p1", 8848.0), ("p71", 25540.0)])
def test_the_start_and_the_bound_straddle_the_published_optimum(instance, optimum):
    # Holmberg, Ronnqvist and Yuan (1999), benchmarks/holmberg/optima.csv
    net = read_holmberg(HOLMBERG / instance)
    built = build(net, ModelOptions(single_sourcing=True))
    start = _repair.start(built.arrays, built.sources, Deadline(60.0))
    assert start is not None and _repair.feasible(built.arrays, start.values)
    assert start.bound <= optimum <= start.objective
    assert start.objective <= 1.05 * optimum  # measured: 0 % and 0.2 % above
    assert start.bound >= 0.95 * optimum  # measured: 1.0 % and 0.3 % below


def test_a_tiny_limit_still_returns_a_solution():
    result = hubopt.solve(hard_network(), single_sourcing=True, time_limit_s=0.01)
    assert result.status in ("feasible", "optimal")  # and the checker accepts it


@pytest.mark.slow
def test_capa_single_source_with_a_ten_second_limit_has_a_solution():
    # without the heuristic HiGHS did not finish the root LP in 10 s (nor in 60 s)
    # (the wall time against the limit is test_deadline's, and benchmarks/'s)
    network = read_orlib(ORLIB / "capa.txt", capacity=8000)
    result = hubopt.solve(
        network, single_sourcing=True, time_limit_s=10.0, raise_on_failure=False
    )
    assert result.status == "feasible"  # and the checker accepts it
    assert result.gap is not None and 0.0 < result.gap < 0.1
