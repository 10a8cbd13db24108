"""Quickstart: the whole hubopt path on a network small enough to check by hand.

Two farms ship grain to three cities, either straight (a direct leg) or through one of
two candidate ports where it is consolidated. Opening a port has an annual fixed cost
and a capacity; handling a tonne there costs a little. Which ports should open?

Run::

    python examples/quickstart.py [OUTPUT_FOLDER]

It prints the answer and writes the result tables (summary.json, flows.csv, hubs.csv,
markets.csv, paths.csv) to OUTPUT_FOLDER (a temporary folder if none is given).
"""

from __future__ import annotations

import pandas as pd
from _common import output_folder

import hubopt

out = output_folder("quickstart")

# 1. The network: five tables as plain DataFrames (docs/format.md lists every column).
#    Coordinates are WGS84 lon/lat; tonnes per year; costs in one currency.
origins = pd.DataFrame(
    {
        "id": ["FARM_N", "FARM_S"],
        "name": ["North farm", "South farm"],
        "lon": [10.0, 12.0],
        "lat": [50.0, 46.0],
        "supply_t": [150.0, 100.0],
    }
)
hubs = pd.DataFrame(
    {
        "id": ["PORT_W", "PORT_E"],
        "name": ["West port", "East port"],
        "lon": [5.0, 14.0],
        "lat": [44.0, 41.0],
        "handling_cost_per_t": [1.0, 2.0],  # paid on every tonne through the hub
        "capacity_t": [200.0, 120.0],  # tonnes per year
        "fixed_cost": [100.0, 60.0],  # per year, if the hub opens
    }
)
destinations = pd.DataFrame(
    {
        "id": ["CITY_A", "CITY_B", "CITY_C"],
        "name": ["City A", "City B", "City C"],
        "lon": [3.0, 9.0, 15.0],
        "lat": [36.0, 35.0, 33.0],
        "demand_t": [80.0, 70.0, 50.0],
    }
)
# Legs: origin -> hub (inbound), hub -> market (outbound), origin -> market (direct).
# Here we give each leg's cost per tonne ourselves; docs/geography.md shows how to
# derive cost, distance, time and CO2 from the map instead.
legs = pd.DataFrame(
    [
        ("FARM_N", "PORT_W", "rail", 2.0),
        ("FARM_N", "PORT_E", "rail", 4.0),
        ("FARM_S", "PORT_W", "rail", 4.0),
        ("FARM_S", "PORT_E", "rail", 2.0),
        ("PORT_W", "CITY_A", "sea", 1.0),
        ("PORT_W", "CITY_B", "sea", 2.0),
        ("PORT_W", "CITY_C", "sea", 4.0),
        ("PORT_E", "CITY_A", "sea", 4.0),
        ("PORT_E", "CITY_B", "sea", 2.0),
        ("PORT_E", "CITY_C", "sea", 1.0),
        ("FARM_N", "CITY_B", "road", 9.0),  # today's trade: a direct road leg
    ],
    columns=["origin", "destination", "mode", "cost_per_t"],
)

# 2. Validate: from_frames checks everything at once and raises one ValidationError
#    listing every problem (table, row, column, value) if anything is wrong.
network = hubopt.Network.from_frames(
    origins, hubs, destinations, legs, name="quickstart"
)
print(network)

# 3. Solve (HiGHS by default). The status is "optimal" only when proven.
result = hubopt.solve(network)
print(result.summary())

# 4. Read the answer: which hubs open, what flows where, what a tonne costs landed.
print(result.hubs[["hub_id", "open", "throughput_t", "utilisation", "fixed_cost"]])
print(result.flows[["from", "to", "kind", "tonnes", "cost_per_t"]])
print(result.markets[["destination", "demand_t", "served_t", "landed_cost_per_t"]])

# 5. Check it independently: the checker recomputes every constraint and the objective
#    from the network's own tables and returns one line per violation.
assert hubopt.check_solution(network, result) == []

# 6. Ask "what if": allow only one hub and compare the total cost.
one_hub = hubopt.solve(network, max_hubs=1)
print(
    f"cost with the best hubs: {result.objective:,.0f}; "
    f"with at most one hub: {one_hub.objective:,.0f}"
)

# 7. Write the tables (the same files as `hubopt solve --out`).
result.write(out / "result")
# the network as CSV files, readable by read_network
hubopt.write_network(network, out / "network")
print(f"outputs in {out}")
