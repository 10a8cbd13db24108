"""Static maps of a result (matplotlib): one for a briefing note, one comparing two.

:func:`static_map` draws with matplotlib on the bundled Natural Earth basemap and saves
PNG (300 dpi), SVG or PDF; it works with the Agg backend. :func:`comparison_map` shows
what changes between two results (flows that appear, vanish or change), from the table
of :func:`compare_flows`. The interactive Leaflet map is
:func:`hubopt.webmap.interactive_map`; it shares this module's frame, colours and
titles.

Nothing here imports PuLP or folium.

>>> import hubopt, hubopt.maps
>>> result = hubopt.solve(hubopt.datasets.tiny())
>>> fig = hubopt.maps.static_map(result)
>>> fig.axes[0].get_title(loc="left")
'tiny: 2 hubs opened'
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._format import (
    EPS,
    co2_t,
    cost_per_t,
    currency_of,
    delivered_t,
    has_solution,
    money,
    short,
    source_line,
    tonnes,
)
from ._labels import LITERAL, Labeller
from ._labels import halo as _halo
from .datasets import basemap, display_name
from .errors import ValidationError
from .geo import unwrap_lonlat
from .io import atomic_target

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .result import Result

#: Default frame (lon_min, lat_min, lon_max, lat_max): Central Asia, the
#: Mediterranean and Africa.
DEFAULT_EXTENT = (-26.0, -37.0, 82.0, 60.0)

#: Colours of the flow kinds (colour-blind safe, from the Okabe-Ito palette).
FLOW_COLOURS = {"inbound": "#0072B2", "outbound": "#D55E00", "direct": "#7B5EA7"}
FLOW_LABELS = {
    "inbound": "origin to hub",
    "outbound": "hub to market",
    "direct": "direct, origin to market",
}
CHANGE_COLOURS = {
    "appears": "#1A9850",
    "vanishes": "#D73027",
    "changes": "#F39C12",
    "same": "#9A9A9A",
}
_LAND, _LAND_EDGE, _SEA = "#F2EFE9", "#B8B2A7", "#DCE8F2"
_HUB_OPEN, _ORIGIN = "#E69F00", "#2C3E50"
_FORMATS = {".png", ".svg", ".pdf"}
#: Text properties for every matplotlib text that may hold text from data: drawn
#: as it is, never read as mathtext ("$ 50% $", "_", "^") nor handed to TeX.
_LITERAL = LITERAL


@dataclass(frozen=True)
class _Frame:
    """A checked extent."""

    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float

    @classmethod
    def of(cls, extent: Any) -> _Frame:
        try:
            values = [float(v) for v in extent]
        except (TypeError, ValueError):
            values = []
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            msg = (
                f"extent must be four numbers (lon_min, lat_min, lon_max, lat_max), "
                f"got {extent!r}"
            )
            raise ValidationError(msg)
        frame = cls(*values)
        if not (
            frame.lon_min < frame.lon_max and -90 <= frame.lat_min < frame.lat_max <= 90
        ):
            msg = (
                f"extent {tuple(values)} is empty or off the globe: need lon_min < "
                "lon_max and -90 <= lat_min < lat_max <= 90"
            )
            raise ValidationError(msg)
        return frame


# ------------------------------------------------------------------------------------
# shared helpers
# ------------------------------------------------------------------------------------
def _layers(result: Result) -> dict[str, Any]:
    """GeoDataFrames of the result; empty flows when there is no solution."""
    return result.to_geodataframes()


def _lines(geom: Any) -> list[np.ndarray]:
    """Coordinate arrays of a (Multi)LineString, each made continuous across the
    antimeridian (longitudes may leave [-180, 180])."""
    if geom is None or getattr(geom, "is_empty", True):
        return []
    parts = geom.geoms if geom.geom_type == "MultiLineString" else [geom]
    return [unwrap_lonlat(np.asarray(p.coords)[:, :2]) for p in parts]


def split_antimeridian(coords: np.ndarray) -> list[np.ndarray]:
    """Cut a lon/lat path where it crosses the antimeridian into pieces that stay
    within [-180, 180], interpolating the crossing points.

    Parameters
    ----------
    coords
        An (n, 2) array of lon, lat; consecutive points may jump across +-180.

    Returns
    -------
    list of numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> parts = split_antimeridian(np.array([[170.0, 0.0], [-170.0, 10.0]]))
    >>> [p.tolist() for p in parts]
    [[[170.0, 0.0], [180.0, 5.0]], [[-180.0, 5.0], [-170.0, 10.0]]]
    """
    path = unwrap_lonlat(np.asarray(coords, dtype=float)[:, :2])
    if len(path) == 0:
        return []
    pieces: list[np.ndarray] = []
    current = [path[0]]
    for a, b in itertools.pairwise(path):
        band_a, band_b = np.floor((a[0] + 180) / 360), np.floor((b[0] + 180) / 360)
        if band_a != band_b:
            edge = (max(band_a, band_b)) * 360 - 180
            t = (edge - a[0]) / (b[0] - a[0])
            cross = np.array([edge, a[1] + t * (b[1] - a[1])])
            current.append(cross)
            pieces.append(np.array(current))
            current = [cross.copy()]
        current.append(b)
    pieces.append(np.array(current))
    out = []
    for piece in pieces:
        shift = np.floor((piece[:, 0].mean() + 180) / 360) * 360
        piece = piece.copy()
        piece[:, 0] -= shift
        out.append(piece)
    return out


def _widths(tonnes: pd.Series, scale_t: float, thin: float, thick: float) -> np.ndarray:
    """Line widths proportional to tonnes, from ``thin`` up to ``thick`` at
    ``scale_t``."""
    values = np.asarray(tonnes, dtype=float)
    if scale_t <= 0:
        return np.full(len(values), thin)
    return thin + (thick - thin) * np.clip(values / scale_t, 0, 1)


def _save(fig: Figure, path: str | os.PathLike[str], dpi: int) -> None:
    target = Path(path)
    if target.suffix.lower() not in _FORMATS:
        msg = (
            f"cannot save a map as '{target.name}': use a .png, .svg or .pdf file name"
        )
        raise ValidationError(msg)
    with atomic_target(target) as tmp:  # no half-written map after a crash
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", facecolor="white")


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # a Figure not registered with pyplot, drawn by Agg: no GUI, no global state
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _basemap(ax: Axes, frame: _Frame) -> None:
    ax.set_facecolor(_SEA)
    world = basemap()
    world.plot(ax=ax, color=_LAND, edgecolor=_LAND_EDGE, linewidth=0.4, zorder=1)
    ax.set_xlim(frame.lon_min, frame.lon_max)
    ax.set_ylim(frame.lat_min, frame.lat_max)
    mid = math.radians((frame.lat_min + frame.lat_max) / 2)
    ax.set_aspect(1 / max(math.cos(mid), 0.2))
    ax.set_xlabel("")
    ax.set_ylabel("")
    _graticule(ax, frame)


def _graticule(ax: Axes, frame: _Frame, step: float | None = None) -> None:
    span = max(frame.lon_max - frame.lon_min, frame.lat_max - frame.lat_min)
    step = step or (5 if span <= 40 else 10 if span <= 90 else 20)
    lons = np.arange(math.ceil(frame.lon_min / step) * step, frame.lon_max + EPS, step)
    lats = np.arange(math.ceil(frame.lat_min / step) * step, frame.lat_max + EPS, step)
    for lon in lons:
        ax.axvline(lon, color="#8A9BAD", linewidth=0.35, alpha=0.6, zorder=1.5)
    for lat in lats:
        ax.axhline(lat, color="#8A9BAD", linewidth=0.35, alpha=0.6, zorder=1.5)
    ax.set_xticks(lons)
    ax.set_yticks(lats)
    ax.set_xticklabels([_deg(v, "E", "W") for v in lons], fontsize=7, color="#555555")
    ax.set_yticklabels([_deg(v, "N", "S") for v in lats], fontsize=7, color="#555555")
    ax.tick_params(length=0, pad=2)
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)


def _deg(value: float, pos: str, neg: str) -> str:
    if abs(value) < EPS:
        return "0°"
    return f"{abs(value):g}°{pos if value > 0 else neg}"


def _draw_path(ax: Axes, geom: Any, frame: _Frame, **style: Any) -> list[Any]:
    """Draw a route; a route across the antimeridian is drawn on both sides."""
    artists = []
    for coords in _lines(geom):
        for piece in split_antimeridian(coords):
            (line,) = ax.plot(piece[:, 0], piece[:, 1], **style)
            artists.append(line)
            style = {k: v for k, v in style.items() if k != "label"}
    return artists


def _hub_sizes(throughput_t: pd.Series, scale_t: float) -> np.ndarray:
    return 40 + 260 * np.sqrt(np.clip(np.asarray(throughput_t, float) / scale_t, 0, 1))


def _market_sizes(demand_t: pd.Series, scale_t: float) -> np.ndarray:
    return 12 + 220 * np.sqrt(np.clip(np.asarray(demand_t, float) / scale_t, 0, 1))


# ------------------------------------------------------------------------------------
# static map
# ------------------------------------------------------------------------------------
def static_map(
    result: Result,
    path: str | os.PathLike[str] | None = None,
    ax: Axes | None = None,
    *,
    extent: tuple[float, float, float, float] | None = DEFAULT_EXTENT,
    colour_markets_by: str = "landed_cost",
    title: str | None = None,
    labels: bool = True,
    fallback_hub: str | None = None,
    scale_bar: bool = True,
    figsize: tuple[float, float] = (9.0, 9.0),
    dpi: int = 300,
    period: str | None = None,
) -> Figure:
    """Draw a result on the bundled basemap, ready to paste into a briefing.

    The candidate ports are the subject and are drawn above everything else, each
    labelled: opened hubs as gold squares sized by throughput (labelled with size and
    tonnes), candidates not opened as white squares with a blue outline, ports closed
    by their status (``hubs.status`` "closed") as grey crosses, and, on a map where no
    hub opens, ``fallback_hub`` as a gold star ("best single hub if one must be
    built"). Origins are dark triangles; markets circles sized by demand and coloured
    by landed cost per tonne (or by serving hub), a landlocked market served through a
    gateway port (``destinations.landlocked``) marked with an asterisk and named in a
    footnote; flows follow their routes (sea lanes, rail corridors) with width
    proportional to tonnes. Labels are kept off each other and off the symbols (a
    deterministic repel, with a leader line to a label moved away from its symbol). A
    legend listing only what is drawn, a scale bar in km, a north arrow, a graticule in
    degrees, a title and a source line (data and model attribution) come with it.

    Parameters
    ----------
    result
        A solved :class:`~hubopt.result.Result`. Without a solution the map shows the
        network's nodes only and says so in the title.
    path
        Save to this file: ``.png`` (at ``dpi``), ``.svg`` or ``.pdf``.
    ax
        Draw into these matplotlib axes instead of a new figure.
    extent
        (lon_min, lat_min, lon_max, lat_max) in degrees; the default frames Central
        Asia, the Mediterranean and Africa. None fits the result's nodes.
    colour_markets_by
        "landed_cost" (a colour scale with a colour bar) or "hub" (one colour per
        serving hub, direct service in grey).
    title
        The title; by default the network's name and the hubs opened.
    labels
        Write the names of origins, hubs and markets.
    fallback_hub
        The id of the hub to mark as the best single hub if one must be built (e.g.
        the one :func:`hubopt.decisions.best_single_hub` opens). Drawn only when it
        is not opened in ``result``.
    scale_bar
        Draw a scale bar (km) and a north arrow.
    figsize
        Size of a new figure in inches.
    dpi
        Resolution of a saved PNG.
    period
        For a multi-period result (:func:`hubopt.solve` with ``periods``), the id of
        the period to draw: its flows, the hubs' throughput and the markets'
        demand in that period, and the stock held at its end. None (the default)
        draws the year.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValidationError
        For an unknown ``colour_markets_by`` or ``fallback_hub``, a bad ``extent`` or
        file suffix, or a ``period`` that is not one of the result's periods.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.maps import static_map
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> fig = static_map(result, extent=None, colour_markets_by="hub")
    >>> texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    >>> "hub opened (size: throughput)" in texts, "served via H1" in texts
    (True, True)
    """
    if colour_markets_by not in ("landed_cost", "hub"):
        msg = (
            f"colour_markets_by must be 'landed_cost' or 'hub', got "
            f"{colour_markets_by!r}"
        )
        raise ValidationError(msg)
    shown = period_result(result, period)
    layers = _layers(shown)
    kinds = hub_kinds(layers["hubs"], fallback_hub)
    frame = _fit(shown) if extent is None else _Frame.of(extent)
    fig, ax = _new_axes(ax, figsize)
    _basemap(ax, frame)
    per = "a year" if period is None else f"in {period}"
    handles = _draw_flows(ax, layers["flows"], frame, per)
    origins = layers["origins"]
    _draw_origins(ax, origins)
    markets = layers["markets"]
    gateways = landlocked_markets(shown)
    sizes, market_handles, colour_bar = _draw_markets(
        fig, ax, markets, colour_markets_by, currency_of(result)
    )
    hub_radii = _draw_hubs(ax, layers["hubs"], kinds)
    handles += market_handles
    avoid = [_legend(ax, handles, frameon=True, borderpad=0.7, markerscale=0.8)]
    if colour_bar is not None:
        avoid.append(colour_bar)
    if scale_bar:
        avoid += _scale_bar(ax, frame)
    subtitle = _wrap(
        _subtitle(result) if period is None else period_subtitle(result, period),
        ax,
        12,
    )
    _headings(
        ax,
        title or default_title(result, period),
        subtitle,
        pad=18 + 10.5 * subtitle.count("\n"),  # clear of a subtitle of more lines
    )
    note = _landlocked_note(gateways, markets)
    if note and not labels:  # no asterisk drawn to refer to
        note = note.removeprefix("* ")
    _source(ax, source_line(result), below_lines=_footnote(ax, note) if note else 0)
    if labels:
        place = Labeller(ax, _bounds(frame))
        _label_nodes(
            place, origins, layers["hubs"], kinds, hub_radii, markets, sizes, gateways
        )
        place.place(avoid)
    if path is not None:
        _save(fig, path, dpi)
    return fig


#: How each kind of hub is drawn: marker, face, edge, legend label, z-order.
HUB_STYLES = {
    "open": ("s", _HUB_OPEN, "black", "hub opened (size: throughput)", 7.5),
    "fallback": ("*", _HUB_OPEN, "black", "best single hub if one must be built", 7.6),
    "candidate": ("s", "white", "#1F4E79", "candidate port, not opened", 7.2),
    "closed": ("X", "#9A9A9A", "white", "port closed (status)", 7.1),
}
_HUB_TEXT = {
    "open": "#111111",
    "fallback": "#111111",
    "candidate": "#1F4E79",
    "closed": "#6E6E6E",
}


def hub_kinds(hubs: pd.DataFrame, fallback_hub: str | None = None) -> pd.Series:
    """Each hub's kind on the maps: "open" (opened in the result), "fallback" (the
    best single hub if one must be built, when not opened), "candidate" (may open,
    not opened) or "closed" (closed by its status in the hubs table).

    Parameters
    ----------
    hubs
        The result's hub table (``Result.hubs``).
    fallback_hub
        A hub id, or None.

    Returns
    -------
    pandas.Series
        Indexed like ``hubs``.

    Raises
    ------
    ValidationError
        For a ``fallback_hub`` that is not in the table or is closed by status.

    Examples
    --------
    >>> import hubopt
    >>> hubs = hubopt.solve(hubopt.datasets.tiny()).hubs
    >>> hub_kinds(hubs).tolist()
    ['open', 'open', 'candidate']
    """
    status = hubs["status"].fillna("candidate").astype(str).str.lower()
    kinds = pd.Series(
        np.where(
            hubs["open"], "open", np.where(status == "closed", "closed", "candidate")
        ),
        index=hubs.index,
        dtype=object,
    )
    if fallback_hub is None:
        return kinds
    ids = hubs["hub_id"].astype(str)
    match = ids == str(fallback_hub)
    if not match.any():
        msg = (
            f"fallback_hub {fallback_hub!r} is not in table 'hubs' (ids: "
            f"{', '.join(ids)}); pass one of them or None"
        )
        raise ValidationError(msg)
    if (kinds[match] == "closed").any():
        msg = (
            f"fallback_hub {fallback_hub!r} is closed by its status in table 'hubs'; "
            "pass a hub that may open, or None"
        )
        raise ValidationError(msg)
    return kinds.where(~(match & (kinds == "candidate")), "fallback")


def _draw_origins(ax: Axes, origins: pd.DataFrame) -> None:
    """The origins, dark triangles."""
    ax.scatter(
        origins["lon"],
        origins["lat"],
        marker="^",
        s=_ORIGIN_SIZE,
        color=_ORIGIN,
        edgecolor="white",
        linewidth=0.8,
        zorder=7,
        label="origin",
        gid="origins",
    )


_ORIGIN_SIZE = 70.0
_CANDIDATE_SIZE = 38.0
_FALLBACK_SIZE = 260.0


def _draw_hubs(ax: Axes, hubs: pd.DataFrame, kinds: pd.Series) -> np.ndarray:
    """The hubs by kind (see :data:`HUB_STYLES`), above the markets; returns each
    hub's symbol radius in points (0 where not drawn)."""
    opened = hubs[kinds == "open"]
    hub_scale = max(float(opened["throughput_t"].max()) if len(opened) else 0, 1.0)
    sizes = np.full(len(hubs), _CANDIDATE_SIZE)
    is_open = (kinds == "open").to_numpy()
    sizes[is_open] = _hub_sizes(hubs.loc[is_open, "throughput_t"], hub_scale)
    sizes[(kinds == "fallback").to_numpy()] = _FALLBACK_SIZE
    for kind in ("closed", "candidate", "open", "fallback"):
        mask = (kinds == kind).to_numpy()
        if not mask.any():
            continue
        marker, face, edge, label, zorder = HUB_STYLES[kind]
        ax.scatter(
            hubs.loc[mask, "lon"],
            hubs.loc[mask, "lat"],
            marker=marker,
            s=sizes[mask],
            facecolor=face,
            edgecolor=edge,
            linewidth=0.6 if kind == "closed" else 1.0,
            zorder=zorder,
            label=label,
            gid=f"hubs_{kind}",
        )
    return np.sqrt(sizes) / 2


