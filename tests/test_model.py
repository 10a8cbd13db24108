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
    dests.loc[::3, "max_transit_days"] = days[::3] + 20.0  # some paths too slow
    # the former fixed programme (2.5 Mt pro rata), every market to be served
    imports = dests["import_volume_t"].astype(float)
    dests["demand_t"] = (imports * 2_500_000 / imports.sum()).round()
    dests = dests.drop(columns="alternative_cost_per_t")
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
    # both to a tight gap: at HiGHS's default 1e-4 either may stop at a different
    # solution within it
    direct = hubopt.solve(limited, **options, mip_gap=1e-9, raise_on_failure=False)
    via_pulp = hubopt.solve(
        limited,
        **options,
        solver=pulp.HiGHS(msg=False, gapRel=1e-9),
        raise_on_failure=False,
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
