"""Geography: CRS handling, distances, the sea graph, routes and leg attributes.

This module owns every coordinate-reference-system decision in hubopt: node coordinates
inside a :class:`~hubopt.network.Network` are always WGS84 longitude/latitude
(EPSG:4326), and anything else is converted here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import LineString

from ._validate import points_to_lonlat as points_to_lonlat
from .errors import RouteError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from pyproj import Geod
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

WGS84 = "EPSG:4326"  # also in hubopt._validate, which reads point layers


# ------------------------------------------------------------------------------------
# points
# ------------------------------------------------------------------------------------
#: The WGS84 ellipsoid used for every geodesic distance in hubopt.
@lru_cache(maxsize=1)
def geod() -> Geod:
    """The WGS84 ellipsoid of pyproj (made on first use: pyproj and scipy load only
    when a distance or a route is asked for, which keeps ``import hubopt`` quick)."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


def __getattr__(name: str) -> Any:
    """``geo.GEOD``, the ellipsoid, made on first use (see :func:`geod`)."""
    if name == "GEOD":
        return geod()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def _wrap_lon(lon: np.ndarray) -> np.ndarray:
    """Longitudes wrapped into [-180, 180)."""
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


def as_lonlat(points: Any, name: str = "points") -> np.ndarray:
    """Points of any supported kind as an (n, 2) float array of WGS84 lon, lat.

    Parameters
    ----------
    points
        An (n, 2) or (2,) array-like of longitude, latitude in degrees; a GeoSeries or
        GeoDataFrame of points in any CRS (converted to EPSG:4326); a shapely Point; or
        a sequence of shapely Points (taken as lon/lat).
    name
        What the points are, used in error messages.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): longitude in [-180, 180), latitude.

    Raises
    ------
    ValidationError
        When a GeoSeries/GeoDataFrame has no CRS, a geometry is not a point, or the
        coordinates are not finite lon/lat degrees.

    Examples
    --------
    >>> from hubopt import geo
    >>> geo.as_lonlat([(190.0, 10.0), (-7.5, 33.5)]).tolist()
    [[-170.0, 10.0], [-7.5, 33.5]]
    """
    if hasattr(points, "crs") and hasattr(points, "geometry"):
        lon, lat = points_to_lonlat(points, name)
        coords = np.column_stack([lon, lat])
    elif isinstance(points, shapely.Point):
        coords = np.array([[points.x, points.y]], dtype=float)
    else:
        seq = points
        if isinstance(seq, list | tuple) and seq and isinstance(seq[0], shapely.Point):
            seq = [[p.x, p.y] for p in seq]
        try:
            coords = np.asarray(seq, dtype=float)
        except (TypeError, ValueError) as exc:
            msg = f"{name}: cannot read {type(points).__name__} as lon/lat points"
            raise ValidationError(msg) from exc
        if coords.ndim == 1 and coords.shape == (2,):
            coords = coords[None, :]
        if coords.ndim != 2 or coords.shape[1] != 2:
            msg = (
                f"{name}: expected an (n, 2) array of lon, lat, got shape "
                f"{coords.shape}"
            )
            raise ValidationError(msg)
    problems = []
    for pos, (lon, lat) in enumerate(coords):
        if not (np.isfinite(lon) and np.isfinite(lat)):
            problems.append(f"{name}, point {pos}: lon/lat ({lon}, {lat}) not finite")
        elif not -90.0 <= lat <= 90.0 or not -540.0 <= lon <= 540.0:
            problems.append(
                f"{name}, point {pos}: ({lon:g}, {lat:g}) is not lon/lat in degrees; "
                "projected coordinates must come as a GeoSeries with their CRS"
            )
    if problems:
        raise ValidationError(problems)
    return np.column_stack([_wrap_lon(coords[:, 0]), coords[:, 1]])


def great_circle_km(
    a: Any, b: Any | None = None, *, pairwise: bool = False
) -> np.ndarray:
    """Geodesic distance on the WGS84 ellipsoid, in km.

    Parameters
    ----------
    a
        Points (see :func:`as_lonlat`): an (n, 2) lon/lat array, a GeoSeries or
        GeoDataFrame in any CRS, or shapely Points.
    b
        Points as for ``a``; ``a`` itself when None.
    pairwise
        When True, distances between ``a[i]`` and ``b[i]`` (equal lengths); otherwise
        the full matrix.

    Returns
    -------
    numpy.ndarray
        Shape (n,) when ``pairwise``, else (n, m), in km.

    Raises
    ------
    ValidationError
        For unreadable points, a missing CRS, or unequal lengths with ``pairwise``.

    Examples
    --------
    >>> round(float(great_circle_km([[0, 0]], [[1, 0]])[0, 0]), 1)
    111.3
    """
    pa = as_lonlat(a, "a")
    pb = pa if b is None else as_lonlat(b, "b")
    if pairwise:
        if len(pa) != len(pb):
            msg = (
                f"pairwise distances need as many points in a ({len(pa)}) as in b "
                f"({len(pb)})"
            )
            raise ValidationError(msg)
        return _geodesic_km(pa[:, 0], pa[:, 1], pb[:, 0], pb[:, 1])
    lon1 = np.repeat(pa[:, 0], len(pb))
    lat1 = np.repeat(pa[:, 1], len(pb))
    lon2 = np.tile(pb[:, 0], len(pa))
    lat2 = np.tile(pb[:, 1], len(pa))
    return _geodesic_km(lon1, lat1, lon2, lat2).reshape(len(pa), len(pb))


