"""Shared fixtures: every solve in the tests runs the independent checker."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

import hubopt
import hubopt.solving

matplotlib.use("Agg")

_real_solve = hubopt.solving.solve

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


@pytest.fixture(autouse=True)
def _always_check(monkeypatch):
    monkeypatch.setattr(hubopt.solving, "solve", _checked_solve)
    monkeypatch.setattr(hubopt, "solve", _checked_solve)


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
