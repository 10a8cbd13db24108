"""Tests of hubopt.legs and hubopt.modes: modes table, chains, filling, generation."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hubopt import freight, geo
from hubopt.errors import RouteError, ValidationError
from hubopt.legs import (
    Segment,
    chain_attributes,
    fill_leg_attributes,
    generate_legs,
    parse_route,
    propose_legs,
)
from hubopt.modes import REQUIRED_COLUMNS, load_modes, mode_parameters
from hubopt.network import Network
from tests.test_freight import MODEL, PARAMS, SUPRA

KM_PER_DEGREE = 111.3195  # one degree of longitude on the WGS84 equator


def toy_modes() -> pd.DataFrame:
    """Two land modes with round numbers, for sums checkable by hand."""
    return pd.DataFrame(
        {
            "mode": ["cart", "truck"],
            "cost_per_tkm": [0.1, 0.2],
            "cost_per_t": [1.0, 3.0],
            "speed_km_per_day": [100.0, 50.0],
            "co2_kg_per_tkm": [0.01, 0.02],
            "transfer_cost_per_t": [2.0, 5.0],
            "transfer_days": [0.5, 1.5],
            "circuity": [1.0, 2.0],
            "source": ["test", "test"],
        }
    )


def small_network(legs: pd.DataFrame, corridors=None) -> Network:
    origins = pd.DataFrame(
        {
            "id": ["KOS", "NOV"],
            "name": ["Kostanay", "Novorossiysk"],
            "lon": [63.63, 37.783],
            "lat": [53.21, 44.717],
            "supply_t": [100.0, 100.0],
        }
    )
    hubs = pd.DataFrame(
        {"id": ["CAS"], "name": ["Casablanca"], "lon": [-7.617], "lat": [33.6]}
    )
    destinations = pd.DataFrame(
        {
            "id": ["DKR", "MBA"],
            "name": ["Dakar", "Mombasa"],
            "lon": [-17.433, 39.667],
            "lat": [14.683, -4.067],
            "demand_t": [50.0, 50.0],
        }
    )
    return Network.from_frames(origins, hubs, destinations, legs, corridors=corridors)


WAYPOINTS = pd.DataFrame(
    {
        "id": ["AKTAU", "BAKU", "POTI"],
        "name": ["Aktau", "Baku", "Poti"],
        "lon": [51.213, 49.87, 41.672],
        "lat": [43.682, 40.37, 42.178],
    }
)


# -- modes table --
def test_bundled_modes_table_is_complete():
    modes = load_modes()
    for mode in (
        "sea",
        "sea_handysize",
        "sea_supramax",
        "sea_panamax",
        "rail",
        "road",
        "caspian_ferry",
    ):
        row = mode_parameters(modes, mode)
        assert row["speed_km_per_day"] > 0
        assert row["circuity"] >= 1
        assert row["source"].strip()
    assert set(REQUIRED_COLUMNS) <= set(modes.columns)
    sea, supra = mode_parameters(modes, "sea"), mode_parameters(modes, "sea_supramax")
    assert sea["cost_per_tkm"] == supra["cost_per_tkm"]
    # economies of scale: bigger ships are cheaper and cleaner per tonne-km
    handy, panamax = (
        mode_parameters(modes, m) for m in ("sea_handysize", "sea_panamax")
    )
    assert handy["cost_per_tkm"] > supra["cost_per_tkm"] > panamax["cost_per_tkm"]
    assert handy["co2_kg_per_tkm"] > supra["co2_kg_per_tkm"] > panamax["co2_kg_per_tkm"]


def test_every_assumed_value_says_so():
    modes = load_modes()
    road = mode_parameters(modes, "road")
    assert "ASSUMED" in road["source"]


def test_user_modes_table_problems_listed_together():
    bad = toy_modes()
    bad.loc[0, "speed_km_per_day"] = 0
    bad.loc[1, "circuity"] = 0.5
    bad["cost_per_tkm"] = [0.1, "cheap"]
    with pytest.raises(ValidationError) as info:
        load_modes(bad)
    text = str(info.value)
    assert "3 problems" in text
    assert "speed must be above zero" in text
    assert "below 1" in text
    assert "'cheap' is not a finite number" in text


def test_modes_table_missing_column_and_bad_passage():
    with pytest.raises(ValidationError, match="missing required column 'circuity'"):
        load_modes(toy_modes().drop(columns="circuity"))
    bad = toy_modes().assign(avoid=["suezz", ""])
    with pytest.raises(ValidationError, match="unknown passage 'suezz'"):
        load_modes(bad)


def test_unknown_mode_suggests_a_name():
    with pytest.raises(ValidationError, match="did you mean 'rail'"):
        mode_parameters(load_modes(), "rial")


# -- routes and chains --
def test_parse_route():
    steps = parse_route("rail/KZ_WEST@AKTAU; caspian_ferry@ALAT;rail@POTI;sea")
    assert [s.mode for s in steps] == ["rail", "caspian_ferry", "rail", "sea"]
    assert steps[0].corridor == "KZ_WEST"
    assert [s.to for s in steps] == ["AKTAU", "ALAT", "POTI", None]
    with pytest.raises(ValidationError, match="needs a waypoint"):
        parse_route("rail;sea")
    with pytest.raises(ValidationError, match="cannot read step"):
        parse_route("rail@A@B;sea")


def test_chain_sums_by_hand():
    segments = [
        Segment("cart", (0.0, 0.0), (1.0, 0.0)),
        Segment("truck", (1.0, 0.0), (2.0, 0.0)),
    ]
    got = chain_attributes(segments, toy_modes())
    d1, d2 = KM_PER_DEGREE, 2.0 * KM_PER_DEGREE  # truck circuity 2
    assert got.distance_km == pytest.approx(d1 + d2, rel=1e-6)
    cost = (1.0 + 0.1 * d1) + 5.0 + (3.0 + 0.2 * d2)  # transfer into truck: 5
    days = d1 / 100 + 1.5 + d2 / 50
    co2 = 0.01 * d1 + 0.02 * d2
    assert got.cost_per_t == pytest.approx(cost, rel=1e-6)
    assert got.transit_days == pytest.approx(days, rel=1e-6)
    assert got.co2_kg_per_t == pytest.approx(co2, rel=1e-6)
    assert got.geometry.coords[0] == (0.0, 0.0)
    assert got.geometry.coords[-1] == pytest.approx((2.0, 0.0))


def test_no_transfer_between_segments_of_one_mode():
    segments = [
        Segment("cart", (0.0, 0.0), (1.0, 0.0)),
        Segment("cart", (1.0, 0.0), (2.0, 0.0)),
    ]
    got = chain_attributes(segments, toy_modes())
    assert got.transit_days == pytest.approx(2 * KM_PER_DEGREE / 100, rel=1e-6)


def test_sea_segment_uses_the_sea_graph():
    modes = load_modes()
    nov, cas = (37.783, 44.717), (-7.617, 33.6)
    got = chain_attributes([Segment("sea", nov, cas)], modes)
    assert got.distance_km == pytest.approx(geo.sea_distances([nov], [cas])[0, 0])
    p = mode_parameters(modes, "sea")
    assert got.cost_per_t == pytest.approx(
        p["cost_per_t"] + p["cost_per_tkm"] * got.distance_km
    )


def test_caspian_ferry_stays_in_the_caspian():
    aktau, baku = (51.213, 43.682), (49.87, 40.37)
    got = chain_attributes([Segment("caspian_ferry", aktau, baku)])
    assert 400 < got.distance_km < 600
    assert all(x > 46 for x, _ in got.geometry.coords)


# -- filling a network --
def test_fill_never_overwrites_user_values():
    legs = pd.DataFrame(
        {
            "origin": ["NOV", "CAS", "CAS"],
            "destination": ["CAS", "DKR", "MBA"],
            "mode": ["sea", "sea", "sea"],
            "cost_per_t": [99.0, np.nan, np.nan],
            "distance_km": [np.nan, 1234.0, np.nan],
            "transit_days": [np.nan, np.nan, 7.0],
        }
    )
    net = fill_leg_attributes(small_network(legs))
    out = net.legs.set_index(["origin", "destination"])
    assert out.loc[("NOV", "CAS"), "cost_per_t"] == 99.0
    assert out.loc[("CAS", "DKR"), "distance_km"] == 1234.0
    assert out.loc[("CAS", "MBA"), "transit_days"] == 7.0
    # derived values use the user's distance for a single-segment leg
    p = mode_parameters(load_modes(), "sea")
    assert out.loc[("CAS", "DKR"), "cost_per_t"] == pytest.approx(
        p["cost_per_t"] + p["cost_per_tkm"] * 1234.0
    )
    assert (
        not out[["cost_per_t", "distance_km", "transit_days", "co2_kg_per_t"]]
        .isna()
        .any()
        .any()
    )
    for line in out["geometry"]:
        assert isinstance(line, shapely.LineString)


def test_fill_chain_leg_with_waypoints():
    legs = pd.DataFrame(
        {
            "origin": ["KOS"],
            "destination": ["CAS"],
            "mode": ["rail+sea"],
            "route": ["rail@AKTAU;caspian_ferry@BAKU;rail@POTI;sea"],
        }
    )
    net = fill_leg_attributes(small_network(legs), waypoints=WAYPOINTS)
    leg = net.legs.iloc[0]
    modes = load_modes()
    kos, cas = (63.63, 53.21), (-7.617, 33.6)
    aktau, baku, poti = (tuple(r) for r in WAYPOINTS[["lon", "lat"]].to_numpy())
    rail = mode_parameters(modes, "rail")
    gc = geo.great_circle_km([kos, baku], [aktau, poti], pairwise=True)
    ferry = geo.sea_distances([aktau], [baku], avoid=["volga_don"])[0, 0]
    sea = geo.sea_distances([poti], [cas], avoid=["volga_don"])[0, 0]
    expected = gc.sum() * rail["circuity"] + ferry + sea
    assert leg["distance_km"] == pytest.approx(expected, rel=1e-6)
    line = leg["geometry"]
    assert line.coords[0] == pytest.approx(kos)
    assert line.coords[-1] == pytest.approx(cas)
    # three mode changes: into ferry, into rail, into sea
    ferry_p = mode_parameters(modes, "caspian_ferry")
    sea_p = mode_parameters(modes, "sea")
    transfers = (
        ferry_p["transfer_days"] + rail["transfer_days"] + sea_p["transfer_days"]
    )
    moving = (
        gc.sum() * rail["circuity"] / rail["speed_km_per_day"]
        + ferry / ferry_p["speed_km_per_day"]
        + sea / sea_p["speed_km_per_day"]
    )
    assert leg["transit_days"] == pytest.approx(moving + transfers, rel=1e-6)


def test_unknown_waypoint_is_a_validation_error():
    legs = pd.DataFrame(
        {
            "origin": ["KOS"],
            "destination": ["CAS"],
            "mode": ["rail+sea"],
            "route": ["rail@NOWHERE;sea"],
        }
    )
    with pytest.raises(ValidationError, match="unknown waypoint 'NOWHERE'"):
        fill_leg_attributes(small_network(legs), waypoints=WAYPOINTS)


def test_corridor_gives_distance_and_geometry():
    corridor = shapely.LineString([(63.63, 53.21), (57.0, 50.3), (51.213, 43.682)])
    corridors = gpd.GeoDataFrame(
        {"id": ["KZ_WEST"], "mode": ["rail"]}, geometry=[corridor], crs="EPSG:4326"
    )
    tail = "caspian_ferry@BAKU;rail@POTI;sea"
    legs = pd.DataFrame(
        {
            "origin": ["KOS", "KOS"],
            "destination": ["CAS", "CAS"],
            "mode": ["corridor_chain", "circuity_chain"],
            "route": [f"rail/KZ_WEST@AKTAU;{tail}", f"rail@AKTAU;{tail}"],
        }
    )
    net = fill_leg_attributes(
        small_network(legs, corridors=corridors), waypoints=WAYPOINTS
    )
    with_corridor, with_circuity = net.legs["distance_km"]
    rail = mode_parameters(load_modes(), "rail")
    kos, aktau = (63.63, 53.21), (51.213, 43.682)
    straight = geo.great_circle_km([kos], [aktau])[0, 0]
    difference = geo.line_length_km(corridor) - straight * rail["circuity"]
    assert with_corridor - with_circuity == pytest.approx(difference, rel=1e-6)
    line = net.legs["geometry"].iloc[0]
    assert line.coords[1] == pytest.approx((57.0, 50.3))


def test_projected_corridor_is_converted():
    corridor = gpd.GeoSeries(
        [shapely.LineString([(37.783, 44.717), (20.0, 40.0)])], crs="EPSG:4326"
    ).to_crs("EPSG:3857")
    corridors = gpd.GeoDataFrame({"id": ["C"], "mode": ["rail"]}, geometry=corridor)
    legs = pd.DataFrame(
        {"origin": ["NOV"], "destination": ["CAS"], "mode": ["rail"], "corridor": ["C"]}
    )
    net = fill_leg_attributes(small_network(legs, corridors=corridors))
    expected = geo.line_length_km(corridor.to_crs("EPSG:4326").iloc[0])
    assert net.legs["distance_km"].iloc[0] == pytest.approx(expected, rel=1e-9)


def test_unreachable_leg_error_names_leg_and_passage():
    legs = pd.DataFrame({"origin": ["NOV"], "destination": ["CAS"], "mode": ["sea"]})
    with pytest.raises(RouteError, match=r"leg NOV->CAS.*bosporus"):
        fill_leg_attributes(small_network(legs), avoid=["bosporus"])


def test_input_network_is_not_changed():
    legs = pd.DataFrame({"origin": ["NOV"], "destination": ["CAS"], "mode": ["sea"]})
    net = small_network(legs)
    fill_leg_attributes(net)
    assert np.isnan(net.legs["distance_km"].iloc[0])


# -- generating legs --
def test_generate_legs_proposes_every_routable_pair():
    legs = pd.DataFrame(
        {
            "origin": ["NOV"],
            "destination": ["CAS"],
            "mode": ["sea"],
            "cost_per_t": [1.0],
        }
    )
    net = generate_legs(small_network(legs))
    pairs = set(zip(net.legs["origin"], net.legs["destination"], strict=True))
    # KOS is inland: its nearest sea node is in the Caspian, cut off for sea ships
    assert pairs == {
        ("NOV", "CAS"),
        ("CAS", "DKR"),
        ("CAS", "MBA"),
        ("NOV", "DKR"),
        ("NOV", "MBA"),
    }
    kept = net.legs.set_index(["origin", "destination"])
    assert kept.loc[("NOV", "CAS"), "cost_per_t"] == 1.0
    assert not net.legs["distance_km"].isna().any()


def test_generate_legs_skips_unreachable_and_respects_avoid():
    legs = pd.DataFrame({"origin": ["NOV"], "destination": ["CAS"], "mode": ["rail"]})
    net = small_network(legs)
    open_ = generate_legs(net, direct=False).legs.set_index(["origin", "destination"])
    cape = generate_legs(net, direct=False, avoid=["suez"]).legs.set_index(
        ["origin", "destination"]
    )
    assert (
        cape.loc[("CAS", "MBA"), "distance_km"]
        > open_.loc[("CAS", "MBA"), "distance_km"]
    )
    # the Black Sea is cut off from Casablanca with Gibraltar and Suez closed
    shut = generate_legs(net, direct=False, avoid=["gibraltar", "suez"]).legs
    keys = set(zip(shut["origin"], shut["destination"], shut["mode"], strict=True))
    assert ("NOV", "CAS", "sea") not in keys
    assert ("NOV", "CAS", "rail") in keys  # the user's leg stays
    assert ("CAS", "MBA", "sea") in keys


def test_propose_legs_by_rail_includes_inland_origins():
    nodes = small_network(
        pd.DataFrame({"origin": ["NOV"], "destination": ["CAS"], "mode": ["sea"]})
    ).node_coordinates()
    proposed = propose_legs(nodes, inbound_mode="rail", direct=False)
    inbound = proposed.loc[proposed["mode"] == "rail"]
    assert set(inbound["origin"]) == {"KOS", "NOV"}


def test_with_leg_attributes_is_fill_leg_attributes(tiny):
    """The top-level name (before: the method Network.with_leg_attributes) fills the
    same values, and passes the options through."""
    import hubopt

    legs = tiny.legs
    legs["cost_per_t"] = np.nan
    net = tiny.replace(legs=legs)
    filled = hubopt.with_leg_attributes(net)
    assert filled.legs.drop(columns="geometry").equals(
        fill_leg_attributes(net).legs.drop(columns="geometry")
    )
    assert filled.legs["cost_per_t"].notna().all()
    assert net.legs["cost_per_t"].isna().all()  # the input is unchanged
    with pytest.raises(ValidationError, match="unreachable must be 'raise' or 'drop'"):
        hubopt.with_leg_attributes(net, unreachable="skip")


# -- voyage-mode segments (hubopt.freight) --
def test_a_voyage_segment_in_a_chain_without_ids_sails_unrestricted():
    nov, cas = (37.783, 44.717), (-7.617, 33.6)
    leg = chain_attributes([Segment("sea_voyage", nov, cas)], freight_model=MODEL)
    km = geo.sea_routes_with_passages([nov], [cas])
    by_hand = freight.voyage_cost(
        SUPRA, PARAMS, km.distance_km[0, 0], passages=km.passages[0][0]
    )
    assert leg.distance_km == pytest.approx(km.distance_km[0, 0])
    assert leg.cost_per_t == pytest.approx(by_hand.cost_per_t)
    # entering the ship from rail pays the sea mode's loading cost, no transfer days
    chained = chain_attributes(
        [Segment("rail", (39.0, 47.0), nov), Segment("sea_voyage", nov, cas)],
        freight_model=MODEL,
        drafts_m={},
    )
    rail = mode_parameters(load_modes(), "rail")
    sea = mode_parameters(load_modes(), "sea")
    rail_km = chained.distance_km - km.distance_km[0, 0]
    assert chained.cost_per_t == pytest.approx(
        rail_km * rail["cost_per_tkm"] + sea["transfer_cost_per_t"] + by_hand.cost_per_t
    )
    assert chained.transit_days == pytest.approx(
        rail_km / rail["speed_km_per_day"] + by_hand.transit_days
    )


def test_propose_legs_accepts_the_voyage_mode():
    nodes = small_network(
        pd.DataFrame([{"origin": "NOV", "destination": "CAS", "mode": "sea"}])
    ).node_coordinates()
    legs = propose_legs(nodes, inbound_mode="sea_voyage", direct=False)
    assert set(legs["mode"]) == {"sea_voyage", "sea"}