def _geodesic_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Elementwise WGS84 geodesic distance in km."""
    if len(np.atleast_1d(lon1)) == 0:
        return np.zeros(0)
    _, _, metres = geod().inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres, dtype=float) / 1000.0


def line_length_km(line: shapely.LineString | shapely.MultiLineString) -> float:
    """Geodesic length of a lon/lat (multi)line on the WGS84 ellipsoid, in km.

    Examples
    --------
    >>> from shapely import LineString
    >>> from hubopt import geo
    >>> round(geo.line_length_km(LineString([(0, 0), (1, 0)])), 1)
    111.3
    """
    return float(geod().geometry_length(line)) / 1000.0


def _unit_xyz(lonlat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere; longitudes 180 apart from -180 coincide."""
    lon = np.radians(lonlat[:, 0])
    lat = np.radians(lonlat[:, 1])
    return np.column_stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]
    )


def unwrap_lonlat(coords: np.ndarray) -> np.ndarray:
    """Make a lon/lat path continuous across the antimeridian.

    Each longitude is shifted by a multiple of 360 so that no step exceeds 180 degrees;
    the first point keeps its longitude. A trans-Pacific route therefore runs to
    longitudes beyond +-180 instead of jumping across the map.

    Examples
    --------
    >>> import numpy as np
    >>> from hubopt import geo
    >>> geo.unwrap_lonlat(np.array([[170.0, 0.0], [-170.0, 0.0]])).tolist()
    [[170.0, 0.0], [190.0, 0.0]]
    """
    coords = np.asarray(coords, dtype=float).copy()
    if len(coords) < 2:
        return coords
    steps = np.diff(coords[:, 0])
    steps = (steps + 180.0) % 360.0 - 180.0
    coords[1:, 0] = coords[0, 0] + np.cumsum(steps)
    return coords


# ------------------------------------------------------------------------------------
# the sea graph
# ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Passage:
    """A named strait, canal or link that ``avoid`` can close.

    Parameters
    ----------
    name
        The hubopt name used in ``avoid``.
    description
        What the passage is and how its edges are chosen.
    searoute_tags
        Values of the ``passage`` property of searoute's network edges that make up the
        passage.
    box
        Alternatively a lon/lat box (min_lon, min_lat, max_lon, max_lat): every edge
        with an end inside the box belongs to the passage.

    Examples
    --------
    >>> from hubopt import geo
    >>> geo.PASSAGES["bosporus"].searoute_tags
    ('bosporus',)
    >>> sorted(geo.PASSAGES)[:4]
    ['bab_el_mandeb', 'bering', 'bosporus', 'cape_horn']
    """

    name: str
    description: str
    searoute_tags: tuple[str, ...] = ()
    box: tuple[float, float, float, float] | None = None


#: Passages that ``avoid`` can close, by name.
PASSAGES: dict[str, Passage] = {
    p.name: p
    for p in (
        Passage("suez", "Suez Canal (searoute tag 'suez')", ("suez",)),
        Passage(
            "bab_el_mandeb",
            "Bab-el-Mandeb strait, Red Sea to Gulf of Aden (searoute 'babalmandab')",
            ("babalmandab",),
        ),
        Passage(
            "bosporus",
            "Bosporus, Black Sea to Sea of Marmara (searoute 'bosporus')",
            ("bosporus",),
        ),
        Passage(
            "dardanelles",
            "Dardanelles, Sea of Marmara to Aegean (searoute 'dardanelles')",
            ("dardanelles",),
        ),
        Passage(
            "gibraltar", "Strait of Gibraltar (searoute 'gibraltar')", ("gibraltar",)
        ),
        Passage("panama", "Panama Canal (searoute 'panama')", ("panama",)),
        Passage("hormuz", "Strait of Hormuz (searoute 'ormuz')", ("ormuz",)),
        Passage("malacca", "Strait of Malacca (searoute 'malacca')", ("malacca",)),
        Passage("sunda", "Sunda Strait (searoute 'sunda')", ("sunda",)),
        Passage(
            "cape_of_good_hope",
            "the open-ocean edges south of Africa (searoute 'south_africa')",
            ("south_africa",),
        ),
        Passage(
            "cape_horn",
            "Strait of Magellan and the Drake passage (searoute 'chili')",
            ("chili",),
        ),
        Passage("bering", "Bering Strait (searoute 'bering')", ("bering",)),
        Passage(
            "volga_don",
            "the inland waterway joining the Caspian to the Sea of Azov (Volga from "
            "above Astrakhan, Volga-Don Canal, Don to Rostov-on-Don); untagged in "
            "searoute, defined as every edge with an end in the box lon 40.0..47.5, "
            "lat 46.9..49.0",
            box=(40.0, 46.9, 47.5, 49.0),
        ),
        Passage(
            "northwest",
            "the Arctic Northwest Passage (searoute 'northwest'); always closed, as in "
            "searoute's default",
            ("northwest",),
        ),
    )
}

