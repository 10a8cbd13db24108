"""Charts of an uncertainty analysis (matplotlib, Agg): the tornado of the inputs
that move the decision and the saving distribution of each candidate portfolio.

Both draw tables computed before (:func:`hubopt.uncertainty.tornado_table` and
:attr:`hubopt.uncertainty.UncertaintyResult.regret`); nothing here solves. The
briefing pack (:func:`hubopt.report.write_brief`) embeds them as PNG.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._labels import LITERAL
from .errors import ValidationError
from .io import atomic_target

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The most inputs a tornado chart shows (the rest move the cost less).
TORNADO_INPUTS = 8
#: The most portfolios the saving chart shows.
SAVING_PORTFOLIOS = 7
_LOW, _HIGH, _CHANGES = "#4C78A8", "#E45756", "#F39C12"
_MILLION = 1e6


def tornado_chart(
    tornado: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    currency: str = "USD",
    top: int = TORNADO_INPUTS,
    dpi: int = 200,
) -> Figure:
    """A tornado chart: per input, how far the optimum's total cost moves from its
    value with every input central when the input alone goes to the low and to the
    high end of its range; inputs that change the best portfolio are marked, with
    the break-even value on their bar.

    Parameters
    ----------
    tornado
        :func:`hubopt.uncertainty.tornado_table` (its rows in its order: the
        inputs that change the decision first, then by cost swing).
    path
        Save to this ``.png``, ``.svg`` or ``.pdf`` file.
    currency
        The currency of the costs, for the axis.
    top
        The most inputs drawn.
    dpi
        Resolution of a PNG.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _need(tornado, ("input", "total_cost_low", "total_cost_high"), "tornado")
    rows = tornado.head(top).iloc[::-1]
    central = _central(rows)
    low = rows["total_cost_low"].to_numpy(float) - central
    high = rows["total_cost_high"].to_numpy(float) - central
    scale, unit = _scale(np.concatenate([low, high]), currency)
    low, high = low / scale, high / scale
    changes = rows.get("changes_decision", pd.Series(False, index=rows.index))
    fig, ax = _axes((6.6, 0.5 + 0.42 * max(len(rows), 1)))
    y = np.arange(len(rows))
    ax.barh(y, low, color=_LOW, height=0.6, label="input at the low end")
    ax.barh(y, high, color=_HIGH, height=0.6, label="input at the high end")
    ax.axvline(0.0, color="#333333", linewidth=0.8)
    labels = []
    for pos, row in enumerate(rows.itertuples(index=False)):
        name = str(row.input)
        if bool(changes.iloc[pos]):
            name += " *"
            value = getattr(row, "break_even_value", np.nan)
            if value is not None and np.isfinite(value):
                edge = max(low[pos], high[pos], 0.0)
                ax.text(
                    edge,
                    pos,
                    f"  changes at {value:.4g}",
                    va="center",
                    fontsize=7.5,
                    color=_CHANGES,
                    **LITERAL,
                )
        labels.append(name)
    ax.set_yticks(y, labels, fontsize=8)
    for text in ax.get_yticklabels():
        text.set(**LITERAL)
    ax.set_xlabel(
        f"change in total cost, {unit} a year (every other input central)",
        fontsize=8,
        **LITERAL,
    )
    ax.tick_params(axis="x", labelsize=8)
    ax.margins(x=0.3)
    legend = fig.legend(fontsize=7.5, loc="outside lower center", ncol=2, frameon=False)
    for text in legend.get_texts():
        text.set(**LITERAL)
    if bool(changes.any()):
        ax.set_title(
            "* changes the best portfolio within its range (break-even value)",
            fontsize=8,
            loc="left",
            **LITERAL,
        )
    _save(fig, path, dpi)
    return fig


