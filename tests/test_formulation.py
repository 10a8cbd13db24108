"""The formulation's registry of constraint families: what turns each on, what the
Lagrangian's plain shape and the marginal-value LP keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import formulation, model
from hubopt.formulation import FAMILIES, families_on


def _names(families):
    return [f.name for f in families]


def test_every_family_states_its_rows_and_names_its_option():
    fields = set(model.ModelOptions.__dataclass_fields__)
    assert len(set(_names(FAMILIES))) == len(FAMILIES)
    for family in FAMILIES:
        assert family.scope in ("flow", "hubs")
        assert family.option is None or family.option in fields, family.name
        doc = family.add.__doc__ or ""
        assert any(sign in doc for sign in ("<=", ">=", "= ")), family.name


def test_default_options_turn_on_the_core_families():
    net = hubopt.datasets.tiny()
    built = model.build(net, model.ModelOptions())
    assert built.hub_problem is not None  # plain shape
    on = _names(families_on(model.ModelOptions(), "flow"))
    assert on == [
        "supply",
        "balance",
        "capacity",
        "one_level",
        "linking",
        "demand",
        "capacity_cover",
    ]
    assert families_on(model.ModelOptions(), "hubs") == []


def test_the_marginal_value_lp_keeps_the_flow_rows_only():
    options = model.ModelOptions(single_sourcing=True, max_hubs=2, max_co2_t=1e9)
    kept = _names(families_on(options, "flow", for_duals=True))
    assert kept == [
        "supply",
        "balance",
        "capacity",
        "demand",
        "source_choice",
        "co2_cap",
    ]
    assert families_on(options, "hubs", for_duals=True) == []


@pytest.mark.parametrize(
    ("options", "family"),
    [
        ({"single_sourcing": True}, "source_choice"),
        ({"min_throughput_share": 0.2}, "min_throughput"),
        ({"max_co2_t": 0.0}, "co2_cap"),  # a cap of 0 is a cap
        ({"max_hubs": 0}, "max_hubs"),
        ({"min_hubs": 1}, "min_hubs"),
        ({"budget": 1e6}, "budget"),
        ({"exclude_portfolios": (("H1",),)}, "no_good"),
        ({"programme_t": 0.0}, "programme"),  # a programme of 0 is a programme
    ],
)
def test_an_option_turns_on_a_family_the_lagrangian_does_not_keep(options, family):
    opts = model.ModelOptions(**options)
    on = families_on(opts, "flow") + families_on(opts, "hubs")
    assert family in _names(on)
    assert not next(f for f in FAMILIES if f.name == family).lagrangian
    tiny = hubopt.datasets.tiny()
    legs = tiny.legs
    legs["co2_kg_per_t"] = 10.0
    assert model.build(tiny.replace(legs=legs), opts).hub_problem is None


def test_a_zero_share_or_no_linking_adds_no_rows():
    opts = model.ModelOptions(min_throughput_share=0.0, linking="none")
    on = _names(families_on(opts, "flow"))
    assert "min_throughput" not in on and "linking" not in on
    assert model.build(hubopt.datasets.tiny(), opts).hub_problem is not None


def test_families_add_their_rows_in_registry_order():
    """Row counts per family on tiny add up to the model's rows (pool included)."""
    net = hubopt.datasets.tiny()
    options = model.ModelOptions(linking="all", max_hubs=2, budget=1e9)
    built = model.build(net, options)
    counts = []
    builder = formulation.Builder()
    levels = formulation.hub_levels(net)
    open_ = builder.add_cols("open", np.arange(len(levels.hub)), upper=1.0)
    f = formulation.flow_data(builder, net, options, open_, levels, "")
    for family in families_on(options, "flow", f):
        before = builder.rows.n_rows + builder.pool.n_rows
        family.add(builder, f)
        counts.append(builder.rows.n_rows + builder.pool.n_rows - before)
    formulation.add_hub_rows(builder, options, open_, levels)
    assert all(c > 0 for c in counts)
    assert builder.rows.n_rows + builder.pool.n_rows == built.arrays.n_rows


def test_a_capacities_table_turns_on_its_family():
    """Data, not an option: on where the network has capacities rows; kept by the
    marginal-value LP (its duals are the capacities' values), not by the
    Lagrangian."""
    family = next(f for f in FAMILIES if f.name == "capacities")
    assert family.option is None and family.marginal and not family.lagrangian
    tiny = hubopt.datasets.tiny()
    capped = tiny.replace(
        capacities=pd.DataFrame({"id": ["west"], "capacity_t": [90.0], "node": ["H1"]})
    )
    options = model.ModelOptions()
    builder = formulation.Builder()
    levels = formulation.hub_levels(capped)
    open_ = builder.add_cols("open", np.arange(len(levels.hub)), upper=1.0)
    f = formulation.flow_data(builder, capped, options, open_, levels, "")
    assert "capacities" in _names(families_on(options, "flow", f))
    assert [legs.tolist() for legs in f.capacity_legs] == [[0]]  # O1->H1
    before = builder.rows.n_rows
    formulation.add_capacities(builder, f)
    assert builder.rows.n_rows == before + 1
    assert model.build(capped, options).hub_problem is None
    built = model.build(tiny, options)
    assert "capacities" not in built.rows and built.hub_problem is not None
