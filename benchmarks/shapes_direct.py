"""The plain and the strong hub-location models of a generated network, written
directly in highspy from the tables (independent of hubopt's reader and builder).

The baselines of the shapes case in ``benchmarks/run.py`` (networks from
``benchmarks/shapes.py``)::

    min  sum_hk F_hk y_hk + sum_l c_l x_l + sum_d P_d u_d
    s.t. sum_{l out of o} x_l <= S_o                        every origin o
         sum_{l into h} x_l - sum_{l out of h} x_l = 0       every hub h
         sum_{l into h} x_l - sum_k C_hk y_hk <= 0           every hub h
         sum_k y_hk <= 1                                     hubs with 2+ levels
         sum_{l into d} x_l + u_d = D_d                      every market d
         x_l >= 0, 0 <= u_d (only where P_d is given), y_hk binary

with c_l the leg's cost per tonne plus the hub's handling cost on inbound legs. The
*strong* model adds the per-leg linking rows (the textbook disaggregated form)::

         x_l - D_d sum_k y_hk <= 0                   outbound leg l = (h, d)
         x_l - min(S_o, max_k C_hk) sum_k y_hk <= 0  inbound leg l = (o, h)

Networks with transit limits are refused (they need path variables). Same solver
settings as hubopt is given in the suite: HiGHS, one thread, relative gap 1e-7, the
same time limit.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from highs_run import pass_rows, read_run, rows_from_triplets


def solve(
    tables: dict[str, pd.DataFrame],
    *,
    strong: bool = False,
    time_limit_s: float | None = None,
    mip_gap: float = 1e-7,
    threads: int | None = 1,
) -> dict[str, Any]:
    """Build the plain (or ``strong``) model from the tables in one ``passModel``
    call and solve it; the figures of :func:`highs_run.read_run` plus the model's
    size (``n_cols``, ``n_rows``)."""

    start, cpu = time.perf_counter(), time.process_time()
    origins, hubs = tables["origins"], tables["hubs"]
    markets, legs = tables["destinations"], tables["legs"]
    if "max_transit_days" in markets and markets["max_transit_days"].notna().any():
        msg = "shapes_direct: transit limits need path variables; not modelled here"
        raise ValueError(msg)
    o_index = pd.Index(origins["id"])
    h_index = pd.Index(hubs["id"])
    d_index = pd.Index(markets["id"])
    n_o, n_h, n_d, n_l = len(o_index), len(h_index), len(d_index), len(legs)
    leg_o = o_index.get_indexer(legs["origin"])  # -1 unless from an origin
    leg_hin = h_index.get_indexer(legs["destination"])  # -1 unless into a hub
    leg_hout = h_index.get_indexer(legs["origin"])  # -1 unless out of a hub
    leg_d = d_index.get_indexer(legs["destination"])  # -1 unless into a market
    inbound, outbound = leg_hin >= 0, leg_hout >= 0

    # levels: a hub's hub_levels rows, else its own capacity and fixed cost
    levels = tables.get("hub_levels")
    own = hubs[["id", "capacity_t", "fixed_cost"]].rename(columns={"id": "hub_id"})
    if levels is not None:
        own = own[~own["hub_id"].isin(levels["hub_id"])]
        levels = pd.concat([levels[own.columns], own], ignore_index=True)
    else:
        levels = own
    lv_hub = h_index.get_indexer(levels["hub_id"])
    lv_cap = levels["capacity_t"].to_numpy(float)
    n_y = len(levels)
    per_hub = np.bincount(lv_hub, minlength=n_h)

    penalty = (
        markets["unmet_penalty_per_t"].to_numpy(float)
        if "unmet_penalty_per_t" in markets
        else np.full(n_d, np.nan)
    )
    short = np.flatnonzero(np.isfinite(penalty))
    n_u = len(short)

    # columns: x (legs), y (levels), u (penalised markets)
    y0, u0 = n_l, n_l + n_y  # x at 0
    n_col = n_l + n_y + n_u
    handling = hubs["handling_cost_per_t"].to_numpy(float)
    leg_cost = legs["cost_per_t"].to_numpy(float).copy()
    leg_cost[inbound] += handling[leg_hin[inbound]]
    col_cost = np.concatenate(
        [leg_cost, levels["fixed_cost"].to_numpy(float), penalty[short]]
    )
    col_upper = np.concatenate(
        [np.full(n_l, np.inf), np.ones(n_y), np.full(n_u, np.inf)]
    )
    integrality = np.concatenate([np.zeros(n_l), np.ones(n_y), np.zeros(n_u)]).astype(
        np.int32
    )

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    n_row = 0

    def block(
        r: np.ndarray, c: np.ndarray, v: np.ndarray, lo: Any, up: Any, n: int
    ) -> None:
        nonlocal n_row
        rows.append(r + n_row)
        cols.append(c)
        vals.append(np.broadcast_to(v, r.shape).astype(float))
        lower.append(np.broadcast_to(np.asarray(lo, float), (n,)))
        upper.append(np.broadcast_to(np.asarray(up, float), (n,)))
        n_row += n

    every = np.arange(n_l)
    supply = origins["supply_t"].to_numpy(float)
    demand = markets["demand_t"].to_numpy(float)
    from_o = leg_o >= 0
    block(leg_o[from_o], every[from_o], 1.0, -np.inf, supply, n_o)  # supply
    block(  # balance
        np.concatenate([leg_hin[inbound], leg_hout[outbound]]),
        np.concatenate([every[inbound], every[outbound]]),
        np.concatenate([np.ones(inbound.sum()), -np.ones(outbound.sum())]),
        0.0,
        0.0,
        n_h,
    )
    block(  # capacity
        np.concatenate([leg_hin[inbound], lv_hub]),
        np.concatenate([every[inbound], y0 + np.arange(n_y)]),
        np.concatenate([np.ones(inbound.sum()), -lv_cap]),
        -np.inf,
        0.0,
        n_h,
    )
    multi = np.flatnonzero(per_hub > 1)
    if len(multi):  # one level
        row_of = np.full(n_h, -1)
        row_of[multi] = np.arange(len(multi))
        has = row_of[lv_hub] >= 0
        block(
            row_of[lv_hub][has], y0 + np.flatnonzero(has), 1.0, -np.inf, 1.0, len(multi)
        )
    into_d = leg_d >= 0
    block(  # demand
        np.concatenate([leg_d[into_d], short]),
        np.concatenate([every[into_d], u0 + np.arange(n_u)]),
        1.0,
        demand,
        demand,
        n_d,
    )
    if strong:  # one linking row per leg touching a hub
        hub_of = np.where(inbound, leg_hin, leg_hout)
        touch = np.flatnonzero(hub_of >= 0)
        max_cap = np.zeros(n_h)
        np.maximum.at(max_cap, lv_hub, lv_cap)
        big = np.where(
            outbound[touch],
            demand[np.maximum(leg_d[touch], 0)],
            np.minimum(supply[np.maximum(leg_o[touch], 0)], max_cap[hub_of[touch]]),
        )
        # row i: x_touch[i] - big_i * sum_k y_hk (levels of its hub), sorted by hub
        by_hub = np.argsort(lv_hub, kind="stable")
        first = np.concatenate([[0], np.cumsum(per_hub)])
        counts = per_hub[hub_of[touch]]
        rep = np.repeat(np.arange(len(touch)), counts)
        within = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
        level_cols = by_hub[first[hub_of[touch]][rep] + within]
        block(
            np.concatenate([np.arange(len(touch)), rep]),
            np.concatenate([touch, y0 + level_cols]),
            np.concatenate([np.ones(len(touch)), -big[rep]]),
            -np.inf,
            0.0,
            len(touch),
        )
    start_rows, index, value = rows_from_triplets(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), n_row
    )
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
        mip_gap=mip_gap,
        threads=threads,
        time_limit_s=time_limit_s,
    )
    build_s = time.perf_counter() - start
    h.run()
    out = read_run(h, start, cpu, build_s)
    out.update(n_cols=n_col, n_rows=n_row)
    if out["objective"] is not None:
        values = np.asarray(h.getSolution().col_value)
        out["open_levels"] = int(np.round(values[y0 : y0 + n_y]).sum())
        out["unmet_t"] = float(values[u0:].sum())
    return out
