"""Sanity tests on the bundled data sets themselves (hubopt.datasets, data/)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import datasets, geo

MK = "morocco_kazakhstan"
CONFIDENCE = {"H", "M", "L", "UNVERIFIED"}
TABLES = (
    "origins",
    "hubs",
    "hub_levels",
    "destinations",
    "legs",
    "corridors",
    "waypoints",
    "capacities",
    "capex_benchmarks",
    "price_index",
)


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    """The CSV files as written, every cell as text ('' when empty)."""
    folder = datasets.path(MK)
    return {
        t: pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False)
        for t in TABLES
    }


@pytest.fixture(scope="module")
def net() -> hubopt.Network:
    return datasets.morocco_kazakhstan()


@pytest.fixture(scope="module")
def readme() -> str:
    return (datasets.data_root() / "README.md").read_text(encoding="utf-8")


# -- the package API -------------------------------------------------------------
def test_list_names_bundled_networks():
    assert datasets.list() == ["morocco_kazakhstan", "tiny"]
    for name in datasets.list():
        assert datasets.path(name).is_dir()


def test_path_unknown_name_raises():
    with pytest.raises(hubopt.ValidationError, match="no bundled network named 'x'"):
        datasets.path("x")


def test_morocco_kazakhstan_loads(net):
    assert repr(net) == (
        "Network('morocco_kazakhstan': 3 origins, 11 hubs, 24 destinations, 648 legs)"
    )
    assert net.corridors is not None and len(net.corridors) == 16


def test_market_share_rescales_demand(net):
    scaled = datasets.morocco_kazakhstan(market_share=0.1)
    expected = (net.destinations["import_volume_t"].astype(float) * 0.1).round()
    assert np.allclose(scaled.destinations["demand_t"], expected)
    # the bundled network itself is unchanged
    assert round(datasets.morocco_kazakhstan().total_demand_t) == 55_379_840


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, float("nan"), "0.1", True])
def test_market_share_rejects_bad_values(bad):
    with pytest.raises(hubopt.ValidationError, match="market_share must be a number"):
        datasets.morocco_kazakhstan(market_share=bad)


def test_basemap():
    world = datasets.basemap()
    assert len(world) == 177
    assert world.crs.to_epsg() == 4326
    assert {"Morocco", "Kazakhstan", "Nigeria"} <= set(world["name"])
    assert (datasets.data_root() / datasets.BASEMAP_FILE).stat().st_size < 500_000


# -- references ------------------------------------------------------------------
def test_node_ids_unique_across_tables(raw):
    ids = pd.concat([raw[t]["id"] for t in ("origins", "hubs", "destinations")])
    assert ids.is_unique
    assert not set(ids) & set(raw["waypoints"]["id"])


def test_every_referenced_id_exists(raw):
    origins, hubs = set(raw["origins"]["id"]), set(raw["hubs"]["id"])
    dests = set(raw["destinations"]["id"])
    legs = raw["legs"]
    kinds = {
        "origin->hub": (origins, hubs),
        "hub->destination": (hubs, dests),
        "origin->destination (direct baseline)": (origins, dests),
    }
    for row in legs.itertuples():
        sources, targets = kinds[row.kind]
        assert row.origin in sources, row
        assert row.destination in targets, row
    assert set(raw["hub_levels"]["hub_id"]) == hubs
    corridors = set(raw["corridors"]["id"])
    assert set(legs["corridor"]) - {""} <= corridors
    points = origins | hubs | dests | set(raw["waypoints"]["id"])
    for route in legs["route"]:
        for step in filter(None, (s.strip() for s in route.split(";"))):
            mode_corridor, _, to = step.partition("@")
            _, _, corridor = mode_corridor.partition("/")
            assert not corridor or corridor in corridors, step
            assert not to or to in points, step
    for path in raw["corridors"]["waypoints"]:
        if " > " in path:
            assert set(path.split(" > ")) <= points, path
    assert set(legs["export_port"]) - {""} <= set(raw["waypoints"]["id"])


def test_leg_coverage(raw):
    legs = raw["legs"]
    n_o, n_h, n_d = (len(raw[t]) for t in ("origins", "hubs", "destinations"))
    n_corridors = legs.loc[legs["corridor"] != "", "corridor"].nunique()
    assert n_corridors == 4
    counts = legs["kind"].value_counts()
    # Kenitra Atlantique (5 m draft) takes no ship class of the voyage model: its legs
    # are left out by the build, every other hub has all of them
    assert "HUB_KENITRA_ATLANTIQUE" not in set(legs["origin"]) | set(
        legs["destination"]
    )
    n_h -= 1
    assert counts["origin->hub"] == n_o * n_h * n_corridors
    assert counts["hub->destination"] == n_h * n_d
    assert counts["origin->destination (direct baseline)"] == n_o * n_d * n_corridors
    trans_caspian = legs[legs["corridor"].str.startswith("trans_caspian")]
    assert trans_caspian["route"].str.contains("caspian_ferry/caspian_aktau_baku").all()


def test_leg_values_are_complete_and_plausible(net):
    legs = net.legs
    for col in ("cost_per_t", "distance_km", "transit_days", "co2_kg_per_t"):
        values = legs[col].astype(float)
        assert np.isfinite(values).all(), col
        assert (values >= 0).all(), col
    chained = legs[legs["kind"] != "hub->destination"]
    assert (chained["distance_km"] > 3000).all()
    assert legs["geometry"].notna().all()


# -- sources ---------------------------------------------------------------------
def test_every_source_cell_filled(raw):
    for table, frame in raw.items():
        cols = [c for c in frame.columns if c == "source" or c.endswith("_source")]
        assert cols, f"{table} has no source column"
        for col in cols:
            empty = frame.index[frame[col].str.strip() == ""].tolist()
            assert not empty, f"{table}.{col} empty in rows {empty}"


def test_confidence_marks(raw):
    for table, frame in raw.items():
        for col in [c for c in frame.columns if c.endswith("confidence")]:
            assert set(frame[col]) <= CONFIDENCE, (table, col)


def test_unverified_coordinates_are_marked(raw):
    hubs = raw["hubs"].set_index("id")
    hub = "HUB_DAKHLA_ATLANTIQUE"
    assert hubs.at[hub, "coordinate_confidence"] == "UNVERIFIED"
    assert "UNVERIFIED" in hubs.at[hub, "coordinate_source"]


def test_nador_west_med_in_betoya_bay(raw):
    """Audit section 2: the port lies at 35.24 N (fr.wikipedia), not 35.17 N."""
    hub = raw["hubs"].set_index("id").loc["HUB_NADOR_WEST_MED"]
    assert float(hub["lat"]) == pytest.approx(35.241, abs=0.002)
    assert float(hub["lon"]) == pytest.approx(-3.170, abs=0.002)
    assert "wikipedia" in hub["coordinate_source"]


def test_every_port_depth_sourced_and_dated(raw):
    """Every hub, market and export/Caspian port has a depth (or a max draft) with
    its kind, source, date and confidence; WPI figures are always the cargo-pier
    field, marked as the fallback."""
    waypoints = raw["waypoints"]
    ports = waypoints[waypoints["kind"].isin(["gateway_port", "caspian_port"])]
    for table, frame in (
        ("hubs", raw["hubs"]),
        ("destinations", raw["destinations"]),
        ("waypoints", ports),
    ):
        for row in frame.itertuples():
            if row.id == "BAKU":  # only a ship size is published (depth_kind)
                assert "NOT FOUND" in row.depth_kind
                continue
            depth = float(row.depth_m)
            assert 4.0 <= depth <= 25.0, (table, row.id, depth)
            if row.draft_m:
                assert float(row.draft_m) <= depth + 2.5, (table, row.id)
            for col in ("depth_kind", "depth_source", "depth_date"):
                assert getattr(row, col).strip(), (table, row.id, col)
            if "World Port Index" in row.depth_source:
                assert row.depth_kind == "WPI cargo pier depth", (table, row.id)
                assert "FALLBACK" in row.depth_source


def test_grain_berth_depths_of_the_audit(raw):
    """Audit rows 40 and 41: Dakar's grain quays and Lagos' channel, from the port
    authorities, not WPI's 4.9 m pier and 14 m channel."""
    dest = raw["destinations"].set_index("id")
    assert float(dest.at["SN_DAKAR", "depth_m"]) == 13.0
    assert "portdakar.sn" in dest.at["SN_DAKAR", "depth_source"]
    assert float(dest.at["NG_LAGOS", "depth_m"]) == 13.5
    assert float(dest.at["CM_DOUALA", "draft_m"]) == 9.0