#: Passages closed in every query (ice-bound; searoute closes it by default too).
ALWAYS_CLOSED: tuple[str, ...] = ("northwest",)


@dataclass(frozen=True)
class _SeaGraph:
    """searoute's maritime network as arrays (built once, see :func:`_sea_graph`)."""

    lonlat: np.ndarray  # (N, 2) nodes, lon wrapped into [-180, 180)
    tail: np.ndarray  # (E,) edge start node
    head: np.ndarray  # (E,) edge end node
    length_km: np.ndarray  # (E,) geodesic edge length
    passage: np.ndarray  # (E,) hubopt passage name or ''


@dataclass(frozen=True)
class _OpenGraph:
    """The sea graph with some passages closed: matrix and lane-snapping index."""

    matrix: csr_matrix
    seg_tail: np.ndarray  # (K,) first node of each open lane segment (one per pair)
    seg_head: np.ndarray  # (K,) its other node
    tree: cKDTree  # points densified along the open segments, unit-sphere xyz
    sample_seg: np.ndarray  # (S,) lane segment of each tree point


@dataclass(frozen=True)
class _Snap:
    """Where each of n points joins the sea lanes (see :func:`_snap`)."""

    seg: np.ndarray  # (n,) lane segment index in the open graph
    tail: np.ndarray  # (n,) the segment's two end nodes
    head: np.ndarray
    lonlat: np.ndarray  # (n, 2) the point's projection on the segment
    snap_km: np.ndarray  # (n,) geodesic point -> projection
    tail_km: np.ndarray  # (n,) geodesic projection -> tail node
    head_km: np.ndarray  # (n,) geodesic projection -> head node


#: Mean Earth radius (IUGG), km: only converts the snapping index's spacing.
_EARTH_RADIUS_KM = 6371.0088
#: Spacing of the points densified along each lane segment for the snapping index, as
#: an angle on the unit sphere (20 km). Snapping is exact whatever the spacing; it
#: trades the size of the index against the number of candidate segments per query.
_SAMPLE_RAD = 20.0 / _EARTH_RADIUS_KM


@lru_cache(maxsize=1)
def _sea_graph() -> _SeaGraph:
    """Build the sea graph from searoute's bundled marnet network (cached)."""
    from searoute.data.marnet_dict import edge_list, node_list

    keys = list(node_list)
    index = {key: i for i, key in enumerate(keys)}
    raw = np.array(keys, dtype=float)
    lonlat = np.column_stack([_wrap_lon(raw[:, 0]), raw[:, 1]])
    tag_to_name = {t: p.name for p in PASSAGES.values() for t in p.searoute_tags}
    tail, head, tags = [], [], []
    for u, neighbours in edge_list.items():
        iu = index[u]
        for v, data in neighbours.items():
            tail.append(iu)
            head.append(index[v])
            tags.append(tag_to_name.get(data.get("passage"), ""))
    tail_a = np.asarray(tail, dtype=np.int64)
    head_a = np.asarray(head, dtype=np.int64)
    passage = np.asarray(tags, dtype=object)
    for p in PASSAGES.values():
        if p.box is None:
            continue
        x0, y0, x1, y1 = p.box
        inside = (
            (lonlat[:, 0] >= x0)
            & (lonlat[:, 0] <= x1)
            & (lonlat[:, 1] >= y0)
            & (lonlat[:, 1] <= y1)
        )
        passage[inside[tail_a] | inside[head_a]] = p.name
    length = _geodesic_km(
        lonlat[tail_a, 0], lonlat[tail_a, 1], lonlat[head_a, 0], lonlat[head_a, 1]
    )
    # Antimeridian twins (180, y) and (-180, y) are joined by zero-length edges; a
    # tiny positive weight keeps them as edges in the sparse matrix.
    length = np.maximum(length, 1e-9)
    return _SeaGraph(lonlat, tail_a, head_a, length, passage)


