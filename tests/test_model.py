"""The array-built model: the same optimum through highspy directly and through the
PuLP problem made from the arrays (CBC and pulp.HiGHS), with every option family."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

import hubopt
from hubopt import model
from hubopt.model import cbc_path


@pytest.fixture(scope="module")
def limited():
    """The bundled network with transit limits and shortfall on some markets."""
    net = hubopt.datasets.morocco_kazakhstan()
    dests = net.destinations
    # one leg per pair: the checker reads transit days by (origin, destination)
    legs = net.legs.drop_duplicates(["origin", "destination"]).reset_index(drop=True)
    slowest = legs.groupby("destination")["transit_days"].max()
    days = dests["id"].map(slowest).to_numpy(dtype=float)
    dests.loc[::3, "max_transit_days"] = days[::3] + 5.0  # some paths too slow
    dests.loc[1::4, "unmet_penalty_per_t"] = 400.0
    return hubopt.Network.from_frames(net.origins, net.hubs, dests, legs)


OPTIONS = [
    {},
    {"single_sourcing": True},
    {"min_throughput_share": 0.3, "max_hubs": 2},
    {"max_co2_t": 1e5, "budget": 5e7},
    {"exclude_portfolios": (("HUB_TANGER_MED",),), "min_hubs": 1},
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_highs_arrays_and_pulp_agree(limited, options):
    direct = hubopt.solve(limited, **options, raise_on_failure=False)
    via_pulp = hubopt.solve(
        limited, **options, solver=pulp.HiGHS(msg=False), raise_on_failure=False
    )
    assert direct.status == via_pulp.status
    if direct.status == "optimal":
        assert direct.objective == pytest.approx(via_pulp.objective, rel=1e-6)
    if cbc_path() is not None and not options.get("single_sourcing"):
        with_cbc = hubopt.solve(
            limited, **options, solver="cbc", raise_on_failure=False
        )
        assert with_cbc.status == direct.status
        if direct.status == "optimal":
            assert with_cbc.objective == pytest.approx(direct.objective, rel=1e-6)


def test_arrays_are_csr_without_repeated_columns(limited):
    built = model.build(limited, model.ModelOptions(single_sourcing=True))
    a = built.arrays
    assert a.start[0] == 0 and a.start[-1] == len(a.index) == len(a.value)
    assert np.all(np.diff(a.start) >= 0)
    for r in range(a.n_rows):
        cols = a.index[a.start[r] : a.start[r + 1]]
        assert len(np.unique(cols)) == len(cols)
    # never a ranged row: one side infinite, or both equal
    ranged = np.isfinite(a.row_lower) & np.isfinite(a.row_upper)
    assert np.all(a.row_lower[ranged] == a.row_upper[ranged])
    assert len(built.path_cols) > 0  # the fixture exercises path variables


# ------------------------------------------------------------------------------------
# linking rows: all, lazy (a pool added as the LP violates it), none
# ------------------------------------------------------------------------------------
LINKING = ("all", "lazy", "none")


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_every_linking_choice_has_the_same_optimum(limited, options):
    results = {
        linking: hubopt.solve(
            limited, **options, linking=linking, raise_on_failure=False
        )
        for linking in LINKING
    }
    # the CO2-cap case is infeasible: then all three must say so
    assert {r.status for r in results.values()} == {results["all"].status}
    if results["all"].status == "optimal":
        best = results["all"].objective
        assert results["lazy"].objective == pytest.approx(best, rel=1e-7)
        assert results["none"].objective == pytest.approx(best, rel=1e-7)


def test_the_pool_holds_the_linking_rows_and_leaves_row_numbers_alone():
    net = hubopt.datasets.tiny()
    built = {k: model.build(net, model.ModelOptions(linking=k)) for k in LINKING}
    # tiny: 4 outbound legs from hubs and ... every linking row is in the pool
    pool = built["lazy"].arrays.pool
    assert pool.n_rows > 0
    assert built["lazy"].arrays.n_rows == built["none"].arrays.n_rows
    assert built["all"].arrays.n_rows == built["none"].arrays.n_rows + pool.n_rows
    assert built["all"].arrays.pool.n_rows == built["none"].arrays.pool.n_rows == 0
    # the supply, capacity and demand rows keep their numbers (marginal values)
    assert built["lazy"].rows == built["all"].rows == built["none"].rows
    # appending the whole pool gives the "all" model, row for row
    every = built["lazy"].arrays.with_pool_rows(np.arange(pool.n_rows))
    for field in ("row_lower", "row_upper", "start", "index", "value"):
        np.testing.assert_array_equal(
            getattr(every, field), getattr(built["all"].arrays, field)
        )


def test_csr_rows_subset_and_activity():
    rows = model.CSRRows(
        lower=np.array([-np.inf, 1.0, 0.0]),
        upper=np.array([2.0, 1.0, np.inf]),
        start=np.array([0, 2, 2, 5], dtype=np.int32),  # the middle row is empty
        index=np.array([0, 1, 0, 1, 2], dtype=np.int32),
        value=np.array([1.0, -2.0, 3.0, 1.0, 1.0]),
    )
    x = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(rows.activity(x), [1 - 4, 0, 3 + 2 + 4])
    last = rows.subset(np.array([0, 2]))
    assert last.n_rows == 2
    np.testing.assert_allclose(last.activity(x), [-3, 9])
    np.testing.assert_array_equal(last.start, [0, 2, 5])
    assert model.CSRRows.empty().joined(last).n_rows == 2
    # only columns 0 and 2 kept: column 2 becomes 1, column 1's entries go
    kept = rows.on_columns(np.array([True, False, True]))
    np.testing.assert_array_equal(kept.start, [0, 1, 1, 3])
    np.testing.assert_array_equal(kept.index, [0, 0, 1])
    np.testing.assert_allclose(kept.activity(np.array([1.0, 4.0])), [1, 0, 3 + 4])


def test_lazy_rows_reach_the_bound_of_all_rows(monkeypatch):
    """Run to the end (no early stop on a small gain), add_pool_rows leaves no pool
    row violated, and the LP bound equals the LP with every linking row (OR-Library
    cap41: the rows matter there)."""
    import highspy

    monkeypatch.setattr(model, "LAZY_LINKING_MIN_GAIN", -np.inf)

    from hubopt.orlib import read_orlib

    from .conftest import ORLIB

    net = read_orlib(ORLIB / "cap41.txt")
    lazy = model.build(net, model.ModelOptions(linking="lazy")).arrays
    every = model.build(net, model.ModelOptions(linking="all")).arrays

    def lp(arrays):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        model._pass_model(h, arrays, relaxed=True)
        return h

    h = lp(lazy)
    added, x = model.add_pool_rows(h, lazy)
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


def test_auto_linking_goes_lazy_on_large_models(monkeypatch):
    net = hubopt.datasets.tiny()
    assert model.build(net, model.ModelOptions()).arrays.pool.n_rows == 0
    monkeypatch.setattr(model, "LAZY_LINKING_MIN_ROWS", 5)
    built = model.build(net, model.ModelOptions())
    assert built.arrays.pool.n_rows > 0
    assert model.run(built).objective == pytest.approx(1140.0)
    if cbc_path() is not None:
        again = model.build(net, model.ModelOptions())
        assert model.run(again, solver="cbc").objective == pytest.approx(1140.0)


def test_bad_linking_choice_is_named():
    with pytest.raises(hubopt.ValidationError, match="linking must be one of"):
        model.ModelOptions(linking="some")


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
    model._pass_model(h, arrays, relaxed=True)
    added, values = model.add_pool_rows(h, arrays, time_limit_s=1e-9)  # one round
    assert len(added) > 0 and values is not None
    start = model._rounded_start(arrays, added, values)
    assert start is not None
    assert np.all(start[arrays.col_integer] == np.round(start[arrays.col_integer]))
    result = hubopt.solve(net, linking="lazy", time_limit_s=60)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(1040444.375, rel=1e-6)
