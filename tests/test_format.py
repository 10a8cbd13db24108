"""The shared number formatting (hubopt._format): the maps' plain text and the brief's
HTML come from the same functions, told apart by keywords."""

from __future__ import annotations

import math

import pytest

import hubopt
from hubopt import _format


@pytest.mark.parametrize(
    ("value", "plain", "brief"),
    [
        (1234.5, "USD 1,234.50", "USD&nbsp;1,234.50"),
        (-0.001, "USD -0.00", "USD&nbsp;0.00"),
        (-12.5, "USD -12.50", "USD&nbsp;-12.50"),
        (math.nan, "-", "–"),
        (None, "-", "–"),
        (math.inf, "-", "–"),
    ],
)
def test_money_plain_and_brief(value, plain, brief):
    assert _format.money(value, "USD") == plain
    html = {"space": "&nbsp;", "missing": "–", "signed_zero": False}
    assert _format.money(value, "USD", **html) == brief


def test_money_digits_and_no_currency():
    assert _format.money(1234.567, "", 0) == "1,235"
    assert _format.money(-0.4, "", 0) == "-0"
    assert _format.money(-0.4, "", 0, signed_zero=False) == "0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0 t"),
        (9_999.0, "9,999 t"),
        (10_000.0, "10 kt"),
        (-25_400.0, "-25 kt"),
        (999_999.0, "1,000 kt"),
        (1_000_000.0, "1.00 Mt"),
        (2_345_678.0, "2.35 Mt"),
        (math.nan, "-"),
    ],
)
def test_tonnes_units(value, text):
    assert _format.tonnes(value) == text
    brief = _format.tonnes(value, space="&nbsp;", missing="–")
    assert brief == text.replace(" ", "&nbsp;").replace(
        "-", "–" if text == "-" else "-"
    )


def test_short_name():
    assert _format.short("Egypt (Alexandria)") == "Egypt"
    assert _format.short("Aktau") == "Aktau"


def test_per_tonne_figures():
    result = hubopt.solve(hubopt.datasets.tiny())
    assert _format.delivered_t(result) == pytest.approx(200.0)
    assert _format.cost_per_t(result) == pytest.approx(result.objective / 200.0)
    assert _format.co2_t(result) >= 0
    assert math.isnan(_format.cost_per_t(None))
    assert math.isnan(_format.co2_t(None))
    assert _format.currency_of(result) == ""
    assert _format.osm_attribution(result) in _format.source_line(result)
    assert _format.source_line(result).startswith("Data: tiny (hubopt bundled")