@lru_cache(maxsize=1)
def _edge_passages() -> dict[tuple[int, int], str]:
    """Passage name of every tagged sea-graph edge, keyed by (tail, head) node."""
    graph = _sea_graph()
    tagged = np.flatnonzero(graph.passage != "")
    return {
        (int(graph.tail[k]), int(graph.head[k])): str(graph.passage[k]) for k in tagged
    }


def _passages_on(
    nodes: list[int], first: tuple[int, int], last: tuple[int, int]
) -> tuple[str, ...]:
    """Passages crossed, in travel order without repeats, by a route that joins the
    lanes on segment ``first``, follows ``nodes`` and leaves on segment ``last``."""
    edges = _edge_passages()
    found: list[str] = []
    steps = [first, *itertools.pairwise(nodes), last]
    for u, v in steps:
        name = edges.get((u, v)) or edges.get((v, u))
        if name and name not in found:
            found.append(name)
    return tuple(found)


def _closed_passages(avoid: Any) -> frozenset[str]:
    """Validate ``avoid`` and add the always-closed passages."""
    if isinstance(avoid, str):
        avoid = (avoid,)
    names = [str(a).strip().lower() for a in (avoid or ())]
    unknown = sorted({n for n in names if n not in PASSAGES})
    if unknown:
        msg = (
            f"avoid: unknown passage name(s) {unknown}; known passages: "
            f"{', '.join(sorted(PASSAGES))}"
        )
        raise ValidationError(msg)
    return frozenset(names) | frozenset(ALWAYS_CLOSED)


