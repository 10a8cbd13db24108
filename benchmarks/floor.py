"""The floor for a Python model builder: hubopt's rows and columns built directly in
highspy from numpy arrays (CSR, one ``Highs.passModel`` call).

Covers the part of the model the synthetic build benchmark exercises: flows on every
leg, one binary per hub (base level, candidate or open status), supply, balance,
capacity, one-level, tight linking per leg, demand and the aggregate capacity cover.
Markets with transit limits (path variables), hub levels, unmet penalties and closed
hubs are not handled here: :func:`build` refuses such networks.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from highs_run import pass_rows, rows_from_triplets


def build(network: Any) -> tuple[Any, dict[str, Any]]:
    """Build the model in a fresh ``highspy.Highs``.

    Parameters
    ----------
    network
        A :class:`hubopt.Network` without levels, transit limits, penalties or closed
        hubs.

    Returns
    -------
    tuple
        The Highs object and a dict with build_s, columns, rows and nonzeros.
    """

    start = time.perf_counter()
    legs = network.legs
    origins, hubs, dests = network.origins, network.hubs, network.destinations
    if (
        len(network.hub_levels)
        or dests["max_transit_days"].notna().any()
        or dests["unmet_penalty_per_t"].notna().any()
        or (hubs["status"] == "closed").any()
    ):
        msg = "floor.build handles base levels without limits, penalties or closures"
        raise ValueError(msg)
    n_leg, n_o, n_h, n_d = len(legs), len(origins), len(hubs), len(dests)
    o_index = pd.Index(origins["id"])
    h_index = pd.Index(hubs["id"])
    d_index = pd.Index(dests["id"])
    src_o = o_index.get_indexer(legs["origin"])
    src_h = h_index.get_indexer(legs["origin"])
    dst_h = h_index.get_indexer(legs["destination"])
    dst_d = d_index.get_indexer(legs["destination"])
    inbound = (src_o >= 0) & (dst_h >= 0)
    outbound = src_h >= 0
    direct = (src_o >= 0) & (dst_d >= 0)

    supply = origins["supply_t"].to_numpy(float)
    demand = dests["demand_t"].to_numpy(float)
    has_cap = hubs["capacity_t"].notna().to_numpy()
    big_m = min(supply.sum(), demand.sum())
    capacity = np.where(has_cap, hubs["capacity_t"].to_numpy(float), big_m)
    handling = hubs["handling_cost_per_t"].to_numpy(float)
    origin_cost = origins["cost_per_t"].to_numpy(float)

    # columns: flows 0..n_leg-1, then one binary per hub
    cost = legs["cost_per_t"].to_numpy(float).copy()
    cost[src_o >= 0] += origin_cost[src_o[src_o >= 0]]
    cost[inbound] += handling[dst_h[inbound]]
    col_cost = np.concatenate([cost, hubs["fixed_cost"].to_numpy(float)])
    n_col = n_leg + n_h
    col_lower = np.zeros(n_col)
    col_upper = np.full(n_col, np.inf)
    col_upper[n_leg:] = 1.0
    y = n_leg + np.arange(n_h)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    n_row = 0

    def block(r: np.ndarray, c: np.ndarray, v: np.ndarray, lo: Any, up: Any, m: int):
        nonlocal n_row
        rows.append(r + n_row)
        cols.append(c)
        vals.append(np.broadcast_to(np.asarray(v, float), c.shape))
        lower.append(np.broadcast_to(np.asarray(lo, float), (m,)))
        upper.append(np.broadcast_to(np.asarray(up, float), (m,)))
        n_row += m

    legs_pos = np.arange(n_leg)
    from_origin = src_o >= 0
    # supply
    block(src_o[from_origin], legs_pos[from_origin], 1.0, -np.inf, supply, n_o)
    # balance: in - out = 0
    block(
        np.concatenate([dst_h[inbound], src_h[outbound]]),
        np.concatenate([legs_pos[inbound], legs_pos[outbound]]),
        np.concatenate([np.ones(inbound.sum()), -np.ones(outbound.sum())]),
        0.0,
        0.0,
        n_h,
    )
    # capacity: in - K y <= 0
    block(
        np.concatenate([dst_h[inbound], np.arange(n_h)]),
        np.concatenate([legs_pos[inbound], y]),
        np.concatenate([np.ones(inbound.sum()), -capacity]),
        -np.inf,
        0.0,
        n_h,
    )
    # one level: y <= 1 (= 1 when open)
    is_open = (hubs["status"] == "open").to_numpy()
    block(np.arange(n_h), y, 1.0, np.where(is_open, 1.0, -np.inf), 1.0, n_h)
    # tight linking, outbound: x - D_d y_h <= 0
    out_legs = legs_pos[outbound]
    k = len(out_legs)
    block(
        np.repeat(np.arange(k), 2),
        np.column_stack([out_legs, y[src_h[outbound]]]).reshape(-1),
        np.column_stack([np.ones(k), -demand[dst_d[outbound]]]).reshape(-1),
        -np.inf,
        0.0,
        k,
    )
    # tight linking, inbound: x - min(S_o, K_h) y_h <= 0
    in_legs = legs_pos[inbound]
    k = len(in_legs)
    bound = np.minimum(supply[src_o[inbound]], capacity[dst_h[inbound]])
    block(
        np.repeat(np.arange(k), 2),
        np.column_stack([in_legs, y[dst_h[inbound]]]).reshape(-1),
        np.column_stack([np.ones(k), -bound]).reshape(-1),
        -np.inf,
        0.0,
        k,
    )
    # demand
    into_d = dst_d >= 0
    block(dst_d[into_d], legs_pos[into_d], 1.0, demand, demand, n_d)
    # capacity cover
    block(
        np.zeros(n_h + direct.sum(), dtype=np.int64),
        np.concatenate([y, legs_pos[direct]]),
        np.concatenate([capacity, np.ones(direct.sum())]),
        demand.sum(),
        np.inf,
        1,
    )

    start_rows, index, value = rows_from_triplets(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), n_row
    )
    integrality = np.zeros(n_col, dtype=np.int32)
    integrality[n_leg:] = 1
    h = pass_rows(
        col_cost=col_cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=np.concatenate(lower),
        row_upper=np.concatenate(upper),
        start=start_rows,
        index=index,
        value=value,
        integrality=integrality,
    )
    build_s = time.perf_counter() - start
    return h, {
        "build_s": build_s,
        "columns": n_col,
        "rows": n_row,
        "nonzeros": len(value),
    }