def landlocked_markets(result: Result) -> dict[str, str]:
    """Markets marked landlocked in the destinations table (column ``landlocked``),
    each with the gateway port it is served through: the ``port_of_entry`` column,
    else the "via ..." in its name, else "its gateway port".

    Examples
    --------
    >>> import hubopt
    >>> landlocked_markets(hubopt.solve(hubopt.datasets.morocco_kazakhstan()))
    {'ET_DJIBOUTI': 'Djibouti', 'BF_LOME': 'Lomé', 'RW_DAR_ES_SALAAM': 'Dar es Salaam'}
    >>> landlocked_markets(hubopt.solve(hubopt.datasets.tiny()))
    {}
    """
    table = result.network.destinations
    if "landlocked" not in table.columns:
        return {}
    out = {}
    for pos in range(len(table)):
        row = table.iloc[pos]
        if not _truthy(row["landlocked"]):
            continue
        port = str(row.get("port_of_entry", "") or "").strip()
        if port in ("", "nan"):
            name = str(row["name"])
            port = name.split("(via ", 1)[1].rstrip(") ") if "(via " in name else ""
        out[str(row["id"])] = port or "its gateway port"
    return out


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y")
    try:
        return bool(value) and not pd.isna(value)
    except (TypeError, ValueError):
        return False