def test_hub_status_and_territory(raw):
    hubs = raw["hubs"].set_index("id")
    assert set(hubs["status"]) <= {"candidate", "open", "closed"}
    assert (hubs["status_reason"].str.len() > 0).all()
    assert set(hubs["territory"]) == {"Morocco", "Western Sahara"}
    assert (
        hubs.loc[["HUB_LAAYOUNE", "HUB_DAKHLA_ATLANTIQUE"], "territory"]
        .eq("Western Sahara")
        .all()
    )


# -- derived numbers reproduce from their stated formulas -------------------------
def test_supply_derivation(raw):
    share = {
        "KZ_AKMOLA": 5.465,
        "KZ_KOSTANAY": 4.938,
        "KZ_NORTH_KAZAKHSTAN": 4.940,
    }
    for row in raw["origins"].itertuples():
        assert int(row.supply_t) == round(10_000_000 * share[row.id] / 21.276)


def test_demand_derivation(raw):
    """Contestable demand: the full published imports, and the alternative = the
    competitor's FOB + its voyage freight from Novorossiysk + the inland leg."""
    dest = raw["destinations"]
    imports = dest["import_volume_t"].astype(float)
    assert (dest["demand_t"].astype(float) == imports).all()
    assert (dest["market_share"].astype(float) == 1.0).all()
    assert (dest["unmet_penalty_per_t"] == "").all()
    fob = pd.read_csv(datasets.path(MK) / "market_prices.csv").set_index("id")
    # (the inland leg is paid alike by both cargoes, so it is in neither)
    alternative = fob.at["RU_FOB_BLACK_SEA", "value"] + dest[
        "competitor_freight_per_t"
    ].astype(float)
    assert np.allclose(
        dest["alternative_cost_per_t"].astype(float), alternative, atol=0.011
    )
    # Morocco enters through Casablanca and Jorf Lasfar, 54 : 22 (ANP, Jan-Apr 2020)
    by_id = dest.set_index("id")["import_volume_t"].astype(float)
    assert by_id["MA_CASABLANCA"] + by_id["MA_JORF_LASFAR"] == 7_500_000
    assert by_id["MA_CASABLANCA"] == round(7_500_000 * 54 / 76)
    # Ethiopia's inland leg: 756 km x 0.051 USD/t-km (2018) in USD 2024
    inland = dest.set_index("id")["inland_cost_per_t"].astype(float)
    assert inland["ET_DJIBOUTI"] == pytest.approx(
        756 * 0.051 * 313.689 / 251.107, abs=0.01
    )


