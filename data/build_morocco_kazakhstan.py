"""Build the legs and corridors of the bundled ``morocco_kazakhstan`` network.

Run from the repository root (re-runnable, deterministic, offline)::

    python data/build_morocco_kazakhstan.py          # writes the generated tables
    python data/build_morocco_kazakhstan.py --check  # fails if the files would change
    python data/build_morocco_kazakhstan.py --trace-rail  # retrace rail on OSM track

``--trace-rail`` needs the build-time packages scgraph 2.15 and scgraph_data 2.0
(OpenStreetMap railways, ODbL); without it the traced rail lines stored in
corridors.csv are reused, so the default build stays offline and dependency-free.

Inputs (curated by hand, every value sourced; see data/README.md):
``origins.csv``, ``hubs.csv``, ``destinations.csv``, ``hub_levels.csv`` and
``waypoints.csv`` (export ports, Caspian ports and named rail junctions) in
``data/morocco_kazakhstan/``, the bundled ``data/modes.csv`` and the rail paths below.

Outputs:

``corridors.csv``
    One LineString per rail path (origin -> export port, Baku -> Georgian port)
    through named junctions, following OSM track between them where the graph
    allows; the Caspian crossing (sea route); and one MultiLineString per export
    corridor (the union of its land and Caspian parts, for maps).
``legs.csv``
    origin -> hub and origin -> destination (direct, today's trade) legs for every
    export corridor, and hub -> destination legs. Chained legs carry a ``route`` and
    their distance, cost, transit time, CO2 and route geometry (WKT) are computed by
    :func:`hubopt.legs.fill_leg_attributes`: sea segments on the searoute maritime
    graph (:mod:`hubopt.geo`), rail and Caspian segments along the corridor lines,
    unit values from ``data/modes.csv``.
``hub_levels.csv``
    Capex and fixed cost per level by the fitted scale law, and each level's silo
    bound for the multi-period model (``silo_capacity_t``, SILO_DAYS of throughput).
``monthly/periods.csv``, ``monthly/period_values.csv``
    The bundled monthly periods: each origin's supply by month on the 2024 export
    profile of ``monthly/export_profile.csv`` and the Caspian winter limits of
    ``monthly/seasonal_limits.csv`` on capacities rows (hand-made, sourced inputs).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import LineString, MultiLineString

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "morocco_kazakhstan"
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

import hubopt.geo as geo  # noqa: E402
from hubopt import freight  # noqa: E402
from hubopt.legs import fill_leg_attributes  # noqa: E402
from hubopt.network import Network  # noqa: E402

#: Junction sequences of the rail paths (coordinates in waypoints.csv); the order of the
#: junctions is the author's reading of the main lines (ASSUMPTION). Between junctions
#: a path follows OSM track (``--trace-rail``) or, across a gap in that graph, a
#: straight line (see README, "Rail distances").
_NOVOROSSIYSK_TRUNK = [
    "SAMARA",
    "SYZRAN",
    "SARATOV",
    "VOLGOGRAD",
    "TIKHORETSK",
    "KRASNODAR",
    "KRYMSK",
    "NOVOROSSIYSK",
]
_LIEPAJA_TRUNK = [
    "CHELYABINSK",
    "UFA",
    "SAMARA",
    "SYZRAN",
    "PENZA",
    "RYAZAN",
    "MOSCOW",
    "RZHEV",
    "VELIKIYE_LUKI",
    "SEBEZH",
    "REZEKNE",
    "RIGA",
    "JELGAVA",
    "LIEPAJA",
]
_AKTAU_TRUNK = [
    "TOBOL",
    "KHROMTAU",
    "AKTOBE",
    "KANDYAGASH",
    "MAKAT",
    "BEYNEU",
    "MANGISTAU",
    "AKTAU",
]
_GEORGIA_TRUNK = [
    "BAKU",
    "SANGACHAL",
    "YEVLAKH",
    "GANJA",
    "AGHSTAFA",
    "GARDABANI",
    "TBILISI",
    "KHASHURI",
    "ZESTAPONI",
    "SAMTREDIA",
]

RAIL_PATHS: dict[str, list[str]] = {
    # Black Sea via Russia
    "rail_kostanay_novorossiysk": [
        "KZ_KOSTANAY",
        "TOBOL",
        "KARTALY",
        "ORSK",
        "ORENBURG",
        *_NOVOROSSIYSK_TRUNK,
    ],
    "rail_petropavl_novorossiysk": [
        "KZ_NORTH_KAZAKHSTAN",
        "KURGAN",
        "CHELYABINSK",
        "UFA",
        *_NOVOROSSIYSK_TRUNK,
    ],
    "rail_kokshetau_novorossiysk": [
        "KZ_AKMOLA",
        "KZ_NORTH_KAZAKHSTAN",
        "KURGAN",
        "CHELYABINSK",
        "UFA",
        *_NOVOROSSIYSK_TRUNK,
    ],
    # Baltic via Russia and Latvia (the 2025 Morocco shipments went to Liepaja)
    "rail_kostanay_liepaja": ["KZ_KOSTANAY", "TROITSK", *_LIEPAJA_TRUNK],
    "rail_petropavl_liepaja": ["KZ_NORTH_KAZAKHSTAN", "KURGAN", *_LIEPAJA_TRUNK],
    "rail_kokshetau_liepaja": [
        "KZ_AKMOLA",
        "KZ_NORTH_KAZAKHSTAN",
        "KURGAN",
        *_LIEPAJA_TRUNK,
    ],
    # Trans-Caspian: to Aktau by the Khromtau-Altynsarin line
    "rail_kostanay_aktau": ["KZ_KOSTANAY", *_AKTAU_TRUNK],
    "rail_petropavl_aktau": [
        "KZ_NORTH_KAZAKHSTAN",
        "KZ_AKMOLA",
        "ASTANA",
        "ATBASAR",
        "ESIL",
        *_AKTAU_TRUNK,
    ],
    "rail_kokshetau_aktau": ["KZ_AKMOLA", "ASTANA", "ATBASAR", "ESIL", *_AKTAU_TRUNK],
    "rail_baku_poti": [*_GEORGIA_TRUNK, "POTI"],
    "rail_baku_batumi": [*_GEORGIA_TRUNK, "BATUMI"],
}

#: Short names of the origins used in rail-path ids.
ORIGIN_KEY = {
    "KZ_KOSTANAY": "kostanay",
    "KZ_NORTH_KAZAKHSTAN": "petropavl",
    "KZ_AKMOLA": "kokshetau",
}

#: Export corridors: the chain of steps from an origin to the export port, the port
#: (waypoint id) where the sea leg starts, and a description with its evidence.
EXPORT_CORRIDORS: dict[str, dict[str, object]] = {
    "black_sea_novorossiysk": {
        "steps": ["rail/rail_{o}_novorossiysk@NOVOROSSIYSK"],
        "port": "NOVOROSSIYSK",
        "description": "rail via Russia to Novorossiysk, then sea through the Bosporus",
        "source": (
            "route: Kazakh grain to Black Sea ports via Russia (USDA FAS via World "
            "Grain 20638: transit disrupted in 2024 by a trade dispute); Novorossiysk "
            "grain capacity 13.6 -> 25 Mt/yr (Baird Maritime, Nov 2024)"
        ),
    },
    "baltic_liepaja": {
        "steps": ["rail/rail_{o}_liepaja@LIEPAJA"],
        "port": "LIEPAJA",
        "description": "rail via Russia and Latvia to Liepaja, then sea",
        "source": (
            "route of the 2025 Kazakh wheat shipments to Morocco: trains from "
            "Zhana-Esil and Sarykol via Russia/Latvia to Liepaja, then by sea (KTZ via "
            "World Grain 21347 and Kursiv, 2 May 2025)"
        ),
    },
    "trans_caspian_poti": {
        "steps": [
            "rail/rail_{o}_aktau@AKTAU",
            "caspian_ferry/caspian_aktau_baku@BAKU",
            "rail/rail_baku_poti@POTI",
        ],
        "port": "POTI",
        "description": "rail to Aktau, Caspian ship to Baku/Alat, rail to Poti, sea",
        "source": (
            "Trans-Caspian International Transport Route (Middle Corridor): "
            "Aktau/Kuryk -> Baku/Alat -> Georgian ports; capacity 6 Mt/yr (TITR "
            "via minval.biz, 2022); a Kazakh container terminal at Poti was "
            "reported opened on 9 Jun 2025 (press, not re-checked)"
        ),
    },
    "trans_caspian_batumi": {
        "steps": [
            "rail/rail_{o}_aktau@AKTAU",
            "caspian_ferry/caspian_aktau_baku@BAKU",
            "rail/rail_baku_batumi@BATUMI",
        ],
        "port": "BATUMI",
        "description": "rail to Aktau, Caspian ship to Baku/Alat, rail to Batumi, sea",
        "source": (
            "Trans-Caspian International Transport Route (Middle Corridor) to Batumi; "
            "TITR capacity 6 Mt/yr (minval.biz, 2022)"
        ),
    },
}

#: Sea legs are priced by the voyage model (hubopt.freight) from the drafts of both
#: ends: the class the ports admit, part-loaded to the shallower end's draft.
SEA_MODE = "sea_voyage"
#: The class of a leg: the largest both ends admit, part-loaded to the shallower
#: draft (issue 16's rule and the library's default, so scenarios that re-route legs
#: price them alike). "cheapest" would pick a full Handysize where a half-full
#: Panamax is dearer (docs/geography.md).
SHIP_RULE = "largest"
#: destinations.csv columns written by the builder (alternatives()).
ALTERNATIVE_COLUMNS = (
    "competitor_freight_per_t",
    "competitor_ship_class",
    "alternative_cost_per_t",
    "alternative_source",
)

RAIL_SOURCE = (
    "rail path through named junctions (GeoNames coordinates, CC BY 4.0, see "
    "waypoints.csv); junction order is the author's reading of the main lines "
    "(ASSUMPTION); between junctions the line follows OpenStreetMap track where the "
    "graph allows, else a straight line (column geometry_source, README)"
)

LEG_SOURCE = (
    "generated by data/build_morocco_kazakhstan.py through "
    "hubopt.legs.fill_leg_attributes: sea km on searoute's maritime graph "
    "(hubopt.geo), rail and Caspian km along corridors.csv, cost/time/CO2 per km and "
    "per transfer from data/modes.csv (see its source column); sea segments by the "
    "voyage model (hubopt.freight, data/ship_classes.csv and voyage_parameters.csv, "
    "USD 2024) for the largest class both ends' drafts admit, part-loaded to the "
    "shallower one (ship_class, parcel_t, passages); subsidy_per_t: the Kazakh "
    "transport subsidy of the export corridor, recorded, NOT deducted from cost_per_t"
)

#: Decimal places kept in WKT coordinates (1e-4 degree ~ 11 m).
WKT_DECIMALS = 4
#: Simplification tolerance for leg route lines, in degrees (display only: distances
#: are computed before simplifying).
SIMPLIFY_DEG = 0.02


#: Rail tracing (``--trace-rail``): each junction-to-junction segment is routed on the
#: OpenStreetMap world railway graph of the PyPI packages scgraph 2.15 + scgraph_data
#: 2.0 (build time only, not a hubopt dependency). A segment falls back to the
#: straight line when the graph has no route, when a junction is more than
#: TRACE_MAX_SNAP_KM from the track or when the route is longer than
#: TRACE_MAX_CIRCUITY times the great circle (a detour round a gap in the graph).
TRACE_MAX_SNAP_KM = 25.0
TRACE_MAX_CIRCUITY = 1.8
#: Simplification tolerance of the traced rail lines, in degrees (0.01 deg ~ 1.1 km
#: north-south, ~0.7 km east-west at 50 N): keeps corridors.csv small.
RAIL_SIMPLIFY_DEG = 0.01

OSM_RAIL = (
    "OpenStreetMap railways via the PyPI package scgraph_data {data} "
    "(world_railways; data (c) OpenStreetMap contributors, ODbL 1.0), routed with "
    "scgraph {scgraph} between consecutive junctions and simplified to "
    f"{RAIL_SIMPLIFY_DEG} deg"
)


def _trace_segment(
    rail: object, start: tuple[float, float], end: tuple[float, float]
) -> tuple[np.ndarray | None, str]:
    """One junction-to-junction stretch on the OSM rail graph (lon/lat vertices), or
    None and the reason to fall back to the straight line.

    scgraph first joins each junction to its nearest graph node; where that node sits
    on a fragment cut off from the main network (no route, or a detour), the query is
    repeated letting scgraph join the junction to any nearby node.
    """
    why = ""
    for addition in ("kdclosest", "all"):
        try:
            found = rail.get_shortest_path(  # type: ignore[attr-defined]
                {"latitude": start[1], "longitude": start[0]},
                {"latitude": end[1], "longitude": end[0]},
                output_path=True,
                silent=True,
                node_addition_type=addition,
                destination_node_addition_type=addition,
            )
        except Exception:  # scgraph raises a bare Exception on a gap in the graph
            why = "no route in the graph"
            continue
        coords = np.asarray(found["coordinate_path"], dtype=float)[:, ::-1]
        coords[0], coords[-1] = start, end
        snaps = geo.great_circle_km(coords[[0, -1]], coords[[1, -2]], pairwise=True)
        length = geo.line_length_km(LineString(coords))
        direct = float(geo.great_circle_km([start], [end])[0, 0])
        if snaps.max() > TRACE_MAX_SNAP_KM:
            why = f"junction {snaps.max():.0f} km from the track"
        elif length > TRACE_MAX_CIRCUITY * direct:
            why = f"detour of {length:.0f} km for {direct:.0f} km (gap)"
        else:
            return coords, ""
    return None, why


def trace_rail_paths(
    points: dict[str, tuple[float, float]],
) -> dict[str, tuple[LineString, str, str]]:
    """Trace every rail path on the OSM rail graph (needs scgraph + scgraph_data).

    Returns, per rail path id, the simplified line, its geometry source text and the
    confidence (M when traced throughout, L when a segment is a straight line).
    """
    from importlib.metadata import version

    try:
        from scgraph_data.world_railways import world_railways_geograph as rail
    except ImportError as exc:
        msg = (
            "--trace-rail needs the build-time packages scgraph and scgraph_data: "
            "pip install 'scgraph==2.15.0' 'scgraph_data==2.0.0' (see data/README.md)"
        )
        raise SystemExit(msg) from exc
    osm = OSM_RAIL.format(data=version("scgraph_data"), scgraph=version("scgraph"))
    segments: dict[tuple[str, str], tuple[np.ndarray | None, str]] = {}
    out = {}
    for cid, path in RAIL_PATHS.items():
        parts, straight = [], []
        for a, b in itertools.pairwise(path):
            if (a, b) not in segments:
                segments[a, b] = _trace_segment(rail, points[a], points[b])
            coords, why = segments[a, b]
            if coords is None:
                coords = np.array([points[a], points[b]])
                straight.append(f"{a} > {b} ({why})")
            parts.append(coords if not parts else coords[1:])
        line = shapely.simplify(
            LineString(np.vstack(parts)), RAIL_SIMPLIFY_DEG, preserve_topology=False
        )
        line = LineString(np.round(np.asarray(line.coords), WKT_DECIMALS))
        source = osm
        if straight:
            source += (
                "; STRAIGHT LINE between junctions (understates track km) for: "
                + ", ".join(straight)
            )
        out[cid] = (line, source, "L" if straight else "M")
    return out


def stored_rail_paths() -> dict[str, tuple[LineString, str, str]]:
    """The traced rail paths as stored in corridors.csv (the default, offline build).

    Raises SystemExit when a rail path is missing or its junctions changed: retrace
    it with ``--trace-rail``.
    """
    file = FOLDER / "corridors.csv"
    stored = (
        pd.read_csv(file, dtype=str, keep_default_na=False).set_index("id")
        if file.exists()
        else pd.DataFrame()
    )
    out = {}
    for cid, path in RAIL_PATHS.items():
        waypoints = " > ".join(path)
        if cid not in stored.index or stored.at[cid, "waypoints"] != waypoints:
            msg = (
                f"corridors.csv has no traced rail path {cid} through {waypoints}; "
                "run python data/build_morocco_kazakhstan.py --trace-rail (needs "
                "scgraph and scgraph_data, see data/README.md)"
            )
            raise SystemExit(msg)
        row = stored.loc[cid]
        out[cid] = (
            shapely.from_wkt(row["geometry"]),
            row["geometry_source"],
            row["confidence"],
        )
    return out


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / f"{name}.csv", dtype={"id": str}, keep_default_na=False)


def _points(frames: dict[str, pd.DataFrame]) -> dict[str, tuple[float, float]]:
    points: dict[str, tuple[float, float]] = {}
    for name in ("waypoints", "origins", "hubs", "destinations"):
        for row in frames[name].itertuples():
            points[row.id] = (float(row.lon), float(row.lat))
    return points


def build_corridors(
    frames: dict[str, pd.DataFrame], *, trace_rail: bool = False
) -> gpd.GeoDataFrame:
    """Rail paths, the Caspian crossing, and one union per export corridor."""
    points = _points(frames)
    traced = trace_rail_paths(points) if trace_rail else stored_rail_paths()
    rows = []
    lines: dict[str, LineString] = {}
    for cid, path in RAIL_PATHS.items():
        line, geometry_source, confidence = traced[cid]
        lines[cid] = line
        rows.append(
            {
                "id": cid,
                "mode": "rail",
                "kind": "rail path",
                "waypoints": " > ".join(path),
                "source": RAIL_SOURCE,
                "geometry_source": geometry_source,
                "confidence": confidence,
                "geometry": line,
            }
        )
    caspian = geo.sea_route(points["AKTAU"], points["BAKU"], avoid=["volga_don"])
    lines["caspian_aktau_baku"] = caspian
    rows.append(
        {
            "id": "caspian_aktau_baku",
            "mode": "caspian_ferry",
            "kind": "Caspian crossing",
            "waypoints": "AKTAU > BAKU",
            "source": (
                "shortest route on searoute's maritime graph (hubopt.geo.sea_route); "
                "searoute snaps Aktau/Kuryk and Baku/Alat to the same nodes, so one "
                "crossing stands for all four port pairs"
            ),
            "geometry_source": (
                "hubopt.geo.sea_route on searoute 1.6.0's maritime graph (Eurostat "
                "marnet), Volga-Don closed"
            ),
            "confidence": "M",
            "geometry": caspian,
        }
    )
    for cid, spec in EXPORT_CORRIDORS.items():
        parts = []
        for step in spec["steps"]:  # type: ignore[union-attr]
            corridor = step.split("/", 1)[1].split("@", 1)[0]
            if "{o}" in corridor:
                parts.extend(lines[corridor.format(o=k)] for k in ORIGIN_KEY.values())
            else:
                parts.append(lines[corridor])
        rows.append(
            {
                "id": cid,
                "mode": "multimodal",
                "kind": "export corridor (union of its land and Caspian parts)",
                "waypoints": str(spec["description"]),
                "source": str(spec["source"]),
                "geometry_source": "union of the rail and Caspian rows it chains",
                "confidence": "M",
                "geometry": MultiLineString(parts),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=geo.WGS84)


def build_legs(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every leg with its route, before attributes are filled."""
    origins, hubs, dests = frames["origins"], frames["hubs"], frames["destinations"]
    rows = []

    def chained(origin: str, target: str, kind: str) -> None:
        for cid, spec in EXPORT_CORRIDORS.items():
            port = str(spec["port"])
            steps = [s.format(o=ORIGIN_KEY[origin]) for s in spec["steps"]]  # type: ignore[union-attr]
            rows.append(
                {
                    "origin": origin,
                    "destination": target,
                    "mode": SEA_MODE,
                    "corridor": cid,
                    "kind": kind,
                    "route": "; ".join([*steps, SEA_MODE]),
                    "export_port": port,
                }
            )

    for o in origins["id"]:
        for h in hubs["id"]:
            chained(o, h, "origin->hub")
    for h in hubs["id"]:
        for d in dests["id"]:
            rows.append(
                {
                    "origin": h,
                    "destination": d,
                    "mode": SEA_MODE,
                    "corridor": "",
                    "kind": "hub->destination",
                    "route": "",
                    "export_port": "",
                }
            )
    for o in origins["id"]:
        for d in dests["id"]:
            chained(o, d, "origin->destination (direct baseline)")
    legs = pd.DataFrame(rows)
    for col in (
        "cost_per_t",
        "distance_km",
        "transit_days",
        "co2_kg_per_t",
        "parcel_t",
    ):
        legs[col] = np.nan
    legs["ship_class"] = ""
    legs["source"] = LEG_SOURCE
    legs["confidence"] = "L"
    return legs


