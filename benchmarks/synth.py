"""Seeded synthetic hub networks of a given number of legs, for the build benchmark.

Shape: 20 origins, 100 candidate hubs and as many destinations as make up the legs
asked for; every origin has a leg to every hub and every hub a leg to every destination
(``20 * 100 + 100 * n_destinations`` legs). Hubs carry a capacity and a fixed cost;
supply covers demand with 20 % to spare. No transit limits, no levels, no direct legs:
the model has one flow column per leg, one binary per hub, and the rows of
``hubopt.model`` (supply, balance, capacity, one-level, tight linking per leg,
demand, capacity cover).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20261128
N_ORIGINS = 20
N_HUBS = 100


def shape(n_legs: int) -> tuple[int, int, int]:
    """Origins, hubs and destinations for about ``n_legs`` legs."""
    n_dest = max(1, (n_legs - N_ORIGINS * N_HUBS) // N_HUBS)
    return N_ORIGINS, N_HUBS, n_dest


def tables(n_legs: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The five tables of a synthetic network (unvalidated DataFrames)."""
    rng = np.random.default_rng(seed)
    n_o, n_h, n_d = shape(n_legs)
    o_ids = np.array([f"O{i}" for i in range(n_o)], dtype=object)
    h_ids = np.array([f"H{i}" for i in range(n_h)], dtype=object)
    d_ids = np.array([f"D{i}" for i in range(n_d)], dtype=object)
    demand = rng.uniform(10.0, 100.0, n_d).round(1)
    total = float(demand.sum())
    supply = np.full(n_o, round(1.2 * total / n_o, 1))
    sizes = (("o", n_o), ("h", n_h), ("d", n_d))
    xy = {k: rng.uniform(0.0, 10.0, (n, 2)) for k, n in sizes}

    def nodes(ids: np.ndarray, coords: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {"id": ids, "name": ids, "lon": coords[:, 0], "lat": coords[:, 1]}
        )

    origins = nodes(o_ids, xy["o"]).assign(supply_t=supply)
    hubs = nodes(h_ids, xy["h"]).assign(
        capacity_t=(rng.uniform(0.05, 0.15, n_h) * total).round(0),
        fixed_cost=rng.uniform(1e4, 5e4, n_h).round(0),
        handling_cost_per_t=rng.uniform(1.0, 3.0, n_h).round(2),
    )
    destinations = nodes(d_ids, xy["d"]).assign(demand_t=demand)

    def dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])

    inbound = pd.DataFrame(
        {
            "origin": np.repeat(o_ids, n_h),
            "destination": np.tile(h_ids, n_o),
            "mode": "sea",
            "cost_per_t": (dist(xy["o"], xy["h"]) * 2.0 + 1.0).reshape(-1).round(3),
        }
    )
    outbound = pd.DataFrame(
        {
            "origin": np.repeat(h_ids, n_d),
            "destination": np.tile(d_ids, n_h),
            "mode": "road",
            "cost_per_t": (dist(xy["h"], xy["d"]) * 5.0 + 2.0).reshape(-1).round(3),
        }
    )
    legs = pd.concat([inbound, outbound], ignore_index=True)
    return {
        "origins": origins,
        "hubs": hubs,
        "destinations": destinations,
        "legs": legs,
    }


def network(n_legs: int, seed: int = SEED):
    """A validated :class:`hubopt.Network` of about ``n_legs`` legs."""
    from hubopt import Network

    return Network.from_frames(**tables(n_legs, seed), name=f"synthetic-{n_legs}")