def test_origin_price_and_corridor_subsidy(raw):
    """Origins pay the Kostanay price (KZT 2025 -> USD 2024); legs from an origin
    carry the subsidy of their export corridor (KZT 2025 -> USD 2024)."""
    usd = 313.689 / 321.943 / 469.0
    origins = raw["origins"]
    assert np.allclose(origins["cost_per_t"].astype(float), 85_000 * usd, atol=0.005)
    legs = raw["legs"]
    subsidy = legs.groupby("corridor")["subsidy_per_t"].agg(
        lambda v: set(v.astype(float))
    )
    assert subsidy["black_sea_novorossiysk"] == {round(20_000 * usd, 2)}
    for corridor in ("baltic_liepaja", "trans_caspian_poti", "trans_caspian_batumi"):
        assert subsidy[corridor] == {round(30_000 * usd, 2)}
    hub_out = legs[legs["kind"] == "hub->destination"]
    assert (hub_out["subsidy_per_t"].astype(float) == 0).all()


def test_sea_legs_use_the_voyage_model(raw):
    """Every sea segment is a voyage: a class the shallower end admits, a parcel, and
    (through the Bosporus) the passage; Conakry's 6.4 m pier takes only the coaster."""
    legs = raw["legs"]
    chained = legs[legs["kind"] != "hub->destination"]
    assert chained["route"].str.endswith("; sea_voyage").all()
    assert (legs["mode"] == "sea_voyage").all()
    assert set(legs["ship_class"]) <= {"coaster", "handysize", "supramax", "panamax"}
    assert (legs["parcel_t"].astype(float) > 0).all()
    conakry = legs[legs["destination"] == "GN_CONAKRY"]
    assert set(conakry["ship_class"]) == {"coaster"}
    novo = legs[legs["export_port"] == "NOVOROSSIYSK"]
    assert novo["passages"].str.contains("bosporus").all()