def _wkt(geom: object, simplify: float = 0.0) -> str:
    if geom is None or not isinstance(geom, shapely.Geometry) or geom.is_empty:
        return ""
    if simplify:
        geom = shapely.simplify(geom, simplify, preserve_topology=False)
    return shapely.to_wkt(geom, rounding_precision=WKT_DECIMALS, trim=True)


#: Terminal sizes of hub_levels.csv (throughput, t/yr).
HUB_LEVELS = {"S": 500_000, "M": 1_000_000, "L": 2_500_000, "XL": 5_000_000}
#: Annualisation (ASSUMPTIONS, see README): 8 % real over 25 years.
DISCOUNT_RATE = 0.08
LIFE_YEARS = 25
#: The price year of every money figure in the bundled data.
PRICE_YEAR = 2024
#: Silo bound of a hub level, in days of its throughput (ASSUMPTION, see README:
#: the most stock the model may size at a hub, 91 days covering the 90-day reserve
#: the seasons example asks for; the model chooses the stock it pays for).
SILO_DAYS = 91
#: The months of the bundled periods (a common year of 365 days).
MONTHS = {
    "jan": 31,
    "feb": 28,
    "mar": 31,
    "apr": 30,
    "may": 31,
    "jun": 30,
    "jul": 31,
    "aug": 31,
    "sep": 30,
    "oct": 31,
    "nov": 30,
    "dec": 31,
}
MONTHLY = FOLDER / "monthly"