def _landlocked_note(gateways: dict[str, str], markets: pd.DataFrame) -> str:
    """The footnote for the asterisks: each landlocked market and its gateway."""
    if not gateways:
        return ""
    names = markets.set_index("destination")["name"]
    parts = [
        f"{short(names.get(mid, mid))}: served via {port}"
        for mid, port in gateways.items()
    ]
    return (
        "* Landlocked market, drawn at the gateway port it is served through ("
        + "; ".join(parts)
        + ")."
    )


def _draw_flows(
    ax: Axes, flows: pd.DataFrame, frame: _Frame, per: str = "a year"
) -> list[Any]:
    """The flows along their routes, widest first, coloured by kind; returns their
    legend handles (tonnes ``per`` the year or the period)."""
    if not len(flows):
        return []
    scale_t = float(flows["tonnes"].max())
    flows = flows.sort_values("tonnes", ascending=False)
    widths = _widths(flows["tonnes"], scale_t, 0.6, 6.0)
    for (_, flow), width in zip(flows.iterrows(), widths, strict=True):
        _draw_path(
            ax,
            flow.geometry,
            frame,
            color=FLOW_COLOURS.get(flow["kind"], "#555555"),
            linewidth=width,
            alpha=0.55,
            solid_capstyle="round",
            zorder=3,
            gid=f"flow:{flow['from']}>{flow['to']}",
        )
    return _flow_legend(flows, scale_t, per)


