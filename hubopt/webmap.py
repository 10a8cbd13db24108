"""The interactive map of a result: a Leaflet page (folium) that needs no internet.

:func:`interactive_map` inlines Leaflet's JavaScript and CSS (BSD-2, shipped in
``hubopt/static/leaflet``) and draws the bundled Natural Earth basemap as a GeoJSON
layer instead of web tiles, so the saved page opens from disk with the network off.
The static and comparison maps (matplotlib) are in :mod:`hubopt.maps`.

Text from data reaches the page only as JSON (:func:`_script_json`) or as escaped
HTML (:func:`_popup`, :func:`_html`); tooltips show it as a text node.

Nothing here imports PuLP; folium is imported only by :func:`interactive_map`.

>>> import hubopt, hubopt.webmap
>>> result = hubopt.solve(hubopt.datasets.tiny())
>>> page = hubopt.webmap.interactive_map(result).get_root().render()
>>> "hubopt-title" in page
True
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._format import EPS, currency_of, osm_attribution, source_line, tonnes
from .datasets import basemap
from .errors import ValidationError
from .io import atomic_target
from .maps import (
    _HUB_OPEN,
    _LAND,
    _LAND_EDGE,
    _ORIGIN,
    _SEA,
    DEFAULT_EXTENT,
    FLOW_COLOURS,
    FLOW_LABELS,
    HUB_STYLES,
    LOST_LABEL,
    _fit,
    _Frame,
    _layers,
    _lines,
    _subtitle,
    _widths,
    default_title,
    hub_kinds,
    landlocked_markets,
    lost_markets,
    period_result,
    period_subtitle,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from .result import Result

#: The page's own styles: the sea behind the land, the title box and the legend.
_CSS = (
    ".leaflet-container{{background:{sea};}}"
    ".hubopt-title{{position:absolute;top:10px;left:55px;z-index:1000;"
    "background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;"
    "font:14px/1.3 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,0.3);}}"
    ".hubopt-legend{{position:absolute;bottom:64px;left:10px;z-index:1000;"
    "background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;"
    "font:12px/1.5 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,0.3);}}"
    ".hubopt-legend i{{display:inline-block;width:18px;height:4px;"
    "margin-right:6px;vertical-align:middle;}}"
    ".hubopt-legend b.sym{{display:inline-block;width:18px;margin-right:6px;"
    "text-align:center;font-weight:normal;}}"
    ".leaflet-tooltip.hubopt-label{{font:11px/1.15 sans-serif;padding:0 3px;"
    "background:rgba(255,255,255,0.8);border:0;border-radius:2px;box-shadow:none;"
    "color:#222;white-space:nowrap;}}"
    ".leaflet-tooltip.hubopt-label:before{{display:none;}}"
    ".leaflet-tooltip.hubopt-label-open,.leaflet-tooltip.hubopt-label-fallback"
    "{{font-weight:bold;font-size:12px;}}"
    ".leaflet-tooltip.hubopt-label-candidate{{color:#1F4E79;font-size:10px;}}"
    ".leaflet-tooltip.hubopt-label-closed{{color:#6E6E6E;font-size:10px;"
    "font-style:italic;}}"
)


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
    """A popup's HTML: the heading and a table of rows, every text escaped."""
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
    fallback_hub: str | None = None,
    period: str | None = None,
) -> folium.Map:
    """An interactive Leaflet map of a result that works without internet.

    Layers (each can be toggled; an empty one is left out of the page and the layer
    control): the Natural Earth countries, flows along their routes (width by tonnes;
    popup: tonnes, mode, corridor, cost), opened hubs (popup: level, throughput,
    utilisation, costs), the best single hub if one must be built (``fallback_hub``,
    when not opened), candidate ports not opened, ports closed by their status
    (``hubs.status`` "closed"), markets (sized by demand, coloured by landed cost;
    popup: demand, served, landed cost, serving hub) and origins. Hubs, markets and
    origins carry permanent labels (small type, beside the symbol); where two labels
    would overlap at the current zoom, the less important one (a candidate port
    before a market, a market before an origin or an opened hub) is hidden until
    zooming in shows it. Leaflet's JavaScript and CSS are inlined, so the saved HTML
    file references no remote URL and opens from disk with the network off.

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
        A heading shown over the map; by default as in
        :func:`hubopt.maps.static_map`.
    fallback_hub
        The id of the hub to mark as the best single hub if one must be built, as in
        :func:`hubopt.maps.static_map`.
    period
        For a multi-period result, the id of the period to show (its flows, hub
        throughput and market demand), as in :func:`hubopt.maps.static_map`; None
        (the default) shows the year.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValidationError
        For a bad ``extent``, an unknown ``fallback_hub``, a ``path`` that is not
        an .html file, or a ``period`` that is not one of the result's periods.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.webmap import interactive_map
    >>> page = interactive_map(hubopt.solve(hubopt.datasets.tiny())).get_root().render()
    >>> "cdn.jsdelivr.net" in page, "L.circleMarker" in page
    (False, True)
    """
    import folium

    shown = period_result(result, period)
    frame = _fit(shown) if extent is None else _Frame.of(extent)
    layers = _layers(shown)
    kinds = hub_kinds(layers["hubs"], fallback_hub)
    currency = currency_of(result)
    unit = f"{currency} " if currency else ""

    fmap = _new_page(folium, frame, result)
    _add_countries(folium, fmap, tiles)
    _add_flows(folium, fmap, layers["flows"], unit)
    ranks = _label_ranks(layers, kinds)
    per = "a year" if period is None else f"in {period}"
    _add_hubs(folium, fmap, layers["hubs"], kinds, unit, ranks["hubs"], per)
    lo, hi = _add_markets(
        folium,
        fmap,
        layers["markets"],
        unit,
        ranks["markets"],
        landlocked_markets(shown),
    )
    _add_origins(folium, fmap, layers["origins"], ranks["origins"])
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[frame.lat_min, frame.lon_min], [frame.lat_max, frame.lon_max]])
    fmap.add_child(_script(_DECLUTTER_JS))
    _add_title(fmap, result, title, period)
    _add_legend(fmap, result, layers, kinds, unit, lo, hi)
    if path is not None:
        _save_page(fmap, path)
    return fmap


