"""Charts of a multi-period result (matplotlib, Agg): stock at hubs and days of cover.

:func:`stock_chart` draws the stock at the end of each period at every opened hub
with a silo, against the silo of its level; :func:`cover_chart` draws the days of
cover of the worst-served market by period, with the reserve the options ask for.
Both read what :class:`hubopt.result.PeriodResults` computed; nothing here solves.
The briefing pack embeds them (:func:`hubopt.report.write_brief`).

>>> import pandas as pd
>>> import hubopt
>>> from hubopt.periods import Periods
>>> from hubopt.period_charts import stock_chart
>>> months = Periods.from_frames(pd.DataFrame({"id": ["a", "b"], "days": [1, 1]}))
>>> fig = stock_chart(hubopt.solve(hubopt.datasets.tiny(), periods=months))
>>> fig.axes[0].get_title(loc="left")  # tiny has no silo
'Stock at hubs: no opened hub has a silo'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._format import short, tonnes
from ._labels import LITERAL
from .errors import ValidationError
from .io import atomic_target

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .result import Result

#: At most this many hubs get a panel of the stock chart (the largest stocks).
MAX_STOCK_PANELS = 6
_STOCK = "#1F4E79"
_SILO = "#C0392B"
_COVER = "#2E7D32"
_FORMATS = (".png", ".svg", ".pdf")


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # a Figure not registered with pyplot, drawn by Agg: no GUI, no global state
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _periods_of(result: Result) -> Any:
    if result.periods is None:
        msg = (
            "this result has no periods (solved without periods=...); the stock and "
            "cover charts need a multi-period result"
        )
        raise ValidationError(msg)
    return result.periods


def _save(fig: Figure, path: str | os.PathLike[str] | None, dpi: int) -> None:
    if path is None:
        return
    target = Path(path)
    if target.suffix.lower() not in _FORMATS:
        msg = (
            f"cannot save a chart as '{target.name}': use a .png, .svg or .pdf file "
            "name"
        )
        raise ValidationError(msg)
    with atomic_target(target) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", facecolor="white")


def _scale(values: np.ndarray) -> tuple[float, str]:
    """Divide by this and label the axis so: t, kt or Mt."""
    top = float(np.nanmax(values)) if len(values) else 0.0
    if top >= 1e6:
        return 1e6, "Mt"
    if top >= 1e4:
        return 1e3, "kt"
    return 1.0, "t"


def stock_chart(
    result: Result,
    path: str | os.PathLike[str] | None = None,
    *,
    dpi: int = 200,
) -> Figure:
    """The stock at the end of each period at every opened hub with a silo (bars),
    against the silo capacity of its opened level (a dashed line); one panel per
    hub, the largest stocks first (at most :data:`MAX_STOCK_PANELS`).

    Parameters
    ----------
    result
        A multi-period result (:func:`hubopt.solve` with ``periods``).
    path
        Save to this file (.png, .svg or .pdf).
    dpi
        Resolution of a saved PNG.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValidationError
        For a result without periods or a bad file suffix.
    """
    periods = _periods_of(result)
    ids = periods.ids
    peaks = periods.peak_stock
    balance = periods.stock_balance
    hubs = peaks["hub_id"].tolist()[:MAX_STOCK_PANELS]
    n = max(len(hubs), 1)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig = _figure(3.2 * cols + 0.4, 2.4 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    if not hubs:
        ax = axes[0]
        ax.set_axis_off()
        ax.set_title(
            "Stock at hubs: no opened hub has a silo",
            loc="left",
            fontsize=10,
            **LITERAL,
        )
        _save(fig, path, dpi)
        return fig
    held = balance[balance["hub_id"].isin(hubs)]
    div, unit = _scale(np.concatenate([held["closing_t"], held["silo_t"]]))
    names = peaks.set_index("hub_id")["name"]
    x = np.arange(len(ids))
    for ax, hid in zip(axes, hubs, strict=False):
        mine = held[held["hub_id"] == hid].set_index("period").reindex(ids)
        stock = mine["closing_t"].to_numpy(dtype=float) / div
        silo = float(mine["silo_t"].max()) / div
        ax.bar(
            x, stock, color=_STOCK, width=0.7, label="stock at the end of the period"
        )
        ax.axhline(silo, color=_SILO, linestyle="--", linewidth=1.2, label="silo")
        ax.set_ylim(0, max(silo, float(np.nanmax(stock))) * 1.15 or 1.0)
        _period_ticks(ax, x, ids, 12)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylabel(unit, fontsize=7, **LITERAL)
        ax.set_title(
            f"{short(names.get(hid, hid))}: silo {tonnes(silo * div)}",
            loc="left",
            fontsize=8.5,
            **LITERAL,
        )
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(hubs) :]:
        ax.set_axis_off()
    handles, labels = axes[0].get_legend_handles_labels()
    legend = fig.legend(
        handles, labels, loc="outside lower center", ncols=2, fontsize=7, frameon=False
    )
    for text in legend.get_texts():
        text.set(**LITERAL)
    shown = "" if len(peaks) <= MAX_STOCK_PANELS else f" ({len(hubs)} largest)"
    fig.suptitle(
        f"Stock at the opened hubs by period, against their silo{shown}",
        x=0.01,
        ha="left",
        fontsize=10,
        **LITERAL,
    )
    _save(fig, path, dpi)
    return fig


def cover_chart(
    result: Result,
    path: str | os.PathLike[str] | None = None,
    *,
    market: str | None = None,
    dpi: int = 200,
) -> Figure:
    """Days of cover by period of one market (by default the worst-served one:
    the first row of :attr:`~hubopt.result.PeriodResults.worst_served`), with the
    reserve ``reserve_days`` as a dashed line when the options ask for one and the
    market is among the ``reserve_markets``.

    Parameters
    ----------
    result
        A multi-period result.
    path
        Save to this file (.png, .svg or .pdf).
    market
        The market id; None for the worst-served market.
    dpi
        Resolution of a saved PNG.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValidationError
        For a result without periods, an unknown market or a bad file suffix.
    """
    periods = _periods_of(result)
    ids = periods.ids
    cover = periods.cover
    fig = _figure(6.4, 2.8)
    ax = fig.add_subplot()
    if market is None:
        market = _worst(periods)
    elif market not in set(cover["destination"]):
        msg = (
            f"market {market!r} is not in table 'destinations'; known: "
            f"{', '.join(map(str, sorted(set(cover['destination']))))}"
        )
        raise ValidationError(msg)
    if market is None:
        ax.set_axis_off()
        ax.set_title(
            "Days of cover: the plan serves no market",
            loc="left",
            fontsize=10,
            **LITERAL,
        )
        _save(fig, path, dpi)
        return fig
    mine = cover[cover["destination"] == market].set_index("period").reindex(ids)
    days = mine["cover_days"].to_numpy(dtype=float)
    x = np.arange(len(ids))
    ax.bar(x, np.nan_to_num(days), color=_COVER, width=0.7, label="days of cover")
    options = result.options.model
    reserve = options.reserve_days
    group = set(options.reserve_markets)
    if reserve and (not group or market in group):
        ax.axhline(
            reserve,
            color=_SILO,
            linestyle="--",
            linewidth=1.2,
            label=f"reserve: {reserve:g} days",
        )
    top = max(float(np.nanmax(days)) if np.isfinite(days).any() else 0.0, reserve or 0)
    ax.set_ylim(0, top * 1.15 or 1.0)
    _period_ticks(ax, x, ids, 24)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel("days of its demand", fontsize=7, **LITERAL)
    names = result.network.destinations.set_index("id")["name"]
    worst = " (the worst-served market)" if market == _worst(periods) else ""
    ax.set_title(
        f"Days of cover by period: {short(names.get(market, market))}{worst}",
        loc="left",
        fontsize=10,
        **LITERAL,
    )
    ax.spines[["top", "right"]].set_visible(False)
    legend = ax.legend(fontsize=7, frameon=False, loc="upper right")
    for text in legend.get_texts():
        text.set(**LITERAL)
    _save(fig, path, dpi)
    return fig


def _worst(periods: Any) -> str | None:
    worst = periods.worst_served
    return str(worst["destination"].iloc[0]) if len(worst) else None


def _rotation(ids: list[Any], room: int) -> int:
    """Upright period labels when ``room`` labels of their length fit, else 90."""
    longest = max((len(str(i)) for i in ids), default=1)
    return 0 if len(ids) * max(longest, 3) <= room * 3 else 90


def _period_ticks(ax: Any, x: np.ndarray, ids: list[Any], room: int) -> None:
    """The period ids under the bars, drawn literally (ids are data)."""
    ax.set_xticks(x, [str(i) for i in ids], fontsize=7, rotation=_rotation(ids, room))
    for label in ax.get_xticklabels():
        label.set(**LITERAL)
