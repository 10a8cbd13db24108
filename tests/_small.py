"""Small hand-checkable and random networks for the scenario and decision tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

import hubopt


def network(origins, hubs, destinations, legs, name="small") -> hubopt.Network:
    """Build a network from short row lists; coordinates are made up."""
    o = pd.DataFrame(origins, columns=["id", "supply_t"])
    o["name"], o["lon"], o["lat"] = o["id"], 0.0, 0.0
    h = pd.DataFrame(hubs, columns=["id", "capacity_t", "fixed_cost"])
    h["name"], h["lon"], h["lat"] = h["id"], 1.0, 0.0
    d = pd.DataFrame(destinations, columns=["id", "demand_t"])
    d["name"], d["lon"], d["lat"] = d["id"], 2.0, 0.0
    legs = pd.DataFrame(legs)
    if "mode" not in legs.columns:
        legs["mode"] = "sea"
    return hubopt.Network.from_frames(o, h, d, legs, name=name)


def random_network(seed: int, n_hubs: int = 4, n_markets: int = 5) -> hubopt.Network:
    """Two origins, capacitated hubs with fixed costs, markets, every
    origin->hub and hub->market leg and one direct leg per origin."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(10, 40, n_markets).astype(float)
    origins = [("O1", demand.sum()), ("O2", demand.sum() * 0.6)]
    hubs = [
        (f"H{i}", float(rng.integers(40, 120)), float(rng.integers(20, 200)))
        for i in range(n_hubs)
    ]
    markets = [(f"D{j}", demand[j]) for j in range(n_markets)]
    legs = []
    for o, _ in origins:
        for h, _, _ in hubs:
            legs.append(
                {
                    "origin": o,
                    "destination": h,
                    "cost_per_t": float(rng.uniform(1, 5)),
                    "co2_kg_per_t": float(rng.uniform(5, 50)),
                }
            )
        legs.append(
            {
                "origin": o,
                "destination": markets[int(rng.integers(n_markets))][0],
                "cost_per_t": float(rng.uniform(8, 14)),
                "co2_kg_per_t": float(rng.uniform(5, 50)),
            }
        )
    for h, _, _ in hubs:
        for d, _ in markets:
            legs.append(
                {
                    "origin": h,
                    "destination": d,
                    "cost_per_t": float(rng.uniform(1, 6)),
                    "co2_kg_per_t": float(rng.uniform(5, 50)),
                }
            )
    legs = pd.DataFrame(legs).drop_duplicates(["origin", "destination"])
    return network(origins, hubs, markets, legs, name=f"random{seed}")