def _new_page(folium: Any, frame: _Frame, result: Result) -> folium.Map:
    """An empty map centred on ``frame``, with Leaflet inlined and no CDN link, the
    page's styles and the attribution."""
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
        _html(f"<style>{css}</style>\n<style>{_CSS.format(sea=_SEA)}</style>"),
        name="hubopt_css",
    )
    root.header.add_child(_html(f"<script>{js}</script>"), name="leaflet_js")
    root.header.add_child(_html(_TEXT_NODE_JS), name="hubopt_js")
    fmap.add_child(_attribution_prefix())
    if osm_attribution(result):
        fmap.add_child(_attribution(osm_attribution(result).strip()))
    return fmap


def _add_countries(folium: Any, fmap: folium.Map, tiles: str | None) -> None:
    """The optional web tiles and the Natural Earth countries (names as tooltips)."""
    if tiles is not None:
        folium.TileLayer(tiles, name="Web tiles (online only)").add_to(fmap)
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


def _flow_rows(flow: pd.Series, unit: str) -> list[tuple[str, str]]:
    """The popup rows of a flow."""
    return [
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


def _add_flows(folium: Any, fmap: folium.Map, flows: pd.DataFrame, unit: str) -> None:
    """The flows along their routes, width by tonnes, in one layer (none without
    flows)."""
    if not len(flows):
        return
    group = folium.FeatureGroup(name=f"Flows ({len(flows)})")
    scale_t = float(flows["tonnes"].max())
    widths = _widths(flows["tonnes"], scale_t, 1.5, 10.0)
    for (_, flow), width in zip(flows.iterrows(), widths, strict=True):
        locations = [
            [[float(lat), float(lon)] for lon, lat in coords]
            for coords in _lines(flow.geometry)
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
        heading = f"{flow['from']} → {flow['to']}"
        layer.add_child(_bind_popup(_popup(_flow_rows(flow, unit), heading)))
        layer.add_to(group)
    group.add_to(fmap)


_HUB_STATUS = {
    "open": "opened",
    "fallback": "not opened; best single hub if one must be built",
    "candidate": "candidate, not opened",
    "closed": "closed (status in the hubs table)",
}


def _hub_rows(
    row: Any, kind: str, unit: str, per: str = "a year"
) -> list[tuple[str, str]]:
    """The popup rows of a hub (a row of ``itertuples``) of ``kind``; throughput
    and handling cost ``per`` the year or the period shown."""
    return [
        ("status", _HUB_STATUS[kind]),
        ("level", str(row.level or "-")),
        ("capacity", tonnes(row.capacity_t) if row.open else "-"),
        ("throughput", f"{row.throughput_t:,.0f} t"),
        (
            "utilisation",
            "-" if not np.isfinite(row.utilisation) else f"{row.utilisation:.0%}",
        ),
        ("fixed cost a year", f"{unit}{row.fixed_cost:,.0f}"),
        (f"handling cost {per}", f"{unit}{row.handling_cost:,.0f}"),
    ]


#: The hub symbols (fixed markup, no data): gold square (opened, sized by
#: throughput), gold star (fallback), white square with a blue edge (candidate),
#: grey cross (closed by status).
_STAR = (
    "<svg width='{size}' height='{size}' viewBox='0 0 24 24'><polygon points='12,1.5 "
    "15,9 23,9.2 16.8,14 19,22.5 12,17.6 5,22.5 7.2,14 1,9.2 9,9' fill='{face}' "
    "stroke='#000' stroke-width='1.3'/></svg>"
)
_CROSS = (
    "<svg width='{size}' height='{size}' viewBox='0 0 12 12'><path d='M2 2L10 10M10 "
    "2L2 10' stroke='#8C8C8C' stroke-width='2.6' stroke-linecap='round'/></svg>"
)


def _hub_icon(folium: Any, row: Any, kind: str, hub_scale: float) -> Any:
    """The symbol of a hub of ``kind`` (see ``HUB_STYLES`` in :mod:`hubopt.maps`)."""
    if kind == "open":
        size = round(2 * (6 + 9 * math.sqrt(min(row.throughput_t / hub_scale, 1.0))))
        markup = (
            f"<div style='width:{size}px;height:{size}px;box-sizing:border-box;"
            f"background:{_HUB_OPEN};border:1.5px solid #000;'></div>"
        )
    elif kind == "fallback":
        size = 26
        markup = _STAR.format(size=size, face=HUB_STYLES["fallback"][1])
    elif kind == "candidate":
        size = 11
        markup = (
            f"<div style='width:{size}px;height:{size}px;box-sizing:border-box;"
            f"background:#fff;border:2px solid {HUB_STYLES['candidate'][2]};'></div>"
        )
    else:
        size = 11
        markup = _CROSS.format(size=size)
    return folium.DivIcon(
        html=markup,
        icon_size=(size, size),
        icon_anchor=(size // 2, size // 2),
        class_name=f"hubopt-hub hubopt-hub-{kind}",
    ), size


#: The layer of each kind of hub, in the order of the layer control.
_HUB_LAYERS = {
    "open": "Hubs opened",
    "fallback": "Best single hub if one must be built",
    "candidate": "Candidate ports not opened",
    "closed": "Ports closed by status",
}


def _add_hubs(
    folium: Any,
    fmap: folium.Map,
    hubs: pd.DataFrame,
    kinds: pd.Series,
    unit: str,
    ranks: list[int],
    per: str = "a year",
) -> None:
    """A layer per kind of hub that has any: opened, the fallback, candidates not
    opened, closed by status; each hub labelled, the opened ones on top; the
    handling cost ``per`` the year or the period shown."""
    opened = hubs[kinds == "open"]
    hub_scale = max(float(opened["throughput_t"].max()) if len(opened) else 0, 1.0)
    for kind, name in _HUB_LAYERS.items():
        mask = (kinds == kind).to_numpy()
        if not mask.any():
            continue
        group = folium.FeatureGroup(name=f"{name} ({int(mask.sum())})")
        for pos in np.flatnonzero(mask):
            row = next(hubs.iloc[[pos]].itertuples())
            icon, size = _hub_icon(folium, row, kind, hub_scale)
            layer = folium.Marker(
                [row.lat, row.lon],
                icon=icon,
                z_index_offset={"open": 1000, "fallback": 1100, "candidate": 100}.get(
                    kind, 0
                ),
            )
            label = str(row.name)
            if kind == "fallback":
                label += ": best single hub if one must be built"
            elif kind == "closed":
                label += " (closed)"
            layer.add_child(_bind_label(label, kind, ranks[pos], size / 2))
            layer.add_child(
                _bind_popup(_popup(_hub_rows(row, kind, unit, per), f"Hub: {row.name}"))
            )
            layer.add_to(group)
        group.add_to(fmap)


def _label_ranks(layers: dict[str, Any], kinds: pd.Series) -> dict[str, list[int]]:
    """The order in which labels keep their place when two overlap (0 first):
    opened hubs and the fallback, origins, markets by demand, candidate ports,
    closed ports."""
    hubs, markets, origins = layers["hubs"], layers["markets"], layers["origins"]
    order = {"open": 0, "fallback": 1, "candidate": 4, "closed": 5}
    entries = [((order[k], i), ("hubs", i)) for i, k in enumerate(kinds)]
    entries += [((2, i), ("origins", i)) for i in range(len(origins))]
    demand = markets["demand_t"].to_numpy(dtype=float)
    by_demand = np.argsort(-demand, kind="stable")
    entries += [((3, n), ("markets", int(i))) for n, i in enumerate(by_demand)]
    out = {"hubs": [0] * len(hubs), "markets": [0] * len(markets)}
    out["origins"] = [0] * len(origins)
    for rank, (_, (table, i)) in enumerate(sorted(entries)):
        out[table][i] = rank
    return out


def _market_rows(row: Any, unit: str) -> list[tuple[str, str]]:
    """The popup rows of a market (a row of ``itertuples``). A market that may buy
    elsewhere shows what it buys from its alternative supplier, not "unmet"."""
    serving = str(row.serving_hubs) if isinstance(row.serving_hubs, str) else ""
    lost = getattr(row, "lost_to_alternative_t", math.nan)
    contested = str(getattr(row, "outcome", "")) in _CONTESTED
    if contested:
        shortfall = ("bought from its alternative supplier", f"{lost:,.0f} t")
    else:
        shortfall = ("unmet", "-" if pd.isna(row.unmet_t) else f"{row.unmet_t:,.0f} t")
    return [
        ("demand", f"{row.demand_t:,.0f} t"),
        ("served", "-" if pd.isna(row.served_t) else f"{row.served_t:,.0f} t"),
        shortfall,
        (
            "landed cost per tonne",
            "-"
            if pd.isna(row.landed_cost_per_t)
            else f"{unit}{row.landed_cost_per_t:,.2f}",
        ),
        (
            "serving hub",
            "none" if row.served_t <= 0 else serving.replace(";", ", ") or "direct",
        ),
    ]


#: Outcomes of a market with contestable demand (:attr:`Result.markets`).
_CONTESTED = ("won", "partly won", "lost to alternative")


def _add_markets(
    folium: Any,
    fmap: folium.Map,
    markets: pd.DataFrame,
    unit: str,
    ranks: list[int],
    gateways: dict[str, str],
) -> tuple[float, float]:
    """The markets, sized by demand, coloured by landed cost and labelled with their
    name (a landlocked one with its gateway port, when the name does not give it);
    markets lost in full to their alternative supplier as hollow grey circles in a
    layer of their own; no empty layer. Returns the colour scale's (lowest,
    highest) cost."""
    cost = markets["landed_cost_per_t"].astype(float)
    lo, hi = (float(cost.min()), float(cost.max())) if cost.notna().any() else (0, 1)
    demand_scale = max(float(markets["demand_t"].max()), 1.0)
    if not len(markets):
        return lo, hi
    lost = lost_markets(markets)
    won = folium.FeatureGroup(
        name=f"Markets won ({int((~lost).sum())})"
        if lost.any()
        else f"Markets ({len(markets)})"
    )
    elsewhere = folium.FeatureGroup(
        name=f"Markets lost to their alternative suppliers ({int(lost.sum())})"
    )
    for pos, row in enumerate(markets.itertuples()):
        radius = 4 + 12 * math.sqrt(min(row.demand_t / demand_scale, 1.0))
        style = (
            {
                "color": "#8C8C8C",
                "weight": 1.5,
                "fill": True,
                "fill_color": "#FFFFFF",
                "fill_opacity": 0.0,
                "class_name": "hubopt-market hubopt-market-lost",
            }
            if lost[pos]
            else {
                "color": "#222222",
                "weight": 1,
                "fill": True,
                "fill_color": _cost_colour(row.landed_cost_per_t, lo, hi),
                "fill_opacity": 0.9,
                "class_name": "hubopt-market",
            }
        )
        layer = folium.CircleMarker([row.lat, row.lon], radius=radius, **style)
        label = str(row.name)
        port = gateways.get(str(row.destination))
        if port is not None and port not in label:
            label += f" (via {port})"
        layer.add_child(_bind_label(label, "market", ranks[pos], radius))
        layer.add_child(
            _bind_popup(_popup(_market_rows(row, unit), f"Market: {row.name}"))
        )
        layer.add_to(elsewhere if lost[pos] else won)
    if not lost.all():
        won.add_to(fmap)
    if lost.any():
        elsewhere.add_to(fmap)
    return lo, hi


def _add_origins(
    folium: Any, fmap: folium.Map, origins: pd.DataFrame, ranks: list[int]
) -> None:
    """The origins, dark triangles, labelled (no layer without origins)."""
    if not len(origins):
        return
    group = folium.FeatureGroup(name=f"Origins ({len(origins)})")
    for pos, row in enumerate(origins.itertuples()):
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
        layer.add_child(_bind_label(str(row.name), "origin", ranks[pos], 8))
        layer.add_child(_bind_popup(_popup(rows, f"Origin: {row.name}")))
        layer.add_to(group)
    group.add_to(fmap)


def _add_title(
    fmap: folium.Map, result: Result, title: str | None, period: str | None = None
) -> None:
    """The heading box over the map: the title and the subtitle, escaped."""
    heading = html.escape(title or default_title(result, period))
    sub = html.escape(
        _subtitle(result) if period is None else period_subtitle(result, period)
    )
    fmap.get_root().html.add_child(
        _html(
            f"<div class='hubopt-title'><b>{heading}</b><br>"
            f"<span style='font-size:12px'>{sub}</span></div>"
        )
    )


#: The legend's hub symbols (fixed markup).
_LEGEND_SYMBOLS = {
    "open": f"<b class='sym' style='color:{_HUB_OPEN}'>&#9632;</b>",
    "fallback": f"<b class='sym' style='color:{_HUB_OPEN}'>&#9733;</b>",
    "candidate": "<b class='sym' style='color:#1F4E79'>&#9633;</b>",
    "closed": "<b class='sym' style='color:#8C8C8C'>&#10005;</b>",
}


def _add_legend(
    fmap: folium.Map,
    result: Result,
    layers: dict[str, Any],
    kinds: pd.Series,
    unit: str,
    lo: float,
    hi: float,
) -> None:
    """The legend box: the kinds of hub and of flow drawn, the market colour scale
    (when some market has a landed cost) and the source line."""
    present = set(kinds)
    hubs = "".join(
        f"<div>{_LEGEND_SYMBOLS[k]}{html.escape(HUB_STYLES[k][3])}</div>"
        for k in ("open", "fallback", "candidate", "closed")
        if k in present
    )
    flow_kinds = set(layers["flows"]["kind"]) if len(layers["flows"]) else set()
    legend = "".join(
        f"<div><i style='background:{FLOW_COLOURS[k]}'></i>{FLOW_LABELS[k]}</div>"
        for k in ("inbound", "outbound", "direct")
        if k in flow_kinds
    )
    markets = layers["markets"]
    scale = (
        f"<div>market colour: landed cost {unit}{lo:,.0f} "
        f"<i style='background:linear-gradient(to right,{_cost_colour(lo, lo, hi)},"
        f"{_cost_colour(hi, lo, hi)});width:60px;height:8px'></i> "
        f"{unit}{hi:,.0f} per tonne</div>"
        if len(markets) and markets["landed_cost_per_t"].notna().any()
        else ""
    )
    lost = (
        f"<div><b class='sym' style='color:#8C8C8C'>&#9675;</b>"
        f"{html.escape(LOST_LABEL)}</div>"
        if len(markets) and lost_markets(markets).any()
        else ""
    )
    fmap.get_root().html.add_child(
        _html(
            f"<div class='hubopt-legend'>{hubs}{legend}{scale}{lost}"
            f"<div style='font-size:10px;color:#555;max-width:420px'>"
            f"{html.escape(source_line(result))}</div></div>"
        )
    )


def _save_page(fmap: folium.Map, path: str | os.PathLike[str]) -> None:
    """Write the page to an .html file, all or nothing."""
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        msg = f"cannot save an interactive map as '{target.name}': use .html"
        raise ValidationError(msg)
    with atomic_target(target) as tmp:  # no half-written page after a crash
        fmap.save(str(tmp))


def _cost_colour(value: float, lo: float, hi: float) -> str:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if value is None or not np.isfinite(value):
        return "#BBBBBB"
    share = 0.5 if hi - lo < EPS else (value - lo) / (hi - lo)
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

#: Defines ``huboptText(s)``: a <div> holding ``s`` as a text node, never as markup;
#: and ``huboptLabels``, the permanent labels' tooltips (for the decluttering).
_TEXT_NODE_JS = (
    "<script>function huboptText(s) {"
    " var node = document.createElement('div'); node.textContent = s; return node; }"
    " var huboptLabels = [];"
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
    >>> from hubopt.webmap import _script_json
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


#: After every zoom, pan and layer toggle, moves each permanent label that would
#: overlap a more important one (lower rank) or another symbol to the left of its
#: symbol, and hides it when it overlaps there too. Code only: no text from data.
_DECLUTTER_JS = """
(function (map) {
  function rank(t) {
    var m = String(t.options.className).match(/hubopt-rank-(\\d+)/);
    return m ? parseInt(m[1], 10) : 1e9;
  }
  function side(t, left) {
    if (t._huboptDx === undefined) { t._huboptDx = t.options.offset[0]; }
    t.options.direction = left ? 'left' : 'right';
    t.options.offset = [left ? -t._huboptDx : t._huboptDx, 0];
    t.update();
    return t.getElement().getBoundingClientRect();
  }
  function declutter() {
    var labels = huboptLabels.filter(function (t) {
      return t.isOpen() && t.getElement();
    });
    labels.sort(function (a, b) { return rank(a) - rank(b); });
    var shown = [];
    var marks = Array.prototype.map.call(
      map.getContainer().querySelectorAll(
        '.hubopt-hub, .hubopt-origin, path.hubopt-market'),
      function (el) { return el.getBoundingClientRect(); });
    function meets(r, s, pad) {
      return r.left < s.right - pad && s.left + pad < r.right &&
             r.top < s.bottom - pad && s.top + pad < r.bottom;
    }
    function free(r) {
      return !shown.some(function (s) { return meets(r, s, 0); }) &&
             !marks.some(function (s) { return meets(r, s, 1); });
    }
    labels.forEach(function (t) {
      var r = side(t, false);
      if (!free(r)) { r = side(t, true); }
      if (!free(r)) { r = side(t, false); t.getElement().style.visibility = 'hidden'; }
      else { t.getElement().style.visibility = ''; shown.push(r); }
    });
  }
  map.on('zoomend moveend overlayadd overlayremove', declutter);
  map.whenReady(function () { setTimeout(declutter, 0); });
})({parent});
"""


def _bind_label(text: str, kind: str, rank: int, radius_px: float) -> Any:
    """A permanent label beside a symbol of ``radius_px``: the text as JSON shown
    as a text node (as :func:`_bind_tooltip`), small type, styled by ``kind`` (a
    fixed word), ranked for the decluttering (an integer)."""
    if not re.fullmatch(r"[a-z]+", kind):  # never data in the options
        msg = f"label kind must be a plain word, got {kind!r}"
        raise ValueError(msg)
    options = json.dumps(
        {
            "permanent": True,
            "direction": "right",
            "offset": [round(float(radius_px)) + 2, 0],
            "className": f"hubopt-label hubopt-label-{kind} hubopt-rank-{int(rank)}",
            "opacity": 1,
        }
    )
    return _script(
        "{parent}.bindTooltip(huboptText({{ this.text }}), "
        + options
        + "); huboptLabels.push({parent}.getTooltip());",
        text=text,
    )


def _bind_tooltip(text: str) -> Any:
    """A tooltip showing ``text`` as text: it reaches the page as JSON and the
    tooltip as a text node, so no markup in it is ever parsed. (folium's Tooltip
    splices the text into a JavaScript template literal.)"""
    return _script(
        "{parent}.bindTooltip(huboptText({{ this.text }}), {sticky: true});",
        text=text,
    )
