"""Number and name formatting shared by the maps (:mod:`hubopt.maps`,
:mod:`hubopt.webmap`) and the briefing pack (:mod:`hubopt.report`).

The maps write plain text (a missing value is "-", a space before the unit); the
brief writes HTML (a missing value is "–", a non-breaking space before the unit and,
for sums, no "-0.00"). Both come from the same functions, told apart by keywords.

>>> from hubopt._format import money, tonnes
>>> money(1234.5, "USD"), money(1234.5, "USD", space="&nbsp;")
('USD 1,234.50', 'USD&nbsp;1,234.50')
>>> tonnes(25_000), tonnes(float("nan")), tonnes(float("nan"), missing="–")
('25 kt', '-', '–')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._version import __version__
from .datasets import DATASETS, data_root

if TYPE_CHECKING:
    from .result import Result

#: Below this many tonnes nothing is delivered (no cost per tonne).
EPS = 1e-9


def _missing(value: float | None) -> bool:
    return value is None or not np.isfinite(value)


def money(
    value: float | None,
    currency: str,
    digits: int = 2,
    *,
    space: str = " ",
    missing: str = "-",
    signed_zero: bool = True,
) -> str:
    """A sum with thousands separators and ``digits`` decimals, the currency first,
    ``space`` between them; ``missing`` for None, NaN or infinity. With
    ``signed_zero=False`` a value that rounds to zero loses its sign ("0.00", not
    "-0.00"), as the brief writes it; the maps keep the sign.

    Examples
    --------
    >>> money(-0.001, ""), money(-0.001, "", signed_zero=False), money(5.7, "", 0)
    ('-0.00', '0.00', '6')
    >>> money(None, "USD"), money(float("inf"), "USD", missing="–")
    ('-', '–')
    """
    if _missing(value):
        return missing
    text = f"{value:,.{digits}f}"
    if not signed_zero and text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.00"
    return f"{currency}{space}{text}" if currency else text


def tonnes(value: float | None, *, space: str = " ", missing: str = "-") -> str:
    """Tonnes in t, kt (from 10,000 t) or Mt (from a million), ``space`` before the
    unit; ``missing`` for None, NaN or infinity.

    Examples
    --------
    >>> tonnes(9_999), tonnes(10_000), tonnes(2_500_000, space="&nbsp;")
    ('9,999 t', '10 kt', '2.50&nbsp;Mt')
    """
    if _missing(value):
        return missing
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}{space}Mt"
    if abs(value) >= 1e4:
        return f"{value / 1e3:,.0f}{space}kt"
    return f"{value:,.0f}{space}t"


def co2(value: float | None, *, space: str = " ", missing: str = "-") -> str:
    """Tonnes of CO2, the one way hubopt prints them (:func:`tonnes` and "CO2"), so
    that the same figure reads the same in every line of the brief and the CLI.

    Examples
    --------
    >>> co2(304_304.9895), co2(9_876.4), co2(float("nan"))
    ('304 kt CO2', '9,876 t CO2', '-')
    """
    if _missing(value):
        return missing
    return f"{tonnes(value, space=space)}{space}CO2"


def percent(value: float | None, *, space: str = " ", missing: str = "-") -> str:
    """A share (a fraction) in per cent to 0.1 %, without a trailing ".0".

    Examples
    --------
    >>> percent(1.0), percent(0.172886), percent(0.0004), percent(None)
    ('100 %', '17.3 %', '0 %', '-')
    """
    if _missing(value):
        return missing
    text = f"{value * 100:.1f}".removesuffix(".0")
    if text in ("-0", "-0.0"):
        text = "0"
    return f"{text}{space}%"


def short(name: str) -> str:
    """A node's name without its parenthesis.

    >>> short("Egypt (Alexandria)")
    'Egypt'
    """
    return str(name).split(" (")[0]


def has_solution(result: Result | None) -> bool:
    """The result carries flows to show: optimal or feasible."""
    return result is not None and result.status in ("optimal", "feasible")


def delivered_t(result: Result) -> float:
    """Tonnes delivered to the markets."""
    return float(result.markets["served_t"].sum())


def cost_per_t(result: Result | None) -> float:
    """All costs per tonne delivered; NaN without a solution or deliveries."""
    if not has_solution(result):
        return float("nan")
    served = delivered_t(result)
    return result.costs.total / served if served > EPS else float("nan")


def co2_t(result: Result | None) -> float:
    """Tonnes of CO2 emitted by the flows; NaN without a solution."""
    if not has_solution(result):
        return float("nan")
    return float(result.flows["co2_t"].fillna(0).sum())


def currency_of(result: Result) -> str:
    """The currency label of a result's costs: "USD" for the bundled scenario, else
    empty (a user's network carries costs in a currency of its own choice).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt._format import currency_of
    >>> currency_of(hubopt.solve(hubopt.datasets.tiny()))
    ''
    """
    return "USD" if result.network.name == "morocco_kazakhstan" else ""


def osm_attribution(result: Result) -> str:
    """The OpenStreetMap credit the ODbL asks for, when the bundled data's routes
    derive from OpenStreetMap (its README says so)."""
    if result.network.name.split(" (")[0] not in DATASETS:
        return ""
    readme = data_root() / "README.md"
    if readme.is_file() and "OpenStreetMap" in readme.read_text(encoding="utf-8"):
        return "Rail routes © OpenStreetMap contributors (ODbL). "
    return ""


def source_line(result: Result) -> str:
    """The attribution printed under every map: data, basemap and model.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt._format import source_line
    >>> line = source_line(hubopt.solve(hubopt.datasets.tiny()))
    >>> line.startswith("Data: tiny"), "Natural Earth" in line
    (True, True)
    """
    net = result.network
    data = (
        "hubopt bundled scenario; sources and licences in data/README.md"
        if net.name in ("morocco_kazakhstan", "tiny")
        else "the network's own source columns"
    )
    gap = ""
    if result.status == "feasible" and result.gap is not None:
        gap = f", gap {result.gap:.2%}"
    return (
        f"Data: {net.name} ({data}). {osm_attribution(result)}Basemap: Natural Earth "
        f"1:110m (public domain). Model: hubopt {__version__} facility-location MILP, "
        f"solver {result.solver}, {result.status}{gap}."
    )
