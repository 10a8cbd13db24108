"""The bundled answer and what decides it (docs/what-decides.md, examples/what_decides.py).

The page's tables are the ones the script computes with the library (break-even values
by :func:`hubopt.break_even`, scenarios solved through :mod:`hubopt.solving`); the
drivers the script defines change what they say and nothing else.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

import hubopt
from hubopt import freight, solving
from hubopt.breakeven import portfolio

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "what-decides.md"
START, END = "<!-- what decides: start -->", "<!-- what decides: end -->"


def _script():
    path = ROOT / "examples" / "what_decides.py"
    spec = importlib.util.spec_from_file_location("what_decides", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["what_decides"] = module
    spec.loader.exec_module(module)
    return module


wd = _script()


@pytest.fixture(scope="module")
def network() -> hubopt.Network:
    return hubopt.datasets.morocco_kazakhstan()


def test_the_bundled_answer_is_one_hub_for_conakry(network):
    result = solving.solve(network)
    assert result.status == "optimal"
    assert portfolio(result) == (("HUB_DAKHLA_ATLANTIQUE", "S"),)
    won = result.markets[result.markets["served_t"] > 0.5]
    assert won["destination"].tolist() == ["GN_CONAKRY"]
    assert won["served_t"].iloc[0] == pytest.approx(360_000)


def test_origin_price_driver_sets_every_origin(network):
    changed = wd.origin_price(network, 150.0)
    assert (changed.origins["cost_per_t"] == 150.0).all()
    assert (network.origins["cost_per_t"] == 176.59).all()  # the input is kept


def test_subsidy_deducted_takes_the_subsidy_off_each_leg(network):
    changed = wd.subsidy_deducted(network)
    before, after = network.legs, changed.legs
    subsidy = before["subsidy_per_t"].fillna(0.0)
    assert (subsidy > 0).any()
    assert after["cost_per_t"].tolist() == pytest.approx(
        (before["cost_per_t"] - subsidy).tolist()
    )


def test_conakry_depth_driver_reprices_only_conakry(network):
    same = wd.conakry_depth(network, 6.4)
    assert same.legs["cost_per_t"].tolist() == pytest.approx(
        network.legs["cost_per_t"].tolist()
    )
    deep = wd.conakry_depth(network, 9.4)
    into = network.legs["destination"] == "GN_CONAKRY"
    assert (
        deep.legs.loc[~into, "cost_per_t"] == network.legs.loc[~into, "cost_per_t"]
    ).all()
    assert (
        deep.legs.loc[into, "cost_per_t"] < network.legs.loc[into, "cost_per_t"]
    ).all()
    # the competitor's landed price: Black Sea FOB + the voyage Novorossiysk -> Conakry
    base = network.destinations.set_index("id").loc["GN_CONAKRY"]
    _starts, ports = wd._sea_to_conakry(network)
    at = ports["id"] == "GN_CONAKRY"
    ports.loc[at, "depth_m"], ports.loc[at, "draft_m"] = 9.4, math.nan
    sea = freight.price_sea_legs(ports, [("NOVOROSSIYSK", "GN_CONAKRY")])
    fob = base["alternative_cost_per_t"] - base["competitor_freight_per_t"]
    moved = deep.destinations.set_index("id").loc["GN_CONAKRY"]
    assert moved["alternative_cost_per_t"] == pytest.approx(
        fob + sea["cost_per_t"].iloc[0], abs=0.01
    )
    assert sea["ship_class"].iloc[0] != base["competitor_ship_class"]


@pytest.mark.slow
def test_the_page_shows_what_the_library_computes(network):
    text = PAGE.read_text(encoding="utf-8")
    shown = text[text.index(START) + len(START) : text.index(END)].strip()
    expected = wd.markdown(wd.break_even_table(network), wd.scenario_table(network))
    assert shown == expected, (
        "docs/what-decides.md is out of date: run python examples/what_decides.py "
        "OUT and paste OUT/what_decides.md between the markers:\n" + expected
    )


def test_the_page_is_in_the_user_guide_and_the_readme():
    assert "what-decides" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "docs/what-decides.md" in (ROOT / "README.md").read_text(encoding="utf-8")