def capital_recovery_factor(
    rate: float = DISCOUNT_RATE, years: int = LIFE_YEARS
) -> float:
    """r (1 + r)^n / ((1 + r)^n - 1): the annuity that repays one unit of capex."""
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


def to_price_year(value: float, year: int, index: pd.DataFrame) -> float:
    """A USD figure of ``year`` in USD of PRICE_YEAR, by the US CPI-U (price_index)."""
    cpi = index[index["id"].str.startswith("CPI_")].set_index("year")["value"]
    return value * float(cpi[PRICE_YEAR]) / float(cpi[year])


def fit_capex(benchmarks: pd.DataFrame, index: pd.DataFrame) -> dict[str, float]:
    """Fit capex = a * capacity^b (USD of PRICE_YEAR, t/yr) to the benchmark terminals.

    Least squares on log capex against log capacity over the rows with
    ``use_in_fit == yes``. A slope b above 1 (cost per tonne of capacity rising with
    size) is no evidence of economies of scale but of benchmarks of unlike scope;
    then b is set to 1 and a to the geometric mean of their USD per t/yr, and
    ``b_fitted`` keeps what the data gave.
    """
    fit = benchmarks[benchmarks["use_in_fit"] == "yes"]
    usd = np.array(
        [
            to_price_year(float(v) * 1e6, int(y), index)
            for v, y in zip(fit["capex_million"], fit["capex_year"], strict=True)
        ]
    )
    capacity = fit["capacity_t"].astype(float).to_numpy()
    b_fitted, _log_a = np.polyfit(np.log(capacity), np.log(usd), 1)
    b = min(float(b_fitted), 1.0)
    a = float(np.exp(np.mean(np.log(usd) - b * np.log(capacity))))
    return {"a": a, "b": b, "b_fitted": float(b_fitted), "n": float(len(fit))}