#: How a market lost in full to its alternative supplier is drawn: a hollow grey
#: circle, so the map shows which markets the plan wins.
LOST_STYLE = {"facecolor": "none", "edgecolor": "#8C8C8C", "linewidth": 0.9}
LOST_LABEL = "market lost to its alternative supplier"
_LOST_TEXT = "#7A7A7A"


def lost_markets(markets: pd.DataFrame) -> np.ndarray:
    """Which markets buy all their demand from their alternative supplier
    (``outcome`` "lost to alternative", see :attr:`Result.markets`).

    >>> import hubopt
    >>> result = hubopt.solve(hubopt.datasets.morocco_kazakhstan())
    >>> int(lost_markets(result.markets).sum()) == len(result.markets) - 1
    True
    """
    outcome = markets.get("outcome")
    if outcome is None:
        return np.zeros(len(markets), dtype=bool)
    return (outcome.astype(str) == "lost to alternative").to_numpy()


def _draw_markets(
    fig: Figure, ax: Axes, markets: pd.DataFrame, colour_by: str, currency: str
) -> tuple[np.ndarray, list[Any], Any]:
    """Markets sized by demand, coloured by landed cost (with a colour bar) or by
    serving hub; markets lost in full to their alternative supplier as hollow grey
    circles (:data:`LOST_STYLE`). Returns every market's size, extra legend
    handles and the colour bar's axes (None without one)."""
    demand_scale = max(float(markets["demand_t"].max()), 1.0)
    sizes = _market_sizes(markets["demand_t"], demand_scale)
    lost = lost_markets(markets)
    won = markets[~lost]
    by_cost = colour_by == "landed_cost" and won["landed_cost_per_t"].notna().any()
    colour = (
        {"c": won["landed_cost_per_t"], "cmap": "viridis_r"}
        if by_cost
        else {"c": _hub_colours(won)}
    )
    points = ax.scatter(
        won["lon"],
        won["lat"],
        s=sizes[~lost],
        **colour,
        edgecolor="black",
        linewidth=0.5,
        zorder=6,
        label="market won (size: demand)" if lost.any() else "market (size: demand)",
        gid="markets",
    )
    if lost.any():
        ax.scatter(
            markets.loc[lost, "lon"],
            markets.loc[lost, "lat"],
            s=sizes[lost],
            zorder=5.9,
            label=LOST_LABEL,
            gid="markets_lost",
            **LOST_STYLE,
        )
    if not by_cost:
        legend = _hub_colour_legend(won) if colour_by == "hub" else []
        return sizes, legend, None  # no landed cost to show: no "served" legend
    holder = ax.inset_axes([0.64, 0.05, 0.32, 0.022])
    colour_bar = fig.colorbar(points, cax=holder, orientation="horizontal")
    unit = f"{currency} per tonne" if currency else "per tonne"
    colour_bar.set_label(f"Landed cost at the market, {unit}", fontsize=7)
    colour_bar.ax.tick_params(labelsize=6.5)
    colour_bar.ax.xaxis.set_label_position("top")
    return sizes, [], holder


def _label_nodes(
    place: Labeller,
    origins: pd.DataFrame,
    hubs: pd.DataFrame,
    kinds: pd.Series,
    hub_radii: np.ndarray,
    markets: pd.DataFrame,
    sizes: np.ndarray,
    gateways: dict[str, str],
) -> None:
    """Names of the hubs (opened ones bold, with size and tonnes), origins and markets
    (an asterisk on a landlocked one), kept clear of each other and of the symbols.
    Origins and opened hubs hold their place most firmly."""
    origin_radius = math.sqrt(_ORIGIN_SIZE) / 2
    market_radii = np.sqrt(np.asarray(sizes, dtype=float)) / 2
    place.block(origins["lon"], origins["lat"], origin_radius)
    for (x, y), radius in zip(
        markets[["lon", "lat"]].to_numpy(), market_radii, strict=True
    ):
        place.block([x], [y], radius)
    for (x, y), radius in zip(hubs[["lon", "lat"]].to_numpy(), hub_radii, strict=True):
        place.block([x], [y], radius)
    order = {"open": 0, "fallback": 1, "candidate": 2, "closed": 3}
    ranked = sorted(range(len(hubs)), key=lambda i: (order[kinds.iloc[i]], i))
    for pos in ranked[: sum(k in ("open", "fallback") for k in kinds)]:
        _hub_label(place, hubs.iloc[pos], kinds.iloc[pos], hub_radii[pos])
    for row in origins.itertuples():
        place.add(
            row.lon,
            row.lat,
            _two_lines(short(row.name)),
            radius_pt=origin_radius,
            weight=6.0,
            fontsize=6.5,
            gid=f"label:origin:{row.id}",
        )
    by_demand = np.argsort(-markets["demand_t"].to_numpy(dtype=float), kind="stable")
    lost = lost_markets(markets)
    names = market_labels(markets["name"])
    for pos in by_demand:
        row = markets.iloc[pos]
        star = "*" if str(row["destination"]) in gateways else ""
        place.add(
            row["lon"],
            row["lat"],
            _two_lines(names[pos] + star),
            radius_pt=market_radii[pos],
            weight=2.0,
            color=_LOST_TEXT if lost[pos] else "#333333",
            gid=f"label:market:{row['destination']}",
        )
    for pos in ranked[sum(k in ("open", "fallback") for k in kinds) :]:
        _hub_label(place, hubs.iloc[pos], kinds.iloc[pos], hub_radii[pos])


