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


def test_the_marginal_value_lp_gets_the_solves_time_and_threads(monkeypatch):
    """Regression: the LP after the MIP got neither the time limit nor ``threads``,
    and so reset HiGHS's thread scheduler (twice per solve with threads=1)."""
    import highspy

    net = hubopt.datasets.tiny()
    hubopt.solve(net, threads=1)  # the scheduler now runs with one thread
    made, resets = [], []
    original_new = highs.new_highs
    original_reset = highspy.Highs.resetGlobalScheduler

    def new_highs(time_limit_s, mip_gap, threads, msg):
        made.append((time_limit_s, threads))
        return original_new(time_limit_s, mip_gap, threads, msg)

    def reset(blocking):
        resets.append(blocking)
        return original_reset(blocking)

    monkeypatch.setattr(highs, "new_highs", new_highs)
    monkeypatch.setattr(highspy.Highs, "resetGlobalScheduler", reset)
    result = hubopt.solve(net, threads=1, time_limit_s=30)
    assert not result.marginal_values.empty
    assert len(made) == 2  # the MIP, then the marginal-value LP
    (mip_limit, mip_threads), (lp_limit, lp_threads) = made
    assert mip_threads == lp_threads == 1
    assert 0 < lp_limit <= mip_limit <= 30
    assert resets == []


def test_the_cbc_paths_lazy_row_lp_gets_the_solves_threads(monkeypatch):
    """Regression: select_pool_rows (the LP that picks CBC's linking rows) made its
    HiGHS with threads=None, and so reset HiGHS's thread scheduler after a solve
    with threads=1."""
    import highspy

    net = hubopt.datasets.tiny()
    hubopt.solve(net, threads=1)  # the scheduler now runs with one thread
    made, resets, selected = [], [], []
    original_new = highs.new_highs
    original_reset = highspy.Highs.resetGlobalScheduler
    original_select = highs.select_pool_rows

    def new_highs(time_limit_s, mip_gap, threads, msg):
        made.append(threads)
        return original_new(time_limit_s, mip_gap, threads, msg)

    def reset(blocking):
        resets.append(blocking)
        return original_reset(blocking)

    def select_pool_rows(*args, **kwargs):
        selected.append(len(made))
        return original_select(*args, **kwargs)

    monkeypatch.setattr(highs, "new_highs", new_highs)
    monkeypatch.setattr(highspy.Highs, "resetGlobalScheduler", reset)
    monkeypatch.setattr(highs, "select_pool_rows", select_pool_rows)
    result = hubopt.solve(net, solver="cbc", linking="lazy", threads=1)
    assert result.status == "optimal"
    assert selected and len(made) > selected[0]  # the lazy-row LP made a HiGHS
    assert made == [1] * len(made)
    assert resets == []


def test_the_marginal_value_lp_has_at_least_a_second_when_time_is_spent():
    net = hubopt.datasets.tiny()
    built = model.build(net, model.ModelOptions())
    raw = model.run(built)
    spent = Deadline(1.0, start=0.0)
    values = model.marginal_values(
        net, model.ModelOptions(), raw.open_level, raw.flow_t, deadline=spent
    )
    assert values is not None
    assert values["demand"].tolist() == [4.0, 6.0, 7.0]


# -- scaling: no "badly scaled" warning, the same results -------------------------------
@pytest.mark.parametrize("linking", ["auto", "lazy"])
def test_the_bundled_network_is_handed_over_well_scaled(capfd, monkeypatch, linking):
    """The bundled network (fixed costs up to 2e7, 2.5 Mt of demand) solves without
    HiGHS's scaling warnings, to the same objective, flows, hubs and marginal values
    as the unscaled model."""
    from hubopt import solving

    net = hubopt.datasets.morocco_kazakhstan()
    capfd.readouterr()
    scaled = solving.solve(net, linking=linking, msg=True)
    log = capfd.readouterr().out
    assert "user_objective_scale option value of -5" in log
    for warning in ("badly scaled", "excessively large", "Consider scaling"):
        assert warning not in log, log
    monkeypatch.setattr(highs, "user_scales", lambda arrays: (0, 0))
    plain = solving.solve(net, linking=linking, msg=True)
    assert "badly scaled" in capfd.readouterr().out  # what the scaling removes
    assert scaled.objective == pytest.approx(plain.objective, rel=1e-12)
    assert scaled.open_hubs == plain.open_hubs
    np.testing.assert_allclose(
        scaled.flows["tonnes"].sum(), plain.flows["tonnes"].sum(), rtol=1e-12
    )
    pd = pytest.importorskip("pandas")
    pd.testing.assert_frame_equal(
        scaled.marginal_values, plain.marginal_values, rtol=1e-9, atol=1e-9
    )


def test_user_scales_leave_small_models_alone():
    tiny = model.build(hubopt.datasets.tiny(), model.ModelOptions()).arrays
    assert highs.user_scales(tiny) == (0, 0)
    big = model.build(hubopt.datasets.morocco_kazakhstan(), model.ModelOptions())
    objective, bounds = highs.user_scales(big.arrays)
    assert np.abs(big.arrays.col_cost).max() * 2.0**objective <= highs.SCALE_LIMIT
    assert np.abs(big.arrays.col_cost).max() * 2.0 ** (objective + 1) > (
        highs.SCALE_LIMIT
    )
    assert bounds < 0  # demands and supplies of millions of tonnes are scaled down


def test_set_time_left_counts_from_the_run_time_so_far():
    # HiGHS counts time_limit over every run of one Highs object: a later stage
    # given its seconds left as the limit would stop at once
    built = model.build(hubopt.datasets.tiny(), model.ModelOptions())
    h = highs.new_highs(None, None, 1, False)
    highs.pass_model(h, built.arrays, relaxed=True)
    h.run()
    spent = h.getRunTime()
    highs.set_time_left(h, 30.0)
    assert h.getOptionValue("time_limit")[1] == pytest.approx(spent + 30.0, abs=1e-3)
    h.clearSolver()
    h.run()
    assert h.modelStatusToString(h.getModelStatus()) == "Optimal"


def test_set_time_left_for_a_mip_counts_from_its_start():
    # a MIP run counts its time_limit from its own start, not over the object's
    # earlier LP runs: given the run time plus the seconds left it would overrun
    built = model.build(hubopt.datasets.tiny(), model.ModelOptions())
    h = highs.new_highs(None, None, 1, False)
    highs.pass_model(h, built.arrays, relaxed=True)
    h.run()
    highs.set_time_left(h, 30.0, mip=True)
    assert h.getOptionValue("time_limit")[1] == pytest.approx(30.0)