def saving_chart(
    regret: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    currency: str = "USD",
    top: int = SAVING_PORTFOLIOS,
    label: Callable[[str], str] = str,
    dpi: int = 200,
) -> Figure:
    """The saving against the direct baseline of each candidate portfolio fixed
    now, across the draws: a box from its 25 % to its 75 % quantile, whiskers to
    5 % and 95 %, a tick at the median; beside each, the share of draws in which
    it is the optimum.

    Parameters
    ----------
    regret
        :attr:`hubopt.uncertainty.UncertaintyResult.regret` (portfolio,
        probability and the saving quantiles ``saving_q05`` ... ``saving_q95``).
    path
        Save to this ``.png``, ``.svg`` or ``.pdf`` file.
    currency
        The currency of the savings, for the axis.
    top
        The most portfolios drawn (those with a saving in some draw).
    label
        A portfolio's name in words (as
        :meth:`hubopt.uncertainty.UncertaintyResult.label`).
    dpi
        Resolution of a PNG.

    Returns
    -------
    matplotlib.figure.Figure
    """
    columns = [f"saving_q{q:02d}" for q in (5, 25, 50, 75, 95)]
    _need(regret, ("portfolio", "probability", *columns), "regret")
    rows = regret[regret["portfolio"] != "none"]
    rows = rows[rows[columns].notna().all(axis=1)].head(top).iloc[::-1]
    scale, unit = _scale(rows[columns].to_numpy(float), currency)
    q05, q25, q50, q75, q95 = (rows[c].to_numpy(float) / scale for c in columns)
    fig, ax = _axes((6.6, 0.6 + 0.42 * max(len(rows), 1)))
    y = np.arange(len(rows))
    ax.hlines(y, q05, q95, color="#555555", linewidth=1.0)
    ax.barh(y, q75 - q25, left=q25, height=0.5, color="#9ECAE9", edgecolor="#4C78A8")
    ax.vlines(q50, y - 0.25, y + 0.25, color="#1F3B5C", linewidth=1.6)
    ax.axvline(0.0, color=_HIGH, linewidth=0.9, linestyle="--")
    labels = [
        f"{label(name)}  ({100 * p:.0f} % optimal)"
        for name, p in zip(rows["portfolio"], rows["probability"], strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    for text in ax.get_yticklabels():
        text.set(**LITERAL)
    ax.set_xlabel(
        f"saving against shipping direct, {unit} a year",
        fontsize=8,
        **LITERAL,
    )
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(
        "box: 25-75 % of draws, whiskers 5-95 %, tick: median",
        fontsize=8,
        loc="left",
        **LITERAL,
    )
    _save(fig, path, dpi)
    return fig


def saving_rows(regret: pd.DataFrame) -> int:
    """How many portfolios :func:`saving_chart` would draw (those that open hubs
    and have a saving in the draws)."""
    columns = [f"saving_q{q:02d}" for q in (5, 25, 50, 75, 95)]
    if any(c not in regret.columns for c in columns):
        return 0
    rows = regret[regret["portfolio"] != "none"]
    return int(rows[columns].notna().all(axis=1).sum())


def _scale(values: np.ndarray, currency: str) -> tuple[float, str]:
    """Millions when the figures reach 100,000, else the currency itself."""
    finite = np.abs(values[np.isfinite(values)])
    if finite.size and finite.max() >= 1e5:
        return _MILLION, f"{currency} million"
    return 1.0, currency


def _central(rows: pd.DataFrame) -> float:
    """The total cost with every input central: the table's column, else the
    middle of the first row's swing."""
    if "total_cost_central" in rows and len(rows):
        value = float(rows["total_cost_central"].iloc[0])
        if np.isfinite(value):
            return value
    if not len(rows):
        return 0.0
    first = rows.iloc[-1]
    return (float(first["total_cost_low"]) + float(first["total_cost_high"])) / 2


def _need(table: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        msg = f"the {name} table has no column(s) {missing}; pass the table itself"
        raise ValidationError(msg)


def _axes(figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # a Figure not registered with pyplot, drawn by Agg: no GUI, no global state
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _save(fig: Figure, path: str | os.PathLike[str] | None, dpi: int) -> None:
    if path is None:
        return
    target = Path(path)
    if target.suffix.lower() not in {".png", ".svg", ".pdf"}:
        msg = f"cannot save a chart as '{target.name}': use .png, .svg or .pdf"
        raise ValidationError(msg)
    with atomic_target(target) as tmp:
        fig.savefig(tmp, dpi=dpi, facecolor="white")