def market_labels(names: pd.Series) -> list[str]:
    """Market names for the map: without their parenthesis (:func:`short`), unless
    two markets would then read the same (two ports of one country).

    >>> market_labels(pd.Series(["Morocco (Casablanca)", "Morocco (Jorf Lasfar)",
    ...                          "Egypt (Alexandria)"]))
    ['Morocco (Casablanca)', 'Morocco (Jorf Lasfar)', 'Egypt']
    """
    shorts = [short(str(n)) for n in names]
    return [
        s if shorts.count(s) == 1 else str(n)
        for s, n in zip(shorts, names, strict=True)
    ]


def _two_lines(text: str, longest: int = 18) -> str:
    """A label longer than ``longest`` characters broken into two balanced lines.

    >>> print(_two_lines("Kokshetau collection point"))
    Kokshetau
    collection point
    >>> _two_lines("Egypt")
    'Egypt'
    """
    if len(text) <= longest or " " not in text:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: (abs(len(text) - 2 * i), i))
    return text[:cut] + "\n" + text[cut + 1 :]


def _hub_label(place: Labeller, row: pd.Series, kind: str, radius: float) -> None:
    name = str(row["name"])
    text, style, weight = {
        "open": (
            f"{name} ({row['level']}, {tonnes(row['throughput_t'])})",
            {"fontsize": 7.5, "fontweight": "bold"},
            6.0,
        ),
        "fallback": (
            f"{name}: best single hub\nif one must be built",
            {"fontsize": 7.0, "fontweight": "bold"},
            6.0,
        ),
        "candidate": (name, {"fontsize": 6.5}, 1.0),
        "closed": (f"{name} (closed)", {"fontsize": 6, "fontstyle": "italic"}, 1.0),
    }[kind]
    place.add(
        row["lon"],
        row["lat"],
        text,
        radius_pt=radius,
        weight=weight,
        group="ports" if kind in ("candidate", "closed") else None,
        color=_HUB_TEXT[kind],
        gid=f"label:hub:{row['hub_id']}",
        **style,
    )


def _bounds(frame: _Frame) -> tuple[float, float, float, float]:
    return (frame.lon_min, frame.lat_min, frame.lon_max, frame.lat_max)


def _nice_km(target_km: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``target_km``.

    >>> _nice_km(1800), _nice_km(730), _nice_km(42)
    (1000.0, 500.0, 20.0)
    """
    power = 10 ** math.floor(math.log10(max(target_km, 1e-9)))
    for step in (5, 2, 1):
        if step * power <= target_km:
            return float(step * power)
    return float(power)


def _scale_bar(ax: Axes, frame: _Frame) -> list[Any]:
    """A scale bar in km, lower right, and a north arrow above it; returns their
    artists (for the labels to avoid).

    The map is plate carrée stretched by 1/cos of the middle latitude (see
    ``_basemap``): north-south distances are true everywhere and east-west ones on
    that parallel, so the bar is measured in degrees of latitude and says so."""
    from matplotlib.patches import Rectangle

    mid_lat = (frame.lat_min + frame.lat_max) / 2
    stretch = max(math.cos(math.radians(mid_lat)), 0.2)
    km_per_lat = 111.32
    width_km = (frame.lon_max - frame.lon_min) * km_per_lat * stretch
    length_km = _nice_km(width_km * 0.25)
    length_lon = length_km / (km_per_lat * stretch)
    span_lat = frame.lat_max - frame.lat_min
    x1 = frame.lon_max - 0.04 * (frame.lon_max - frame.lon_min)
    x0 = x1 - length_lon
    y0 = frame.lat_min + 0.15 * span_lat
    height = 0.009 * span_lat
    artists: list[Any] = []
    for k in range(4):
        artists.append(
            ax.add_patch(
                Rectangle(
                    (x0 + k * length_lon / 4, y0),
                    length_lon / 4,
                    height,
                    facecolor="#222222" if k % 2 == 0 else "white",
                    edgecolor="#222222",
                    linewidth=0.6,
                    zorder=9,
                    gid="scale_bar",
                )
            )
        )
    text_style = {"fontsize": 6.5, "color": "#222222", "zorder": 9, **_LITERAL}
    for value, x in ((0, x0), (length_km / 2, x0 + length_lon / 2), (length_km, x1)):
        artists.append(
            ax.text(
                x,
                y0 + height * 1.6,
                f"{value:,.0f}" + (" km" if value == length_km else ""),
                ha="center",
                va="bottom",
                path_effects=_halo(),
                gid="scale_bar_label",
                **text_style,
            )
        )
    artists.append(
        ax.text(
            (x0 + x1) / 2,
            y0 - height * 0.8,
            f"scale true north-south and along {_deg(round(mid_lat), 'N', 'S')}",
            ha="center",
            va="top",
            path_effects=_halo(),
            gid="scale_bar_note",
            **{**text_style, "fontsize": 5.5, "color": "#444444"},
        )
    )
    tip, base = y0 + 0.11 * span_lat, y0 + 0.055 * span_lat
    artists.append(
        ax.annotate(
            "",
            xy=(x1, tip),
            xytext=(x1, base),
            arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 1.0},
            zorder=9,
            gid="north_arrow",
        )
    )
    artists.append(
        ax.text(
            x1,
            tip,
            "N",
            ha="center",
            va="bottom",
            path_effects=_halo(),
            gid="north_arrow_label",
            **{**text_style, "fontsize": 8, "fontweight": "bold"},
        )
    )
    return artists


def _legend(ax: Axes, handles: list[Any], **style: Any) -> Any:
    """The legend, lower left: the labelled layers, then ``handles``; its texts are
    drawn literally. Returns it."""
    node_handles, names = ax.get_legend_handles_labels()
    first = [style[3] for style in HUB_STYLES.values()]
    rank = {name: first.index(name) if name in first else len(first) for name in names}
    node_handles = [
        h
        for _, h in sorted(
            zip(names, node_handles, strict=True), key=lambda p: rank[p[0]]
        )
    ]
    legend = ax.legend(
        handles=node_handles + handles,
        loc="lower left",
        fontsize=7,
        framealpha=0.92,
        edgecolor="#AAAAAA",
        labelspacing=0.8,
        **style,
    )
    legend.set_zorder(10)
    _literal(legend.get_texts())
    return legend


def _headings(ax: Axes, title: str, subtitle: str, pad: float) -> None:
    """The title, left, and a smaller subtitle line under it, both literal."""
    ax.set_title(title, loc="left", fontsize=12, pad=pad, **_LITERAL)
    ax.text(
        0.0,
        1.01,
        subtitle,
        transform=ax.transAxes,
        fontsize=8.5,
        color="#333333",
        va="bottom",
        **_LITERAL,
    )


def _literal(texts: Any) -> None:
    """Draw these matplotlib texts (a legend's, say) literally, see ``_LITERAL``."""
    for text in texts:
        text.set(**_LITERAL)


def _skip(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for ``ax.scatter`` when a layer is empty (no legend entry)."""


def _wrap(text: str, ax: Axes, chars_per_inch: float) -> str:
    """Wrap text to the width of the axes."""
    import textwrap

    inches = ax.bbox.width / ax.figure.dpi
    return "\n".join(textwrap.wrap(text, max(int(inches * chars_per_inch), 30)))


def _source(ax: Axes, text: str, below_lines: int = 0) -> None:
    """The source line, under the axes' tick labels (and under ``below_lines`` lines
    of footnote), wrapped to the map's width."""
    ax.annotate(
        _wrap(text, ax, 19),
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -16 - 8.5 * below_lines - (3 if below_lines else 0)),
        textcoords="offset points",
        fontsize=6,
        color="#555555",
        va="top",
        ha="left",
        annotation_clip=False,
        gid="source_line",
        **_LITERAL,
    )


def _footnote(ax: Axes, text: str) -> int:
    """A footnote under the tick labels, wrapped to the map's width; returns its
    number of lines."""
    wrapped = _wrap(text, ax, 17)
    ax.annotate(
        wrapped,
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -16),
        textcoords="offset points",
        fontsize=6.5,
        color="#222222",
        va="top",
        ha="left",
        annotation_clip=False,
        gid="landlocked_note",
        **_LITERAL,
    )
    return wrapped.count("\n") + 1


