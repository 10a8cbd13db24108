"""The deadline that carries a solve's time budget through its stages."""

from __future__ import annotations

import pytest

from hubopt.deadline import Deadline


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
