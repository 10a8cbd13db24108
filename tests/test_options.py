"""The composed solve options: ModelOptions + SolverSettings = SolveOptions."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

import hubopt
from hubopt import model
from hubopt.options import (
    DEFAULT_MIP_GAP,
    ModelOptions,
    SolveOptions,
    SolverSettings,
)


def test_model_options_keep_their_old_home():
    assert model.ModelOptions is ModelOptions
    assert hubopt.ModelOptions is ModelOptions
    assert hubopt.SolverSettings is SolverSettings
    assert hubopt.SolveOptions is SolveOptions


def test_composed_of_parts():
    options = SolveOptions(ModelOptions(max_hubs=2), SolverSettings(threads=1))
    assert options.model == ModelOptions(max_hubs=2)
    assert options.settings == SolverSettings(threads=1)
    assert options.marginal_values is True
    assert options.model_options() is options.model


def test_flat_keywords_go_to_the_part_that_names_them():
    options = SolveOptions(max_hubs=1, time_limit_s=30, marginal_values=False)
    assert options.model == ModelOptions(max_hubs=1)
    assert options.settings == SolverSettings(time_limit_s=30)
    assert options.marginal_values is False
    assert (options.max_hubs, options.time_limit_s) == (1, 30)  # flat reads


def test_flat_keywords_apply_on_top_of_parts():
    options = SolveOptions(ModelOptions(max_hubs=2, budget=5.0), max_hubs=1)
    assert (options.model.max_hubs, options.model.budget) == (1, 5.0)


def test_keywords_are_the_fields_of_the_parts():
    expected = {f.name for f in dataclasses.fields(ModelOptions)}
    expected |= {f.name for f in dataclasses.fields(SolverSettings)}
    assert SolveOptions.keywords() == expected | {"marginal_values"}


def test_frozen():
    options = SolveOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.marginal_values = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.settings.msg = True  # type: ignore[misc]


def test_replace_makes_a_checked_copy():
    options = SolveOptions(max_hubs=1)
    changed = options.replace(mip_gap=0.01, min_hubs=1)
    assert options.settings.mip_gap is None  # the original is untouched
    assert (changed.max_hubs, changed.min_hubs, changed.mip_gap) == (1, 1, 0.01)
    assert options.replace(marginal_values=False).marginal_values is False
    with pytest.raises(hubopt.ValidationError, match=r"min_hubs \(2\) is larger"):
        options.replace(min_hubs=2)


def test_as_dict_round_trip():
    options = SolveOptions(
        max_hubs=2,
        carbon_price_per_t_co2=10.0,
        time_limit_s=5,
        exclude_portfolios=[["H2", "H1"]],
        marginal_values=False,
    )
    record = options.as_dict()
    assert set(record) == SolveOptions.keywords()
    assert record["exclude_portfolios"] == [["H1", "H2"]]
    json.dumps(record)  # JSON-ready
    assert SolveOptions(**record) == options


def test_as_dict_names_a_pulp_solver_by_its_class():
    pulp = pytest.importorskip("pulp")
    options = SolveOptions(solver=pulp.HiGHS(msg=False))
    assert options.as_dict()["solver"] == "HiGHS"
    assert isinstance(options.settings.solver, pulp.HiGHS)  # kept as given


def test_pickles():
    options = SolveOptions(max_hubs=1, time_limit_s=3)
    again = pickle.loads(pickle.dumps(options))
    assert again == options
    assert again.max_hubs == 1


def test_effective_mip_gap():
    assert SolverSettings().effective_mip_gap == DEFAULT_MIP_GAP
    assert SolverSettings(mip_gap=0.0).effective_mip_gap == 0.0


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"max_hub": 1}, r"unknown solve option\(s\) \['max_hub'\]; known: .*max_hubs"),
        ({"solver": "gurobi"}, "solver must be 'highs', 'cbc' or a pulp solver"),
        ({"time_limit_s": "60"}, "time_limit_s must be a positive, finite number"),
        ({"mip_gap": 1.0}, r"mip_gap must be in \[0, 1\), got 1.0"),
        ({"threads": 0}, "threads must be a whole number from 1 to 256, got 0"),
        ({"msg": "yes"}, "msg must be true or false, got 'yes'"),
        ({"max_hubs": -1}, "max_hubs must be zero or more, got -1"),
        ({"linking": "some"}, "linking must be one of 'auto'"),
        ({"programme_t": -5.0}, r"programme_t must be a finite number >= 0 or None"),
        ({"programme_t": "80"}, r"programme_t must be a finite number >= 0 or None"),
        ({"marginal_values": "no"}, "marginal_values must be true or false"),
        ({"model": {"max_hubs": 1}}, "model must be a ModelOptions, got dict"),
        ({"settings": {"threads": 1}}, "settings must be a SolverSettings, got dict"),
    ],
)
def test_bad_options_are_refused(keywords, message):
    with pytest.raises(hubopt.ValidationError, match=message):
        SolveOptions(**keywords)


def test_unknown_flat_read_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'max_hub'"):
        _ = SolveOptions().max_hub


def test_solve_takes_options_and_overrides(tiny):
    base = SolveOptions(max_hubs=2, marginal_values=False)
    result = hubopt.solve(tiny, base, max_hubs=1)
    assert result.options == base.replace(max_hubs=1)
    assert result.open_hubs == ["H2"]
    assert result.marginal_values.empty  # not computed


def test_solve_keeps_the_options_as_given(tiny):
    result = hubopt.solve(tiny, max_hubs=2, time_limit_s=30)
    assert isinstance(result.options, SolveOptions)
    assert result.options == SolveOptions(max_hubs=2, time_limit_s=30)
    assert result.summary_dict()["options"] == result.options.as_dict()


def test_solve_refuses_an_unknown_keyword(tiny):
    with pytest.raises(hubopt.ValidationError, match=r"unknown solve option.*known"):
        hubopt.solve(tiny, max_hub=1)


def test_solve_refuses_options_of_another_type(tiny):
    with pytest.raises(hubopt.ValidationError, match="options must be a hubopt"):
        hubopt.solve(tiny, {"max_hubs": 1})  # type: ignore[arg-type]