def _build_module():
    spec = importlib.util.spec_from_file_location("_build_mk", _build_script())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpi(raw_index: pd.DataFrame, year: int) -> float:
    row = raw_index[raw_index["id"] == f"CPI_{year}"]
    return float(row["value"].iloc[0])


def test_hub_level_annualisation(raw):
    """Capex in USD 2024 from the benchmark terminals, by hand: each deflated by
    the CPI-U; their log-log slope is above 1, so the law is linear at the geometric
    mean of their USD per t/yr; fixed cost = capex x CRF(8 %, 25 years)."""
    folder = datasets.path(MK)
    index = pd.read_csv(folder / "price_index.csv")
    bench = pd.read_csv(folder / "capex_benchmarks.csv").query("use_in_fit == 'yes'")
    per_t = [
        row.capex_million
        * 1e6
        * _cpi(index, 2024)
        / _cpi(index, row.capex_year)
        / row.capacity_t
        for row in bench.itertuples()
    ]
    # Vostochny 160.4 M (2011) / 5 Mt, KSK > 500 M (2024) / 9 Mt, GBHL 26 M (2000) / 2 Mt
    assert per_t == pytest.approx([44.74, 55.56, 23.68], abs=0.01)
    ratio = float(np.exp(np.mean(np.log(per_t))))
    assert ratio == pytest.approx(38.90, abs=0.01)
    levels = raw["hub_levels"]
    r, n = 0.08, 25
    crf = r * (1 + r) ** n / ((1 + r) ** n - 1)
    capacity = levels["capacity_t"].astype(float)
    assert np.allclose(levels["capex_usd"].astype(float), capacity * ratio, atol=1)
    assert np.allclose(
        levels["fixed_cost"].astype(float), capacity * ratio * crf, atol=1
    )
    assert levels["source"].str.contains("b = 1.58 > 1").all()


def test_hub_handling_cost_in_2024_money(raw):
    """55 MAD/t (2009) / 8.06 MAD per USD x CPI-U 2024/2009, plus the cereals goods
    due (EUR 2025) at the two Tanger Med Port Authority ports."""
    hubs = raw["hubs"].set_index("id")
    base = 55 / 8.06 * 313.689 / 214.537
    due = {"HUB_TANGER_MED": 1.06, "HUB_NADOR_WEST_MED": 0.75}
    for hub, row in hubs.iterrows():
        extra = due.get(hub, 0.0) * 1.0824 * 313.689 / 321.943
        assert float(row["handling_cost_per_t"]) == pytest.approx(
            base + extra, abs=0.005
        )
        assert "USD 2024" in row["handling_source"]


