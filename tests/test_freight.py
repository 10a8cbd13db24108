"""Tests of hubopt.freight: the voyage-cost model, the part-load rule, the class of a
leg, the two tables and their use by hubopt.legs. Every number here is made up for
hand checking; the bundled values are tested in test_bundled_tables_*."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hubopt import freight, geo
from hubopt.errors import RouteError, ValidationError
from hubopt.freight import (
    Charge,
    FreightModel,
    ShipClass,
    VoyageParameters,
    load_ship_classes,
    load_voyage_parameters,
    voyage_cost,
)
from hubopt.legs import fill_leg_attributes
from hubopt.network import Network

# name, dwt, design draft, TPC, laden kn, ballast kn, fuel sea, fuel port, TCE,
# constants, GT
COASTER = ShipClass("coaster", 6_000, 6.0, 15.0, 11, 12, 8, 1, 6_000, 300, 4_000)
HANDY = ShipClass("handy", 30_000, 10.0, 40.0, 12, 12, 20, 3, 10_000, 1_000, 18_000)
SUPRA = ShipClass("supra", 56_000, 12.5, 55.0, 12, 13, 28, 4, 13_000, 1_500, 32_000)
PARAMS = VoyageParameters(
    bunker_usd_per_t=500.0,
    ballast_share=0.5,
    load_rate_t_per_day=10_000,
    discharge_rate_t_per_day=5_000,
    port_days_per_call=1.0,
    port_costs={
        ("load", ""): Charge(usd=20_000),
        ("discharge", ""): Charge(usd=30_000),
        ("discharge", "supra"): Charge(usd=40_000),
    },
    dues={("bosporus", ""): Charge(usd=10_000), ("suez", ""): Charge(usd_per_gt=5.0)},
    under_keel_clearance_m=1.0,
    min_fill=0.6,
    price_year=2024,
    co2_t_per_t_fuel=3.0,
)
MODEL = FreightModel((SUPRA, COASTER, HANDY), PARAMS)
#: 2,880 nm: 10 days laden at 12 kn.
KM_10_DAYS = 2_880 * 1.852


# -- one voyage worked by hand --
def test_one_voyage_by_hand():
    # handy at 9.0 m available (depth 10 m less 1 m clearance): 1 m short of its
    # 10 m design draft = 100 cm x 40 t = 4,000 t less than 29,000 t -> 25,000 t
    draft = PARAMS.available_draft_m(depth_m=10.0)
    assert draft == 9.0
    v = voyage_cost(
        HANDY,
        PARAMS,
        KM_10_DAYS,
        available_draft_m=draft,
        passages=("bosporus", "dardanelles"),
    )
    assert v.parcel_t == 25_000
    assert v.laden_sea_days == pytest.approx(10.0)  # 2,880 / (24 x 12)
    assert v.ballast_sea_days == pytest.approx(5.0)  # 0.5 x 2,880 / (24 x 12)
    assert v.port_days == pytest.approx(9.5)  # 2 x 1 + 25,000/10,000 + 25,000/5,000
    assert v.voyage_days == pytest.approx(24.5)
    assert v.hire_usd == pytest.approx(245_000)  # 10,000 x 24.5
    assert v.fuel_at_sea_usd == pytest.approx(150_000)  # 20 t x 15 days x 500
    assert v.fuel_in_port_usd == pytest.approx(14_250)  # 3 t x 9.5 days x 500
    assert v.port_cost_load_usd == 20_000
    assert v.port_cost_discharge_usd == 30_000  # the every-class figure
    assert v.dues_usd == pytest.approx(15_000)  # bosporus 10,000 x (1 + 0.5)
    assert v.total_usd == pytest.approx(474_250)
    assert v.cost_per_t == pytest.approx(18.97)  # 474,250 / 25,000
    assert v.transit_days == pytest.approx(19.5)  # laden + port, not ballast
    # CO2: (300 + 28.5) t fuel x 3 t CO2/t = 985.5 t over 25,000 t
    assert v.co2_kg_per_t == pytest.approx(39.42)
    parts = v.breakdown()
    assert parts["hire"] == pytest.approx(9.8)
    assert sum(v for k, v in parts.items() if k != "total") == pytest.approx(18.97)


def test_waiting_at_a_passage_by_hand():
    params = dataclasses.replace(PARAMS, waiting_days={"bosporus": 2.0})
    v = voyage_cost(HANDY, params, KM_10_DAYS, parcel_t=25_000, passages=["bosporus"])
    # 2 days laden + 0.5 x 2 on the ballast return = 3 days at anchor
    assert (v.waiting_days, v.laden_waiting_days) == (3.0, 2.0)
    assert v.voyage_days == pytest.approx(24.5 + 3.0)
    assert v.hire_usd == pytest.approx(10_000 * 27.5)
    assert v.fuel_in_port_usd == pytest.approx(3 * (9.5 + 3.0) * 500)
    assert v.transit_days == pytest.approx(19.5 + 2.0)


def test_class_specific_charges_and_charges_per_gt_and_per_day():
    v = voyage_cost(SUPRA, PARAMS, KM_10_DAYS, passages=("suez",))
    assert v.port_cost_discharge_usd == 40_000  # the supra row beats the default
    assert v.dues_usd == pytest.approx(5.0 * 32_000 * 1.5)
    no_gt = ShipClass("nogt", 30_000, 10.0, 40.0, 12, 12, 20, 3, 10_000)
    with pytest.raises(ValidationError, match="no gross_tonnage"):
        voyage_cost(no_gt, PARAMS, KM_10_DAYS, passages=("suez",))
    per_day = {("load", ""): Charge(usd=1_000, usd_per_day=2_000)}
    params = dataclasses.replace(PARAMS, port_costs=per_day)
    v = voyage_cost(HANDY, params, KM_10_DAYS, parcel_t=25_000)
    # loading call: 1 fixed day + 25,000 / 10,000 = 3.5 days x 2,000 + 1,000
    assert v.port_cost_load_usd == pytest.approx(8_000)
    assert v.port_cost_discharge_usd == 0


# -- the part-load rule --
def test_part_load_rule_by_hand():
    assert HANDY.lift_t(10.0) == HANDY.capacity_t == 29_000
    assert HANDY.lift_t(12.0) == 29_000  # deeper water lifts no more
    assert HANDY.lift_t(8.0) == 21_000  # 200 cm x 40 t = 8,000 t less
    assert HANDY.lift_t(2.0) == 0.0  # floored at zero
    assert HANDY.draft_for_t(21_000) == pytest.approx(8.0)
    # a berth's stated draft wins over its depth; unknown -> unrestricted
    assert PARAMS.available_draft_m(draft_m=8.5, depth_m=20.0) == 8.5
    assert PARAMS.available_draft_m() == math.inf


def test_a_shallow_port_forces_a_smaller_class_or_a_part_load():
    # 9.0 m: supra part-loads 54,500 - 55 x 350 = 35,250 t >= 60 % of 54,500
    at9 = MODEL.voyage(KM_10_DAYS, available_draft_m=9.0)
    assert (at9.ship_class, at9.parcel_t) == ("supra", 35_250)
    # 8.0 m: supra 29,750 t < 32,700 t (60 %) -> handy part-loaded to 21,000 t
    at8 = MODEL.voyage(KM_10_DAYS, available_draft_m=8.0)
    assert (at8.ship_class, at8.parcel_t) == ("handy", 21_000)
    # 6.0 m: handy 13,000 t < 17,400 t -> the coaster, full (5,700 t)
    at6 = MODEL.voyage(KM_10_DAYS, available_draft_m=6.0)
    assert (at6.ship_class, at6.parcel_t) == ("coaster", 5_700)
    # 4.0 m: the coaster lifts 2,700 t < 3,420 t; it needs 6 - 2,280/1,500 = 4.48 m
    with pytest.raises(RouteError, match=r"coaster needs 4\.48 m"):
        MODEL.voyage(KM_10_DAYS, available_draft_m=4.0)
    # a small lot keeps big ships out: 20,000 t fills 69 % of a handy, 37 % of a supra
    lot = MODEL.voyage(KM_10_DAYS, lot_t=20_000)
    assert (lot.ship_class, lot.parcel_t) == ("handy", 20_000)
    with pytest.raises(RouteError, match="supra needs a lot of 32,700 t"):
        MODEL.voyage(KM_10_DAYS, lot_t=20_000, ship_class="supra")


def test_class_choice_rules():
    assert [s.name for s in MODEL.classes] == ["coaster", "handy", "supra"]
    assert [s.name for s in MODEL.admitted(9.0)] == ["coaster", "handy", "supra"]
    assert MODEL.voyage(KM_10_DAYS).ship_class == "supra"
    cheapest = MODEL.voyage(KM_10_DAYS, rule="cheapest")
    costs = {
        s.name: voyage_cost(s, PARAMS, KM_10_DAYS).cost_per_t for s in MODEL.classes
    }
    assert cheapest.cost_per_t == pytest.approx(min(costs.values()))
    assert MODEL.voyage(KM_10_DAYS, ship_class="handy").ship_class == "handy"
    with pytest.raises(ValidationError, match="ship class 'cape' is not in"):
        MODEL.voyage(KM_10_DAYS, ship_class="cape")
    with pytest.raises(ValidationError, match="rule must be"):
        MODEL.voyage(KM_10_DAYS, rule="smallest")


def test_bigger_ships_are_cheaper_per_tonne_when_full():
    costs = [voyage_cost(s, PARAMS, KM_10_DAYS).cost_per_t for s in MODEL.classes]
    assert costs == sorted(costs, reverse=True)


def test_bad_objects_are_refused():
    with pytest.raises(ValidationError, match="deadweight_t must be above zero"):
        ShipClass("x", 0, 10.0, 40.0, 12, 12, 20, 3, 10_000)
    with pytest.raises(ValidationError, match="leaves no cargo"):
        ShipClass("x", 1_000, 10.0, 40.0, 12, 12, 20, 3, 10_000, 1_000)
    with pytest.raises(ValidationError, match=r"ballast_share 1\.5 is not in 0\.\.1"):
        VoyageParameters(500, 1.5, 10_000, 5_000, 1.0)
    with pytest.raises(ValidationError, match="unknown passage 'kiel'"):
        VoyageParameters(500, 0.5, 10_000, 5_000, 1.0, dues={("kiel", ""): Charge(1)})
    with pytest.raises(ValidationError, match="no ship classes"):
        FreightModel((), PARAMS)
    with pytest.raises(ValidationError, match="more than once"):
        FreightModel((HANDY, HANDY), PARAMS)
    with pytest.raises(ValidationError, match="distance_km"):
        voyage_cost(HANDY, PARAMS, float("nan"))
    with pytest.raises(ValidationError, match="no cargo"):
        voyage_cost(HANDY, PARAMS, 100.0, available_draft_m=1.0)


# -- the two tables --
def ships_table() -> pd.DataFrame:
    rows = []
    for s in (COASTER, HANDY, SUPRA):
        rows.append(
            {
                "ship_class": s.name,
                **{c: getattr(s, c) for c in freight.SHIP_COLUMNS},
                "source": "test",
                "year": 2024,
                "licence": "CC0",
                "confidence": "H",
            }
        )
    return pd.DataFrame(rows)


def parameters_table() -> pd.DataFrame:
    rows = [
        ("bunker_price", "", "", 500, "USD/t"),
        ("ballast_share", "", "", 0.5, "share"),
        ("load_rate", "", "", 10_000, "t/day"),
        ("discharge_rate", "", "", 5_000, "t/day"),
        ("port_days_per_call", "", "", 1.0, "days"),
        ("under_keel_clearance", "", "", 1.0, "m"),
        ("min_fill", "", "", 0.6, "share"),
        ("price_year", "", "", 2024, "year"),
        ("co2_per_t_fuel", "", "", 3.0, "t/t"),
        ("port_cost_load", "", "", 20_000, "USD"),
        ("port_cost_discharge", "", "", 30_000, "USD"),
        ("port_cost_discharge", "supra", "", 40_000, "USD"),
        ("port_cost_discharge", "supra", "", 0.0, "USD/day"),
        ("passage_dues", "", "bosporus", 10_000, "USD"),
        ("passage_dues", "", "suez", 5.0, "USD/GT"),
        ("passage_days", "", "bosporus", 2.0, "days"),
    ]
    frame = pd.DataFrame(
        rows, columns=["parameter", "ship_class", "passage", "value", "unit"]
    )
    return frame.assign(source="test", year="2024-2025", licence="CC0", confidence="M")


def test_tables_read_back_the_hand_model(tmp_path):
    path = tmp_path / "ships.csv"
    ships_table().to_csv(path, index=False)
    ships = load_ship_classes(path)
    assert ships == (COASTER, HANDY, SUPRA)
    params = load_voyage_parameters(parameters_table(), [s.name for s in ships])
    assert params == dataclasses.replace(PARAMS, waiting_days={"bosporus": 2.0})
    model = freight.load_freight(ships_table(), parameters_table())
    assert model.classes == MODEL.classes and model.parameters == params


def test_ship_table_errors_name_table_row_and_column():
    broken = ships_table().astype({"tpc_t": object, "year": object})
    broken.loc[1, "tpc_t"] = "forty"
    broken.loc[2, "licence"] = ""
    broken.loc[0, "year"] = "recent"
    broken.loc[0, "confidence"] = "high"
    with pytest.raises(ValidationError) as info:
        load_ship_classes(broken)
    problems = "\n".join(info.value.problems)
    assert (
        "table 'ship_classes', ship class 'handy', column 'tpc_t': 'forty'" in problems
    )
    assert "ship class 'supra', column 'licence': empty" in problems
    assert "ship class 'coaster', column 'year': 'recent' is not a year" in problems
    assert "column 'confidence': 'high'; use one of H, M, L" in problems
    with pytest.raises(ValidationError, match="missing required column 'draft_m'"):
        load_ship_classes(ships_table().drop(columns=["draft_m"]))
    with pytest.raises(ValidationError, match="'handy': listed more than once"):
        load_ship_classes(pd.concat([ships_table(), ships_table().iloc[[1]]]))
    with pytest.raises(ValidationError, match=r"'deadweight_t': -5 must be above zero"):
        load_ship_classes(ships_table().assign(deadweight_t=-5))
    with pytest.raises(ValidationError, match="'coaster': ship class 'coaster': "):
        load_ship_classes(ships_table().assign(constants_t=1e6))
    with pytest.raises(ValidationError, match=r"file 'nowhere\.csv' not found"):
        load_ship_classes("nowhere.csv")


def test_parameter_table_errors_name_table_row_and_column():
    table = parameters_table().astype({"value": object})
    table.loc[0, "unit"] = "USD/bbl"
    table.loc[1, "value"] = "half"
    table.loc[13, "passage"] = "kiel"
    table.loc[11, "ship_class"] = "capesize"
    table.loc[2, "ship_class"] = "handy"
    table.loc[3, "passage"] = "suez"
    with pytest.raises(ValidationError) as info:
        load_voyage_parameters(table, ["coaster", "handy", "supra"])
    problems = "\n".join(info.value.problems)
    assert (
        "table 'voyage_parameters', row 1 (bunker_price), column 'unit': 'USD/bbl'; "
        "bunker_price is in USD/t"
    ) in problems
    assert "row 2 (ballast_share), column 'value': 'half' is not a finite" in problems
    assert "row 14 (passage_dues/kiel), column 'passage': 'kiel' is not a passage" in (
        problems
    )
    assert "column 'ship_class': unknown class 'capesize'" in problems
    assert "load_rate is the same for every class" in problems
    assert "'suez' given for discharge_rate, which is not per passage" in problems
    short = parameters_table().iloc[1:]
    with pytest.raises(ValidationError, match="no row for required parameter 'bunker"):
        load_voyage_parameters(short)
    twice = pd.concat([parameters_table(), parameters_table().iloc[[0]]])
    with pytest.raises(ValidationError, match="listed more than once"):
        load_voyage_parameters(twice)
    unknown = parameters_table()
    unknown.loc[0, "parameter"] = "bunker"
    with pytest.raises(ValidationError, match="unknown parameter 'bunker'"):
        load_voyage_parameters(unknown)
    wrong = parameters_table()
    wrong.loc[6, "value"] = 0.0
    with pytest.raises(ValidationError, match=r"min_fill 0 is not in \(0, 1\]"):
        load_voyage_parameters(wrong)
    with pytest.raises(ValidationError, match="missing required column 'unit'"):
        load_voyage_parameters(parameters_table().drop(columns=["unit"]))
    with pytest.raises(ValidationError, match="missing required column 'source'"):
        load_voyage_parameters(parameters_table().drop(columns=["source"]))


# -- the model in the geospatial layer --
NOV, DKR, CAS = (37.783, 44.717), (-17.433, 14.683), (-7.617, 33.6)


def voyage_network(mode: str = "sea_voyage", dakar_m: float = 7.0, **leg) -> Network:
    origins = pd.DataFrame(
        {
            "id": ["NOV"],
            "name": ["Novorossiysk"],
            "lon": [NOV[0]],
            "lat": [NOV[1]],
            "supply_t": [100.0],
            "draft_m": [12.0],
        }
    )
    hubs = pd.DataFrame(
        {
            "id": ["CAS"],
            "name": ["Casablanca"],
            "lon": [CAS[0]],
            "lat": [CAS[1]],
            "depth_m": [14.0],
        }
    )
    destinations = pd.DataFrame(
        {
            "id": ["DKR"],
            "name": ["Dakar"],
            "lon": [DKR[0]],
            "lat": [DKR[1]],
            "demand_t": [50.0],
            "depth_m": [dakar_m],
        }
    )
    legs = pd.DataFrame(
        [
            {"origin": "NOV", "destination": "CAS", "mode": mode, **leg},
            {"origin": "CAS", "destination": "DKR", "mode": mode, **leg},
            {"origin": "NOV", "destination": "DKR", "mode": "sea"},
        ]
    )
    return Network.from_frames(origins, hubs, destinations, legs)


def test_voyage_legs_get_class_parcel_cost_and_passages():
    filled = fill_leg_attributes(voyage_network(), freight_model=MODEL).legs
    legs = filled.set_index(["origin", "destination"])
    km = geo.sea_routes_with_passages([NOV, CAS], [CAS, DKR])
    # NOV (draft 12 m) -> CAS (14 - 1 = 13 m): 12 m binds; supra lifts
    # 54,500 - 55 x 50 = 51,750 t and crosses the Turkish straits and Gibraltar
    nov_cas = legs.loc[("NOV", "CAS")]
    assert nov_cas["ship_class"] == "supra"
    assert nov_cas["parcel_t"] == 51_750
    assert nov_cas["passages"] == "bosporus;dardanelles;gibraltar"
    by_hand = voyage_cost(
        SUPRA,
        PARAMS,
        km.distance_km[0, 0],
        available_draft_m=12.0,
        passages=("bosporus", "dardanelles", "gibraltar"),
    )
    assert nov_cas["distance_km"] == pytest.approx(km.distance_km[0, 0])
    assert nov_cas["cost_per_t"] == pytest.approx(by_hand.cost_per_t)
    assert nov_cas["transit_days"] == pytest.approx(by_hand.transit_days)
    assert nov_cas["co2_kg_per_t"] == pytest.approx(by_hand.co2_kg_per_t)
    # CAS -> DKR: Dakar 7 - 1 = 6 m; only the coaster, full, no passage
    cas_dkr = legs.loc[("CAS", "DKR")]
    assert (cas_dkr["ship_class"], cas_dkr["parcel_t"]) == ("coaster", 5_700)
    assert cas_dkr["passages"] == ""
    coaster = voyage_cost(COASTER, PARAMS, km.distance_km[1, 1], available_draft_m=6)
    assert cas_dkr["cost_per_t"] == pytest.approx(coaster.cost_per_t)
    # the per-t-km sea leg beside them is priced as before
    old = legs.loc[("NOV", "DKR")]
    assert old["cost_per_t"] == pytest.approx(0.00223 * old["distance_km"])
    assert old["ship_class"] == "" and np.isnan(old["parcel_t"])


def test_user_ship_class_and_lot_are_kept():
    net = voyage_network(ship_class="handy", parcel_t=18_000.0, dakar_m=12.0)
    legs = fill_leg_attributes(net, freight_model=MODEL).legs
    first = legs.iloc[0]
    assert (first["ship_class"], first["parcel_t"]) == ("handy", 18_000)
    by_hand = voyage_cost(
        HANDY,
        PARAMS,
        first["distance_km"],
        parcel_t=18_000,
        passages=first["passages"].split(";"),
    )
    assert first["cost_per_t"] == pytest.approx(by_hand.cost_per_t)
    # 15,000 t is 52 % of a handy: below the 60 % minimum fill
    with pytest.raises(RouteError, match="handy needs a lot of 17,400 t"):
        fill_leg_attributes(
            voyage_network(ship_class="handy", parcel_t=15_000.0, dakar_m=12.0),
            freight_model=MODEL,
        )
    with pytest.raises(ValidationError, match="ship class 'cape' is not in"):
        fill_leg_attributes(voyage_network(ship_class="cape"), freight_model=MODEL)


def test_voyage_leg_in_a_chain_uses_the_waypoint_depth():
    net = voyage_network()
    origins = net.origins.assign(lon=63.63, lat=53.21).drop(columns=["draft_m"])
    legs = pd.DataFrame(
        [
            {
                "origin": "NOV",
                "destination": "CAS",
                "mode": "sea_voyage",
                "route": "rail@PORT; sea_voyage",
            }
        ]
    )
    net = net.replace(origins=origins, legs=legs)
    waypoints = pd.DataFrame(
        {
            "id": ["PORT"],
            "name": ["Port"],
            "lon": [NOV[0]],
            "lat": [NOV[1]],
            "depth_m": [9.0],
        }
    )
    leg = fill_leg_attributes(net, waypoints=waypoints, freight_model=MODEL).legs
    # PORT 9 - 1 = 8 m binds: supra 54,500 - 55 x 450 = 29,750 t < 60 % -> handy
    assert leg.iloc[0]["ship_class"] == "handy"
    assert leg.iloc[0]["parcel_t"] == 21_000
    without = waypoints.drop(columns=["depth_m"])
    with pytest.raises(ValidationError, match="calls at 'PORT', which has no draft_m"):
        fill_leg_attributes(net, waypoints=without, freight_model=MODEL)


def test_too_shallow_for_every_class():
    net = voyage_network()
    shallow = net.destinations.assign(depth_m=4.0)
    net = net.replace(destinations=shallow)
    with pytest.raises(RouteError, match=r"leg CAS->DKR \(sea_voyage\): no ship class"):
        fill_leg_attributes(net, freight_model=MODEL)
    dropped = fill_leg_attributes(net, freight_model=MODEL, unreachable="drop").legs
    assert len(dropped) == 2
    bad = net.destinations.assign(depth_m="deep")
    with pytest.raises(ValidationError, match="'destinations', id 'DKR', column 'de"):
        fill_leg_attributes(net.replace(destinations=bad), freight_model=MODEL)


def test_old_sea_modes_are_unchanged_and_get_no_voyage_columns():
    net = voyage_network(mode="sea_supramax")
    legs = fill_leg_attributes(net, freight_model=MODEL).legs
    assert not {"ship_class", "parcel_t", "passages"} & set(legs.columns)
    for _, leg in legs.iterrows():
        assert leg["cost_per_t"] == pytest.approx(0.00223 * leg["distance_km"])
        assert leg["transit_days"] == pytest.approx(leg["distance_km"] / 533.4)


def test_price_sea_legs_for_a_builder():
    ports = pd.DataFrame(
        {
            "id": ["NOV", "CAS", "DKR"],
            "lon": [NOV[0], CAS[0], DKR[0]],
            "lat": [NOV[1], CAS[1], DKR[1]],
            "draft_m": [12.0, np.nan, 6.0],
            "depth_m": [np.nan, 14.0, np.nan],
        }
    )
    table = freight.price_sea_legs(ports, [("NOV", "CAS"), ("CAS", "DKR")], MODEL)
    assert table["ship_class"].tolist() == ["supra", "coaster"]
    assert table["passages"].tolist() == ["bosporus;dardanelles;gibraltar", ""]
    parts = [c for c in table.columns if c.endswith("_per_t") and c != "cost_per_t"]
    parts.remove("co2_kg_per_t")
    assert np.allclose(table[parts].sum(axis=1), table["cost_per_t"])
    with pytest.raises(ValidationError, match="id 'CAS', columns draft_m/depth_m"):
        freight.price_sea_legs(ports.assign(depth_m=np.nan), [("NOV", "CAS")], MODEL)
    with pytest.raises(ValidationError, match="no row with id 'XXX'"):
        freight.price_sea_legs(ports, [("NOV", "XXX")], MODEL)
    with pytest.raises(RouteError, match="no sea route"):
        freight.price_sea_legs(ports, [("NOV", "CAS")], MODEL, avoid=["bosporus"])


def test_sea_routes_record_the_passages_they_cross():
    mombasa = (39.667, -4.067)
    routes = geo.sea_routes_with_passages([NOV], [CAS, mombasa])
    assert routes.passages[0] == [
        ("bosporus", "dardanelles", "gibraltar"),
        ("bosporus", "dardanelles", "suez", "bab_el_mandeb"),
    ]
    km, lines = geo.sea_routes([NOV], [CAS, mombasa])
    assert np.array_equal(km, routes.distance_km)
    assert lines[0][0].equals(routes.lines[0][0])
    cape = geo.sea_routes_with_passages([NOV], [mombasa], avoid=["suez"])
    assert cape.passages[0][0][-1] == "cape_of_good_hope"


# -- the bundled tables and the calibration --
def test_bundled_tables_load_and_every_row_is_sourced():
    model = freight.load_freight()
    assert [s.name for s in model.classes] == [
        "coaster",
        "handysize",
        "supramax",
        "panamax",
    ]
    assert model.parameters.price_year == 2024
    for name in ("ship_classes", "voyage_parameters", "freight_calibration"):
        table = pd.read_csv(freight._bundled(f"{name}.csv"))
        for col in freight.PROVENANCE_COLUMNS:
            assert table[col].notna().all(), (name, col)
        assumed = table["source"].str.contains("ASSUM|DERIVED", regex=True)
        assert (table.loc[assumed, "confidence"] != "H").all(), name


def test_the_coaster_hire_is_the_one_its_calibration_route_implies():
    model = freight.load_freight()
    routes = pd.read_csv(freight._bundled("freight_calibration.csv")).set_index("id")
    r14 = routes.loc["R14c"]
    sea = geo.sea_routes_with_passages(
        [(r14["from_lon"], r14["from_lat"])], [(r14["to_lon"], r14["to_lat"])]
    )
    tce = freight.implied_tce(
        model.ship("coaster"),
        model.parameters,
        sea.distance_km[0, 0],
        (r14["published_low_usd_per_t"] + r14["published_high_usd_per_t"]) / 2,
        parcel_t=r14["parcel_t"],
        passages=sea.passages[0][0],
    )
    assert model.ship("coaster").tce_usd_per_day == round(tce)


def calibration_markdown(table: pd.DataFrame) -> str:
    """The calibration table as docs/geography.md shows it."""
    lines = [
        "| Route | Period | Class, parcel | Published USD/t | Model USD/t | "
        "Model / published | Implied hire USD/day (model's) | Model at the "
        "broker's hire |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        at = r["model_at_fixture_tce_usd_per_t"]
        broker = (
            "-"
            if np.isnan(at)
            else f"{at:.2f} at {r['fixture_tce_usd_per_day']:,.0f}/day"
        )
        lines.append(
            f"| {r['id']} {r['route']} | {r['period']} | {r['ship_class']}, "
            f"{r['parcel_t']:,.0f} t | {r['published_usd_per_t']:.2f} | "
            f"{r['model_usd_per_t']:.2f} | {r['model_to_published']:.2f} | "
            f"{r['implied_tce_usd_per_day']:,.0f} ({r['tce_usd_per_day']:,.0f}) | "
            f"{broker} |"
        )
    return "\n".join(lines)


def test_calibration_table_in_the_docs_is_the_one_the_library_computes():
    docs = Path(__file__).resolve().parents[1] / "docs" / "geography.md"
    text = docs.read_text(encoding="utf-8")
    start = text.index("<!-- calibration table: start -->") + len(
        "<!-- calibration table: start -->"
    )
    end = text.index("<!-- calibration table: end -->")
    expected = calibration_markdown(freight.calibration())
    assert text[start:end].strip() == expected, "update docs/geography.md:\n" + expected


def test_calibration_table_errors():
    routes = pd.read_csv(freight._bundled("freight_calibration.csv"))
    with pytest.raises(ValidationError, match="missing required column 'parcel_t'"):
        freight.calibration(routes.drop(columns=["parcel_t"]))
    bad = routes.astype({"parcel_t": object, "ship_class": object})
    bad.loc[0, "parcel_t"] = "lots"
    bad.loc[1, "ship_class"] = "capesize"
    with pytest.raises(ValidationError) as info:
        freight.calibration(bad)
    problems = "\n".join(info.value.problems)
    assert "route 'R1', column 'parcel_t': 'lots' is not a number" in problems
    assert (
        "route 'R6', column 'ship_class': ship class 'capesize' is not in" in problems
    )


def test_a_port_with_its_own_discharge_rate():
    net = voyage_network(dakar_m=12.0)
    slow = net.destinations.assign(discharge_rate_t_per_day=2_000.0)
    legs = fill_leg_attributes(
        net.replace(destinations=slow), freight_model=MODEL
    ).legs.set_index(["origin", "destination"])
    cas_dkr = legs.loc[("CAS", "DKR")]
    params = dataclasses.replace(PARAMS, discharge_rate_t_per_day=2_000.0)
    ship = MODEL.ship(cas_dkr["ship_class"])
    by_hand = voyage_cost(ship, params, cas_dkr["distance_km"], available_draft_m=11.0)
    assert cas_dkr["cost_per_t"] == pytest.approx(by_hand.cost_per_t)
    # NOV -> CAS discharges at Casablanca, which has no rate of its own
    nov_cas = legs.loc[("NOV", "CAS")]
    default = voyage_cost(
        SUPRA,
        PARAMS,
        nov_cas["distance_km"],
        available_draft_m=12.0,
        passages=nov_cas["passages"].split(";"),
    )
    assert nov_cas["cost_per_t"] == pytest.approx(default.cost_per_t)
    bad = net.destinations.assign(discharge_rate_t_per_day=0.0)
    with pytest.raises(
        ValidationError, match=r"'discharge_rate_t_per_day': 0\.0 is not"
    ):
        fill_leg_attributes(net.replace(destinations=bad), freight_model=MODEL)


def test_a_bad_route_is_reported_alongside_voyage_legs():
    # the route problems of other legs are not lost when voyage legs are priced
    net = voyage_network()
    legs = net.legs
    legs.loc[legs["mode"] == "sea", "route"] = "rail@NOWHERE; sea"
    with pytest.raises(ValidationError, match="NOWHERE"):
        fill_leg_attributes(net.replace(legs=legs), freight_model=MODEL)
