"""Tests of hubopt.geo: great-circle distances, CRS handling and the sea graph."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hubopt import geo
from hubopt.errors import RouteError, ValidationError

NM_KM = 1.852

# lon, lat
NOVOROSSIYSK = (37.783, 44.717)  # NGA World Port Index
CASABLANCA = (-7.617, 33.600)
MOMBASA = (39.667, -4.067)
AKTAU = (51.213, 43.682)  # searoute ports.geojson (KZAAU)
BAKU = (49.87, 40.37)
JEDDAH = (39.15, 21.48)
CONSTANTA = (28.66, 44.17)
SINGAPORE = (103.85, 1.26)
ROTTERDAM = (4.05, 51.95)
YOKOHAMA = (139.65, 35.45)
SAN_FRANCISCO = (-122.40, 37.80)


# -- great circle --
def test_great_circle_one_degree_on_the_equator():
    # WGS84 equatorial radius 6378.137 km -> 2*pi*a/360 = 111.3195 km
    d = geo.great_circle_km([[0.0, 0.0]], [[1.0, 0.0]])
    assert d.shape == (1, 1)
    assert d[0, 0] == pytest.approx(111.3195, abs=1e-3)


def test_great_circle_matrix_and_pairwise_agree():
    a = np.array([NOVOROSSIYSK, CASABLANCA, MOMBASA])
    b = np.array([AKTAU, BAKU, JEDDAH])
    full = geo.great_circle_km(a, b)
    assert full.shape == (3, 3)
    assert np.allclose(np.diag(full), geo.great_circle_km(a, b, pairwise=True))
    square = geo.great_circle_km(a)
    assert np.allclose(square, square.T)
    assert np.allclose(np.diag(square), 0.0)


def test_great_circle_pairwise_needs_equal_lengths():
    with pytest.raises(ValidationError, match="as many points"):
        geo.great_circle_km([[0, 0], [1, 1]], [[0, 0]], pairwise=True)


def test_great_circle_across_the_antimeridian():
    # 179.5E to 179.5W along the equator is 1 degree, not 359
    d = geo.great_circle_km([[179.5, 0.0]], [[-179.5, 0.0]])[0, 0]
    assert d == pytest.approx(111.3195, abs=1e-3)


def test_projected_geoseries_is_converted():
    pts = gpd.GeoSeries(
        [shapely.Point(NOVOROSSIYSK), shapely.Point(CASABLANCA)], crs="EPSG:4326"
    )
    mercator = pts.to_crs("EPSG:3857")
    assert abs(mercator.x.iloc[0]) > 1e6  # metres, not degrees
    expected = geo.great_circle_km(np.array([NOVOROSSIYSK]), np.array([CASABLANCA]))
    got = geo.great_circle_km(mercator.iloc[:1], mercator.iloc[1:])
    assert got[0, 0] == pytest.approx(expected[0, 0], rel=1e-9)
    frame = gpd.GeoDataFrame({"id": ["N", "C"]}, geometry=mercator)
    assert np.allclose(geo.great_circle_km(frame), geo.great_circle_km(pts))


def test_geoseries_without_crs_is_an_error():
    pts = gpd.GeoSeries([shapely.Point(0, 0)])
    with pytest.raises(ValidationError, match="no CRS"):
        geo.great_circle_km(pts)


def test_projected_numbers_as_lonlat_are_an_error():
    with pytest.raises(ValidationError, match="not lon/lat"):
        geo.great_circle_km([[4_200_000.0, 5_500_000.0]])


def test_non_point_geometry_is_an_error():
    lines = gpd.GeoSeries([shapely.LineString([(0, 0), (1, 1)])], crs="EPSG:4326")
    with pytest.raises(ValidationError, match="expected a point"):
        geo.as_lonlat(lines)


def test_shapely_points_accepted():
    one = geo.as_lonlat(shapely.Point(10, 20))
    many = geo.as_lonlat([shapely.Point(10, 20), shapely.Point(190, 0)])
    assert one.tolist() == [[10.0, 20.0]]
    assert many[1].tolist() == [-170.0, 0.0]


# -- sea distances against published figures --
def test_jeddah_constanta_matches_suez_canal_authority_figures():
    # Suez Canal Authority, "Influences of the Suez Canal on World Trade" (as published
    # on seapace.com/scinfo): Jeddah - Constanta 1,698 nm via Suez, 11,771 nm via the
    # Cape of Good Hope.
    via_suez = geo.sea_distances([JEDDAH], [CONSTANTA])[0, 0] / NM_KM
    via_cape = geo.sea_distances([JEDDAH], [CONSTANTA], avoid=["suez"])[0, 0] / NM_KM
    assert via_suez == pytest.approx(1698, rel=0.03)
    assert via_cape == pytest.approx(11771, rel=0.03)


def test_singapore_rotterdam_suez_saving():
    # "Suez cuts Singapore - Rotterdam by nearly 3,500 nautical miles (6,480 km)"
    # (BBC, quoted by AsiaOne, 2024).
    both = geo.sea_distances([SINGAPORE], [ROTTERDAM])[0, 0]
    cape = geo.sea_distances([SINGAPORE], [ROTTERDAM], avoid=["suez"])[0, 0]
    assert (cape - both) / NM_KM == pytest.approx(3500, rel=0.05)


def test_novorossiysk_casablanca_matches_searoute():
    # searoute 1.6.0 gives 2,439.4 nm node to node (shared reference table);
    # hubopt adds the port-to-node legs, so it is a little longer.
    d = geo.sea_distances([NOVOROSSIYSK], [CASABLANCA])[0, 0]
    assert d == pytest.approx(2439.4 * NM_KM, rel=0.02)
    assert d >= 2439.4 * NM_KM * 0.995


def test_avoid_suez_goes_round_the_cape():
    via_suez = geo.sea_distances([NOVOROSSIYSK], [MOMBASA])[0, 0]
    cape = geo.sea_distances([NOVOROSSIYSK], [MOMBASA], avoid=["suez"])[0, 0]
    bab = geo.sea_distances([NOVOROSSIYSK], [MOMBASA], avoid=("bab_el_mandeb",))[0, 0]
    assert cape > 2 * via_suez
    assert bab == pytest.approx(cape, rel=1e-6)
    line = geo.sea_route(NOVOROSSIYSK, MOMBASA, avoid="suez")
    assert min(y for _, y in line.coords) < -30  # south of the Cape


def test_matrix_equals_single_queries():
    src = [NOVOROSSIYSK, CASABLANCA, NOVOROSSIYSK]
    dst = [MOMBASA, JEDDAH]
    m = geo.sea_distances(src, dst)
    assert m.shape == (3, 2)
    for i, a in enumerate(src):
        for j, b in enumerate(dst):
            assert m[i, j] == pytest.approx(geo.sea_distances([a], [b])[0, 0])
    assert np.allclose(m[0], m[2])


def test_symmetry_and_same_point():
    d = geo.sea_distances([NOVOROSSIYSK, CASABLANCA], [NOVOROSSIYSK, CASABLANCA])
    assert np.allclose(d, d.T, rtol=1e-9)
    assert np.allclose(np.diag(d), 0.0)


def test_sea_route_endpoints_and_length():
    line = geo.sea_route(NOVOROSSIYSK, CASABLANCA)
    assert line.coords[0] == pytest.approx(NOVOROSSIYSK)
    assert line.coords[-1] == pytest.approx(CASABLANCA)
    d = geo.sea_distances([NOVOROSSIYSK], [CASABLANCA])[0, 0]
    assert geo.line_length_km(line) == pytest.approx(d, rel=1e-6)


def test_sea_route_across_the_pacific_is_continuous():
    line = geo.sea_route(YOKOHAMA, SAN_FRANCISCO)
    xs = np.array([x for x, _ in line.coords])
    assert np.abs(np.diff(xs)).max() < 180
    assert xs.max() > 180  # runs on past the antimeridian instead of jumping
    assert (xs[-1] + 180) % 360 - 180 == pytest.approx(SAN_FRANCISCO[0])
    # open ocean: the sea route stays within a few % of the great circle
    d = geo.sea_distances([YOKOHAMA], [SAN_FRANCISCO])[0, 0]
    gc = geo.great_circle_km([YOKOHAMA], [SAN_FRANCISCO])[0, 0]
    assert gc <= d <= 1.05 * gc


# -- the Caspian and unreachable pairs --
def test_caspian_is_linked_by_the_volga_don_only():
    inside = geo.sea_distances([AKTAU], [BAKU], avoid=["volga_don"])[0, 0]
    assert 400 < inside < 600
    out = geo.sea_distances([AKTAU], [CASABLANCA, NOVOROSSIYSK], avoid=["volga_don"])
    assert np.isinf(out).all()
    assert np.isfinite(geo.sea_distances([AKTAU], [CASABLANCA])[0, 0])


def test_volga_don_box_holds_only_the_waterway():
    graph = geo._sea_graph()
    in_box = graph.passage == "volga_don"
    nodes = np.unique(np.concatenate([graph.tail[in_box], graph.head[in_box]]))
    degree = np.bincount(graph.tail, minlength=len(graph.lonlat))
    # a simple chain: every node has two neighbours except where it meets the sea
    assert (degree[nodes] <= 2).sum() >= len(nodes) - 2


def test_unreachable_route_names_the_passage():
    assert geo.blocking_passages(AKTAU, CASABLANCA, avoid=["volga_don"]) == [
        "volga_don"
    ]
    with pytest.raises(RouteError, match="volga_don"):
        geo.sea_route(AKTAU, CASABLANCA, avoid=["volga_don"])
    with pytest.raises(RouteError, match=r"leg AKT->CAS.*volga_don"):
        geo.require_sea_distances(
            [AKTAU], [CASABLANCA], avoid=["volga_don"], labels=[["leg AKT->CAS"]]
        )


def test_black_sea_shut_without_bosporus():
    d = geo.sea_distances([NOVOROSSIYSK], [CASABLANCA], avoid=["bosporus", "volga_don"])
    assert np.isinf(d[0, 0])
    assert "bosporus" in geo.blocking_passages(
        NOVOROSSIYSK, CASABLANCA, avoid=["bosporus", "volga_don"]
    )


def test_unknown_passage_lists_the_known_names():
    with pytest.raises(ValidationError, match=r"unknown passage.*suez.*volga_don"):
        geo.sea_distances([AKTAU], [BAKU], avoid=["suezz"])


def test_every_required_passage_exists_and_has_edges():
    graph = geo._sea_graph()
    for name in (
        "suez",
        "bab_el_mandeb",
        "bosporus",
        "gibraltar",
        "panama",
        "hormuz",
        "malacca",
        "volga_don",
    ):
        assert name in geo.PASSAGES
        assert (graph.passage == name).sum() >= 2, name


def test_gibraltar_closed_lengthens_or_cuts_med_to_atlantic():
    d = geo.sea_distances([NOVOROSSIYSK], [CASABLANCA], avoid=["gibraltar"])[0, 0]
    open_ = geo.sea_distances([NOVOROSSIYSK], [CASABLANCA])[0, 0]
    assert d > 2 * open_  # round Africa through Suez


def test_snap_to_sea():
    lonlat, dist = geo.snap_to_sea([CASABLANCA, (0.0, 0.0)])
    assert lonlat.shape == (2, 2)
    assert (dist >= 0).all()
    assert dist[0] < 100


def test_volga_don_closure_keeps_rostov_and_astrakhan_on_their_seas():
    rostov, astrakhan = (39.70, 47.22), (48.03, 46.35)
    sea_of_azov, caspian = (37.0, 46.0), (50.0, 42.0)
    d = geo.sea_distances(
        [rostov, astrakhan], [sea_of_azov, caspian], avoid=["volga_don"]
    )
    assert np.isfinite(d[0, 0]) and np.isfinite(d[1, 1])
    assert np.isinf(d[0, 1]) and np.isinf(d[1, 0])


def test_sea_distances_accept_projected_geodataframes():
    lonlat = np.array([NOVOROSSIYSK, CASABLANCA])
    frame = gpd.GeoDataFrame(
        {"id": ["N", "C"]}, geometry=gpd.points_from_xy(*lonlat.T), crs="EPSG:4326"
    ).to_crs("EPSG:3857")
    assert np.allclose(
        geo.sea_distances(frame, frame), geo.sea_distances(lonlat, lonlat)
    )
    with pytest.raises(ValidationError, match="no CRS"):
        geo.sea_distances(frame.set_crs(None, allow_override=True), lonlat)


# -- snapping to the nearest lane segment --
DAKHLA_ATLANTIQUE = (-15.55, 24.30)  # hubs.csv (UNVERIFIED approximation)
DAKAR = (-17.433333, 14.683333)


def _brute_force_snap_km(point, avoid=()):
    """Distance to the nearest open lane segment, every segment projected."""
    graph = geo._sea_graph()
    open_ = geo._open_graph(geo._closed_passages(avoid))
    xyz = geo._unit_xyz(graph.lonlat)
    p = geo._unit_xyz(np.array([point], dtype=float))
    p = np.repeat(p, len(open_.seg_tail), axis=0)
    near, _ = geo._nearest_on_arcs(p, xyz[open_.seg_tail], xyz[open_.seg_head])
    best = near[np.argmax(np.einsum("ij,ij->i", p, near))]
    lonlat = [np.degrees(np.arctan2(best[1], best[0])), np.degrees(np.arcsin(best[2]))]
    return geo.great_circle_km([point], [lonlat])[0, 0]


@pytest.mark.parametrize(
    "point",
    [DAKHLA_ATLANTIQUE, CASABLANCA, AKTAU, (6.78, 51.22), (0.0, 0.0), (179.9, -10.2)],
)
def test_snap_finds_the_nearest_segment(point):
    _, km = geo.snap_to_sea([point])
    assert km[0] == pytest.approx(_brute_force_snap_km(point), abs=1e-3)


def test_snap_never_farther_than_the_nearest_node():
    pts = np.array([DAKHLA_ATLANTIQUE, CASABLANCA, AKTAU, SINGAPORE, YOKOHAMA])
    _, km = geo.snap_to_sea(pts)
    graph = geo._sea_graph()
    nodes = geo.great_circle_km(pts, graph.lonlat).min(axis=1)
    assert (km <= nodes + 1e-6).all()


def test_dakhla_joins_the_coastal_lane():
    # its nearest node is ~320 km offshore; the coastal lane passes ~40 km out
    _, km = geo.snap_to_sea([DAKHLA_ATLANTIQUE])
    assert km[0] < 60
    d = geo.sea_distances([DAKHLA_ATLANTIQUE], [DAKAR])[0, 0]
    gc = geo.great_circle_km([DAKHLA_ATLANTIQUE], [DAKAR])[0, 0]
    assert gc < d < 1.2 * gc  # was 1,495 km (1.38x) with node snapping


def test_route_starts_at_the_port_then_the_projection():
    lonlat, _ = geo.snap_to_sea([DAKHLA_ATLANTIQUE])
    line = geo.sea_route(DAKHLA_ATLANTIQUE, DAKAR)
    assert line.coords[0] == pytest.approx(DAKHLA_ATLANTIQUE)
    assert line.coords[1] == pytest.approx(tuple(lonlat[0]))
    assert line.coords[-1] == pytest.approx(DAKAR)
    d = geo.sea_distances([DAKHLA_ATLANTIQUE], [DAKAR])[0, 0]
    assert geo.line_length_km(line) == pytest.approx(d, rel=1e-6)


def test_closed_passage_segments_are_not_snap_targets():
    graph = geo._sea_graph()
    suez = np.unique(graph.tail[graph.passage == "suez"])
    mid = graph.lonlat[suez].mean(axis=0)  # a point in the canal
    _, open_km = geo.snap_to_sea([mid])
    _, closed_km = geo.snap_to_sea([mid], avoid=["suez"])
    assert closed_km[0] > open_km[0]
    assert closed_km[0] == pytest.approx(
        _brute_force_snap_km(mid, avoid=["suez"]), abs=1e-3
    )


def test_points_on_the_same_segment_go_along_it():
    # two points offshore of the same long coastal segment, far apart
    graph = geo._sea_graph()
    open_ = geo._open_graph(geo._closed_passages(()))
    ends_a, ends_b = graph.lonlat[open_.seg_tail], graph.lonlat[open_.seg_head]
    length = geo.great_circle_km(ends_a, ends_b, pairwise=True)
    k = int(np.argmax((length > 600) & (np.abs(ends_a[:, 0] - ends_b[:, 0]) < 20)))
    a, b = ends_a[k], ends_b[k]
    p, q = a + 0.25 * (b - a), a + 0.75 * (b - a)
    snap_p = geo._snap(np.array([p]), open_)
    snap_q = geo._snap(np.array([q]), open_)
    if snap_p.seg[0] != snap_q.seg[0]:
        pytest.skip("the chosen points snapped to different segments")
    d = geo.sea_distances([p], [q])[0, 0]
    along = geo.great_circle_km([snap_p.lonlat[0]], [snap_q.lonlat[0]])[0, 0]
    assert d == pytest.approx(snap_p.snap_km[0] + along + snap_q.snap_km[0], rel=1e-9)
    assert np.allclose(geo.sea_distances([p, q], [p, q]), [[0, d], [d, 0]])