def build_hub_levels(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """hub_levels.csv: capex per level by the fitted scale law, times the CRF."""
    law = fit_capex(frames["capex_benchmarks"], frames["price_index"])
    crf = capital_recovery_factor()
    names = ", ".join(
        frames["capex_benchmarks"].query("use_in_fit == 'yes'")["id"].tolist()
    )
    source = (
        f"DERIVED: capex = a x capacity^b in USD {PRICE_YEAR}, fitted by least squares "
        f"in logs on {int(law['n'])} new grain terminals of capex_benchmarks.csv "
        f"({names}) deflated by the US CPI-U (price_index.csv); the fit gives b = "
        f"{law['b_fitted']:.2f}"
        + (
            " > 1, i.e. the benchmarks show no economies of scale (unlike scopes: "
            "berths, import vs export), so b = 1 and a = their geometric mean "
            f"{law['a']:.2f} USD per t/yr"
            if law["b_fitted"] > 1.0
            else f", a = {law['a']:.4g}"
        )
        + f"; fixed_cost = capex x CRF {crf:.5f} (ASSUMPTION: {DISCOUNT_RATE:.0%} "
        f"real over {LIFE_YEARS} years); no terminal operating cost sourced (the "
        "handling tariff stands for it, hubs.csv); same cost at every port (a new "
        "dedicated transshipment terminal; no Moroccan grain-terminal capex found)"
    )
    silo_source = (
        f"ASSUMPTION: the most stock the multi-period model may hold at the level, "
        f"{SILO_DAYS} days of its throughput (capacity_t x {SILO_DAYS} / 365; room "
        "for the 90-day reserve of examples/seasons_reserve.py), a bound the model "
        "sizes within, not a design: its cost is paid per tonne held "
        "(hubs.storage_cost_per_t_period); the annual model ignores it"
    )
    rows = []
    for hub in frames["hubs"]["id"]:
        for level, capacity in HUB_LEVELS.items():
            capex = law["a"] * capacity ** law["b"]
            rows.append(
                {
                    "hub_id": hub,
                    "level": level,
                    "capacity_t": capacity,
                    "fixed_cost": round(capex * crf),
                    "capex_usd": round(capex),
                    "source": source,
                    "confidence": "L",
                    "silo_capacity_t": round(capacity * SILO_DAYS / 365),
                    "silo_source": silo_source,
                }
            )
    return pd.DataFrame(rows)


def silo_cost_per_t(frames: dict[str, pd.DataFrame]) -> tuple[float, float]:
    """(capex per tonne of silo in USD of PRICE_YEAR, the storage cost per tonne and
    month): the geometric mean of silo_benchmarks.csv, each converted at its year's
    USD/EUR rate and CPI (price_index.csv), times the CRF, over 12 months."""
    index = frames["price_index"].set_index("id")["value"].astype(float)
    per_t = []
    for row in frames["silo_benchmarks"].itertuples(index=False):
        usd = float(row.capex_million) * 1e6 * float(index[row.fx_id])
        per_t.append(
            to_price_year(usd, int(row.capex_year), frames["price_index"])
            / float(row.storage_added_t)
        )
    capex = float(np.exp(np.mean(np.log(per_t))))
    return capex, capex * capital_recovery_factor() / 12.0


def build_monthly(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """monthly/periods.csv and monthly/period_values.csv: each origin's supply by
    month on the 2024 profile of Kazakh grain exports (monthly/export_profile.csv,
    each row's tonnes spread over its months pro rata to days), and the winter
    limits of monthly/seasonal_limits.csv on capacities rows. Demand is left to
    the default, even pro rata to days (mills buy all year)."""
    periods = pd.DataFrame(
        {
            "id": list(MONTHS),
            "days": list(MONTHS.values()),
            "order": range(1, 13),
            "source": "calendar months of a common year (365 days)",
        }
    )
    profile = frames["export_profile"]
    total = float(profile["tonnes"].astype(float).sum())
    share, row_of = {}, {}
    for row in profile.itertuples(index=False):
        months = row.months.split(";")
        days = sum(MONTHS[m] for m in months)
        for m in months:
            share[m] = float(row.tonnes) / total * MONTHS[m] / days
            row_of[m] = row.id
    rows = []
    for origin in frames["origins"].itertuples(index=False):
        annual = round(float(origin.supply_t))
        tonnes = {m: round(annual * share[m]) for m in MONTHS}
        last = max(MONTHS, key=lambda m: share[m])
        tonnes[last] += annual - sum(tonnes.values())  # add up exactly
        for m in MONTHS:
            rows.append(
                {
                    "table": "origins",
                    "id": origin.id,
                    "column": "supply_t",
                    "period": m,
                    "value": tonnes[m],
                    "source": (
                        f"DERIVED: annual supply_t {annual:,} t x {share[m]:.4f}, the "
                        f"month's share of Kazakh grain exports in 2024 "
                        f"(monthly/export_profile.csv row {row_of[m]}, its tonnes "
                        f"spread over its months pro rata to days, / "
                        f"{total / 1e6:.1f} Mt); ASSUMPTION: every oblast ships on "
                        "the national profile, and calendar 2024 (the tail of the "
                        "2023 harvest, then the record 2024 one) stands for a year"
                    ),
                }
            )
    caps = frames["capacities"].set_index("id")["capacity_t"].astype(float)
    for row in frames["seasonal_limits"].itertuples(index=False):
        for m in row.months.split(";"):
            value = float(row.share) * caps[row.capacities_id] * MONTHS[m] / 365
            rows.append(
                {
                    "table": "capacities",
                    "id": row.capacities_id,
                    "column": "capacity_t",
                    "period": m,
                    "value": round(value),
                    "source": (
                        f"DERIVED: {row.share} x capacity_t "
                        f"{caps[row.capacities_id]:,.0f} x {MONTHS[m]} / 365 "
                        f"(monthly/seasonal_limits.csv row {row.id})"
                    ),
                }
            )
    return {
        "monthly/periods": periods,
        "monthly/period_values": pd.DataFrame(rows),
    }


#: The market price rows (market_prices.csv) used by the builder: the competitor's
#: FOB price and port, and the Kazakh transport subsidy by export corridor.
COMPETITOR_PRICE = "RU_FOB_BLACK_SEA"
COMPETITOR_PORT = "NOVOROSSIYSK"
SUBSIDY_ROWS = {
    "black_sea_novorossiysk": "SUB_VIA_RUSSIA",
    "baltic_liepaja": "SUB_VIA_BALTIC_STATES",
    "trans_caspian_poti": "SUB_VIA_AZ_GE",
    "trans_caspian_batumi": "SUB_VIA_AZ_GE",
}


def kzt_to_usd(value: float, year: int, index: pd.DataFrame) -> float:
    """A KZT figure of ``year`` in USD of PRICE_YEAR: at the PRICE_YEAR rate (the only
    one sourced), then by the CPI-U from ``year`` (price_index.csv)."""
    rate = float(index.loc[index["id"] == f"FX_KZT_{PRICE_YEAR}", "value"].iloc[0])
    return to_price_year(value / rate, year, index)


def subsidies(frames: dict[str, pd.DataFrame]) -> dict[str, float]:
    """USD 2024 per tonne of the Kazakh transport subsidy, by export corridor."""
    prices = frames["market_prices"].set_index("id")
    return {
        corridor: kzt_to_usd(
            float(prices.at[row, "value"]),
            int(prices.at[row, "year"]),
            frames["price_index"],
        )
        for corridor, row in SUBSIDY_ROWS.items()
    }


def alternatives(
    frames: dict[str, pd.DataFrame], model: freight.FreightModel
) -> pd.DataFrame:
    """Each market's alternative at its port of entry: the competitor's FOB price
    plus its sea freight from COMPETITOR_PORT by the same voyage model and class rule.
    A landlocked market's inland leg (inland_cost_per_t) is paid alike by the Kazakh
    and the competing cargo, so it is added to neither (README)."""
    dests = frames["destinations"]
    ports = pd.concat(
        [
            frames["waypoints"].loc[
                frames["waypoints"]["id"] == COMPETITOR_PORT,
                ["id", "lon", "lat", "draft_m", "depth_m"],
            ],
            dests[["id", "lon", "lat", "draft_m", "depth_m"]],
        ]
    ).replace("", np.nan)
    priced = freight.price_sea_legs(
        ports, [(COMPETITOR_PORT, d) for d in dests["id"]], model, rule=SHIP_RULE
    ).set_index("destination")
    fob_row = frames["market_prices"].set_index("id").loc[COMPETITOR_PRICE]
    fob = float(fob_row["value"])
    out = pd.DataFrame({"id": dests["id"]}).set_index("id")
    out["competitor_freight_per_t"] = priced["cost_per_t"].round(2)
    out["competitor_ship_class"] = priced["ship_class"]
    out["alternative_cost_per_t"] = (fob + priced["cost_per_t"]).round(2)
    out["alternative_source"] = [
        f"DERIVED, USD {PRICE_YEAR}: competitor Black Sea wheat FOB {fob:g} USD/t "
        f"({COMPETITOR_PRICE}, market_prices.csv) + its freight "
        f"{COMPETITOR_PORT} -> this port by the voyage model "
        f"({priced.at[d, 'ship_class']}, {priced.at[d, 'parcel_t']:,.0f} t, "
        f"{priced.at[d, 'cost_per_t']:.2f} USD/t); computed by "
        "data/build_morocco_kazakhstan.py. ASSUMPTION: Russia/Black "
        "Sea is every market's competitor (EU origins, the main supplier of Morocco "
        "and several West African markets, are not modelled: no season-average FOB "
        "and no Rouen draft in the research)"
        for d in out.index
    ]
    return out.reset_index()


def build(*, trace_rail: bool = False) -> dict[str, pd.DataFrame]:
    """The generated tables as they are written to CSV: legs, corridors, hub_levels,
    and destinations with its generated alternative-cost columns.

    With ``trace_rail`` the rail paths are traced anew on the OSM rail graph (needs
    scgraph and scgraph_data); otherwise their stored lines in corridors.csv are used.
    """
    frames = {
        name: _read(name)
        for name in (
            "origins",
            "hubs",
            "destinations",
            "waypoints",
            "capex_benchmarks",
            "price_index",
            "market_prices",
            "capacities",
            "silo_benchmarks",
            "monthly/export_profile",
            "monthly/seasonal_limits",
        )
    }
    frames["export_profile"] = frames.pop("monthly/export_profile")
    frames["seasonal_limits"] = frames.pop("monthly/seasonal_limits")
    frames["hub_levels"] = build_hub_levels(frames)
    corridors = build_corridors(frames, trace_rail=trace_rail)
    legs = build_legs(frames)
    generated = [c for c in ALTERNATIVE_COLUMNS if c in frames["destinations"]]
    net = Network.from_frames(
        frames["origins"].replace("", np.nan),
        frames["hubs"].replace("", np.nan),
        frames["destinations"].drop(columns=generated).replace("", np.nan),
        legs,
        frames["hub_levels"],
        corridors,
        name="morocco_kazakhstan",
    )
    waypoints = frames["waypoints"][["id", "name", "lon", "lat", "draft_m", "depth_m"]]
    # the tables beside this script, not the installed package's (an editable install
    # of another checkout would otherwise be read)
    modes = pd.read_csv(HERE / "modes.csv", keep_default_na=False, na_values=[""])
    model = freight.load_freight(
        HERE / "ship_classes.csv", HERE / "voyage_parameters.csv"
    )
    filled = fill_leg_attributes(
        net,
        modes,
        waypoints=waypoints.replace("", np.nan),
        freight_model=model,
        ship_rule=SHIP_RULE,
        # a sea leg no class of the model can sail (Kenitra's 5 m: the coaster needs
        # 5.07 m at half fill) is left out, listed by the build
        unreachable="drop",
    ).legs
    out = pd.DataFrame(filled.drop(columns="geometry"))
    # the subsidy is recorded, not deducted: the default is the cost to the economy
    # (a subsidy is a transfer); deduct it for the exporter's view (README)
    subsidy = subsidies(frames)
    from_origin = out["origin"].isin(frames["origins"]["id"])
    out["subsidy_per_t"] = np.where(
        from_origin, out["corridor"].map(subsidy).fillna(0.0), 0.0
    ).round(2)
    for col, digits in (
        ("distance_km", 1),
        ("cost_per_t", 2),
        ("transit_days", 2),
        ("co2_kg_per_t", 2),
        ("parcel_t", 0),
    ):
        out[col] = out[col].astype(float).round(digits)
    out["geometry"] = [_wkt(g, SIMPLIFY_DEG) for g in filled.geometry]
    order = [
        "origin",
        "destination",
        "mode",
        "corridor",
        "cost_per_t",
        "distance_km",
        "transit_days",
        "co2_kg_per_t",
        "kind",
        "route",
        "export_port",
        "ship_class",
        "parcel_t",
        "passages",
        "subsidy_per_t",
        "source",
        "confidence",
        "geometry",
    ]
    out = out[order]
    corr = pd.DataFrame(corridors.drop(columns="geometry"))
    corr["length_km"] = [round(geo.line_length_km(g), 1) for g in corridors.geometry]
    corr["geometry"] = [_wkt(g) for g in corridors.geometry]
    dests = pd.read_csv(
        FOLDER / "destinations.csv", dtype=str, keep_default_na=False
    ).drop(columns=generated)
    alt = alternatives(frames, model)
    dests = dests.merge(alt.astype(str), on="id", how="left", validate="one_to_one")
    return {
        "legs": out,
        "corridors": corr,
        "hub_levels": frames["hub_levels"],
        "destinations": dests,
        **build_monthly(frames),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if a generated table would change",
    )
    parser.add_argument(
        "--trace-rail",
        action="store_true",
        help="retrace the rail paths on OpenStreetMap railways (needs the build-time "
        "packages scgraph and scgraph_data); otherwise reuse those in corridors.csv",
    )
    args = parser.parse_args(argv)
    tables = build(trace_rail=args.trace_rail)
    changed = []
    for name, frame in tables.items():
        text = frame.to_csv(index=False, lineterminator="\n")
        file = FOLDER / f"{name}.csv"
        old = file.read_text(encoding="utf-8") if file.exists() else None
        if old != text:
            changed.append(name)
            if not args.check:
                file.write_text(text, encoding="utf-8")
    for name in changed:
        print(f"{name}.csv {'would change' if args.check else 'written'}")
    print(", ".join(f"{len(f)} {n}" for n, f in tables.items()))
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
