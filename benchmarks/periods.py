"""The multi-period build benchmark: a synthetic network with 12 monthly periods.

The network is :mod:`synth`'s (20 origins, 100 capacitated hubs, every origin to every
hub and every hub to every market) with a silo at every hub and a seasonal supply;
seeded and synthetic, not data. hubopt's side is
:func:`hubopt.model.build_periods` with every linking row in the model
(``linking="all"``); the floor, :func:`floor_build`, builds the same rows directly
in highspy from numpy arrays (one ``Highs.passModel`` call), written from the
formulation in ``docs/model.md`` and not from hubopt's builder:

per period ``t`` (share ``a_t`` of the year): supply ``sum_l x_lt <= S_ot``; balance
``sum_in x - sum_out x + s_h,t-1 - s_ht = 0`` (cyclic year, no loss); capacity
``sum_in x <= a_t K_h y_h``; one level ``y_h <= 1``; tight linking
``x_lt <= D_dt y_h`` (outbound) and ``x_lt <= min(S_ot, a_t K_h) y_h`` (inbound);
demand ``sum_in x = D_dt``; silo ``s_ht <= V_h y_h``; and once, the year's cover
``sum_h K_h y_h >= sum_t sum_d D_dt``. Objective: fixed costs, each period's flow
cost (leg, origin and handling) and storage ``c_h s_ht``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import synth
from highs_run import pass_rows, rows_from_triplets

#: Days of the twelve months of a (non-leap) year.
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct")
MONTHS += ("nov", "dec")
#: A harvest-shaped supply profile (weight per month; synthetic, for the benchmark:
#: shipments peak after an August-October harvest and fall off in summer).
SUPPLY_WEIGHTS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 1.2, 1.6, 1.6, 1.4, 1.2)
#: Silo per hub, as a share of its annual capacity; storage cost per t and month.
SILO_SHARE = 0.1
STORAGE_COST_PER_T_PERIOD = 0.5


def network(n_legs: int) -> Any:
    """A validated network of about ``n_legs`` legs with a silo at every hub."""
    from hubopt import Network

    tables = synth.tables(n_legs)
    hubs = tables["hubs"]
    tables["hubs"] = hubs.assign(
        silo_capacity_t=(hubs["capacity_t"] * SILO_SHARE).round(0),
        storage_cost_per_t_period=STORAGE_COST_PER_T_PERIOD,
    )
    return Network.from_frames(**tables, name=f"synthetic-periods-{n_legs}")


def periods(network: Any) -> Any:
    """Twelve months; each origin's supply spread over them by :data:`SUPPLY_WEIGHTS`
    (the months' values add up to the annual supply)."""
    from hubopt.periods import Periods

    table = pd.DataFrame({"id": list(MONTHS), "days": list(MONTH_DAYS)})
    weights = np.asarray(SUPPLY_WEIGHTS) / sum(SUPPLY_WEIGHTS)
    rows = []
    for oid, annual in zip(
        network.origins["id"], network.origins["supply_t"], strict=True
    ):
        values = float(annual) * weights
        values[-1] = float(annual) - values[:-1].sum()
        rows += [
            ("origins", oid, "supply_t", month, value)
            for month, value in zip(MONTHS, values, strict=True)
        ]
    values = pd.DataFrame(rows, columns=["table", "id", "column", "period", "value"])
    return Periods.from_frames(table, values)


def floor_build(network: Any, periods: Any) -> tuple[Any, dict[str, Any]]:
    """The multi-period model built directly in highspy (see the module's text).

    Returns
    -------
    tuple
        The Highs object and a dict with build_s, columns, rows and nonzeros.
    """

    start = time.perf_counter()
    legs = network.legs
    origins, hubs, dests = network.origins, network.hubs, network.destinations
    n_leg, n_o, n_h, n_d = len(legs), len(origins), len(hubs), len(dests)
    n_t = len(periods)
    share = periods.days / periods.days.sum()
    o_index, h_index = pd.Index(origins["id"]), pd.Index(hubs["id"])
    d_index = pd.Index(dests["id"])
    src_o = o_index.get_indexer(legs["origin"])
    src_h = h_index.get_indexer(legs["origin"])
    dst_h = h_index.get_indexer(legs["destination"])
    dst_d = d_index.get_indexer(legs["destination"])
    inbound = (src_o >= 0) & (dst_h >= 0)
    outbound = src_h >= 0
    direct = (src_o >= 0) & (dst_d >= 0)
    in_legs, out_legs = np.flatnonzero(inbound), np.flatnonzero(outbound)
    pos_t = {pid: t for t, pid in enumerate(periods.ids)}

    # supply (n_o, n_t): the period values; demand and capacity pro rata to days
    values = periods.values
    given = values[(values["table"] == "origins") & (values["column"] == "supply_t")]
    supply = np.outer(origins["supply_t"].to_numpy(float), share)
    supply[
        o_index.get_indexer(given["id"]), given["period"].map(pos_t).to_numpy(int)
    ] = given["value"].to_numpy(float)
    demand = np.outer(dests["demand_t"].to_numpy(float), share)
    capacity = hubs["capacity_t"].to_numpy(float)
    silo = hubs["silo_capacity_t"].to_numpy(float)

    # columns: y (n_h), then per period the flows (n_leg), then stock (n_h, n_t)
    cost = legs["cost_per_t"].to_numpy(float).copy()
    cost[src_o >= 0] += origins["cost_per_t"].to_numpy(float)[src_o[src_o >= 0]]
    cost[inbound] += hubs["handling_cost_per_t"].to_numpy(float)[dst_h[inbound]]
    y = np.arange(n_h)
    flow0 = n_h  # flow column of leg l in period t: flow0 + t * n_leg + l
    stock0 = n_h + n_t * n_leg  # stock of hub h at the end of t: stock0 + h*n_t + t
    n_col = stock0 + n_h * n_t
    col_cost = np.concatenate(
        [
            hubs["fixed_cost"].to_numpy(float),
            np.tile(cost, n_t),
            np.repeat(hubs["storage_cost_per_t_period"].to_numpy(float), n_t),
        ]
    )
    col_upper = np.full(n_col, np.inf)
    col_upper[:n_h] = 1.0

    rows, cols, vals, lower, upper = [], [], [], [], []
    n_row = 0

    def block(r: Any, c: Any, v: Any, lo: Any, up: Any, m: int) -> None:
        nonlocal n_row
        rows.append(np.asarray(r) + n_row)
        cols.append(np.asarray(c))
        vals.append(np.broadcast_to(np.asarray(v, float), np.shape(c)))
        lower.append(np.broadcast_to(np.asarray(lo, float), (m,)))
        upper.append(np.broadcast_to(np.asarray(up, float), (m,)))
        n_row += m

    from_o = np.flatnonzero(src_o >= 0)
    into_d = np.flatnonzero(dst_d >= 0)
    n_in, n_out = len(in_legs), len(out_legs)
    for t in range(n_t):
        x = flow0 + t * n_leg
        now = stock0 + np.arange(n_h) * n_t + t
        before = stock0 + np.arange(n_h) * n_t + (t - 1) % n_t
        block(src_o[from_o], x + from_o, 1.0, -np.inf, supply[:, t], n_o)
        block(
            np.concatenate([dst_h[in_legs], src_h[out_legs], y, y]),
            np.concatenate([x + in_legs, x + out_legs, before, now]),
            np.concatenate(
                [np.ones(n_in), -np.ones(n_out), np.ones(n_h), -np.ones(n_h)]
            ),
            0.0,
            0.0,
            n_h,
        )
        cap_t = capacity * share[t]
        block(
            np.concatenate([dst_h[in_legs], y]),
            np.concatenate([x + in_legs, y]),
            np.concatenate([np.ones(n_in), -cap_t]),
            -np.inf,
            0.0,
            n_h,
        )
        block(y, y, 1.0, -np.inf, 1.0, n_h)
        block(
            np.repeat(np.arange(n_out), 2),
            np.column_stack([x + out_legs, src_h[out_legs]]).ravel(),
            np.column_stack([np.ones(n_out), -demand[dst_d[out_legs], t]]).ravel(),
            -np.inf,
            0.0,
            n_out,
        )
        bound = np.minimum(supply[src_o[in_legs], t], cap_t[dst_h[in_legs]])
        block(
            np.repeat(np.arange(n_in), 2),
            np.column_stack([x + in_legs, dst_h[in_legs]]).ravel(),
            np.column_stack([np.ones(n_in), -bound]).ravel(),
            -np.inf,
            0.0,
            n_in,
        )
        block(dst_d[into_d], x + into_d, 1.0, demand[:, t], demand[:, t], n_d)
        block(
            np.concatenate([y, y]),
            np.concatenate([now, y]),
            np.concatenate([np.ones(n_h), -silo]),
            -np.inf,
            0.0,
            n_h,
        )
    direct_cols = (
        flow0 + np.arange(n_t)[:, None] * n_leg + np.flatnonzero(direct)[None, :]
    ).ravel()
    block(
        np.zeros(n_h + len(direct_cols), dtype=np.int64),
        np.concatenate([y, direct_cols]),
        np.concatenate([capacity, np.ones(len(direct_cols))]),
        demand.sum(),
        np.inf,
        1,
    )
    start_rows, index, value = rows_from_triplets(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), n_row
    )
    integrality = np.zeros(n_col, dtype=np.int32)
    integrality[:n_h] = 1
    h = pass_rows(
        col_cost=col_cost,
        col_lower=np.zeros(n_col),
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