def _fit(result: Result, aspect: float = 1.0) -> _Frame:
    """A frame around the network's nodes, with a margin (twice as deep at the
    bottom), widened (or heightened up to 4:3) towards ``aspect`` (height over width
    on the map), so that a square figure is filled and the legend, colour bar and
    scale bar find room beside the nodes."""
    nodes = result.network.node_coordinates()
    lon0, lon1 = float(nodes["lon"].min()), float(nodes["lon"].max())
    lat0, lat1 = float(nodes["lat"].min()), float(nodes["lat"].max())
    pad_lon = max((lon1 - lon0) * 0.12, 1.0)
    pad_lat = max((lat1 - lat0) * 0.12, 1.0)
    lon0, lon1 = lon0 - pad_lon, lon1 + pad_lon
    # twice the margin at the bottom: room for the legend, colour bar and scale bar
    lat0, lat1 = lat0 - 2 * pad_lat, lat1 + pad_lat
    stretch = max(math.cos(math.radians((lat0 + lat1) / 2)), 0.2)
    width, height = (lon1 - lon0) * stretch, lat1 - lat0
    if height > width * aspect:
        extra = (height / aspect / stretch - (lon1 - lon0)) / 2
        lon0, lon1 = lon0 - extra, lon1 + extra
    elif height < width * aspect * 0.75:
        extra = (width * aspect * 0.75 - height) / 2
        lat0, lat1 = lat0 - extra, lat1 + extra
    return _Frame(lon0, max(lat0, -90), lon1, min(lat1, 90))


def period_result(result: Result, period: str | None) -> Result:
    """The Result a map of ``period`` draws: ``result`` itself for the year (None),
    else that period's (:meth:`hubopt.result.PeriodResults.result`).

    Raises
    ------
    ValidationError
        For a period of a result without periods, or a period id not in it.
    """
    if period is None:
        return result
    if result.periods is None:
        msg = (
            f"period={period!r}: this result has no periods (solved without "
            "periods=...); leave period out to draw the year"
        )
        raise ValidationError(msg)
    return result.periods.result(period)


def default_title(result: Result, period: str | None = None) -> str:
    """The map's title: the network's name and how many hubs open, or why nothing
    is shown; with ``period``, the period named."""
    if period is None:
        return _default_title(result)
    name = display_name(result.network.name)
    return _default_title(result).replace(f"{name}:", f"{name}, period {period}:", 1)


def period_subtitle(result: Result, period: str) -> str:
    """The line under a period map's title: the hubs' throughput and the stock at
    the end of the period, tonnes delivered and the period's flow cost per tonne."""
    if not has_solution(result):
        return "The solver returned no solution; nodes only."
    assert result.periods is not None
    shown = result.periods.result(period)
    currency = currency_of(result)
    hubs = shown.hubs
    balance = result.periods.stock_balance
    closing = (
        balance[balance["period"] == period].set_index("hub_id")["closing_t"]
        if len(balance)
        else pd.Series(dtype=float)
    )
    parts = []
    for r in hubs[hubs["open"]].itertuples():
        held = float(closing.get(r.hub_id, 0.0))
        stock = f", {tonnes(held)} in stock at the end" if held > EPS else ""
        parts.append(f"{r.name} {r.level} ({tonnes(r.throughput_t)} in{stock})")
    served = delivered_t(shown)
    flow_cost = float(shown.objective or 0.0)
    text = f"Period {period}: hubs {'; '.join(parts) or 'none'}. Delivered " + (
        f"{tonnes(served)}; flow cost {money(flow_cost / served, currency)} per "
        "tonne (the year's fixed and storage costs not spread over periods)"
        if served > EPS
        else "nothing"
    )
    return text + "."


