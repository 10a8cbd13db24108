"""Maps of a result: a static map for a briefing note, an interactive one to explore.

:func:`static_map` draws with matplotlib on the bundled Natural Earth basemap and saves
PNG (300 dpi), SVG or PDF; it works with the Agg backend. :func:`interactive_map` builds
a folium (Leaflet) page that needs no internet: Leaflet's JavaScript and CSS (BSD-2,
shipped in ``hubopt/static/leaflet``) are inlined and the same basemap is drawn as a
GeoJSON layer instead of web tiles. :func:`comparison_map` shows what changes between
two results (flows that appear, vanish or change), from the table of
:func:`compare_flows`.

Nothing here imports PuLP; folium is imported only by :func:`interactive_map`.

>>> import hubopt, hubopt.maps
>>> result = hubopt.solve(hubopt.datasets.tiny())
>>> fig = hubopt.maps.static_map(result)
>>> fig.axes[0].get_title(loc="left")
'tiny: 2 hubs opened'
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import math
import os
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    import folium
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
_LITERAL = {"usetex": False, "parse_math": False}
_EPS = 1e-9


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
def currency_of(result: Result) -> str:
    """The currency label of a result's costs: "USD" for the bundled scenario, else
    empty (a user's network carries costs in a currency of its own choice).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.maps import currency_of
    >>> currency_of(hubopt.solve(hubopt.datasets.tiny()))
    ''
    """
    return "USD" if result.network.name == "morocco_kazakhstan" else ""


def _money(value: float, currency: str, digits: int = 2) -> str:
    if value is None or not np.isfinite(value):
        return "-"
    text = f"{value:,.{digits}f}"
    return f"{currency} {text}" if currency else text


def _tonnes(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "-"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} Mt"
    if abs(value) >= 1e4:
        return f"{value / 1e3:,.0f} kt"
    return f"{value:,.0f} t"


def _short(name: str) -> str:
    """'Egypt (Alexandria)' -> 'Egypt'."""
    return str(name).split(" (")[0]


def source_line(result: Result) -> str:
    """The attribution printed under every map: data, basemap and model.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.maps import source_line
    >>> line = source_line(hubopt.solve(hubopt.datasets.tiny()))
    >>> line.startswith("Data: tiny"), "Natural Earth" in line
    (True, True)
    """
    from . import __version__

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
        f"Data: {net.name} ({data}). {_osm_attribution(result)}Basemap: Natural Earth "
        f"1:110m (public domain). Model: hubopt {__version__} facility-location MILP, "
        f"solver {result.solver}, {result.status}{gap}."
    )


def _osm_attribution(result: Result) -> str:
    """The OpenStreetMap credit the ODbL asks for, when the bundled data's routes
    derive from OpenStreetMap (its README says so)."""
    from .datasets import DATASETS, data_root

    if result.network.name.split(" (")[0] not in DATASETS:
        return ""
    readme = data_root() / "README.md"
    if readme.is_file() and "OpenStreetMap" in readme.read_text(encoding="utf-8"):
        return "Rail routes © OpenStreetMap contributors (ODbL). "
    return ""


def _has_solution(result: Result) -> bool:
    return result.status in ("optimal", "feasible")


def _layers(result: Result) -> dict[str, Any]:
    """GeoDataFrames of the result; empty flows when there is no solution."""
    return result.to_geodataframes()


def _lines(geom: Any) -> list[np.ndarray]:
    """Coordinate arrays of a (Multi)LineString, each made continuous across the
    antimeridian (longitudes may leave [-180, 180])."""
    from .geo import unwrap_lonlat

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
    from .geo import unwrap_lonlat

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
    from .io import atomic_target

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
    from .datasets import basemap

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
    lons = np.arange(math.ceil(frame.lon_min / step) * step, frame.lon_max + _EPS, step)
    lats = np.arange(math.ceil(frame.lat_min / step) * step, frame.lat_max + _EPS, step)
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
    if abs(value) < _EPS:
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


def _halo(width: float = 2.5) -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


class _Labeller:
    """Places short labels beside points, trying four sides so that labels do not
    overlap each other or leave the axes (a box estimate from the font size)."""

    _SIDES = (
        ((5, 3), "left", "bottom"),
        ((5, -3), "left", "top"),
        ((-5, 3), "right", "bottom"),
        ((-5, -3), "right", "top"),
        ((0, 7), "center", "bottom"),
        ((0, -7), "center", "top"),
        ((10, 12), "left", "bottom"),
        ((-10, 12), "right", "bottom"),
        ((10, -12), "left", "top"),
        ((-10, -12), "right", "top"),
    )

    def __init__(self, ax: Axes, frame: _Frame) -> None:
        self.ax = ax
        self.frame = frame
        self.boxes: list[tuple[float, float, float, float]] = []

    def block(self, xs: Any, ys: Any, radius_pt: float = 5.0) -> None:
        """Keep labels off these points (markers of about ``radius_pt``)."""
        r = radius_pt * self.ax.figure.dpi / 72.0
        for x, y in zip(xs, ys, strict=True):
            sx, sy = self.ax.transData.transform((float(x), float(y)))
            self.boxes.append((sx - r, sy - r, sx + r, sy + r))

    def add(self, x: float, y: float, text: str, **kw: Any) -> None:
        frame = self.frame
        if not (
            frame.lon_min <= x <= frame.lon_max and frame.lat_min <= y <= frame.lat_max
        ):
            return
        ax = self.ax
        fontsize = kw.pop("fontsize", 6.5)
        px = ax.figure.dpi / 72.0
        width = len(text) * fontsize * 0.56 * px
        height = fontsize * 1.25 * px
        sx, sy = ax.transData.transform((x, y))
        bounds = ax.bbox
        best = None
        for offset, ha, va in self._SIDES:
            x0 = sx + offset[0] * px - {"right": width, "center": width / 2}.get(ha, 0)
            y0 = sy + offset[1] * px - (height if va == "top" else 0)
            box = (x0, y0, x0 + width, y0 + height)
            inside = (
                box[0] >= bounds.x0
                and box[2] <= bounds.x1
                and box[1] >= bounds.y0
                and box[3] <= bounds.y1
            )
            clash = sum(_overlap(box, other) for other in self.boxes)
            score = clash + (0 if inside else 1e9)
            if best is None or score < best[0]:
                best = (score, box, offset, ha, va)
            if score == 0:
                break
        assert best is not None
        _, box, offset, ha, va = best
        self.boxes.append(box)
        ax.annotate(
            text,
            (x, y),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            color=kw.pop("color", "#222222"),
            path_effects=_halo(),
            zorder=8,
            arrowprops={
                "arrowstyle": "-",
                "color": "#555555",
                "linewidth": 0.5,
                "shrinkA": 0,
                "shrinkB": 0,
            }
            if abs(offset[1]) > 10
            else None,
            **_LITERAL,
            **kw,
        )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0.0) * max(height, 0.0)


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
    figsize: tuple[float, float] = (9.0, 9.0),
    dpi: int = 300,
) -> Figure:
    """Draw a result on the bundled basemap, ready to paste into a briefing.

    Origins are dark triangles; opened hubs gold squares sized by throughput; candidate
    hubs that stay closed faint hollow squares; markets circles sized by demand and
    coloured by landed cost per tonne (or by serving hub); flows follow their routes
    (sea lanes, rail corridors) with width proportional to tonnes. A legend, a graticule
    in degrees, a title and a source line (data and model attribution) come with it.

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
        Write the names of origins, opened hubs and markets.
    figsize
        Size of a new figure in inches.
    dpi
        Resolution of a saved PNG.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValidationError
        For an unknown ``colour_markets_by``, a bad ``extent`` or file suffix.

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
    frame = _fit(result) if extent is None else _Frame.of(extent)
    fig, ax = _new_axes(ax, figsize)
    _basemap(ax, frame)
    layers = _layers(result)
    currency = currency_of(result)
    handles: list[Any] = []

    flows = layers["flows"]
    if len(flows):
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
        handles += _flow_legend(flows, scale_t)

    origins = layers["origins"]
    ax.scatter(
        origins["lon"],
        origins["lat"],
        marker="^",
        s=70,
        color=_ORIGIN,
        edgecolor="white",
        linewidth=0.8,
        zorder=6,
        label="origin",
        gid="origins",
    )
    hubs = layers["hubs"]
    opened = hubs[hubs["open"]]
    shut = hubs[~hubs["open"]]
    (ax.scatter if len(shut) else _skip)(
        shut["lon"],
        shut["lat"],
        marker="s",
        s=22,
        facecolor="none",
        edgecolor="#7F7F7F",
        linewidth=0.7,
        alpha=0.6,
        zorder=5,
        label="candidate hub, not opened",
        gid="hubs_closed",
    )
    hub_scale = max(float(opened["throughput_t"].max()) if len(opened) else 0, 1.0)
    (ax.scatter if len(opened) else _skip)(
        opened["lon"],
        opened["lat"],
        marker="s",
        s=_hub_sizes(opened["throughput_t"], hub_scale),
        color=_HUB_OPEN,
        edgecolor="black",
        linewidth=0.8,
        zorder=7,
        label="hub opened (size: throughput)",
        gid="hubs_open",
    )
    markets = layers["markets"]
    demand_scale = max(float(markets["demand_t"].max()), 1.0)
    sizes = _market_sizes(markets["demand_t"], demand_scale)
    if (
        colour_markets_by == "landed_cost"
        and markets["landed_cost_per_t"].notna().any()
    ):
        cost = markets["landed_cost_per_t"]
        points = ax.scatter(
            markets["lon"],
            markets["lat"],
            s=sizes,
            c=cost,
            cmap="viridis_r",
            edgecolor="black",
            linewidth=0.5,
            zorder=6,
            label="market (size: demand)",
            gid="markets",
        )
        holder = ax.inset_axes([0.64, 0.05, 0.32, 0.022])
        colour_bar = fig.colorbar(points, cax=holder, orientation="horizontal")
        unit = f"{currency} per tonne" if currency else "per tonne"
        colour_bar.set_label(f"Landed cost at the market, {unit}", fontsize=7)
        colour_bar.ax.tick_params(labelsize=6.5)
        colour_bar.ax.xaxis.set_label_position("top")
    else:
        colours = _hub_colours(markets)
        ax.scatter(
            markets["lon"],
            markets["lat"],
            s=sizes,
            c=colours,
            edgecolor="black",
            linewidth=0.5,
            zorder=6,
            label="market (size: demand)",
            gid="markets",
        )
        handles += _hub_colour_legend(markets)

    if labels:
        place = _Labeller(ax, frame)
        place.block(origins["lon"], origins["lat"], 5)
        for (x, y), size in zip(markets[["lon", "lat"]].to_numpy(), sizes, strict=True):
            place.block([x], [y], math.sqrt(size) / 2)
        place.block(opened["lon"], opened["lat"], 8)
        for row in opened.itertuples():
            place.add(
                row.lon,
                row.lat,
                f"{row.name} ({row.level}, {_tonnes(row.throughput_t)})",
                fontsize=7.5,
                fontweight="bold",
            )
        for row in origins.itertuples():
            place.add(row.lon, row.lat, _short(row.name), fontsize=6.5)
        for row in markets.sort_values("demand_t", ascending=False).itertuples():
            place.add(row.lon, row.lat, _short(row.name), color="#333333")

    node_handles, _ = ax.get_legend_handles_labels()
    legend = ax.legend(
        handles=node_handles + handles,
        loc="lower left",
        fontsize=7,
        frameon=True,
        framealpha=0.92,
        edgecolor="#AAAAAA",
        borderpad=0.7,
        labelspacing=0.8,
        markerscale=0.8,
    )
    legend.set_zorder(10)
    _literal(legend.get_texts())
    subtitle = _wrap(_subtitle(result), ax, 12)
    ax.set_title(
        title or _default_title(result),
        loc="left",
        fontsize=12,
        pad=18 + 10.5 * subtitle.count("\n"),  # clear of a subtitle of more lines
        **_LITERAL,
    )
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
    _source(ax, source_line(result))
    if path is not None:
        _save(fig, path, dpi)
    return fig


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


def _source(ax: Axes, text: str) -> None:
    """The source line, under the axes' tick labels, wrapped to the map's width."""
    ax.annotate(
        _wrap(text, ax, 19),
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -16),
        textcoords="offset points",
        fontsize=6,
        color="#555555",
        va="top",
        ha="left",
        annotation_clip=False,
        gid="source_line",
        **_LITERAL,
    )


