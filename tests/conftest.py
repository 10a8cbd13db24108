"""Shared fixtures: every solve in the tests runs the independent checker."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

import hubopt
import hubopt.cli
import hubopt.decisions
import hubopt.solving

matplotlib.use("Agg")

_real_solve = hubopt.solving.solve
_real_robust = hubopt.decisions.robust

#: The OR-Library instances kept in the repository (benchmarks/orlib), or
#: HUBOPT_ORLIB when set.
ORLIB = Path(
    os.environ.get(
        "HUBOPT_ORLIB", Path(__file__).resolve().parents[1] / "benchmarks" / "orlib"
    )
)


def _checked_solve(network, *args, **kwargs):
    result = _real_solve(network, *args, **kwargs)
    problems = hubopt.check_solution(network, result)
    assert problems == [], "the checker found violations:\n" + "\n".join(problems)
    return result


def _checked_robust(network, scenarios, *args, **kwargs):
    # the evaluations go through solving.solve (checked above); the two-stage
    # model's own solution is checked here, scenario by scenario
    choice = _real_robust(network, scenarios, *args, **kwargs)
    for name, result in choice.two_stage_results.items():
        problems = hubopt.check_solution(result.network, result)
        assert problems == [], f"two-stage solution, scenario {name}:\n" + "\n".join(
            problems
        )
    return choice


@pytest.fixture(autouse=True)
def _always_check(monkeypatch):
    monkeypatch.setattr(hubopt.solving, "solve", _checked_solve)
    monkeypatch.setattr(hubopt, "solve", _checked_solve)
    for module in (hubopt, hubopt.decisions, hubopt.cli):
        monkeypatch.setattr(module, "robust", _checked_robust)


@pytest.fixture
def tiny() -> hubopt.Network:
    return hubopt.datasets.tiny()


@pytest.fixture
def tiny_frames(tiny):
    return {
        "origins": tiny.origins,
        "hubs": tiny.hubs,
        "destinations": tiny.destinations,
        "legs": tiny.legs,
    }


def solved(network, **options):
    """A solve whose result the checker has verified (for module-scoped fixtures,
    which the autouse checker fixture does not reach)."""
    result = _real_solve(network, **options)
    problems = hubopt.check_solution(network, result)
    assert problems == [], "the checker found violations:\n" + "\n".join(problems)
    return result


def programme_network(total_t: float = 2_500_000) -> hubopt.Network:
    """The bundled network as the former fixed programme: ``total_t`` spread over the
    markets pro rata to their imports, every market to be served (no alternative
    supply), so every figure, the direct baseline's too, has flows behind it. Its
    optimum opens no hub."""
    net = hubopt.datasets.morocco_kazakhstan()
    dests = net.destinations.drop(columns="alternative_cost_per_t")
    imports = dests["import_volume_t"].astype(float)
    dests["demand_t"] = (imports * total_t / imports.sum()).round()
    return net.replace(destinations=dests)


@pytest.fixture(scope="module")
def tiny_result():
    return solved(hubopt.datasets.tiny())


@pytest.fixture(scope="module")
def mk_result():
    """The bundled scenario with one hub forced open (Dakhla Atlantique)."""
    return solved(hubopt.datasets.morocco_kazakhstan(), min_hubs=1)