def test_capacities_of_the_corridors(raw, net):
    """Aktau + Kuryk grain terminals (audit row 43: 0.6 Mt/yr is outdated) and the
    other sourced limits are in the network as capacity rows."""
    caps = raw["capacities"].set_index("id")
    assert int(caps.at["CAP_AKTAU_KURYK_GRAIN", "capacity_t"]) == 800_000 + 240_000
    assert caps.at["CAP_AKTAU_KURYK_GRAIN", "node"] == "AKTAU"
    assert set(net.capacities["id"]) == set(caps.index)


# -- geography --------------------------------------------------------------------
def _ports(raw) -> pd.DataFrame:
    cols = ["id", "lon", "lat"]
    ports = pd.concat([raw["hubs"][cols], raw["destinations"][cols]])
    return ports.astype({"lon": float, "lat": float}).set_index("id")


def test_ports_on_the_coast(raw):
    """Every port lies within 25 km of the 1:110m coastline (its generalisation
    error); Douala is a river port 25 km up the Wouri estuary."""
    import shapely
    import shapely.ops

    world = datasets.basemap()
    coast = shapely.union_all(world.geometry.values).boundary
    limit = {"CM_DOUALA": 50.0}
    for pid, row in _ports(raw).iterrows():
        near = shapely.ops.nearest_points(coast, shapely.Point(row.lon, row.lat))[0]
        km = float(geo.great_circle_km([(row.lon, row.lat)], [(near.x, near.y)])[0, 0])
        assert km <= limit.get(pid, 25.0), (pid, round(km, 1))


def test_ports_snap_to_the_right_sea(raw):
    """Each port joins a sea lane close by, in the expected basin."""
    ports = _ports(raw)
    lonlat, km = geo.snap_to_sea(ports[["lon", "lat"]].to_numpy())
    # Ports join the nearest point of the nearest lane segment; the coarse graph keeps
    # the Atlantic lanes tens of km offshore (Dakhla Atlantique ~38 km).
    for pid, dist in zip(ports.index, km, strict=True):
        assert dist <= 100.0, (pid, round(float(dist), 1))
    mediterranean = {
        "HUB_TANGER_MED",
        "HUB_NADOR",
        "HUB_NADOR_WEST_MED",
        "DZ_ALGIERS",
        "TN_BIZERTE",
        "EG_ALEXANDRIA",
    }
    for pid, (lon, lat) in zip(ports.index, lonlat, strict=True):
        if not pid.startswith("HUB_"):
            continue
        in_med = lon > -5.6 and lat > 34.9
        assert in_med == (pid in mediterranean), (pid, lon, lat)
    # Mediterranean markets are nearer (by sea) to Nador than to Agadir; Atlantic ones
    # the other way round.
    hubs = ports.loc[["HUB_NADOR", "HUB_AGADIR"], ["lon", "lat"]].to_numpy()
    markets = ports.loc[["DZ_ALGIERS", "SN_DAKAR"], ["lon", "lat"]].to_numpy()
    d = geo.sea_distances(hubs, markets)
    assert d[0, 0] < d[1, 0] and d[1, 1] < d[0, 1]


def test_hubs_on_moroccan_or_saharan_coast(raw):
    hubs = raw["hubs"].astype({"lon": float, "lat": float})
    assert hubs["lon"].between(-17.5, -1.0).all()
    assert hubs["lat"].between(20.5, 36.0).all()


def test_origins_in_the_kazakh_grain_belt(raw):
    origins = raw["origins"].astype({"lon": float, "lat": float})
    assert origins["lon"].between(60, 72).all()
    assert origins["lat"].between(50, 56).all()


# -- README totals -----------------------------------------------------------------
def _number(text: str, label: str) -> float:
    match = re.search(rf"{label}:\s*([\d,]+)", text)
    assert match, f"README has no '{label}: N' line"
    return float(match.group(1).replace(",", ""))


