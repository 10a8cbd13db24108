"""Your own ports: nodes from GeoDataFrames, legs generated from geography.

You have ports as points in a GIS layer (here built in code; in practice
``geopandas.read_file("ports.gpkg")``), in whatever CRS your layer uses. hubopt takes
GeoDataFrames directly: point geometry stands in for lon/lat, and any CRS is converted
to WGS84 (a GeoDataFrame without a CRS is refused, never guessed). You do not need to
write a single leg: ``generate_legs`` proposes every origin->hub, hub->market and direct
leg that has a sea route and fills distance, cost, transit time, CO2 and route geometry
from the sea graph and the bundled transport modes (docs/geography.md).

The example: wheat from two Black Sea export ports to three West African markets, with
three Mediterranean and Atlantic ports as candidate hubs. The figures are made up.

Run::

    python examples/own_ports_geodataframe.py [OUTPUT_FOLDER]

Writes the network as a GeoPackage (``network.gpkg``), the result tables and the flows
along their sea routes as a GeoPackage layer (``flows.gpkg``).
"""

from __future__ import annotations

import geopandas as gpd
from _common import output_folder
from shapely.geometry import Point

import hubopt

out = output_folder("own-ports")


def ports(rows: list[tuple], columns: list[str], crs: str) -> gpd.GeoDataFrame:
    """A GeoDataFrame of ports from (id, name, lon, lat, ...) rows, in ``crs``."""
    frame = gpd.GeoDataFrame(
        [row[:2] + row[4:] for row in rows],
        columns=["id", "name", *columns],
        geometry=[Point(row[2], row[3]) for row in rows],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


# Origins in WGS84; hubs in Web Mercator (EPSG:3857), as a web-map layer might be:
# hubopt converts them back, so the two layers need not share a CRS.
origins = ports(
    [
        ("ODESA", "Odesa", 30.74, 46.49, 600_000.0),
        ("CONSTANTA", "Constanta", 28.65, 44.17, 400_000.0),
    ],
    ["supply_t"],
    "EPSG:4326",
)
hubs = ports(
    [
        # id, name, lon, lat, handling per t, capacity t/year, fixed cost per year
        ("ALGECIRAS", "Algeciras", -5.44, 36.13, 1.5, 500_000.0, 300_000.0),
        ("VALLETTA", "Valletta", 14.51, 35.90, 2.0, 300_000.0, 200_000.0),
        ("CASABLANCA", "Casablanca", -7.62, 33.60, 1.5, 400_000.0, 250_000.0),
    ],
    ["handling_cost_per_t", "capacity_t", "fixed_cost"],
    "EPSG:3857",
)
markets = ports(
    [
        ("DAKAR", "Dakar", -17.43, 14.68, 250_000.0),
        ("ABIDJAN", "Abidjan", -4.02, 5.30, 300_000.0),
        ("LAGOS", "Lagos", 3.39, 6.45, 350_000.0),
    ],
    ["demand_t"],
    "EPSG:4326",
)

# An empty legs table with the required columns: generate_legs fills it in.
legs = gpd.GeoDataFrame(
    {"origin": [], "destination": [], "mode": []}, geometry=[], crs="EPSG:4326"
)
network = hubopt.Network.from_frames(origins, hubs, markets, legs, name="own_ports")
print(network)  # 0 legs so far
print(network.hubs[["id", "lon", "lat"]])  # back in degrees

# Propose and fill legs. Suppose (made up) the markets' berths take only Handysize
# ships: the direct routes and the hubs' outbound legs are Handysize, while the hubs
# can receive Panamax ships, cheaper per tonne-km. That saving is what a hub must
# earn its fixed and handling costs from (classes: hubopt.modes.load_modes()).
network = hubopt.generate_legs(
    network,
    inbound_mode="sea_panamax",
    outbound_mode="sea_handysize",
    direct_mode="sea_handysize",
)
print(network)
print(
    network.legs[["origin", "destination", "mode", "distance_km", "cost_per_t"]]
    .head(8)
    .to_string(index=False)
)

result = hubopt.solve(network)
print(result.summary())
assert hubopt.check_solution(network, result) == []

# Store everything: the network as one GeoPackage (readable by read_network), the
# result tables, and the flows along their sea routes for a GIS.
hubopt.write_network(network, out / "network.gpkg", overwrite=True)
again = hubopt.read_network(out / "network.gpkg")
print(f"read back: {again}")
result.write(out / "result")
layers = result.to_geodataframes()
layers["flows"].to_file(out / "flows.gpkg", layer="flows")
print(f"outputs in {out}")