def _default_title(result: Result) -> str:
    """The network's name (:func:`hubopt.datasets.display_name`) and how many
    hubs open (or why nothing is shown)."""
    name = display_name(result.network.name)
    if not has_solution(result):
        return f"{name}: no solution ({result.status})"
    opened = result.hubs
    n = int(opened["open"].sum())
    if n == 0:
        return f"{name}: no hub opened, every market served directly"
    return f"{name}: {n} hub{'s' if n > 1 else ''} opened"


def _subtitle(result: Result) -> str:
    """The line under the title: hubs opened, tonnes delivered, cost, CO2."""
    if not has_solution(result):
        return "The solver returned no solution; nodes only."
    currency = currency_of(result)
    hubs = result.hubs
    opened = hubs[hubs["open"]]
    hub_text = (
        "; ".join(
            f"{r.name} {r.level} ({tonnes(r.throughput_t)})"
            for r in opened.itertuples()
        )
        or "none"
    )
    co2 = co2_t(result)
    text = (
        f"Hubs: {hub_text}.  Delivered {tonnes(delivered_t(result))}; "
        f"all-in cost {money(cost_per_t(result), currency)} per tonne"
    )
    if co2 > 0:
        text += f"; {tonnes(co2)} CO2"
    return text + "."


def _flow_legend(flows: pd.DataFrame, scale_t: float, per: str = "a year") -> list[Any]:
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [], [], color=FLOW_COLOURS[k], linewidth=3, alpha=0.7, label=FLOW_LABELS[k]
        )
        for k in ("inbound", "outbound", "direct")
        if (flows["kind"] == k).any()
    ]
    for share in (1.0, 0.25):
        amount_t = scale_t * share
        width = _widths(pd.Series([amount_t]), scale_t, 0.6, 6.0)[0]
        handles.append(
            Line2D(
                [],
                [],
                color="#666666",
                linewidth=width,
                alpha=0.55,
                label=f"flow of {tonnes(amount_t)} {per}",
            )
        )
    return handles


def _serving(markets: pd.DataFrame) -> pd.Series:
    hubs = markets["serving_hubs"].fillna("").astype(str)
    return hubs.where(hubs != "", "direct")


def _hub_colours(markets: pd.DataFrame) -> list[Any]:
    from matplotlib import colormaps

    serving = _serving(markets)
    keys = sorted(set(serving) - {"direct"})
    palette = colormaps["tab10"]
    lookup = {k: palette(i % 10) for i, k in enumerate(keys)}
    lookup["direct"] = "#BBBBBB"
    return [lookup[s] for s in serving]


def _hub_colour_legend(markets: pd.DataFrame) -> list[Any]:
    from matplotlib.lines import Line2D

    serving = _serving(markets)
    colours = dict(zip(serving, _hub_colours(markets), strict=True))
    return [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=colours[k],
            markeredgecolor="black",
            markersize=6,
            label=f"served via {k}" if k != "direct" else "served directly",
        )
        for k in sorted(colours)
    ]


# ------------------------------------------------------------------------------------
# comparison
# ------------------------------------------------------------------------------------
def compare_flows(before: Result, after: Result, *, tolerance_t: float = 1.0) -> Any:
    """Flows of two results side by side, keyed by (from, to, mode, corridor).

    Parameters
    ----------
    before, after
        Two results, e.g. the baseline and a disrupted scenario.
    tolerance_t
        Changes smaller than this many tonnes count as "same".

    Returns
    -------
    geopandas.GeoDataFrame
        from, to, kind, mode, corridor, tonnes_before, tonnes_after, change_t and
        change ("appears", "vanishes", "changes" or "same"), with the route geometry.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.maps import compare_flows
    >>> net = hubopt.datasets.tiny()
    >>> a = hubopt.solve(net)
    >>> b = hubopt.solve(net, max_hubs=1)
    >>> table = compare_flows(a, b)
    >>> sorted(set(table["change"]))
    ['appears', 'changes', 'same', 'vanishes']
    """
    import geopandas as gpd

    keys = ["from", "to", "mode", "corridor"]
    frames = []
    for label, result in (("before", before), ("after", after)):
        flows = _layers(result)["flows"]
        flows = flows.assign(corridor=flows["corridor"].fillna("").astype(str))
        flows = flows.assign(mode=flows["mode"].fillna("").astype(str))
        frames.append(
            flows[[*keys, "kind", "tonnes", "geometry"]].rename(
                columns={
                    "tonnes": f"tonnes_{label}",
                    "geometry": f"geometry_{label}",
                    "kind": f"kind_{label}",
                }
            )
        )
    table = frames[0].merge(frames[1], on=keys, how="outer")
    table["tonnes_before"] = table["tonnes_before"].fillna(0.0).astype(float)
    table["tonnes_after"] = table["tonnes_after"].fillna(0.0).astype(float)
    table["change_t"] = table["tonnes_after"] - table["tonnes_before"]
    table["kind"] = table["kind_after"].fillna(table["kind_before"])
    gone = table["tonnes_after"] <= tolerance_t
    new = table["tonnes_before"] <= tolerance_t
    table["change"] = np.select(
        [new & ~gone, gone & ~new, table["change_t"].abs() > tolerance_t],
        ["appears", "vanishes", "changes"],
        "same",
    )
    geometry = table["geometry_after"].where(
        table["geometry_after"].notna(), table["geometry_before"]
    )
    table = table.drop(
        columns=["geometry_before", "geometry_after", "kind_before", "kind_after"]
    )
    columns = [*keys[:2], "kind", *keys[2:], "tonnes_before", "tonnes_after"]
    table = table[[*columns, "change_t", "change"]]
    order = {"appears": 0, "vanishes": 1, "changes": 2, "same": 3}
    out = gpd.GeoDataFrame(table, geometry=list(geometry), crs="EPSG:4326")
    out = out.iloc[
        np.lexsort((-out["change_t"].abs().to_numpy(), out["change"].map(order)))
    ]
    return out.reset_index(drop=True)