def _fit(result: Result) -> _Frame:
    nodes = result.network.node_coordinates()
    lon0, lon1 = float(nodes["lon"].min()), float(nodes["lon"].max())
    lat0, lat1 = float(nodes["lat"].min()), float(nodes["lat"].max())
    pad_lon = max((lon1 - lon0) * 0.12, 1.0)
    pad_lat = max((lat1 - lat0) * 0.12, 1.0)
    return _Frame(
        lon0 - pad_lon,
        max(lat0 - pad_lat, -90),
        lon1 + pad_lon,
        min(lat1 + pad_lat, 90),
    )


def _default_title(result: Result) -> str:
    name = result.network.name
    if not _has_solution(result):
        return f"{name}: no solution ({result.status})"
    opened = result.hubs
    n = int(opened["open"].sum())
    if n == 0:
        return f"{name}: no hub opened, every market served directly"
    return f"{name}: {n} hub{'s' if n > 1 else ''} opened"


def _subtitle(result: Result) -> str:
    if not _has_solution(result):
        return "The solver returned no solution; nodes only."
    markets = result.markets
    served = float(markets["served_t"].sum())
    costs = result.costs
    currency = currency_of(result)
    hubs = result.hubs
    opened = hubs[hubs["open"]]
    hub_text = (
        "; ".join(
            f"{r.name} {r.level} ({_tonnes(r.throughput_t)})"
            for r in opened.itertuples()
        )
        or "none"
    )
    per_t = costs.total / served if served > _EPS else float("nan")
    co2 = float(result.flows["co2_t"].fillna(0).sum())
    text = (
        f"Hubs: {hub_text}.  Delivered {_tonnes(served)}; "
        f"all-in cost {_money(per_t, currency)} per tonne"
    )
    if co2 > 0:
        text += f"; {_tonnes(co2)} CO2"
    return text + "."


