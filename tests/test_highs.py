"""The HiGHS driver: lazy linking rounds, the rounded MIP start, the time budget and
the thread scheduler."""

from __future__ import annotations

import numpy as np
import pytest

import hubopt
from hubopt import highs, model
from hubopt.deadline import Deadline


def test_lazy_rows_reach_the_bound_of_all_rows(monkeypatch):
    """Run to the end (no early stop on a small gain), add_pool_rows leaves no pool
    row violated, and the LP bound equals the LP with every linking row (OR-Library
    cap41: the rows matter there)."""
    import highspy

    monkeypatch.setattr(highs, "LAZY_LINKING_MIN_GAIN", -np.inf)

    from hubopt.orlib import read_orlib

    from .conftest import ORLIB

    net = read_orlib(ORLIB / "cap41.txt")
    lazy = model.build(net, model.ModelOptions(linking="lazy")).arrays
    every = model.build(net, model.ModelOptions(linking="all")).arrays

    def lp(arrays):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        highs.pass_model(h, arrays, relaxed=True)
        return h

    h = lp(lazy)
    added, x = highs.add_pool_rows(h, lazy)
    assert 0 < len(added) < lazy.pool.n_rows
    np.testing.assert_array_equal(x, h.getSolution().col_value)
    assert np.all(lazy.pool.activity(x) <= lazy.pool.upper + 1e-6 * 1e3)
    full = lp(every)
    full.run()
    bound = full.getInfo().objective_function_value
    assert h.getInfo().objective_function_value == pytest.approx(bound, rel=1e-9)
    weak = lp(model.build(net, model.ModelOptions(linking="none")).arrays)
    weak.run()
    assert weak.getInfo().objective_function_value < bound * (1 - 1e-3)


def test_a_lazy_solve_starts_from_the_rounded_lp_and_keeps_its_time_limit():
    """Stopped after one round (rows added after the last LP), the MIP still gets
    the rounded LP solution as its start, and the optimum is the published one."""
    from hubopt.orlib import read_orlib

    from .conftest import ORLIB

    net = read_orlib(ORLIB / "cap41.txt")
    arrays = model.build(net, model.ModelOptions(linking="lazy")).arrays
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    highs.pass_model(h, arrays, relaxed=True)
    added, values = highs.add_pool_rows(h, arrays, Deadline(1e-9))  # one round
    assert len(added) > 0 and values is not None
    start = highs.rounded_start(arrays, added, values)
    assert start is not None
    assert np.all(start[arrays.col_integer] == np.round(start[arrays.col_integer]))
    result = hubopt.solve(net, linking="lazy", time_limit_s=60)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(1040444.375, rel=1e-6)