@lru_cache(maxsize=32)
def _open_graph(closed: frozenset[str]) -> _OpenGraph:
    """The sea graph without the closed passages' edges (cached per closed set).

    Besides the sparse matrix, builds the snapping index: every open lane segment (the
    network is symmetric, so one segment per node pair; the zero-length antimeridian
    joins left out) is densified into points at most :data:`_SAMPLE_RAD` apart on the
    unit sphere, held in a KD-tree that points back to the segment.
    """
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

    graph = _sea_graph()
    keep = ~np.isin(graph.passage, list(closed))
    n = len(graph.lonlat)
    matrix = csr_matrix(
        (graph.length_km[keep], (graph.tail[keep], graph.head[keep])), shape=(n, n)
    )
    lanes = keep & (graph.tail < graph.head) & (graph.length_km > 1e-6)
    seg_tail, seg_head = graph.tail[lanes], graph.head[lanes]
    xyz = _unit_xyz(graph.lonlat)
    a, b = xyz[seg_tail], xyz[seg_head]
    angle = np.arccos(np.clip(np.einsum("ij,ij->i", a, b), -1.0, 1.0))
    pieces = np.maximum(1, np.ceil(angle / _SAMPLE_RAD)).astype(np.int64)
    counts = pieces + 1
    sample_seg = np.repeat(np.arange(len(seg_tail)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    frac = (np.arange(counts.sum()) - first) / np.repeat(pieces, counts)
    theta = angle[sample_seg]
    sin_theta = np.sin(theta)
    tiny = sin_theta < 1e-12
    safe = np.where(tiny, 1.0, sin_theta)
    # spherical linear interpolation between the two ends
    w_a = np.where(tiny, 1.0 - frac, np.sin((1.0 - frac) * theta) / safe)
    w_b = np.where(tiny, frac, np.sin(frac * theta) / safe)
    samples = w_a[:, None] * a[sample_seg] + w_b[:, None] * b[sample_seg]
    return _OpenGraph(matrix, seg_tail, seg_head, cKDTree(samples), sample_seg)


def _rowdot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", u, v)


def _nearest_on_arcs(
    p: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest point of each great-circle arc a-b to p (unit vectors, row by row).

    Returns the nearest points and, per row, 0 when it lies inside the arc, 1 when it
    is the end ``a`` and 2 when it is the end ``b``.
    """
    normal = np.cross(a, b)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    foot = p - _rowdot(p, normal)[:, None] * normal
    size = np.linalg.norm(foot, axis=1)
    foot /= np.where(size > 1e-15, size, 1.0)[:, None]
    inside = (
        (size > 1e-15)
        & (_rowdot(np.cross(a, foot), normal) >= 0.0)
        & (_rowdot(np.cross(foot, b), normal) >= 0.0)
    )
    end = np.where(_rowdot(p, a) >= _rowdot(p, b), 1, 2)
    where = np.where(inside, 0, end)
    nearest = np.where(inside[:, None], foot, np.where((end == 1)[:, None], a, b))
    return nearest, where


def _snap(points: np.ndarray, graph: _OpenGraph) -> _Snap:
    """Nearest point of the open sea lanes to each point, and how it joins them.

    The KD-tree's nearest densified point, ``s`` away, is within half a spacing of its
    segment; so every segment whose true distance could beat it has a densified point
    within ``s + spacing / 2``. Those candidates are projected exactly on their
    great-circle arcs and the nearest wins (ties go to the lowest segment index).
    """
    lonlat = _sea_graph().lonlat
    p = _unit_xyz(points)
    chord, _ = graph.tree.query(p)
    angle = 2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))
    reach = np.minimum(angle + _SAMPLE_RAD / 2.0 + 1e-9, np.pi)
    hits = graph.tree.query_ball_point(p, 2.0 * np.sin(reach / 2.0))
    cand = [np.unique(graph.sample_seg[h]) for h in np.atleast_1d(hits)]
    point_of = np.repeat(np.arange(len(points)), [len(c) for c in cand])
    seg = np.concatenate(cand)
    tail, head = graph.seg_tail[seg], graph.seg_head[seg]
    xyz = _unit_xyz(lonlat)
    nearest, where = _nearest_on_arcs(p[point_of], xyz[tail], xyz[head])
    closeness = _rowdot(p[point_of], nearest)
    order = np.lexsort((seg, -closeness, point_of))
    _, first = np.unique(point_of[order], return_index=True)
    best = order[first]
    seg, tail, head, where = seg[best], tail[best], head[best], where[best]
    proj = nearest[best]
    proj_lonlat = np.column_stack(
        [
            _wrap_lon(np.degrees(np.arctan2(proj[:, 1], proj[:, 0]))),
            np.degrees(np.arcsin(np.clip(proj[:, 2], -1.0, 1.0))),
        ]
    )
    # a projection onto an end is that node exactly (no round trip through xyz)
    proj_lonlat[where == 1] = lonlat[tail[where == 1]]
    proj_lonlat[where == 2] = lonlat[head[where == 2]]
    px, py = proj_lonlat[:, 0], proj_lonlat[:, 1]
    snap_km = _geodesic_km(points[:, 0], points[:, 1], px, py)
    tail_km = _geodesic_km(px, py, lonlat[tail, 0], lonlat[tail, 1])
    head_km = _geodesic_km(px, py, lonlat[head, 0], lonlat[head, 1])
    return _Snap(seg, tail, head, proj_lonlat, snap_km, tail_km, head_km)


def snap_to_sea(points: Any, *, avoid: Any = ()) -> tuple[np.ndarray, np.ndarray]:
    """The nearest point of the sea lanes to each point, and the distance to it.

    Parameters
    ----------
    points
        Points as accepted by :func:`as_lonlat`.
    avoid
        Closed passages: their lane segments are not snap targets.

    Returns
    -------
    lonlat, distance_km
        An (n, 2) array of the snapped positions (the point's projection on the
        nearest open lane segment, which may be a network node) and an (n,) array of
        the geodesic distance from each point to it.

    Examples
    --------
    >>> from hubopt import geo
    >>> lonlat, km = geo.snap_to_sea([(-7.62, 33.6)])  # Casablanca
    >>> lonlat.shape, bool(km[0] < 50)
    ((1, 2), True)
    """
    pts = as_lonlat(points, "points")
    snap = _snap(pts, _open_graph(_closed_passages(avoid)))
    return snap.lonlat.copy(), snap.snap_km


def _sea_solve(
    src: np.ndarray, dst: np.ndarray, closed: frozenset[str], *, paths: bool = False
) -> tuple[
    np.ndarray, list[list[np.ndarray]] | None, list[list[tuple[str, ...]]] | None
]:
    """Sea distances (km) from every src to every dst point, with one Dijkstra call.

    Each point joins the lanes at its projection on the nearest open segment and
    continues through either end of it. Returns the (n, m) distance matrix and, when
    ``paths``, the route vertices between the two points of each pair (projection,
    network nodes, projection; empty for the direct line) and the passages each
    route crosses (see :data:`PASSAGES`; the lane segments a point joins count).
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    graph = _open_graph(closed)
    s = _snap(src, graph)
    t = _snap(dst, graph)
    n = len(src)
    # One virtual node per source point, at its projection, joined to both ends of its
    # segment; one Dijkstra run from all of them. (Edges only leave the virtual
    # nodes, so no route passes through another point's projection.)
    size = graph.matrix.shape[0]
    virtual = np.arange(size, size + n)
    matrix = graph.matrix.tocoo()
    augmented = csr_matrix(
        (
            np.concatenate(
                [
                    matrix.data,
                    np.maximum(s.tail_km, 1e-9),  # sparse zeros are no edges
                    np.maximum(s.head_km, 1e-9),
                ]
            ),
            (
                np.concatenate([matrix.row, virtual, virtual]),
                np.concatenate([matrix.col, s.tail, s.head]),
            ),
        ),
        shape=(size + n, size + n),
    )
    if paths:
        dist, pred = dijkstra(
            augmented, directed=True, indices=virtual, return_predecessors=True
        )
    else:
        dist = dijkstra(augmented, directed=True, indices=virtual)
        pred = None
    # arrive by either end of the target segment
    by_tail = dist[:, t.tail] + t.tail_km[None, :]
    by_head = dist[:, t.head] + t.head_km[None, :]
    arrive = np.where(by_head < by_tail, t.head, t.tail)
    total = s.snap_km[:, None] + np.minimum(by_tail, by_head) + t.snap_km[None, :]
    # Both points on the same segment (or at the same node): the way along the
    # segment between the projections is a candidate, and when the two points are
    # nearer each other than the farther of them is to the lane (same bay or
    # roadstead) the direct line is used.
    along = np.zeros(total.shape, dtype=bool)
    direct = np.zeros(total.shape, dtype=bool)
    shared = (s.seg[:, None] == t.seg[None, :]) | np.all(
        s.lonlat[:, None, :] == t.lonlat[None, :, :], axis=2
    )
    if shared.any():
        i, j = np.nonzero(shared)
        on_lane = (
            s.snap_km[i]
            + t.snap_km[j]
            + _geodesic_km(
                s.lonlat[i, 0], s.lonlat[i, 1], t.lonlat[j, 0], t.lonlat[j, 1]
            )
        )
        line = _geodesic_km(src[i, 0], src[i, 1], dst[j, 0], dst[j, 1])
        near = line <= np.maximum(s.snap_km[i], t.snap_km[j])
        use_line = near & (line < total[i, j])
        use_lane = ~use_line & (on_lane < total[i, j])
        direct[i[use_line], j[use_line]] = True
        along[i[use_lane], j[use_lane]] = True
        total[i, j] = np.where(use_line, line, np.where(use_lane, on_lane, total[i, j]))
    vertices = crossed = None
    if paths:
        lonlat = _sea_graph().lonlat
        vertices, crossed = [], []
        for i in range(n):
            row, row_passages = [], []
            first = (int(s.tail[i]), int(s.head[i]))
            for j in range(len(dst)):
                last = (int(t.tail[j]), int(t.head[j]))
                if direct[i, j] or not np.isfinite(total[i, j]):
                    row.append(np.empty((0, 2)))
                    row_passages.append(())
                    continue
                if along[i, j]:
                    row.append(np.vstack([s.lonlat[i], t.lonlat[j]]))
                    row_passages.append(_passages_on([], first, first))
                    continue
                nodes = _walk(pred[i], int(virtual[i]), int(arrive[i, j]))[1:]
                row.append(np.vstack([s.lonlat[i], lonlat[nodes], t.lonlat[j]]))
                row_passages.append(_passages_on(nodes, first, last))
            vertices.append(row)
            crossed.append(row_passages)
    return total, vertices, crossed


def _walk(pred: np.ndarray, source: int, target: int) -> list[int]:
    """Node path source..target from a predecessor row; [] when unreachable."""
    if target == source:
        return [int(source)]
    if pred[target] < 0:
        return []
    path = [int(target)]
    while path[-1] != source:
        path.append(int(pred[path[-1]]))
    return path[::-1]


def sea_distances(from_points: Any, to_points: Any, *, avoid: Any = ()) -> np.ndarray:
    """Shortest sea distance, in km, between every pair of points.

    Each point is snapped to the nearest node of searoute's maritime network (on the
    unit sphere); the distance is the geodesic from the point to its node, plus the
    shortest path through the network, plus the last node to the point. The whole
    matrix takes one multi-source Dijkstra run over the distinct snapped sources.

    Parameters
    ----------
    from_points, to_points
        Points as accepted by :func:`as_lonlat` (lon/lat arrays, GeoSeries or
        GeoDataFrames in any CRS, shapely Points).
    avoid
        Names of passages to close (see :data:`PASSAGES`), e.g. ``("suez",)``.

    Returns
    -------
    numpy.ndarray
        Shape (n, m) in km; ``inf`` where closing passages leaves no route.

    Raises
    ------
    ValidationError
        For unreadable points or an unknown passage name.

    Examples
    --------
    >>> novorossiysk, mombasa = (37.78, 44.72), (39.67, -4.07)
    >>> via_suez = sea_distances([novorossiysk], [mombasa])[0, 0]
    >>> round_africa = sea_distances([novorossiysk], [mombasa], avoid=["suez"])[0, 0]
    >>> bool(round_africa > 2 * via_suez)
    True
    """
    src = as_lonlat(from_points, "from_points")
    dst = as_lonlat(to_points, "to_points")
    if len(src) == 0 or len(dst) == 0:
        return np.zeros((len(src), len(dst)))
    total, _, _ = _sea_solve(src, dst, _closed_passages(avoid))
    return total


def _path_line(start: np.ndarray, via: np.ndarray, end: np.ndarray) -> LineString:
    """The LineString start -> via vertices -> end, continuous across +-180."""
    return line_from_coords(np.vstack([start[None, :], via, end[None, :]]))


def line_from_coords(coords: np.ndarray) -> LineString:
    """A lon/lat LineString through ``coords`` (n, 2), continuous across +-180, without
    consecutive duplicate vertices (a point sitting exactly on its node); a single
    point gives a zero-length line.

    Examples
    --------
    >>> line_from_coords(np.array([[179.0, 0.0], [179.0, 0.0], [-179.0, 0.0]])).wkt
    'LINESTRING (179 0, 181 0)'
    """
    coords = unwrap_lonlat(np.asarray(coords, dtype=float))
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(coords, axis=0)) > 1e-12, axis=1)
    coords = coords[keep]
    if len(coords) == 1:
        coords = np.vstack([coords, coords])
    return LineString(coords)


def sea_routes(
    from_points: Any, to_points: Any, *, avoid: Any = ()
) -> tuple[np.ndarray, list[list[LineString | None]]]:
    """Sea distances and route lines for every pair, with one Dijkstra run.

    Parameters
    ----------
    from_points, to_points, avoid
        As for :func:`sea_distances`.

    Returns
    -------
    distance_km, lines
        The (n, m) distance matrix and an n-by-m nested list of lon/lat LineStrings,
        each starting at its from-point and ending at its to-point (None where there is
        no route).

    Examples
    --------
    >>> from hubopt import geo
    >>> km, lines = geo.sea_routes([(-7.62, 33.6)], [(-17.43, 14.68), (3.39, 6.45)])
    >>> km.shape, [round(v, 6) for v in lines[0][1].coords[-1]]
    ((1, 2), [3.39, 6.45])
    """
    routes = sea_routes_with_passages(from_points, to_points, avoid=avoid)
    return routes.distance_km, routes.lines


@dataclass(frozen=True)
class SeaRoutes:
    """Sea distances, route lines and the passages each route crosses.

    ``distance_km`` is (n, m); ``lines[i][j]`` a lon/lat LineString (None where there
    is no route); ``passages[i][j]`` the names (see :data:`PASSAGES`) of the straits
    and canals the route crosses, in travel order.
    """

    distance_km: np.ndarray
    lines: list[list[LineString | None]]
    passages: list[list[tuple[str, ...]]]


def sea_routes_with_passages(
    from_points: Any, to_points: Any, *, avoid: Any = ()
) -> SeaRoutes:
    """:func:`sea_routes` plus the passages each route crosses (for passage dues).

    Parameters
    ----------
    from_points, to_points, avoid
        As for :func:`sea_distances`.

    Returns
    -------
    SeaRoutes

    Examples
    --------
    >>> from hubopt import geo
    >>> novorossiysk, casablanca = (37.78, 44.72), (-7.62, 33.6)
    >>> geo.sea_routes_with_passages([novorossiysk], [casablanca]).passages[0][0]
    ('bosporus', 'dardanelles', 'gibraltar')
    """
    src = as_lonlat(from_points, "from_points")
    dst = as_lonlat(to_points, "to_points")
    if len(src) == 0 or len(dst) == 0:
        empty: list[list[Any]] = [[] for _ in range(len(src))]
        return SeaRoutes(np.zeros((len(src), len(dst))), empty, empty)
    total, paths, crossed = _sea_solve(src, dst, _closed_passages(avoid), paths=True)
    assert paths is not None and crossed is not None
    lines: list[list[LineString | None]] = []
    for i in range(len(src)):
        row: list[LineString | None] = []
        for j in range(len(dst)):
            if not np.isfinite(total[i, j]):
                row.append(None)
                continue
            row.append(_path_line(src[i], paths[i][j], dst[j]))
        lines.append(row)
    return SeaRoutes(total, lines, crossed)


def sea_route(a: Any, b: Any, *, avoid: Any = ()) -> LineString:
    """The shortest sea route from ``a`` to ``b`` as a lon/lat LineString.

    The line starts exactly at ``a`` and ends exactly at ``b``; longitudes are made
    continuous (a route across the Pacific runs beyond +-180 rather than jumping), so
    wrap them with ``((lon + 180) % 360) - 180`` if a tool needs them in range.

    Parameters
    ----------
    a, b
        One point each (a (lon, lat) pair, a shapely Point, or a one-row GeoSeries).
    avoid
        Names of passages to close.

    Returns
    -------
    shapely.LineString

    Raises
    ------
    RouteError
        When the closed passages leave no sea route; the message names the passage(s)
        whose opening would restore one.
    ValidationError
        For unreadable points or an unknown passage name.

    Examples
    --------
    >>> from hubopt import geo
    >>> line = geo.sea_route((-7.62, 33.6), (-17.43, 14.68))  # Casablanca -> Dakar
    >>> [tuple(round(v, 6) for v in xy) for xy in (line.coords[0], line.coords[-1])]
    [(-7.62, 33.6), (-17.43, 14.68)]
    >>> 2_000 < geo.line_length_km(line) < 3_000
    True
    """
    src = as_lonlat(a, "a")
    dst = as_lonlat(b, "b")
    if len(src) != 1 or len(dst) != 1:
        msg = f"sea_route takes one point each; got {len(src)} and {len(dst)}"
        raise ValidationError(msg)
    _, lines = sea_routes(src, dst, avoid=avoid)
    if lines[0][0] is None:
        raise RouteError(_no_route_message(src, dst, avoid, ["a -> b"]))
    return lines[0][0]


def blocking_passages(a: Any, b: Any, *, avoid: Any = ()) -> list[str]:
    """Which closed passages, opened alone, would give ``a`` a sea route to ``b``.

    Returns an empty list when ``a`` already reaches ``b`` or when no single passage
    suffices.

    Examples
    --------
    >>> from hubopt import geo
    >>> casablanca, novorossiysk = (-7.62, 33.6), (37.77, 44.72)
    >>> geo.blocking_passages(casablanca, novorossiysk, avoid=["bosporus"])
    ['bosporus']
    """
    src = as_lonlat(a, "a")[:1]
    dst = as_lonlat(b, "b")[:1]
    closed = _closed_passages(avoid)
    if np.isfinite(_sea_solve(src, dst, closed)[0][0, 0]):
        return []
    found = []
    for name in sorted(closed - frozenset(ALWAYS_CLOSED)):
        if np.isfinite(_sea_solve(src, dst, closed - {name})[0][0, 0]):
            found.append(name)
    return found


def _no_route_message(
    src: np.ndarray, dst: np.ndarray, avoid: Any, labels: list[str]
) -> str:
    closed = sorted(_closed_passages(avoid) - frozenset(ALWAYS_CLOSED))
    lines = []
    for (lon1, lat1), (lon2, lat2), label in zip(src, dst, labels, strict=True):
        needed = blocking_passages([lon1, lat1], [lon2, lat2], avoid=avoid)
        if needed:
            why = f"it needs passage(s) {', '.join(needed)}, closed by avoid"
        elif closed:
            why = f"closed passages {', '.join(closed)} cut it off"
        else:
            why = "the points lie in unconnected waters"
        lines.append(
            f"no sea route for {label} ({lon1:.3f}, {lat1:.3f}) -> "
            f"({lon2:.3f}, {lat2:.3f}): {why}"
        )
    return "\n".join(lines)


def require_sea_distances(
    from_points: Any,
    to_points: Any,
    *,
    avoid: Any = (),
    labels: list[list[str]] | None = None,
) -> np.ndarray:
    """:func:`sea_distances`, raising when any pair has no route.

    Parameters
    ----------
    from_points, to_points, avoid
        As for :func:`sea_distances`.
    labels
        Optional n-by-m names of the pairs (e.g. ``"leg NOV->CAS"``) for the message.

    Returns
    -------
    numpy.ndarray
        The (n, m) distance matrix, all finite.

    Raises
    ------
    RouteError
        Naming each unreachable pair and the closed passage(s) it needs.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt import geo
    >>> casablanca, novorossiysk = (-7.62, 33.6), (37.77, 44.72)
    >>> geo.require_sea_distances([casablanca], [novorossiysk], avoid=["bosporus"])
    Traceback (most recent call last):
    ...
    hubopt.errors.RouteError: ...bosporus...
    """
    src = as_lonlat(from_points, "from_points")
    dst = as_lonlat(to_points, "to_points")
    dist = sea_distances(src, dst, avoid=avoid)
    bad = np.argwhere(~np.isfinite(dist))
    if len(bad):
        names = [
            labels[i][j] if labels is not None else f"pair ({i}, {j})" for i, j in bad
        ]
        raise RouteError(
            _no_route_message(src[bad[:, 0]], dst[bad[:, 1]], avoid, names)
        )
    return dist