def _flow_legend(flows: pd.DataFrame, scale_t: float) -> list[Any]:
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [], [], color=FLOW_COLOURS[k], linewidth=3, alpha=0.7, label=FLOW_LABELS[k]
        )
        for k in ("inbound", "outbound", "direct")
        if (flows["kind"] == k).any()
    ]
    for share in (1.0, 0.25):
        tonnes = scale_t * share
        width = _widths(pd.Series([tonnes]), scale_t, 0.6, 6.0)[0]
        handles.append(
            Line2D(
                [],
                [],
                color="#666666",
                linewidth=width,
                alpha=0.55,
                label=f"flow of {_tonnes(tonnes)} a year",
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
    from matplotlib.lines import Line2D

    table = compare_flows(before, after, tolerance_t=tolerance_t)
    place = _Labeller(ax, frame)
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
        tonnes = part["tonnes_before"] if change == "vanishes" else part["tonnes_after"]
        widths = _widths(tonnes, scale_t, 0.6, 6.0)
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
        place.add(row.lon, row.lat, _short(row.name), color="#333333")
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
    for row in table[table["change"] == "changes"].head(8).itertuples():
        coords = _lines(row.geometry)
        if not coords:
            continue
        mid = coords[-1][len(coords[-1]) // 2]
        place.add(
            float(mid[0]), float(mid[1]), f"{row.change_t:+,.0f} t", color="#8A4B00"
        )
    node_handles, _ = ax.get_legend_handles_labels()
    legend = ax.legend(
        handles=node_handles + handles,
        loc="lower left",
        fontsize=7,
        framealpha=0.92,
        edgecolor="#AAAAAA",
        labelspacing=0.8,
        markerscale=0.7,
    )
    legend.set_zorder(10)
    _literal(legend.get_texts())
    ax.set_title(
        title or f"{labels[0]} → {labels[1]}",
        loc="left",
        fontsize=12,
        pad=18,
        **_LITERAL,
    )
    counts = table["change"].value_counts()
    cost_b = before.costs.total if _has_solution(before) else float("nan")
    cost_a = after.costs.total if _has_solution(after) else float("nan")
    currency = currency_of(after)
    ax.text(
        0.0,
        1.01,
        f"{counts.get('appears', 0)} flows appear, {counts.get('vanishes', 0)} vanish, "
        f"{counts.get('changes', 0)} change.  Total cost {_money(cost_b, currency, 0)}"
        f" → {_money(cost_a, currency, 0)}.",
        transform=ax.transAxes,
        fontsize=8.5,
        color="#333333",
        va="bottom",
        **_LITERAL,
    )
    _source(ax, source_line(after))
    if path is not None:
        _save(fig, path, dpi)
    return fig


# ------------------------------------------------------------------------------------
# interactive map
# ------------------------------------------------------------------------------------
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet 1.9.4's JavaScript and CSS, the CSS images turned into data URIs."""
    root = files("hubopt").joinpath("static", "leaflet")
    js = root.joinpath("leaflet.js").read_text(encoding="utf-8")
    css = root.joinpath("leaflet.css").read_text(encoding="utf-8")
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode(root.joinpath(name).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    return js, css


def _popup(rows: list[tuple[str, str]], heading: str) -> str:
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{html.escape(k)}</th>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<b>{html.escape(heading)}</b><table style='font-size:12px'>{body}</table>"


def interactive_map(
    result: Result,
    path: str | os.PathLike[str] | None = None,
    *,
    extent: tuple[float, float, float, float] | None = DEFAULT_EXTENT,
    tiles: str | None = None,
    title: str | None = None,
) -> folium.Map:
    """An interactive Leaflet map of a result that works without internet.

    Layers (each can be toggled): the Natural Earth countries, flows along their
    routes (width by tonnes; popup: tonnes, mode, corridor, cost), opened hubs (popup:
    level, throughput, utilisation, costs), candidate hubs not opened, markets (sized
    by demand, coloured by landed cost; popup: demand, served, landed cost, serving
    hub) and origins. Leaflet's JavaScript and CSS are inlined, so the saved HTML file
    references no remote URL and opens from disk with the network off.

    Parameters
    ----------
    result
        A :class:`~hubopt.result.Result`.
    path
        Write the page to this .html file.
    extent
        Initial view (lon_min, lat_min, lon_max, lat_max); None fits the nodes.
    tiles
        Optional web tiles (a folium tiles name or URL template) drawn under the
        layers when online. The default None keeps the page fully offline.
    title
        A heading shown over the map; by default as in :func:`static_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.maps import interactive_map
    >>> page = interactive_map(hubopt.solve(hubopt.datasets.tiny())).get_root().render()
    >>> "cdn.jsdelivr.net" in page, "L.circleMarker" in page
    (False, True)
    """
    import folium

    frame = _fit(result) if extent is None else _Frame.of(extent)
    layers = _layers(result)
    currency = currency_of(result)
    unit = f"{currency} " if currency else ""

    fmap = folium.Map(
        location=[
            (frame.lat_min + frame.lat_max) / 2,
            (frame.lon_min + frame.lon_max) / 2,
        ],
        zoom_start=3,
        tiles=None,
        control_scale=True,
        world_copy_jump=False,
    )
    # folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; none is
    # needed for these layers, and Leaflet itself is inlined below.
    fmap.default_js = []
    fmap.default_css = []
    js, css = _leaflet_assets()
    root = fmap.get_root()
    root.header.add_child(
        _html(
            f"<style>{css}</style>\n<style>.leaflet-container{{background:{_SEA};}}"
            ".hubopt-title{position:absolute;top:10px;left:55px;z-index:1000;"
            "background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;"
            "font:14px/1.3 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,0.3);}"
            ".hubopt-legend{position:absolute;bottom:64px;left:10px;z-index:1000;"
            "background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;"
            "font:12px/1.5 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,0.3);}"
            ".hubopt-legend i{display:inline-block;width:18px;height:4px;"
            "margin-right:6px;vertical-align:middle;}</style>"
        ),
        name="hubopt_css",
    )
    root.header.add_child(_html(f"<script>{js}</script>"), name="leaflet_js")
    root.header.add_child(_html(_TEXT_NODE_JS), name="hubopt_js")
    fmap.add_child(_attribution_prefix())
    if _osm_attribution(result):
        fmap.add_child(_attribution(_osm_attribution(result).strip()))

    if tiles is not None:
        folium.TileLayer(tiles, name="Web tiles (online only)").add_to(fmap)
    from .datasets import basemap

    world = basemap()[["name", "geometry"]]
    # folium's GeoJsonTooltip writes the field into innerHTML: give it markup
    world = world.assign(name=[html.escape(str(n)) for n in world["name"]])
    folium.GeoJson(
        world.to_json(),
        name="Countries (Natural Earth)",
        style_function=lambda _feature: {
            "fillColor": _LAND,
            "color": _LAND_EDGE,
            "weight": 0.7,
            "fillOpacity": 0.0 if tiles is not None else 1.0,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        smooth_factor=0.5,
    ).add_to(fmap)

    flows = layers["flows"]
    group = folium.FeatureGroup(name=f"Flows ({len(flows)})")
    if len(flows):
        scale_t = float(flows["tonnes"].max())
        widths = _widths(flows["tonnes"], scale_t, 1.5, 10.0)
        for (_, flow), width in zip(flows.iterrows(), widths, strict=True):
            locations = [
                [[float(lat), float(lon)] for lon, lat in coords]
                for coords in _lines(flow.geometry)
            ]
            rows = [
                ("tonnes", f"{flow['tonnes']:,.0f} t"),
                ("kind", FLOW_LABELS.get(flow["kind"], str(flow["kind"]))),
                ("mode", str(flow["mode"] or "-")),
                ("corridor", str(flow["corridor"] or "-")),
                ("cost per tonne", f"{unit}{flow['cost_per_t']:,.2f}"),
                ("cost", f"{unit}{flow['cost']:,.0f}"),
                ("distance", f"{flow['distance_km']:,.0f} km"),
                ("transit", f"{flow['transit_days']:,.1f} days"),
                ("CO2", f"{flow['co2_t']:,.0f} t"),
            ]
            layer = folium.PolyLine(
                locations if len(locations) > 1 else locations[0],
                color=FLOW_COLOURS.get(flow["kind"], "#555555"),
                weight=float(width),
                opacity=0.6,
                class_name="hubopt-flow",
            )
            layer.add_child(
                _bind_tooltip(f"{flow['from']} → {flow['to']}: {flow['tonnes']:,.0f} t")
            )
            layer.add_child(_bind_popup(_popup(rows, f"{flow['from']} → {flow['to']}")))
            layer.add_to(group)
    group.add_to(fmap)

    hubs = layers["hubs"]
    opened, shut = hubs[hubs["open"]], hubs[~hubs["open"]]
    hub_scale = max(float(opened["throughput_t"].max()) if len(opened) else 0, 1.0)
    groups = {
        "open": folium.FeatureGroup(name=f"Hubs opened ({len(opened)})"),
        "shut": folium.FeatureGroup(name=f"Candidate hubs not opened ({len(shut)})"),
    }
    for key, part in (("shut", shut), ("open", opened)):
        for row in part.itertuples():
            rows = [
                ("status", "opened" if row.open else f"not opened ({row.status})"),
                ("level", str(row.level or "-")),
                ("capacity", _tonnes(row.capacity_t) if row.open else "-"),
                ("throughput", f"{row.throughput_t:,.0f} t"),
                (
                    "utilisation",
                    "-"
                    if not np.isfinite(row.utilisation)
                    else f"{row.utilisation:.0%}",
                ),
                ("fixed cost a year", f"{unit}{row.fixed_cost:,.0f}"),
                ("handling cost a year", f"{unit}{row.handling_cost:,.0f}"),
            ]
            radius = (
                6 + 9 * math.sqrt(min(row.throughput_t / hub_scale, 1.0))
                if row.open
                else 5
            )
            size = round(2 * radius)
            style = f"width:{size}px;height:{size}px;box-sizing:border-box;" + (
                f"background:{_HUB_OPEN};border:1.5px solid #000;"
                if row.open
                else "background:rgba(255,255,255,0.5);border:1px solid #7F7F7F;"
                "opacity:0.7;"
            )
            layer = folium.Marker(
                [row.lat, row.lon],
                icon=folium.DivIcon(
                    html=f"<div style='{style}'></div>",
                    icon_size=(size, size),
                    icon_anchor=(size // 2, size // 2),
                    class_name=f"hubopt-hub hubopt-hub-{key}",
                ),
                z_index_offset=1000 if row.open else 0,
            )
            layer.add_child(_bind_tooltip(str(row.name)))
            layer.add_child(_bind_popup(_popup(rows, f"Hub: {row.name}")))
            layer.add_to(groups[key])
    groups["shut"].add_to(fmap)
    groups["open"].add_to(fmap)

    markets = layers["markets"]
    cost = markets["landed_cost_per_t"].astype(float)
    lo, hi = (float(cost.min()), float(cost.max())) if cost.notna().any() else (0, 1)
    demand_scale = max(float(markets["demand_t"].max()), 1.0)
    group = folium.FeatureGroup(name=f"Markets ({len(markets)})")
    for row in markets.itertuples():
        serving = str(row.serving_hubs) if isinstance(row.serving_hubs, str) else ""
        rows = [
            ("demand", f"{row.demand_t:,.0f} t"),
            ("served", "-" if pd.isna(row.served_t) else f"{row.served_t:,.0f} t"),
            ("unmet", "-" if pd.isna(row.unmet_t) else f"{row.unmet_t:,.0f} t"),
            (
                "landed cost per tonne",
                "-"
                if pd.isna(row.landed_cost_per_t)
                else f"{unit}{row.landed_cost_per_t:,.2f}",
            ),
            ("serving hub", serving.replace(";", ", ") or "direct"),
        ]
        layer = folium.CircleMarker(
            [row.lat, row.lon],
            radius=4 + 12 * math.sqrt(min(row.demand_t / demand_scale, 1.0)),
            color="#222222",
            weight=1,
            fill=True,
            fill_color=_cost_colour(row.landed_cost_per_t, lo, hi),
            fill_opacity=0.9,
            class_name="hubopt-market",
        )
        layer.add_child(_bind_tooltip(str(row.name)))
        layer.add_child(_bind_popup(_popup(rows, f"Market: {row.name}")))
        layer.add_to(group)
    group.add_to(fmap)

    origins = layers["origins"]
    group = folium.FeatureGroup(name=f"Origins ({len(origins)})")
    for row in origins.itertuples():
        rows = [("supply", f"{row.supply_t:,.0f} t")]
        layer = folium.Marker(
            [row.lat, row.lon],
            icon=folium.DivIcon(
                html=(
                    "<div style='width:0;height:0;border-left:8px solid transparent;"
                    "border-right:8px solid transparent;"
                    f"border-bottom:14px solid {_ORIGIN};'></div>"
                ),
                icon_size=(16, 14),
                icon_anchor=(8, 9),
                class_name="hubopt-origin",
            ),
        )
        layer.add_child(_bind_tooltip(str(row.name)))
        layer.add_child(_bind_popup(_popup(rows, f"Origin: {row.name}")))
        layer.add_to(group)
    group.add_to(fmap)

    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[frame.lat_min, frame.lon_min], [frame.lat_max, frame.lon_max]])
    heading = html.escape(title or _default_title(result))
    sub = html.escape(_subtitle(result))
    root.html.add_child(
        _html(
            f"<div class='hubopt-title'><b>{heading}</b><br>"
            f"<span style='font-size:12px'>{sub}</span></div>"
        )
    )
    legend = "".join(
        f"<div><i style='background:{FLOW_COLOURS[k]}'></i>{FLOW_LABELS[k]}</div>"
        for k in ("inbound", "outbound", "direct")
    )
    scale = (
        f"<div>market colour: landed cost {unit}{lo:,.0f} "
        f"<i style='background:linear-gradient(to right,{_cost_colour(lo, lo, hi)},"
        f"{_cost_colour(hi, lo, hi)});width:60px;height:8px'></i> "
        f"{unit}{hi:,.0f} per tonne</div>"
    )
    root.html.add_child(
        _html(
            f"<div class='hubopt-legend'>{legend}{scale}"
            f"<div style='font-size:10px;color:#555;max-width:420px'>"
            f"{html.escape(source_line(result))}</div></div>"
        )
    )
    if path is not None:
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            msg = f"cannot save an interactive map as '{target.name}': use .html"
            raise ValidationError(msg)
        from .io import atomic_target

        with atomic_target(target) as tmp:  # no half-written page after a crash
            fmap.save(str(tmp))
    return fmap


def _cost_colour(value: float, lo: float, hi: float) -> str:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if value is None or not np.isfinite(value):
        return "#BBBBBB"
    share = 0.5 if hi - lo < _EPS else (value - lo) / (hi - lo)
    return to_hex(colormaps["viridis_r"](float(np.clip(share, 0, 1))))


#: Characters json.dumps leaves as they are that must not reach a <script> raw: "<"
#: and ">" (``</script>``, ``<!--``), "&", and the line separators U+2028/U+2029.
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}

#: A "{" that opens a Jinja tag ("{{", "{%", "{#").
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")

#: Defines ``huboptText(s)``: a <div> holding ``s`` as a text node, never as markup.
_TEXT_NODE_JS = (
    "<script>function huboptText(s) {"
    " var node = document.createElement('div'); node.textContent = s; return node; }"
    "</script>"
)


def _script_json(value: Any) -> str:
    r"""``value`` as a JavaScript literal safe to place anywhere inside a <script>.

    JSON, so that text from data reaches JavaScript as data, never as code: no
    template literal, no string spliced by hand. ``<``, ``>``, ``&`` and U+2028/2029
    are written as ``\uXXXX`` escapes, so a name holding ``</script>`` cannot close
    the script; so is a ``{`` that opens ``{{``, ``{%`` or ``{#`` (only ever inside a
    string: JSON's own ``{`` is followed by ``"`` or ``}``), because branca renders a
    folium script's output once more as a Jinja template.

    Examples
    --------
    >>> from hubopt.maps import _script_json
    >>> print(_script_json("</script>`${x}`"))
    "\u003c/script\u003e`${x}`"
    >>> import json
    >>> json.loads(_script_json("</script>`${x}`"))
    '</script>`${x}`'
    >>> print(_script_json("{{ 7*7 }}"))
    "\u007b{ 7*7 }}"
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for char, code in _SCRIPT_UNSAFE.items():
        text = text.replace(char, code)
    return _JINJA_OPEN.sub(r"\\u007b", text)


def _html(markup: str) -> Any:
    """A folium element holding finished markup. The markup is Jinja's data, not its
    template: text from data with ``{{ }}`` or ``{%`` in it stays text."""
    from branca.element import Element

    element = Element("{{ this.markup }}")
    element.markup = markup
    return element


def _script(template: str, **data: Any) -> Any:
    """A folium element whose JavaScript runs after its parent's (``{parent}`` in
    ``template`` is the parent layer's variable name). Each keyword is handed to the
    script as JSON (:func:`_script_json`), named ``{{ this.<keyword> }}`` in the
    template; the template itself is code and never holds text from data."""
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._template = Template(
        "{% macro script(this, kwargs) %}"
        + template.replace("{parent}", "{{ this._parent.get_name() }}")
        + "{% endmacro %}"
    )
    for key, value in data.items():
        setattr(element, key, _script_json(value))
    return element


def _attribution_prefix() -> Any:
    """Leaflet's attribution prefix as plain text: the page holds no web link."""
    return _script(
        "{parent}.attributionControl.setPrefix("
        "'Leaflet 1.9.4 (BSD-2) | Natural Earth | hubopt');"
    )


def _attribution(credit: str) -> Any:
    """An extra credit in Leaflet's attribution control (which takes HTML)."""
    return _script(
        "{parent}.attributionControl.addAttribution({{ this.credit }});",
        credit=html.escape(credit),
    )


def _bind_popup(content: str) -> Any:
    """A popup bound with Leaflet alone (folium's Popup needs jQuery from a CDN).
    ``content`` is finished HTML (see :func:`_popup`, which escapes the data)."""
    return _script(
        "{parent}.bindPopup({{ this.content }}, {maxWidth: 340});",
        content=content,
    )


def _bind_tooltip(text: str) -> Any:
    """A tooltip showing ``text`` as text: it reaches the page as JSON and the
    tooltip as a text node, so no markup in it is ever parsed. (folium's Tooltip
    splices the text into a JavaScript template literal.)"""
    return _script(
        "{parent}.bindTooltip(huboptText({{ this.text }}), {sticky: true});",
        text=text,
    )
