"""Tests of hubopt._validate: the table specs and the column defaults they carry.

The validation rules themselves are tested through ``Network.from_frames`` in
tests/test_network.py (one test per rule) and tests/test_broken_inputs.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hubopt import ValidationError
from hubopt._validate import SPECS, TABLES, column_or_default


def test_every_table_has_a_spec():
    assert set(SPECS) == set(TABLES)


def test_specs_carry_the_optional_column_defaults():
    hubs = SPECS["hubs"]
    assert hubs.default("dwell_days") == 0.0
    assert hubs.default("fixed_cost") == 0.0
    assert hubs.default("status") == "candidate"
    assert np.isnan(hubs.default("capacity_t"))
    assert "dwell_days" in hubs.known
    assert "dwell_days" not in hubs.defaults  # not added to the table
    with pytest.raises(KeyError):
        hubs.default("id")


def test_blank_cells_allowed_exactly_where_a_default_applies():
    assert set(SPECS["hubs"].blank_ok) == {
        "handling_cost_per_t",
        "capacity_t",
        "fixed_cost",
        "status",
        "dwell_days",
        "silo_capacity_t",  # the multi-period model's (hubopt.periods)
        "storage_cost_per_t_period",
        "stock_loss_share",
    }
    assert set(SPECS["origins"].blank_ok) == {"cost_per_t"}
    assert set(SPECS["destinations"].blank_ok) == {
        "unmet_penalty_per_t",
        "max_transit_days",
        "alternative_cost_per_t",
    }
    assert set(SPECS["legs"].blank_ok) == {
        "cost_per_t",
        "distance_km",
        "transit_days",
        "co2_kg_per_t",
        "corridor",
    }
    assert SPECS["hub_levels"].blank_ok == ("silo_capacity_t",)
    assert set(SPECS["capacities"].blank_ok) == {"node", "corridor", "mode"}


def test_column_or_default_keeps_the_frame_index():
    hubs = pd.DataFrame({"id": ["A", "B"], "dwell_days": [np.nan, 3.0]}).set_index("id")
    dwell = column_or_default(hubs, "hubs", "dwell_days")
    assert dwell.to_dict() == {"A": 0.0, "B": 3.0}
    absent = column_or_default(hubs.drop(columns="dwell_days"), "hubs", "dwell_days")
    assert absent.to_dict() == {"A": 0.0, "B": 0.0}
    assert float(absent.get("C", 0.0)) == 0.0


def test_column_or_default_text_default():
    legs = pd.DataFrame({"origin": ["O"], "corridor": [None]})
    assert column_or_default(legs, "legs", "corridor").tolist() == [""]


def test_column_or_default_does_not_change_the_frame():
    hubs = pd.DataFrame({"id": ["A"], "dwell_days": [np.nan]})
    dwell = column_or_default(hubs, "hubs", "dwell_days")
    dwell[:] = 9.0
    assert np.isnan(hubs["dwell_days"].iloc[0])


def test_column_or_default_unknown_table():
    with pytest.raises(
        ValidationError, match=r"unknown table 'hubz'; known: \['origins'"
    ):
        column_or_default(pd.DataFrame(), "hubz", "dwell_days")


def test_column_or_default_unknown_column():
    with pytest.raises(
        ValidationError,
        match=r"table 'hub_levels': no column 'capacity' \(did you mean 'capacity_t'\?\);"
        r" the optional columns with a default are: silo_capacity_t",
    ):
        column_or_default(pd.DataFrame({"hub_id": ["H"]}), "hub_levels", "capacity")