def comparison_map(
    before: Result,
    after: Result,
    path: str | os.PathLike[str] | None = None,
    ax: Axes | None = None,
    *,
    labels: tuple[str, str] = ("before", "after"),
    extent: tuple[float, float, float, float] | None = DEFAULT_EXTENT,
    title: str | None = None,
    tolerance_t: float = 1.0,
    figsize: tuple[float, float] = (9.0, 9.0),
    dpi: int = 300,
) -> Figure:
    """Map what changes between two results: flows that appear (green), vanish
    (red, dashed) or change (orange, labelled with the change), and hubs opened or
    closed.

    Parameters
    ----------
    before, after
        The two results, e.g. the baseline and a disrupted scenario.
    path
        Save to a .png, .svg or .pdf file.
    ax
        Draw into these axes instead of a new figure.
    labels
        Names of the two results for the title and legend.
    extent
        As in :func:`static_map`.
    title
        The title; by default "<before> -> <after>".
    tolerance_t
        Changes smaller than this many tonnes are drawn as unchanged.
    figsize, dpi
        As in :func:`static_map`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.maps import comparison_map
    >>> net = hubopt.datasets.tiny()
    >>> fig = comparison_map(hubopt.solve(net), hubopt.solve(net, max_hubs=1),
    ...                      labels=("free", "one hub"), extent=None)
    >>> fig.axes[0].get_title(loc="left")
    'free → one hub'
    """
    frame = _fit(after) if extent is None else _Frame.of(extent)
    fig, ax = _new_axes(ax, figsize)
    _basemap(ax, frame)
    table = compare_flows(before, after, tolerance_t=tolerance_t)
    place = Labeller(ax, _bounds(frame))
    handles = _draw_changes(ax, table, frame, labels)
    _draw_hub_changes(ax, place, before, after, labels)
    _draw_after_nodes(ax, place, after)
    _label_changes(place, table)
    legend = _legend(ax, handles, markerscale=0.7)
    counts = table["change"].value_counts()
    cost_b = before.costs.total if has_solution(before) else float("nan")
    cost_a = after.costs.total if has_solution(after) else float("nan")
    currency = currency_of(after)
    _headings(
        ax,
        title or f"{labels[0]} → {labels[1]}",
        f"{counts.get('appears', 0)} flows appear, {counts.get('vanishes', 0)} vanish, "
        f"{counts.get('changes', 0)} change.  Total cost {money(cost_b, currency, 0)}"
        f" → {money(cost_a, currency, 0)}.",
        pad=18,
    )
    _source(ax, source_line(after))
    place.place([legend])
    if path is not None:
        _save(fig, path, dpi)
    return fig


def _draw_changes(
    ax: Axes, table: pd.DataFrame, frame: _Frame, labels: tuple[str, str]
) -> list[Any]:
    """The flows of :func:`compare_flows`, unchanged ones faint, vanished ones
    dashed; returns a legend handle per kind of change drawn."""
    from matplotlib.lines import Line2D

    scale_t = max(
        float(table[["tonnes_before", "tonnes_after"]].to_numpy().max())
        if len(table)
        else 0.0,
        1.0,
    )
    handles = []
    for change in ("same", "vanishes", "changes", "appears"):
        part = table[table["change"] == change]
        if part.empty:
            continue
        amounts = (
            part["tonnes_before"] if change == "vanishes" else part["tonnes_after"]
        )
        widths = _widths(amounts, scale_t, 0.6, 6.0)
        style = {
            "color": CHANGE_COLOURS[change],
            "alpha": 0.35 if change == "same" else 0.75,
            "linestyle": (0, (3, 2)) if change == "vanishes" else "-",
            "zorder": 2.5 if change == "same" else 3,
        }
        for (_, row), width in zip(part.iterrows(), widths, strict=True):
            _draw_path(
                ax,
                row.geometry,
                frame,
                linewidth=width,
                gid=f"{change}:{row['from']}>{row['to']}",
                **style,
            )
        word = {
            "same": "unchanged",
            "vanishes": f"only in {labels[0]}",
            "changes": "tonnes change",
            "appears": f"only in {labels[1]}",
        }[change]
        handles.append(
            Line2D(
                [],
                [],
                linewidth=3,
                label=f"flow {word} ({len(part)})",
                **{k: v for k, v in style.items() if k != "zorder"},
            )
        )
    return handles


def _draw_hub_changes(
    ax: Axes, place: Labeller, before: Result, after: Result, labels: tuple[str, str]
) -> None:
    """Hubs open in both results, opened only in ``after`` or closed in it,
    labelled."""
    hubs_b = before.hubs.set_index("hub_id")
    hubs_a = after.hubs.set_index("hub_id")
    both = hubs_a.index.intersection(hubs_b.index)
    was, now = hubs_b.loc[both, "open"], hubs_a.loc[both, "open"]
    for mask, face, edge, text in (
        (was & now, _HUB_OPEN, "black", "hub open in both"),
        (~was & now, CHANGE_COLOURS["appears"], "black", f"hub opened in {labels[1]}"),
        (was & ~now, "none", CHANGE_COLOURS["vanishes"], f"hub closed in {labels[1]}"),
    ):
        ids = mask[mask].index
        if len(ids) == 0:
            continue
        rows = hubs_a.loc[ids]
        ax.scatter(
            rows["lon"],
            rows["lat"],
            marker="s",
            s=90,
            facecolor=face,
            edgecolor=edge,
            linewidth=1.4,
            zorder=7,
            label=text,
        )
        for hub_id, row in rows.iterrows():
            place.add(row["lon"], row["lat"], str(row["name"] or hub_id))


def _draw_after_nodes(ax: Axes, place: Labeller, after: Result) -> None:
    """The markets (white, sized by demand, labelled) and origins of ``after``."""
    markets = after.markets
    ax.scatter(
        markets["lon"],
        markets["lat"],
        s=_market_sizes(markets["demand_t"], max(markets["demand_t"].max(), 1.0)),
        color="#FFFFFF",
        edgecolor="#333333",
        linewidth=0.6,
        zorder=6,
        label="market (size: demand)",
    )
    for row in markets.sort_values("demand_t", ascending=False).itertuples():
        place.add(row.lon, row.lat, short(row.name), color="#333333")
    origins = after.network.origins
    ax.scatter(
        origins["lon"],
        origins["lat"],
        marker="^",
        s=60,
        color=_ORIGIN,
        edgecolor="white",
        zorder=6,
        label="origin",
    )


def _label_changes(place: Labeller, table: pd.DataFrame) -> None:
    """The change in tonnes at the middle of the eight largest changed flows."""
    for row in table[table["change"] == "changes"].head(8).itertuples():
        coords = _lines(row.geometry)
        if not coords:
            continue
        mid = coords[-1][len(coords[-1]) // 2]
        place.add(
            float(mid[0]), float(mid[1]), f"{row.change_t:+,.0f} t", color="#8A4B00"
        )