def test_readme_totals_match_files(raw, readme):
    assert (
        _number(readme, "total supply")
        == raw["origins"]["supply_t"].astype(float).sum()
    )
    dest = raw["destinations"]
    assert _number(readme, "total demand") == dest["demand_t"].astype(float).sum()
    assert (
        _number(readme, "total published imports")
        == dest["import_volume_t"].astype(float).sum()
    )
    for label, table in (
        ("Origins", "origins"),
        ("Hubs", "hubs"),
        ("hub levels", "hub_levels"),
        ("Destinations", "destinations"),
        ("Legs", "legs"),
        ("Corridors", "corridors"),
        ("waypoints", "waypoints"),
    ):
        assert _number(readme, label) == len(raw[table]), label
    closed = (raw["hubs"]["status"] == "closed").sum()
    assert f"({len(raw['hubs']) - closed} candidate, {closed} closed)" in readme
    kinds = raw["legs"]["kind"].value_counts()
    assert f"{kinds['origin->hub']} origin->hub" in readme
    assert f"{kinds['hub->destination']} hub->destination" in readme
    direct = kinds["origin->destination (direct baseline)"]
    assert f"{direct} origin->destination direct" in readme


def test_readme_documents_every_file(readme):
    folder = datasets.path(MK)
    for file in folder.glob("*.csv"):
        assert f"`{MK}/{file.name}`" in readme, file.name


# -- the generated files are up to date ---------------------------------------------
def _build_script() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    script = root / "data" / "build_morocco_kazakhstan.py"
    return script if script.is_file() else None


@pytest.mark.skipif(_build_script() is None, reason="needs a source checkout")
def test_generated_tables_are_current():
    folder = datasets.path(MK)
    for name, frame in _build_module().build().items():
        text = frame.to_csv(index=False, lineterminator="\n")
        assert (folder / f"{name}.csv").read_text(encoding="utf-8") == text, (
            f"{name}.csv is out of date: run python data/build_morocco_kazakhstan.py"
        )


# -- the default scenario solves -------------------------------------------------
def test_default_scenario_solves_to_proven_optimality(net):
    result = hubopt.solve(net)
    assert result.status == "optimal"
    assert result.runtime_s < 10
    assert hubopt.check_solution(net, result) == []
    markets = result.markets
    # contestable markets: every tonne is served or lost to the alternative supply
    total = markets["served_t"].sum() + markets["lost_to_alternative_t"].sum()
    assert np.isclose(total, net.total_demand_t)
    supply = net.origins["supply_t"].sum()
    assert markets["served_t"].sum() <= supply + 1e-6


def test_programme_option_delivers_its_volume(net):
    """The former fixed 2.5 Mt programme is an option, not the default."""
    result = hubopt.solve(net, programme_t=2_500_000)
    assert result.status == "optimal"
    assert hubopt.check_solution(net, result) == []
    assert result.markets["served_t"].sum() >= 2_500_000 - 1e-6


def test_one_forced_hub_solves(net):
    result = hubopt.solve(net, min_hubs=1)
    assert result.status == "optimal"
    assert hubopt.check_solution(net, result) == []
    opened = result.hubs[result.hubs["open"]]
    assert len(opened) == 1
    closed = set(net.hubs.loc[net.hubs["status"] == "closed", "id"])
    assert not set(opened["hub_id"]) & closed


def test_sources_name_no_path_on_a_developers_machine():
    # a source cites a public document or a file shipped in data/, never a local path
    data = datasets.data_root()
    local = re.compile(r"(?<![\w.])/(work|home|tmp|root|Users)/")
    found = [
        f"{path.relative_to(data)}: {match.group(0)}"
        for path in sorted(data.rglob("*"))
        if path.suffix in {".csv", ".md", ".toml"}
        for match in local.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found
