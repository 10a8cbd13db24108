"""The deadline that carries a solve's time budget through its stages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hubopt import solving
from hubopt.deadline import Deadline
from hubopt.orlib import read_orlib

from .test_limits import hard_network


def test_without_a_limit_nothing_expires():
    deadline = Deadline(None)
    assert deadline.remaining_s() is None
    assert not deadline.expired()
    assert deadline.stage(share=0.25, at_least=1.0).limit_s is None


def test_remaining_time_counts_from_the_start():
    deadline = Deadline(10.0, start=0.0)  # started long ago: spent
    assert deadline.expired()
    assert deadline.remaining_s() == 0.0
    assert deadline.remaining_s(at_least=1.0) == 1.0


def test_a_stage_takes_its_share_but_no_more_than_is_left():
    fresh = Deadline(100.0)
    assert fresh.stage(share=0.25).limit_s == pytest.approx(25.0)
    assert 99.0 < fresh.stage().limit_s <= 100.0
    spent = Deadline(10.0, start=0.0)
    assert spent.stage(share=0.5).limit_s == 0.0
    assert spent.stage(at_least=1.0).limit_s == 1.0  # the MIP still gets a moment
    assert not Deadline(5.0).stage(share=0.5).expired()


ORLIB = Path(__file__).resolve().parents[1] / "benchmarks" / "orlib"


#: Seconds past the limit a solve may take here: reading, building and handing the
#: model over are outside the solver's clock, and the tests share two cores with
#: others; that the solve stopped early is shown by its status and gap, not by a tight
#: wall time (speed belongs in benchmarks/).
SLACK_S = 6.0


def _timed_solve(network, **options):
    start = time.perf_counter()
    result = solving.solve(network, raise_on_failure=False, **options)
    return result, time.perf_counter() - start


def test_a_single_source_run_with_a_short_limit_keeps_its_promise():
    # HiGHS needs far longer than 2 s to prove this single-source model optimal
    result, wall = _timed_solve(hard_network(), single_sourcing=True, time_limit_s=2.0)
    assert wall <= 2.0 + SLACK_S
    assert result.status == "feasible"  # checked by the checker (conftest)
    assert 0.0 < result.gap < 1.0  # an honest gap: not proven optimal


def test_the_lagrangian_and_lazy_rounds_stop_on_the_deadline():
    # capa (100 sites x 1,000 customers): Lagrangian hub fixing, lazy linking rounds
    # and the MIP all run; proving its optimum takes about 9 s
    network = read_orlib(ORLIB / "capa.txt", capacity=8000)
    result, wall = _timed_solve(network, time_limit_s=2.0)
    assert wall <= 2.0 + SLACK_S
    assert result.status == "feasible"
    assert result.gap > 0.0
