"""Leg attributes from geography: distance, cost, transit time, CO2 and route geometry.

A leg is one segment or a chain of segments. A single-segment leg travels by its
``mode`` (along its ``corridor`` when it names one). A chain is written in the optional
``route`` column of the legs table as ';'-separated steps::

    rail/KZ_WEST@AKTAU; caspian_ferry@ALAT; rail@POTI; sea

Each step ``mode[/corridor]@waypoint`` travels by ``mode`` (along ``corridor`` if given)
from the previous point to ``waypoint``; the last step has no waypoint (or names the
leg's destination) and ends at the destination. Waypoint ids are looked up first in the
``waypoints`` table (id, name, lon, lat) passed to the functions here, then among the
network's node ids.

For each segment of length ``d`` km by a mode with parameters from
:func:`hubopt.modes.load_modes`::

    cost_per_t   = cost_per_t(mode) + cost_per_tkm(mode) * d
    transit_days = d / speed_km_per_day(mode)
    co2_kg_per_t = co2_kg_per_tkm(mode) * d

and at each change of mode the chain adds the ``transfer_cost_per_t`` and
``transfer_days`` of the mode being entered. ``d`` comes from the sea graph for modes
whose ``graph`` is ``sea`` (see :func:`hubopt.geo.sea_distances`), from the corridor's
polyline when the segment names one, else from the great circle times the mode's
``circuity``. See docs/geography.md.

A segment whose mode is a voyage mode (:data:`hubopt.freight.VOYAGE_MODES`,
``sea_voyage``) is priced by the voyage model of :mod:`hubopt.freight` instead: its
ship class is the largest one both ends admit (part-loading to the available draft of
the shallower end, from the ``draft_m`` or ``depth_m`` columns of the node and
waypoint tables), and its cost, transit time and CO2 are those of one voyage divided
by the parcel. Such legs also get ``ship_class``, ``parcel_t`` and ``passages``
columns. See docs/geography.md, "Sea freight: the voyage model".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely import LineString

from . import freight, geo
from .errors import RouteError, ValidationError
from .modes import MODE_ALIASES, load_modes, mode_parameters
from .network import Network

#: The leg columns this module fills in.
ATTRIBUTES: tuple[str, ...] = (
    "distance_km",
    "cost_per_t",
    "transit_days",
    "co2_kg_per_t",
)
#: The extra columns filled for legs with a voyage-mode segment.
VOYAGE_COLUMNS: tuple[str, ...] = ("ship_class", "parcel_t", "passages")

_STEP = re.compile(
    r"^\s*(?P<mode>[A-Za-z0-9_\-]+)\s*(?:/\s*(?P<corridor>[^@;/]+?)\s*)?"
    r"(?:@\s*(?P<to>[^@;/]+?)\s*)?$"
)


# ------------------------------------------------------------------------------------
# routes and segments
# ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteStep:
    """One step of a chained route: travel by ``mode`` (along ``corridor``) to ``to``.

    ``to`` is None for the last step, which ends at the leg's destination.

    Examples
    --------
    >>> from hubopt.legs import RouteStep
    >>> RouteStep("rail", corridor="KZ_WEST", to="AKTAU")
    RouteStep(mode='rail', corridor='KZ_WEST', to='AKTAU')
    """

    mode: str
    corridor: str = ""
    to: str | None = None


def parse_route(text: str) -> list[RouteStep]:
    """Parse a ``route`` cell such as ``"rail@AKTAU; caspian_ferry@ALAT; rail@POTI;
    sea"``.

    Parameters
    ----------
    text
        ';'-separated steps ``mode[/corridor]@waypoint``; the last step may omit the
        waypoint.

    Returns
    -------
    list of RouteStep

    Raises
    ------
    ValidationError
        When a step cannot be read or an intermediate step has no waypoint.

    Examples
    --------
    >>> from hubopt.legs import parse_route
    >>> [(s.mode, s.corridor, s.to) for s in parse_route("rail/KZ_WEST@AKTAU; sea")]
    [('rail', 'KZ_WEST', 'AKTAU'), ('sea', '', None)]
    """
    parts = [p for p in str(text).split(";") if p.strip()]
    if not parts:
        msg = (
            f"route {text!r}: no steps; write e.g. 'rail@AKTAU;caspian_ferry@ALAT;sea'"
        )
        raise ValidationError(msg)
    steps = []
    for pos, part in enumerate(parts):
        match = _STEP.match(part)
        if match is None:
            msg = (
                f"route {text!r}: cannot read step {part.strip()!r}; write "
                "mode[/corridor]@waypoint, e.g. 'rail@AKTAU'"
            )
            raise ValidationError(msg)
        to = match["to"]
        if to is None and pos < len(parts) - 1:
            msg = (
                f"route {text!r}: step {part.strip()!r} needs a waypoint (mode@id); "
                "only the last step may end at the leg's destination"
            )
            raise ValidationError(msg)
        steps.append(
            RouteStep(match["mode"].lower(), (match["corridor"] or "").strip(), to)
        )
    return steps


@dataclass(frozen=True)
class Segment:
    """One stretch of a leg travelled by a single mode between two lon/lat points.

    Examples
    --------
    >>> from hubopt.legs import Segment
    >>> Segment("rail", start=(63.6, 53.2), end=(51.2, 43.6))
    Segment(mode='rail', start=(63.6, 53.2), end=(51.2, 43.6), corridor='')
    """

    mode: str
    start: tuple[float, float]
    end: tuple[float, float]
    corridor: str = ""
    #: Node or waypoint ids of the two ends (for their depths), when known.
    start_id: str = field(default="", repr=False, compare=False)
    end_id: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True)
class LegAttributes:
    """Distance (km), cost (USD/t), transit time (days), CO2 (kg/t) and route line.

    Examples
    --------
    >>> from hubopt.legs import Segment, chain_attributes
    >>> leg = chain_attributes([Segment("road", (0.0, 0.0), (1.0, 0.0))])
    >>> round(leg.distance_km, 1), round(leg.cost_per_t, 2)  # 111.3 km x circuity 1.3
    (144.7, 16.93)
    """

    distance_km: float
    cost_per_t: float
    transit_days: float
    co2_kg_per_t: float
    geometry: LineString | None


def _canonical(mode: str) -> str:
    return MODE_ALIASES.get(mode, mode)


def _is_voyage(mode: str) -> bool:
    return str(mode).strip().lower() in freight.VOYAGE_MODES


class _ModeLookup:
    """Memoised :func:`hubopt.modes.mode_parameters` for one modes table (a pandas
    lookup per segment made routing 500 chained legs take ~20 s)."""

    def __init__(self, modes: pd.DataFrame) -> None:
        self.modes = modes
        self._rows: dict[str, dict[str, Any]] = {}

    def __call__(self, mode: str) -> dict[str, Any]:
        key = str(mode).strip().lower()
        if key not in self._rows:
            if _is_voyage(key) and key not in set(self.modes["mode"]):
                self._rows[key] = self._voyage_row(key)
            else:
                self._rows[key] = mode_parameters(self.modes, key)
        return self._rows[key]

    def _voyage_row(self, key: str) -> dict[str, Any]:
        """A voyage mode missing from the modes table: routed like ``sea`` (same
        graph and closed passages) and entered at the same cargo-handling cost; its
        port days are in the voyage, so no transfer days. Its CO2 per t-km (that of
        'sea') is used only when the voyage parameters give no CO2 per t of fuel."""
        row = dict(mode_parameters(self.modes, "sea"))
        row.update(
            mode=key,
            cost_per_tkm=0.0,
            cost_per_t=0.0,
            transfer_days=0.0,
            source="voyage model (hubopt.freight); routing and handling as 'sea'",
        )
        return row


class _Router:
    """Distances and lines of segments, batching the sea-graph queries.

    Register every segment with :meth:`add`, call :meth:`solve` once, then read
    results with :meth:`get`. Sea segments sharing a set of closed passages are
    answered with one multi-source Dijkstra run.
    """

    def __init__(
        self, modes: pd.DataFrame, corridors: Any | None, avoid: Iterable[str]
    ) -> None:
        self.modes = modes
        self.params = _ModeLookup(modes)
        self.avoid = tuple(avoid)
        self.corridors: dict[str, Any] = {}
        if corridors is not None:
            for cid, geom in zip(corridors["id"], corridors.geometry, strict=True):
                self.corridors[str(cid)] = geom
        self._sea: dict[tuple[str, ...], set[tuple[tuple[float, float], ...]]] = {}
        self._passages: dict[
            tuple[tuple[str, ...], tuple[float, float], tuple[float, float]],
            tuple[str, ...],
        ] = {}

    def closed_for(self, mode: str) -> tuple[str, ...]:
        params = self.params(mode)
        return tuple(sorted({*self.avoid, *params["avoid"]}))

    def add(self, segment: Segment) -> None:
        params = self.params(segment.mode)
        if segment.corridor and segment.corridor in self.corridors:
            return
        if params["graph"] == "sea":
            key = self.closed_for(segment.mode)
            self._sea.setdefault(key, set()).add((segment.start, segment.end))

    def solve(self) -> None:
        self._sea_lines: dict[
            tuple[tuple[str, ...], tuple[float, float], tuple[float, float]],
            tuple[float, LineString | None],
        ] = {}
        for closed, pairs in self._sea.items():
            starts = sorted({a for a, _ in pairs})
            ends = sorted({b for _, b in pairs})
            routes = geo.sea_routes_with_passages(starts, ends, avoid=closed)
            row = {p: i for i, p in enumerate(starts)}
            col = {p: j for j, p in enumerate(ends)}
            for a, b in pairs:
                i, j = row[a], col[b]
                km, line = float(routes.distance_km[i, j]), routes.lines[i][j]
                self._sea_lines[(closed, a, b)] = (km, line)
                self._passages[(closed, a, b)] = routes.passages[i][j]

    def get(self, segment: Segment) -> tuple[float, LineString | None]:
        """Distance in km (inf when unreachable) and line of a segment."""
        params = self.params(segment.mode)
        if segment.corridor and segment.corridor in self.corridors:
            line = _oriented(self.corridors[segment.corridor], segment.start)
            return geo.line_length_km(line), line
        if params["graph"] == "sea":
            key = (self.closed_for(segment.mode), segment.start, segment.end)
            return self._sea_lines[key]
        gc = float(
            geo.great_circle_km([segment.start], [segment.end], pairwise=True)[0]
        )
        return gc * float(params["circuity"]), _geodesic_line(
            segment.start, segment.end
        )

    def passages(self, segment: Segment) -> tuple[str, ...]:
        """The passages a sea segment's route crosses (() for other segments)."""
        key = (self.closed_for(segment.mode), segment.start, segment.end)
        return self._passages.get(key, ())


