"""The choice between the Lagrangian hub fixing and the MIP with lazy linking: the
decision rule, the probe that feeds it, and the same optimum either way."""

from __future__ import annotations

import pytest

import hubopt
from hubopt import highs, model, strategy
from hubopt.deadline import Deadline

from ._small import random_network


def test_the_rule_reads_whether_the_strong_root_settled():
    assert strategy.use_lagrangian(settled=False) is True
    assert strategy.use_lagrangian(settled=True) is False


def _built(seed: int) -> model.BuiltModel:
    built = model.build(random_network(seed, 6, 8), model.ModelOptions(linking="lazy"))
    assert built.hub_problem is not None
    return built


def test_a_cheap_root_settles_and_goes_straight_to_the_mip():
    # six hubs, eight markets: the linking rounds end in milliseconds, far inside
    # their budget of at least PROBE_MIN_S
    built = _built(3)
    found = strategy.probe(built.arrays, built.hub_problem, Deadline(60), 1, [])
    assert found is not None and found.settled
    assert found.strong_bound >= found.weak_bound - 1e-9
    assert len(found.rows) > 0  # the weak LP violated some linking rows
    assert found.lp is not None  # the solved LP the lazy path goes on from
    raw = model.run(built, time_limit_s=60, threads=1)
    assert raw.status == "optimal" and raw.strategy == "lazy"


def _unsettled(monkeypatch) -> None:
    # one linking round, whose rows are added after its LP, leaves the probe's last
    # LP unsolved: a root that has not settled (a stand-in, independent of timing,
    # for the degenerate strong LP of OR-Library capa that outlasts its budget)
    monkeypatch.setattr(highs, "LAZY_LINKING_MAX_ROUNDS", 1)


def test_a_root_that_outlasts_its_budget_takes_the_lagrangian(monkeypatch):
    _unsettled(monkeypatch)
    built = _built(3)
    found = strategy.probe(built.arrays, built.hub_problem, Deadline(60), 1, [])
    assert found is not None and not found.settled and found.lp is None
    raw = model.run(built, time_limit_s=60, threads=1)
    assert raw.status == "optimal" and raw.strategy == "lagrangian"


@pytest.mark.parametrize("seed", range(4))
def test_both_paths_reach_the_same_optimum(seed, monkeypatch):
    net = random_network(seed, 6, 8)
    every = hubopt.solve(net, linking="all")
    lazy = hubopt.solve(net, linking="lazy")  # the probe picks the MIP here
    _unsettled(monkeypatch)
    fixing = hubopt.solve(net, linking="lazy")  # and the Lagrangian here
    assert lazy.objective == pytest.approx(every.objective, rel=1e-7)
    assert fixing.objective == pytest.approx(every.objective, rel=1e-7)