def _oriented(geom: Any, start: tuple[float, float]) -> LineString:
    """A corridor as one LineString running from the end nearer ``start``."""
    if geom.geom_type == "MultiLineString":
        merged = shapely.line_merge(geom)
        if merged.geom_type == "MultiLineString":
            coords = np.vstack([np.asarray(g.coords) for g in merged.geoms])
            merged = LineString(coords)
        geom = merged
    coords = np.asarray(geom.coords)[:, :2]
    first = geo.great_circle_km([start], [coords[0]], pairwise=True)[0]
    last = geo.great_circle_km([start], [coords[-1]], pairwise=True)[0]
    if last < first:
        coords = coords[::-1]
    return LineString(coords)


def _geodesic_line(a: tuple[float, float], b: tuple[float, float]) -> LineString:
    """The geodesic from a to b as a lon/lat LineString (a vertex every ~200 km)."""
    gc = float(geo.great_circle_km([a], [b], pairwise=True)[0])
    n = int(min(64, gc // 200))
    inner = geo.geod().npts(a[0], a[1], b[0], b[1], n) if n > 0 else []
    coords = geo.unwrap_lonlat(np.array([a, *inner, b], dtype=float))
    return LineString(coords)


def _concat(lines: list[LineString | None]) -> LineString | None:
    """Join segment lines end to end, continuous across the antimeridian."""
    parts = [np.asarray(line.coords)[:, :2] for line in lines if line is not None]
    if not parts:
        return None
    return geo.line_from_coords(np.vstack(parts))


def chain_attributes(
    segments: list[Segment],
    modes: pd.DataFrame | None = None,
    *,
    corridors: Any | None = None,
    avoid: Iterable[str] = (),
    distances_km: list[float] | None = None,
    freight_model: freight.FreightModel | None = None,
    drafts_m: dict[str, float] | None = None,
) -> LegAttributes:
    """Distance, cost, time, CO2 and geometry of a chain of segments.

    Parameters
    ----------
    segments
        The segments in travel order.
    modes
        A modes table (:func:`hubopt.modes.load_modes`); the bundled one when None.
    corridors
        A corridors GeoDataFrame (id, mode, geometry) for segments naming a corridor.
    avoid
        Passages closed for every sea segment.
    distances_km
        Optional segment lengths that override the geographic ones (used to honour a
        distance the user gave for a single-segment leg).
    freight_model
        The voyage model for voyage-mode segments; the bundled tables when None.
    drafts_m
        Available draft (m) by segment end id (``start_id``/``end_id``); an end
        not in it is taken as unrestricted.

    Returns
    -------
    LegAttributes
        ``inf`` distance, cost, time and CO2 when a segment has no route.

    Examples
    --------
    >>> from hubopt.legs import Segment, chain_attributes
    >>> aktau, baku, poti = (51.17, 43.65), (49.87, 40.37), (41.67, 42.15)
    >>> leg = chain_attributes(
    ...     [Segment("caspian_ferry", aktau, baku), Segment("rail", baku, poti)]
    ... )
    >>> [round(v, 6) for v in leg.geometry.coords[0]]  # starts at Aktau
    [51.17, 43.65]
    >>> round(leg.transit_days, 1) > 1.0  # includes the transfer into rail
    True
    """
    modes = load_modes(modes) if not _is_validated(modes) else modes
    router = _Router(modes, corridors, avoid)
    for seg in segments:
        router.add(seg)
    router.solve()
    routed = [router.get(s) for s in segments]
    voyages: dict[int, freight.Voyage] = {}
    if any(_is_voyage(seg.mode) for seg in segments):
        model = freight_model if freight_model is not None else freight.load_freight()
        voyages = _price_voyages(
            segments, routed, router, model, drafts_m or {}, distances_km
        )
    return _sum_chain(segments, routed, modes, distances_km, voyages=voyages)


def _price_voyages(
    segments: list[Segment],
    routed: list[tuple[float, LineString | None]],
    router: _Router,
    model: freight.FreightModel,
    drafts_m: dict[str, float],
    distances_km: list[float] | None = None,
    *,
    lot_t: float = np.inf,
    ship_classes: list[str] | None = None,
    rule: str = "largest",
    rates: dict[str, tuple[float, float]] | None = None,
) -> dict[int, freight.Voyage]:
    """The voyage of every voyage-mode segment with a route, by segment position.

    ``ship_classes`` forces one class for all of them (one name) or one per voyage
    segment in order; ``rates`` gives ports' own (load, discharge) rates by id.
    Raises RouteError when no class fits an end's draft.
    """
    rates = rates or {}
    unknown = (np.nan, np.nan)
    out: dict[int, freight.Voyage] = {}
    count = 0
    for pos, (seg, (dist, _)) in enumerate(zip(segments, routed, strict=True)):
        if not _is_voyage(seg.mode):
            continue
        if distances_km is not None and np.isfinite(distances_km[pos]):
            dist = distances_km[pos]
        forced = None
        if ship_classes:
            forced = ship_classes[min(count, len(ship_classes) - 1)]
        count += 1
        if not np.isfinite(dist):
            continue
        draft = min(
            drafts_m.get(seg.start_id, np.inf), drafts_m.get(seg.end_id, np.inf)
        )
        out[pos] = model.voyage(
            dist,
            available_draft_m=draft,
            passages=router.passages(seg),
            lot_t=lot_t,
            ship_class=forced,
            rule=rule,
            load_rate_t_per_day=rates.get(seg.start_id, unknown)[0],
            discharge_rate_t_per_day=rates.get(seg.end_id, unknown)[1],
        )
    return out


def _is_validated(modes: Any) -> bool:
    return (
        isinstance(modes, pd.DataFrame)
        and "graph" in modes.columns
        and (modes["graph"].isin(("sea", "land")).all())
    )


def _sum_chain(
    segments: list[Segment],
    routed: list[tuple[float, LineString | None]],
    modes: pd.DataFrame,
    distances_km: list[float] | None = None,
    lookup: _ModeLookup | None = None,
    voyages: dict[int, freight.Voyage] | None = None,
) -> LegAttributes:
    lookup = lookup if lookup is not None else _ModeLookup(modes)
    voyages = voyages or {}
    distance = cost = days = co2 = 0.0
    previous = None
    for pos, (seg, (dist, _)) in enumerate(zip(segments, routed, strict=True)):
        if distances_km is not None and np.isfinite(distances_km[pos]):
            dist = distances_km[pos]
        params = lookup(seg.mode)
        mode = _canonical(seg.mode)
        if previous is not None and mode != previous:
            cost += params["transfer_cost_per_t"]
            days += params["transfer_days"]
        previous = mode
        distance += dist
        if pos in voyages:
            trip = voyages[pos]
            cost += trip.cost_per_t
            days += trip.transit_days
            per_km = params["co2_kg_per_tkm"] * dist
            co2 += trip.co2_kg_per_t if np.isfinite(trip.co2_kg_per_t) else per_km
            continue
        cost += params["cost_per_t"] + params["cost_per_tkm"] * dist
        days += dist / params["speed_km_per_day"]
        co2 += params["co2_kg_per_tkm"] * dist
    if not np.isfinite(distance):
        return LegAttributes(np.inf, np.inf, np.inf, np.inf, None)
    return LegAttributes(distance, cost, days, co2, _concat([r[1] for r in routed]))


# ------------------------------------------------------------------------------------
# networks
# ------------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return not value.strip()
    if hasattr(value, "is_empty"):
        return bool(value.is_empty)
    return False


def _points(network: Network, waypoints: pd.DataFrame | None) -> dict[str, Any]:
    """lon/lat of every node id and waypoint id (waypoints first)."""
    points: dict[str, tuple[float, float]] = {}
    nodes = network.node_coordinates()
    for node_id, lon, lat in zip(nodes.index, nodes["lon"], nodes["lat"], strict=True):
        points[str(node_id)] = (float(lon), float(lat))
    if waypoints is not None:
        problems = []
        for col in ("id", "lon", "lat"):
            if col not in waypoints.columns:
                problems.append(f"table 'waypoints': missing required column '{col}'")
        if problems:
            raise ValidationError(problems)
        lonlat = geo.as_lonlat(waypoints[["lon", "lat"]].to_numpy(float), "waypoints")
        for wid, (lon, lat) in zip(waypoints["id"], lonlat, strict=True):
            points[str(wid).strip()] = (float(lon), float(lat))
    return points


def _leg_segments(
    row: pd.Series, points: dict[str, tuple[float, float]], label: str
) -> list[Segment]:
    start = points[row["origin"]]
    end = points[row["destination"]]
    route = row.get("route", None)
    origin, destination = str(row["origin"]), str(row["destination"])
    if _missing(route):
        corridor = row.get("corridor", "") or ""
        return [Segment(row["mode"], start, end, corridor, origin, destination)]
    try:
        steps = parse_route(route)
    except ValidationError as exc:
        msg = f"table 'legs', {label}, column 'route': {exc.problems[0]}"
        raise ValidationError(msg) from exc
    segments = []
    here, here_id = start, origin
    for pos, step in enumerate(steps):
        last = pos == len(steps) - 1
        if step.to is None or (last and step.to == row["destination"]):
            there, there_id = end, destination
        elif step.to in points:
            there, there_id = points[step.to], str(step.to)
        else:
            msg = (
                f"table 'legs', {label}, column 'route': unknown waypoint {step.to!r}; "
                "add it to the waypoints table (id, name, lon, lat) or use a node id"
            )
            raise ValidationError(msg)
        segments.append(
            Segment(step.mode, here, there, step.corridor, here_id, there_id)
        )
        here, here_id = there, there_id
    if here != end:
        msg = (
            f"table 'legs', {label}, column 'route': the last step ends at "
            f"{steps[-1].to!r}, not at the destination {row['destination']!r}; end "
            "the route with a step without waypoint, e.g. ';sea'"
        )
        raise ValidationError(msg)
    return segments


def fill_leg_attributes(
    network: Network,
    modes: pd.DataFrame | str | None = None,
    *,
    avoid: Iterable[str] = (),
    waypoints: pd.DataFrame | None = None,
    unreachable: str = "raise",
    freight_model: freight.FreightModel | None = None,
    ship_rule: str = "largest",
) -> Network:
    """Fill in every missing leg distance, cost, transit time, CO2 and geometry.

    Values the user gave are never overwritten: only empty (NaN) cells of
    ``distance_km``, ``cost_per_t``, ``transit_days`` and ``co2_kg_per_t`` and empty
    ``geometry`` cells are filled. When a single-segment leg has a user distance, its
    cost, time and CO2 are derived from that distance.

    Legs with a voyage-mode segment (``sea_voyage``) are priced by the voyage model
    (:mod:`hubopt.freight`) at the available draft of the shallower end of each such
    segment: the end's ``draft_m`` (maximum draft at the grain berth) or else its
    ``depth_m`` less the under-keel clearance, read from the origins, hubs,
    destinations and waypoints tables; an end with neither is an error. Their
    ``ship_class`` (';'-joined for several voyage segments), ``parcel_t`` (the
    smallest) and ``passages`` (crossed, ';'-joined) columns are filled; a
    ``ship_class`` or ``parcel_t`` the user gave is kept and forces the class or caps
    the parcel (a tender lot).

    Parameters
    ----------
    network
        The network whose legs to complete.
    modes
        A modes table, a CSV path, or None for the network's own
        (:attr:`~hubopt.network.Network.modes`: the bundled ``data/modes.csv``
        unless the network was built with one).
    avoid
        Passages to close for every sea segment (see :data:`hubopt.geo.PASSAGES`).
    waypoints
        Optional table (id, name, lon, lat) of the waypoints named in ``route`` cells.
    unreachable
        "raise" (default): a leg without a route is an error; "drop": such legs are
        left out of the returned network (used by :meth:`hubopt.Scenario.apply`). A
        voyage leg no ship class can sail (too shallow) counts as without a route.
    freight_model
        The voyage model; the bundled ``data/ship_classes.csv`` and
        ``data/voyage_parameters.csv`` when None (read only if a voyage leg needs it).
    ship_rule
        How a voyage leg's class is chosen: "largest" admitted (default) or
        "cheapest" per tonne (see :meth:`hubopt.freight.FreightModel.voyage`).

    Returns
    -------
    Network
        A new network with the legs completed.

    Raises
    ------
    ValidationError
        For an unknown mode, waypoint or passage, or an unreadable route.
    RouteError
        When a leg that needs a value has no route (e.g. ``avoid`` closed the only
        passage) or, for a voyage leg, no ship class fits; the message names each
        such leg and the passages or drafts.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.legs import fill_leg_attributes
    >>> net = hubopt.datasets.tiny()
    >>> legs = net.legs
    >>> legs.loc[legs["mode"] == "sea", "cost_per_t"] = float("nan")  # forget costs
    >>> filled = fill_leg_attributes(net.replace(legs=legs))
    >>> bool(filled.legs["cost_per_t"].notna().all())
    True
    """
    if unreachable not in ("raise", "drop"):
        msg = f"unreachable must be 'raise' or 'drop', got {unreachable!r}"
        raise ValidationError(msg)
    modes = load_modes(network.own_modes if modes is None else modes)
    legs = network.legs
    if "geometry" not in legs.columns:
        legs["geometry"] = None
    legs["geometry"] = legs["geometry"].astype(object)
    router = _Router(modes, network.corridors, avoid)
    todo, problems = _legs_to_route(legs, _points(network, waypoints), router)
    pricing = None
    if any(_is_voyage(s.mode) for t in todo for s in t.segments):
        pricing = _voyage_pricing(network, waypoints, freight_model, ship_rule)
        problems += _missing_drafts(legs, todo, pricing.drafts)
        _add_voyage_columns(legs)
    if problems:
        raise ValidationError(problems)
    router.solve()
    dropped = _fill_legs(legs, todo, router, modes, pricing, unreachable)
    if dropped:
        legs = legs.drop(index=dropped)
    return network.replace(legs=_as_geoframe(legs))


@dataclass(frozen=True)
class _Todo:
    """A leg with something to fill: its row index, segments and what it lacks."""

    idx: Any
    segments: list[Segment]
    needed: list[str]
    needs_geometry: bool


@dataclass(frozen=True)
class _VoyagePricing:
    """What pricing voyage segments needs: the model, ends' drafts and port rates."""

    model: freight.FreightModel
    drafts: dict[str, float]
    rates: dict[str, tuple[float, float]]
    rule: str


def _legs_to_route(
    legs: pd.DataFrame, points: dict[str, Any], router: _Router
) -> tuple[list[_Todo], list[str]]:
    """The legs with a missing value, their segments added to ``router``, and the
    problems of the legs whose route or mode cannot be read."""
    problems: list[str] = []
    todo: list[_Todo] = []
    for idx, row in legs.iterrows():
        label = f"leg {row['origin']}->{row['destination']}"
        needed = [c for c in ATTRIBUTES if _missing(row[c])]
        needs_geometry = _missing(row["geometry"])
        if not needed and not needs_geometry:
            continue
        try:
            segments = _leg_segments(row, points, label)
            for seg in segments:
                router.params(seg.mode)
        except ValidationError as exc:
            problems.extend(
                p if p.startswith("table") else f"table 'legs', {label}: {p}"
                for p in exc.problems
            )
            continue
        for seg in segments:
            router.add(seg)
        todo.append(_Todo(idx, segments, needed, needs_geometry))
    return todo, problems


def _voyage_pricing(
    network: Network,
    waypoints: pd.DataFrame | None,
    freight_model: freight.FreightModel | None,
    rule: str,
) -> _VoyagePricing:
    """The voyage model (the bundled one when None) with the network's drafts."""
    model = freight_model if freight_model is not None else freight.load_freight()
    drafts, rates = _drafts(network, waypoints, model)
    return _VoyagePricing(model, drafts, rates, rule)


def _add_voyage_columns(legs: pd.DataFrame) -> None:
    """Add the voyage columns (ship_class, parcel_t, passages) that ``legs`` lacks."""
    for col in VOYAGE_COLUMNS:
        if col not in legs.columns:
            legs[col] = np.nan if col == "parcel_t" else ""
        if col != "parcel_t":
            legs[col] = legs[col].astype(object)


def _fill_legs(
    legs: pd.DataFrame,
    todo: list[_Todo],
    router: _Router,
    modes: pd.DataFrame,
    pricing: _VoyagePricing | None,
    unreachable: str,
) -> list[Any]:
    """Write each routed leg's missing values into ``legs``; the rows to drop.

    Raises ValidationError for a voyage leg that cannot be priced and RouteError for
    legs without a route (unless ``unreachable`` is "drop").
    """
    problems: list[str] = []
    lost: list[str] = []
    dropped: list[Any] = []
    for item in todo:
        row = legs.loc[item.idx]
        routed = [router.get(seg) for seg in item.segments]
        user_km = None
        if len(item.segments) == 1 and not _missing(row["distance_km"]):
            user_km = [float(row["distance_km"])]
        voyages: dict[int, freight.Voyage] = {}
        if (
            pricing is not None
            and item.needed
            and any(_is_voyage(s.mode) for s in item.segments)
        ):
            label = f"leg {row['origin']}->{row['destination']} ({row['mode']})"
            try:
                voyages = _price_voyages(
                    item.segments,
                    routed,
                    router,
                    pricing.model,
                    pricing.drafts,
                    user_km,
                    lot_t=np.inf if _missing(row["parcel_t"]) else row["parcel_t"],
                    ship_classes=_split_names(row["ship_class"]),
                    rule=pricing.rule,
                    rates=pricing.rates,
                )
            except ValidationError as exc:
                problems.extend(f"table 'legs', {label}: {p}" for p in exc.problems)
                continue
            except RouteError as exc:
                if unreachable == "drop":
                    dropped.append(item.idx)
                else:
                    lost.append(f"{label}: {exc}")
                continue
            _record_voyages(legs, item.idx, voyages)
        attrs = _sum_chain(
            item.segments, routed, modes, user_km, router.params, voyages=voyages
        )
        if not np.isfinite(attrs.cost_per_t):
            if item.needed and unreachable == "drop":
                dropped.append(item.idx)
            elif item.needed:
                lost.append(_unreachable(row, item.segments, routed, router.closed_for))
            continue
        for col in item.needed:
            legs.at[item.idx, col] = float(getattr(attrs, col))
        if item.needs_geometry:
            legs.at[item.idx, "geometry"] = attrs.geometry
    if problems:
        raise ValidationError(problems)
    if lost:
        raise RouteError("\n".join(lost))
    return dropped


def _drafts(
    network: Network, waypoints: pd.DataFrame | None, model: freight.FreightModel
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Available draft (NaN: no depth given) and own (load, discharge) rates of
    every node and waypoint id; waypoints first, as for coordinates."""
    drafts: dict[str, float] = {}
    rates: dict[str, tuple[float, float]] = {}
    tables = [
        ("origins", network.origins),
        ("hubs", network.hubs),
        ("destinations", network.destinations),
    ]
    if waypoints is not None:
        tables.append(("waypoints", waypoints))
    for name, table in tables:
        own = freight.handling_rates(table, name)
        for node, draft in freight.available_drafts(
            table, model.parameters, name
        ).items():
            if name == "waypoints" or node not in drafts:
                drafts[node] = draft
                rates[node] = own[node]
    return drafts, rates


def _missing_drafts(
    legs: pd.DataFrame,
    todo: list[_Todo],
    drafts: dict[str, float],
) -> list[str]:
    """The voyage segments of legs to price whose ends have no draft."""
    problems = []
    for item in todo:
        if not item.needed:
            continue
        label = f"leg {legs.at[item.idx, 'origin']}->{legs.at[item.idx, 'destination']}"
        for seg in item.segments:
            if not _is_voyage(seg.mode):
                continue
            for end in (seg.start_id, seg.end_id):
                if np.isnan(drafts.get(end, np.nan)):
                    problems.append(
                        f"table 'legs', {label}: its {seg.mode} segment calls at "
                        f"'{end}', which has no draft_m or depth_m; give that node "
                        "or waypoint the grain berth's maximum draft (draft_m) or "
                        "its depth (depth_m)"
                    )
    return sorted(set(problems))


def _split_names(value: Any) -> list[str] | None:
    if _missing(value):
        return None
    return [p.strip() for p in str(value).split(";") if p.strip()] or None


def _record_voyages(
    legs: pd.DataFrame, idx: Any, voyages: dict[int, freight.Voyage]
) -> None:
    """Write the voyage columns of one leg (keeping what the user gave)."""
    if not voyages:
        return
    trips = [voyages[k] for k in sorted(voyages)]
    if _missing(legs.at[idx, "ship_class"]):
        legs.at[idx, "ship_class"] = ";".join(t.ship_class for t in trips)
    if _missing(legs.at[idx, "parcel_t"]):
        legs.at[idx, "parcel_t"] = float(min(t.parcel_t for t in trips))
    crossed: list[str] = []
    for trip in trips:
        crossed.extend(p for p in trip.passages if p not in crossed)
    legs.at[idx, "passages"] = ";".join(crossed)


#: ``hubopt.with_leg_attributes(network, ...)``: the name the former
#: ``Network.with_leg_attributes`` method has as a function; the same function as
#: :func:`fill_leg_attributes`.
with_leg_attributes = fill_leg_attributes


def _as_geoframe(legs: pd.DataFrame) -> Any:
    """Legs as a GeoDataFrame in EPSG:4326 with the route lines as geometry."""
    import geopandas as gpd

    frame = pd.DataFrame(legs).copy()
    geometry = gpd.GeoSeries(
        [g if isinstance(g, shapely.Geometry) else None for g in frame["geometry"]],
        crs=geo.WGS84,
    )
    frame = frame.drop(columns=["geometry"])
    return gpd.GeoDataFrame(frame, geometry=geometry.values, crs=geo.WGS84)


def _unreachable(
    row: pd.Series,
    segments: list[Segment],
    routed: list[tuple[float, LineString | None]],
    closed_for: Any,
) -> str:
    label = f"leg {row['origin']}->{row['destination']} ({row['mode']})"
    for seg, (dist, _) in zip(segments, routed, strict=True):
        if np.isfinite(dist):
            continue
        closed = closed_for(seg.mode)
        needed = geo.blocking_passages(seg.start, seg.end, avoid=closed)
        where = f"{seg.mode} segment {seg.start} -> {seg.end}"
        if needed:
            return (
                f"{label}: no sea route for its {where}; it needs passage(s) "
                f"{', '.join(needed)}, closed by avoid or by the mode's avoid column"
            )
        return (
            f"{label}: no sea route for its {where} with passages "
            f"{', '.join(closed) or '(none)'} closed"
        )
    return f"{label}: no route"


def propose_legs(
    nodes: pd.DataFrame,
    *,
    modes: pd.DataFrame | str | None = None,
    direct: bool = True,
    inbound_mode: str = "sea",
    outbound_mode: str = "sea",
    direct_mode: str | None = None,
    avoid: Iterable[str] = (),
) -> pd.DataFrame:
    """Candidate legs origin->hub, hub->destination and direct origin->destination.

    Parameters
    ----------
    nodes
        Node coordinates indexed by id with columns lon, lat and kind ('origin',
        'hub', 'destination'), as :meth:`Network.node_coordinates` returns them.
    modes
        A modes table or None for the bundled one.
    direct
        Also propose direct origin->destination legs.
    inbound_mode, outbound_mode, direct_mode
        The mode of each kind of leg; ``direct_mode`` defaults to ``outbound_mode``.
    avoid
        Passages closed for sea legs. Pairs without a route are left out.

    Returns
    -------
    pandas.DataFrame
        Columns origin, destination, mode, corridor (''), with the attribute columns
        empty (NaN), for every pair that has a route.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.legs import propose_legs
    >>> nodes = hubopt.datasets.tiny().node_coordinates()
    >>> legs = propose_legs(nodes, inbound_mode="rail", outbound_mode="sea")
    >>> legs.groupby("mode").size().to_dict()
    {'rail': 6, 'sea': 15}
    """
    modes = load_modes(modes)
    direct_mode = outbound_mode if direct_mode is None else direct_mode
    kinds = [("origin", "hub", inbound_mode), ("hub", "destination", outbound_mode)]
    if direct:
        kinds.append(("origin", "destination", direct_mode))
    rows = []
    lookup = _ModeLookup(modes)
    for from_kind, to_kind, mode in kinds:
        params = lookup(mode)
        a = nodes.loc[nodes["kind"] == from_kind]
        b = nodes.loc[nodes["kind"] == to_kind]
        if a.empty or b.empty:
            continue
        if params["graph"] == "sea":
            closed = tuple(sorted({*avoid, *params["avoid"]}))
            dist = geo.sea_distances(
                a[["lon", "lat"]].to_numpy(float),
                b[["lon", "lat"]].to_numpy(float),
                avoid=closed,
            )
        else:
            dist = np.zeros((len(a), len(b)))
        for i, j in np.argwhere(np.isfinite(dist)):
            rows.append(
                {
                    "origin": str(a.index[i]),
                    "destination": str(b.index[j]),
                    "mode": mode,
                    "corridor": "",
                }
            )
    out = pd.DataFrame(rows, columns=["origin", "destination", "mode", "corridor"])
    for col in ATTRIBUTES:
        out[col] = np.nan
    return out


def generate_legs(
    network: Network,
    *,
    modes: pd.DataFrame | str | None = None,
    direct: bool = True,
    inbound_mode: str = "sea",
    outbound_mode: str = "sea",
    direct_mode: str | None = None,
    avoid: Iterable[str] = (),
    waypoints: pd.DataFrame | None = None,
) -> Network:
    """Add candidate legs for every pair that has a route, then fill their attributes.

    Proposes origin->hub (``inbound_mode``), hub->destination (``outbound_mode``) and,
    with ``direct``, origin->destination (``direct_mode``, default ``outbound_mode``)
    legs; a pair without a route (sea legs cut off by closed passages) is skipped, and
    a (origin, destination, mode) already in the network is kept as the user gave it.
    Then :func:`fill_leg_attributes` fills every missing value.

    Parameters
    ----------
    network
        The network to extend.
    modes, avoid, waypoints
        As for :func:`fill_leg_attributes`.
    direct, inbound_mode, outbound_mode, direct_mode
        As for :func:`propose_legs`.

    Returns
    -------
    Network
        A new network with the proposed legs added and all legs completed.

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> bigger = hubopt.generate_legs(net, inbound_mode="rail", direct=False)
    >>> len(net.legs), len(bigger.legs)
    (13, 16)
    >>> bigger
    Network('tiny': 2 origins, 3 hubs, 3 destinations, 16 legs)
    """
    modes = load_modes(modes)
    proposed = propose_legs(
        network.node_coordinates(),
        modes=modes,
        direct=direct,
        inbound_mode=inbound_mode,
        outbound_mode=outbound_mode,
        direct_mode=direct_mode,
        avoid=avoid,
    )
    legs = network.legs
    have = set(zip(legs["origin"], legs["destination"], legs["mode"], strict=True))
    fresh = [
        (o, d, m) not in have
        for o, d, m in zip(
            proposed["origin"], proposed["destination"], proposed["mode"], strict=True
        )
    ]
    proposed = proposed.loc[fresh]
    if "geometry" not in legs.columns:
        legs["geometry"] = None
    proposed["geometry"] = None
    combined = pd.concat([pd.DataFrame(legs), proposed], ignore_index=True)
    return fill_leg_attributes(
        network.replace(legs=_as_geoframe(combined)),
        modes,
        avoid=avoid,
        waypoints=waypoints,
    )
