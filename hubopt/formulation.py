"""The formulation: the model's constraint families, one function each, and
:data:`FAMILIES`, the registry that :func:`hubopt.model.build`, the Lagrangian's shape
test and the marginal-value LP consult.

Each family's docstring states its rows (see ``docs/model.md`` for the whole model).
A family of the ``"flow"`` scope is added once per network (per scenario in the
two-stage model) from a :class:`FlowData`; one of the ``"hubs"`` scope once per model,
on the hub decisions alone, from a :class:`HubData`. :func:`hubopt.check_solution`
checks the families in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._arrays import Builder, Ragged
from ._capacities import capacity_selection
from .errors import ValidationError
from .lagrange import HubProblem
from .network import Network
from .options import ModelOptions
from .periods import AVAILABLE

#: Name of the single level used for a hub without rows in ``hub_levels``.
BASE_LEVEL = "base"

INF = np.inf


@dataclass
class Levels:
    """Every (hub, level) pair the model may open, as aligned arrays.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import hub_levels
    >>> levels = hub_levels(hubopt.datasets.tiny())
    >>> levels.hub.tolist(), levels.capacity_t.tolist()
    (['H1', 'H2', 'H3'], [100.0, 200.0, 60.0])
    """

    hub: np.ndarray  # hub id per level
    level: np.ndarray  # level name per level
    capacity_t: np.ndarray  # capacity, finite (big-M where the hub is uncapacitated)
    capacitated: np.ndarray  # bool: False where capacity_t stands for "no limit"
    fixed_cost: np.ndarray


def hub_levels(network: Network) -> Levels:
    """Every level a hub may open at: its ``hub_levels`` rows, or one base level built
    from its ``capacity_t`` and ``fixed_cost``. Uncapacitated levels get a finite
    capacity equal to the most any hub can move, min(total supply, total demand).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import hub_levels
    >>> hub_levels(hubopt.datasets.tiny()).level.tolist()  # no hub_levels table
    ['base', 'base', 'base']
    >>> levels = hub_levels(hubopt.datasets.morocco_kazakhstan())
    >>> len(levels.hub)  # four sizes at each of eleven ports
    44
    """
    hubs = network.hubs
    levels = network.hub_levels
    big_m = min(network.total_supply_t, network.total_demand_t)
    with_levels = set(levels["hub_id"])
    hub_ids, names, caps, capacitated, fixed = [], [], [], [], []
    for row in hubs.itertuples(index=False):
        if row.id in with_levels:
            rows = levels[levels["hub_id"] == row.id]
            for lev in rows.itertuples(index=False):
                hub_ids.append(row.id)
                names.append(str(lev.level))
                caps.append(float(lev.capacity_t))
                capacitated.append(True)
                fixed.append(float(lev.fixed_cost))
        else:
            hub_ids.append(row.id)
            names.append(BASE_LEVEL)
            has_cap = not np.isnan(row.capacity_t)
            caps.append(float(row.capacity_t) if has_cap else big_m)
            capacitated.append(has_cap)
            fixed.append(float(row.fixed_cost))
    return Levels(
        hub=np.array(hub_ids, dtype=object),
        level=np.array(names, dtype=object),
        capacity_t=np.array(caps, dtype=float),
        capacitated=np.array(capacitated, dtype=bool),
        fixed_cost=np.array(fixed, dtype=float),
    )


def leg_objective(network: Network, carbon_price_per_t_co2: float | None) -> np.ndarray:
    """Objective coefficient per tonne on each leg: leg cost + origin cost (legs leaving
    an origin) + handling (legs entering a hub) + carbon price x CO2.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import leg_objective
    >>> net = hubopt.datasets.tiny()
    >>> net.legs["cost_per_t"].tolist()[:2], leg_objective(net, None).tolist()[:2]
    ([2.0, 4.0], [3.0, 5.0])
    """
    legs = table(network, "legs")
    problems = []
    cost = legs["cost_per_t"].to_numpy(dtype=float)
    for pos in np.flatnonzero(np.isnan(cost))[:20]:
        problems.append(
            f"table 'legs', leg {legs['origin'].iloc[pos]}->"
            f"{legs['destination'].iloc[pos]}, column 'cost_per_t': missing; give it, "
            "or fill it from geography with hubopt.with_leg_attributes(network)"
        )
    co2 = legs["co2_kg_per_t"].to_numpy(dtype=float)
    if carbon_price_per_t_co2:
        for pos in np.flatnonzero(np.isnan(co2))[:20]:
            problems.append(
                f"table 'legs', leg {legs['origin'].iloc[pos]}->"
                f"{legs['destination'].iloc[pos]}, column 'co2_kg_per_t': missing, "
                "but a carbon price was given; fill it with "
                "hubopt.with_leg_attributes(network)"
            )
    if problems:
        raise ValidationError(problems)
    origin_cost = table(network, "origins").set_index("id")["cost_per_t"]
    handling = table(network, "hubs").set_index("id")["handling_cost_per_t"]
    coef = cost.copy()
    coef += legs["origin"].map(origin_cost).fillna(0.0).to_numpy(dtype=float)
    coef += legs["destination"].map(handling).fillna(0.0).to_numpy(dtype=float)
    if carbon_price_per_t_co2:
        coef += carbon_price_per_t_co2 * co2 / 1000.0
    return coef


def closed_levels(network: Network, levels: Levels) -> np.ndarray:
    """True per level of a hub with status "closed"."""
    status = network.hubs.set_index("id")["status"]
    return np.array([status[h] == "closed" for h in levels.hub], dtype=bool)


def shortfall_price(network: Network) -> np.ndarray:
    """Price per tonne of each market's demand not served by the network: its
    ``alternative_cost_per_t`` (the landed price at which it buys elsewhere) where
    given, else its ``unmet_penalty_per_t``; NaN for a market to serve in full.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.formulation import shortfall_price
    >>> shortfall_price(hubopt.datasets.tiny()).tolist()  # D3 may go short at 20
    [nan, nan, 20.0]
    """
    penalty = table(network, "destinations")["unmet_penalty_per_t"]
    alternative = network.column("destinations", "alternative_cost_per_t")
    return alternative.fillna(penalty).to_numpy(dtype=float)


def contestable(network: Network) -> np.ndarray:
    """True per market with an ``alternative_cost_per_t``: its shortfall is demand
    lost to an alternative supplier, not unmet demand."""
    alternative = network.column("destinations", "alternative_cost_per_t")
    return alternative.notna().to_numpy()


def table(network: Network, name: str) -> Any:
    """A network table without the defensive copy of the public property (read
    only; the model never edits it)."""
    return network._tables[name]


@dataclass
class FlowData:
    """One network's flow part, as positions in its tables: the legs classified,
    their columns, the admissible paths, and the level columns per hub."""

    options: ModelOptions
    levels: Levels
    open_: np.ndarray  # column per level, -1 where it cannot open (shared by blocks)
    tag: str  # suffix of the column families' names ("" or "_s<scenario>")
    for_duals: bool  # the marginal-value LP (hub decisions fixed)
    fixed_flow_t: np.ndarray | None  # the solution's flows, for the duals LP
    coef: np.ndarray  # objective per tonne on each leg
    co2: np.ndarray  # kg CO2 per tonne on each leg
    supply: np.ndarray
    demand: np.ndarray
    penalty: np.ndarray
    src_o: np.ndarray  # origin of each leg, -1 when it leaves a hub
    src_h: np.ndarray  # hub a leg leaves, -1
    dst_h: np.ndarray  # hub a leg enters, -1
    dst_d: np.ndarray  # market a leg enters, -1
    from_origin: np.ndarray  # bool per leg
    inbound: np.ndarray  # origin -> hub
    direct: np.ndarray  # origin -> market
    leg_dest: np.ndarray  # market of each leg into a market, -1
    closed_h: np.ndarray  # bool per hub: status "closed"
    open_h: np.ndarray  # bool per hub: status "open" (must open)
    flow: np.ndarray  # column per leg, -1 for legs fixed at zero
    flow_legs: np.ndarray  # the legs with a column
    ins: np.ndarray  # inbound legs with a column
    outs: np.ndarray  # outbound legs with a column
    unmet: np.ndarray  # column per market, -1 without a shortfall
    unmet_index: np.ndarray  # the markets with a shortfall column
    path_in: np.ndarray  # inbound leg per path
    path_out: np.ndarray  # outbound leg per path
    path_cols: np.ndarray  # column per path
    lvl_h: np.ndarray  # hub of each level, -1 when not in this network
    block_levels: np.ndarray  # levels linked in this block
    hub_levels: Ragged  # the block's levels per hub
    hub_cols: Ragged  # their columns per hub
    has_levels: np.ndarray  # bool per hub
    rows: dict[str, dict[int, int]]  # row numbers: "supply", "capacity", "demand"
    capacity_legs: list[np.ndarray]  # legs each capacities row selects
    capacity_limit_t: np.ndarray  # capacity_t per capacities row
    source: _Sources | None = None  # single sourcing: the sources and their columns
    period: PeriodLink | None = None  # the multi-period model: this block's period

    @property
    def n_legs(self) -> int:
        return len(self.flow)

    @property
    def n_hubs(self) -> int:
        return len(self.closed_h)


@dataclass
class _Sources:
    """Single sourcing: the (market, hub or direct leg) sources and their columns."""

    legs: np.ndarray  # legs into a market that carry tonnes, by market
    of_leg: np.ndarray  # source of each of those legs
    market: np.ndarray  # market per source
    hub: np.ndarray  # hub per source, -1 for a direct leg
    assign: np.ndarray  # column a_ds per source


@dataclass
class PeriodLink:
    """One period's block in the multi-period model: the stock columns it links.

    ``stock_now`` is the column of each stocking hub's stock at the end of this
    period, ``stock_prev`` that at the end of the period before (-1 before the
    first period of a year that is not cyclic), ``keep`` the share of it left
    after a period's loss; ``silo_t`` is the silo capacity per level.
    """

    index: int
    stock_hub: np.ndarray  # hub positions with a stock column
    stock_now: np.ndarray
    stock_prev: np.ndarray
    keep: np.ndarray
    silo_t: np.ndarray  # per level
    reserve_per_t: float = 0.0  # reserve_days / the period's days
    reserve_pos: np.ndarray | None = None  # positions in stock_hub holding it
    reserve_markets: np.ndarray | None = None  # market positions of the group


@dataclass
class HubData:
    """The hub decisions of a model: what the ``"hubs"`` families read."""

    options: ModelOptions
    levels: Levels
    open_: np.ndarray  # column per level, -1 where it cannot open

    @property
    def level_index(self) -> np.ndarray:
        return np.flatnonzero(self.open_ >= 0)


def flow_data(
    builder: Builder,
    network: Network,
    options: ModelOptions,
    open_: np.ndarray,
    levels: Levels,
    tag: str,
    *,
    for_duals: bool = False,
    fixed_flow_t: np.ndarray | None = None,
    period: PeriodLink | None = None,
) -> FlowData:
    """Classify a network's legs and add its flow, shortfall and path columns (a
    period network's legs shut in its period, :data:`hubopt.periods.AVAILABLE` 0,
    get none)."""
    legs = table(network, "legs")
    origins = table(network, "origins")
    hubs = table(network, "hubs")
    dests = table(network, "destinations")
    coef = leg_objective(network, options.carbon_price_per_t_co2)
    co2 = legs["co2_kg_per_t"].to_numpy(dtype=float)
    if options.max_co2_t is not None and np.isnan(co2).any():
        bad = [
            f"table 'legs', leg {legs['origin'].iloc[p]}->"
            f"{legs['destination'].iloc[p]}, column 'co2_kg_per_t': missing, but "
            "max_co2_t was given; fill it with hubopt.with_leg_attributes(network)"
            for p in np.flatnonzero(np.isnan(co2))[:20]
        ]
        raise ValidationError(bad)
    hub_ids = hubs["id"].to_numpy()
    leg_from = legs["origin"].to_numpy()
    leg_to = legs["destination"].to_numpy()
    src_o = pd.Index(origins["id"]).get_indexer(leg_from)
    src_h = pd.Index(hub_ids).get_indexer(leg_from)
    dst_h = pd.Index(hub_ids).get_indexer(leg_to)
    dst_d = pd.Index(dests["id"]).get_indexer(leg_to)
    penalty = shortfall_price(network)
    closed_h = (hubs["status"] == "closed").to_numpy()
    from_origin = src_o >= 0
    inbound = from_origin & (dst_h >= 0)
    direct = from_origin & (dst_h < 0)
    outbound = ~from_origin
    leg_hub = np.where(inbound, dst_h, np.where(outbound, src_h, -1))
    leg_dest = np.where(inbound, -1, dst_d)
    transit = legs["transit_days"].to_numpy(dtype=float)
    max_days = dests["max_transit_days"].to_numpy(dtype=float)
    dwell = network.column("hubs", "dwell_days").to_numpy(dtype=float)
    # Markets with a transit limit are served through admissible paths only.
    limited = ~np.isnan(max_days)
    if limited.any() and np.isnan(transit).any():
        bad = [
            f"table 'legs', leg {leg_from[p]}->{leg_to[p]}, column 'transit_days': "
            "missing, but a market has max_transit_days; fill it with "
            "hubopt.with_leg_attributes(network)"
            for p in np.flatnonzero(np.isnan(transit))[:20]
        ]
        raise ValidationError(bad)
    to_limited = np.zeros(len(legs), dtype=bool)
    to_limited[leg_dest >= 0] = limited[leg_dest[leg_dest >= 0]]
    usable = np.ones(len(legs), dtype=bool)
    usable[(inbound | outbound) & closed_h[np.maximum(leg_hub, 0)]] = False
    fast = transit <= max_days[np.maximum(leg_dest, 0)] + 1e-9
    usable[direct & to_limited & ~fast] = False
    usable[outbound & to_limited] = False  # carried by path variables instead
    shut = np.zeros(len(legs), dtype=bool)
    if AVAILABLE in legs.columns:
        shut = legs[AVAILABLE].to_numpy(dtype=float) < 0.5
        usable[shut] = False

    leg_pos = np.arange(len(legs))
    flow = np.full(len(legs), -1, dtype=np.int64)
    flow[usable] = builder.add_cols(f"flow{tag}", leg_pos[usable])
    unmet_index = np.flatnonzero(~np.isnan(penalty))
    unmet = np.full(len(dests), -1, dtype=np.int64)
    unmet[unmet_index] = builder.add_cols(f"unmet{tag}", unmet_index)
    path_in, path_out = _paths(
        leg_pos[inbound & ~shut],
        leg_pos[outbound & to_limited & ~closed_h[np.maximum(src_h, 0)] & ~shut],
        src_h,
        dst_h,
        dst_d,
        (transit, dwell, max_days),
        len(hubs),
    )
    path_cols = builder.add_cols(f"path{tag}", np.arange(len(path_in)))

    # level columns per hub (levels of closed hubs and unopenable levels left out)
    lvl_h = pd.Index(hub_ids).get_indexer(levels.hub)
    linked = (open_ >= 0) & (lvl_h >= 0)
    linked[linked] = ~closed_h[lvl_h[linked]]
    block_levels = np.flatnonzero(linked)
    per_hub = Ragged.of(lvl_h[block_levels], block_levels, len(hubs))
    flow_legs = leg_pos[usable]
    return FlowData(
        options=options,
        levels=levels,
        open_=open_,
        tag=tag,
        for_duals=for_duals,
        fixed_flow_t=fixed_flow_t if for_duals else None,
        coef=coef,
        co2=co2,
        supply=origins["supply_t"].to_numpy(dtype=float),
        demand=dests["demand_t"].to_numpy(dtype=float),
        penalty=penalty,
        src_o=src_o,
        src_h=src_h,
        dst_h=dst_h,
        dst_d=dst_d,
        from_origin=from_origin,
        inbound=inbound,
        direct=direct,
        leg_dest=leg_dest,
        closed_h=closed_h,
        open_h=(hubs["status"] == "open").to_numpy(),
        flow=flow,
        flow_legs=flow_legs,
        ins=flow_legs[inbound[flow_legs]],
        outs=flow_legs[outbound[flow_legs]],
        unmet=unmet,
        unmet_index=unmet_index,
        path_in=path_in,
        path_out=path_out,
        path_cols=path_cols,
        lvl_h=lvl_h,
        block_levels=block_levels,
        hub_levels=per_hub,
        hub_cols=Ragged(open_[per_hub.items], per_hub.start, per_hub.count),
        has_levels=per_hub.count > 0,
        rows={},
        capacity_legs=capacity_selection(network._tables),
        capacity_limit_t=table(network, "capacities")["capacity_t"].to_numpy(
            dtype=float
        ),
        period=period,
    )


def _paths(
    in_legs: np.ndarray,
    candidates: np.ndarray,
    src_h: np.ndarray,
    dst_h: np.ndarray,
    dst_d: np.ndarray,
    days: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_hubs: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The admissible paths (inbound leg, outbound leg) through an open-able hub
    within the market's transit limit; ``days`` holds the transit days per leg, the
    dwell days per hub and the limit per market."""
    transit, dwell, max_days = days
    into_hub = Ragged.of(dst_h[in_legs], in_legs, n_hubs)
    candidates = candidates[np.argsort(src_h[candidates], kind="stable")]
    member, pos = into_hub.expand(src_h[candidates])
    path_out = candidates[member]
    path_in = into_hub.items[pos]
    total = transit[path_in] + dwell[src_h[path_out]] + transit[path_out]
    keep = total <= max_days[dst_d[path_out]] + 1e-9
    return path_in[keep], path_out[keep]


def add_supply(b: Builder, f: FlowData) -> None:
    """Supply: ``sum_{l out of o} x_l <= S_o`` for every origin with a leg."""
    out_o = f.flow_legs[f.from_origin[f.flow_legs]]
    has_out = np.bincount(f.src_o[out_o], minlength=len(f.supply)) > 0
    o_row = np.cumsum(has_out) - 1
    numbers = b.add_rows(
        int(has_out.sum()),
        o_row[f.src_o[out_o]],
        f.flow[out_o],
        1.0,
        -INF,
        f.supply[has_out],
    )
    f.rows["supply"] = dict(
        zip(np.flatnonzero(has_out).tolist(), numbers.tolist(), strict=True)
    )


def add_balance(b: Builder, f: FlowData) -> None:
    """Balance at every hub not closed: ``sum_{l into h} x_l - sum_{l out of h} x_l
    - sum_{paths p via h} p = 0``; in a period of the multi-period model, with stock
    at the hub, ``... + (1 - loss_h) s_h,t-1 - s_h,t = 0``."""
    live_h = np.flatnonzero(~f.closed_h)
    h_row = np.full(f.n_hubs, -1, dtype=np.int64)
    h_row[live_h] = np.arange(len(live_h))
    ins, outs, path_out = f.ins, f.outs, f.path_out
    rows = [h_row[f.dst_h[ins]], h_row[f.src_h[outs]], h_row[f.src_h[path_out]]]
    cols = [f.flow[ins], f.flow[outs], f.path_cols]
    values = [np.ones(len(ins)), -np.ones(len(outs) + len(f.path_cols))]
    if f.period is not None and len(f.period.stock_hub):
        p = f.period
        # one cyclic period: the stock before is the stock now, one entry per row
        same = p.stock_prev == p.stock_now
        had = (p.stock_prev >= 0) & ~same
        rows += [h_row[p.stock_hub[had]], h_row[p.stock_hub]]
        cols += [p.stock_prev[had], p.stock_now]
        values += [p.keep[had], np.where(same, p.keep, 0.0) - 1.0]
    b.add_rows(
        len(live_h),
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(values),
        0.0,
        0.0,
    )


def add_transit_paths(b: Builder, f: FlowData) -> None:
    """Paths into markets with ``max_transit_days``: the path flow on an inbound leg
    cannot exceed that leg's flow, ``sum_m p_lm <= x_l`` (the paths are the only
    way into such a market, so the limit holds by construction)."""
    with_paths = np.unique(f.path_in)
    p_row = np.full(f.n_legs, -1, dtype=np.int64)
    p_row[with_paths] = np.arange(len(with_paths))
    b.add_rows(
        len(with_paths),
        np.concatenate([p_row[with_paths], p_row[f.path_in]]),
        np.concatenate([f.flow[with_paths], f.path_cols]),
        np.concatenate([np.ones(len(with_paths)), -np.ones(len(f.path_cols))]),
        0.0,
        INF,
    )


def add_capacity(b: Builder, f: FlowData) -> None:
    """Capacity of the opened level, at hubs with inbound legs: ``sum_{l into h} x_l
    <= sum_k K_hk y_hk``."""
    ins = f.ins
    cap_h = np.flatnonzero(np.bincount(f.dst_h[ins], minlength=f.n_hubs) > 0)
    c_row = np.full(f.n_hubs, -1, dtype=np.int64)
    c_row[cap_h] = np.arange(len(cap_h))
    member, pos = f.hub_cols.expand(cap_h)
    capacity = f.levels.capacity_t[f.hub_levels.items[pos]]
    numbers = b.add_rows(
        len(cap_h),
        np.concatenate([c_row[f.dst_h[ins]], member]),
        np.concatenate([f.flow[ins], f.hub_cols.items[pos]]),
        np.concatenate([np.ones(len(ins)), -capacity]),
        -INF,
        0.0,
    )
    f.rows["capacity"] = dict(zip(cap_h.tolist(), numbers.tolist(), strict=True))


def add_min_throughput(b: Builder, f: FlowData) -> None:
    """An open hub moves at least a share ``s`` of its capacity and at least ``m``
    tonnes: ``sum_{l into h} x_l >= s sum_k K_hk y_hk + m sum_k y_hk``, the share
    over its capacitated levels (``min_throughput_share``, ``min_throughput_t``)."""
    share = f.options.min_throughput_share or 0.0
    tonnes = f.options.min_throughput_t or 0.0
    items = f.hub_levels.items
    capped = f.levels.capacitated[items]
    counted = capped | (tonnes > 0)
    rowed_hubs = np.flatnonzero(
        np.bincount(f.lvl_h[items[counted]], minlength=f.n_hubs) > 0
    )
    s_row = np.full(f.n_hubs, -1, dtype=np.int64)
    s_row[rowed_hubs] = np.arange(len(rowed_hubs))
    _, pos = f.hub_cols.expand(rowed_hubs)
    pos = pos[counted[pos]]
    member = s_row[f.lvl_h[items[pos]]]
    in_s = f.ins[s_row[f.dst_h[f.ins]] >= 0]
    capacity = np.where(capped[pos], f.levels.capacity_t[items[pos]], 0.0)
    b.add_rows(
        len(rowed_hubs),
        np.concatenate([s_row[f.dst_h[in_s]], member]),
        np.concatenate([f.flow[in_s], f.hub_cols.items[pos]]),
        np.concatenate([np.ones(len(in_s)), -(share * capacity + tonnes)]),
        0.0,
        INF,
    )


def add_one_level(b: Builder, f: FlowData) -> None:
    """One level per hub: ``sum_k y_hk <= 1``, ``= 1`` at a hub that must open."""
    one_h = np.flatnonzero(f.has_levels)
    member, pos = f.hub_cols.expand(one_h)
    b.add_rows(
        len(one_h),
        member,
        f.hub_cols.items[pos],
        1.0,
        np.where(f.open_h[one_h], 1.0, -INF),
        1.0,
    )


def add_linking(b: Builder, f: FlowData) -> None:
    """Tight linking, valid inequalities kept in the pool (lazy linking):
    ``x_l <= D_d sum_k y_hk`` on every outbound leg ``l = (h, d)``,
    ``x_l <= min(S_o, max_k K_hk) sum_k y_hk`` on every inbound leg ``l = (o, h)``,
    and ``sum_l p_lm <= D_d sum_k y_hk`` on every outbound leg ``m`` of a path.

    Under single sourcing the outbound and path rows are left out: the source rows
    (inflow from hub ``h`` ``<= D_d a_dh``) and ``a_dh <= sum_k y_hk``
    (:func:`add_source_linking`) imply them, in the LP relaxation too."""
    items = f.hub_levels.items
    cap_max = np.zeros(f.n_hubs)
    np.maximum.at(cap_max, f.lvl_h[items], f.levels.capacity_t[items])
    supply = f.supply
    if not f.options.single_sourcing:
        _add_outbound_linking(b, f)
    linked_in = f.ins[f.has_levels[f.dst_h[f.ins]]]
    b.add_linking(
        f.flow[linked_in],
        f.dst_h[linked_in],
        f.hub_cols,
        -np.minimum(supply[f.src_o[linked_in]], cap_max[f.dst_h[linked_in]]),
        -INF,
        0.0,
        lazy=True,
    )


def _add_outbound_linking(b: Builder, f: FlowData) -> None:
    """The outbound and path rows of :func:`add_linking`."""
    demand = f.demand
    linked_out = f.outs[f.has_levels[f.src_h[f.outs]]]
    b.add_linking(
        f.flow[linked_out],
        f.src_h[linked_out],
        f.hub_cols,
        -demand[f.dst_d[linked_out]],
        -INF,
        0.0,
        lazy=True,
    )
    path_out = f.path_out
    path_m = np.unique(path_out)
    path_m = path_m[f.has_levels[f.src_h[path_m]]]
    m_row = np.full(f.n_legs, -1, dtype=np.int64)
    m_row[path_m] = np.arange(len(path_m))
    on = m_row[path_out] >= 0
    member, pos = f.hub_cols.expand(f.src_h[path_m])
    b.add_rows(
        len(path_m),
        np.concatenate([m_row[path_out[on]], member]),
        np.concatenate([f.path_cols[on], f.hub_cols.items[pos]]),
        np.concatenate([np.ones(int(on.sum())), -demand[f.dst_d[path_m]][member]]),
        -INF,
        0.0,
        lazy=True,
    )


def add_demand(b: Builder, f: FlowData) -> None:
    """Demand: ``sum_{l into d} x_l + sum_{paths into d} p + u_d = D_d`` (``u_d`` only
    where the market has an unmet penalty)."""
    into_d = f.flow_legs[f.leg_dest[f.flow_legs] >= 0]
    n_d = len(f.demand)
    numbers = b.add_rows(
        n_d,
        np.concatenate([f.dst_d[into_d], f.dst_d[f.path_out], f.unmet_index]),
        np.concatenate([f.flow[into_d], f.path_cols, f.unmet[f.unmet_index]]),
        1.0,
        f.demand,
        f.demand,
    )
    f.rows["demand"] = dict(zip(range(n_d), numbers.tolist(), strict=True))


def add_source_choice(b: Builder, f: FlowData) -> None:
    """Single sourcing, the sources: a binary ``a_ds`` per market and source (one
    hub, through any of its legs into the market, or one direct leg), and the
    inflow from each source ``<= D_d a_ds``. In the marginal-value LP each market
    keeps the source its solution uses (``a_ds`` fixed)."""
    flow, leg_dest, direct, src_h = f.flow, f.leg_dest, f.direct, f.src_h
    n_legs = f.n_legs
    carries = (flow >= 0) | (np.bincount(f.path_out, minlength=n_legs) > 0)
    legs = np.flatnonzero((leg_dest >= 0) & carries)
    legs = legs[np.argsort(leg_dest[legs], kind="stable")]
    # a source is (market, direct leg) or (market, hub), numbered by first use
    code = np.where(direct[legs], legs, n_legs + src_h[legs])
    key = leg_dest[legs].astype(np.int64) * (n_legs + f.n_hubs + 1) + code
    source_of_leg, first = pd.factorize(key)
    n_src = len(first)
    first_leg = np.zeros(n_src, dtype=np.int64)
    first_leg[source_of_leg[::-1]] = legs[::-1]
    src_d = leg_dest[first_leg]
    if f.fixed_flow_t is None:
        assign = b.add_cols(f"assign{f.tag}", np.arange(n_src), upper=1.0, integer=True)
    else:
        used = np.zeros(n_src, dtype=bool)
        used[source_of_leg[np.asarray(f.fixed_flow_t)[legs] > 1e-9]] = True
        value = used.astype(float)
        assign = b.add_cols(
            f"assign{f.tag}", np.arange(n_src), lower=value, upper=value
        )
    f.source = _Sources(
        legs=legs,
        of_leg=source_of_leg,
        market=src_d,
        hub=np.where(direct[first_leg], -1, src_h[first_leg]),
        assign=assign,
    )
    leg_src = np.full(n_legs, -1, dtype=np.int64)
    leg_src[legs] = source_of_leg
    f_legs = legs[flow[legs] >= 0]
    # a market served in full (no shortfall column) takes D_d over its one source:
    # the inflows sum to D_d = sum_s D_d a_ds, so each row holds with equality, and
    # saying so lets presolve substitute a source's single leg (x_l = D_d a_ds)
    # out of the model, which is then the textbook single-source one
    in_full = np.isnan(f.penalty[src_d])
    b.add_rows(
        n_src,
        np.concatenate([leg_src[f_legs], leg_src[f.path_out], np.arange(n_src)]),
        np.concatenate([flow[f_legs], f.path_cols, assign]),
        np.concatenate([np.ones(len(f_legs) + len(f.path_cols)), -f.demand[src_d]]),
        np.where(in_full, 0.0, -INF),
        0.0,
    )


def add_source_linking(b: Builder, f: FlowData) -> None:
    """Single sourcing, tight: a hub source only at an open hub, ``a_ds <= sum_k
    y_hk``."""
    source = _sources(f)
    hubbed = np.flatnonzero(source.hub >= 0)
    b.add_linking(
        source.assign[hubbed],
        source.hub[hubbed],
        f.hub_cols,
        -np.ones(len(hubbed)),
        -INF,
        0.0,
    )


def add_one_source(b: Builder, f: FlowData) -> None:
    """Single sourcing: one source per market with demand, ``sum_s a_ds = 1``
    (``<= 1`` where a shortfall is allowed)."""
    source = _sources(f)
    markets = np.unique(source.market)
    markets = markets[f.demand[markets] > 0]
    d_row = np.full(len(f.demand), -1, dtype=np.int64)
    d_row[markets] = np.arange(len(markets))
    on = d_row[source.market] >= 0
    b.add_rows(
        len(markets),
        d_row[source.market[on]],
        source.assign[on],
        1.0,
        np.where(np.isnan(f.penalty[markets]), 1.0, -INF),
        1.0,
    )


def _sources(f: FlowData) -> _Sources:
    if f.source is None:  # pragma: no cover - the registry orders the families
        msg = "the single-sourcing families need add_source_choice first"
        raise RuntimeError(msg)
    return f.source


def add_co2_cap(b: Builder, f: FlowData) -> None:
    """CO2 cap: ``sum_l e_l x_l + sum_p (e_l + e_m) p_lm <= max_co2_t`` (``e`` in
    tonnes of CO2 per tonne)."""
    co2, path_out = f.co2, f.path_out
    c_legs = f.flow_legs[co2[f.flow_legs] != 0]
    cols = np.concatenate([f.flow[c_legs], f.path_cols])
    b.add_rows(
        1,
        np.zeros(len(cols), dtype=np.int64),
        cols,
        np.concatenate([co2[c_legs], co2[path_out]]) / 1000.0,
        -INF,
        float(f.options.max_co2_t),
    )


def add_capacities(b: Builder, f: FlowData) -> None:
    """Capacities on nodes and sets of legs (the ``capacities`` table): for each row
    ``c`` and the legs ``L_c`` it selects, ``sum_{l in L_c} x_l + sum_{paths p_lm, m
    in L_c} p_lm <= K_c`` (a path's tonnes count on its outbound leg; on its inbound
    leg they are part of ``x_l``). A row whose legs carry nothing adds no row."""
    n_legs = f.n_legs
    path_of_leg = Ragged.of(f.path_out, np.arange(len(f.path_out)), n_legs)
    rows_of, cols, numbers = [], [], {}
    count = 0
    for c, legs in enumerate(f.capacity_legs):
        with_col = legs[f.flow[legs] >= 0]
        _, pos = path_of_leg.expand(legs)
        mine = np.concatenate([f.flow[with_col], f.path_cols[path_of_leg.items[pos]]])
        if not len(mine):
            continue
        rows_of.append(np.full(len(mine), count, dtype=np.int64))
        cols.append(mine)
        numbers[c] = count
        count += 1
    if not count:
        return
    keep = np.array(sorted(numbers), dtype=np.int64)
    added = b.add_rows(
        count,
        np.concatenate(rows_of),
        np.concatenate(cols),
        1.0,
        -INF,
        f.capacity_limit_t[keep],
    )
    f.rows["capacities"] = dict(zip(keep.tolist(), added.tolist(), strict=True))


def add_programme(b: Builder, f: FlowData) -> None:
    """Fixed programme: at least ``programme_t`` delivered, ``sum_d (D_d - u_d) >=
    P``, written ``sum_d u_d <= sum_d D_d - P`` (no row where no market may go
    short: every market is then served in full)."""
    programme = float(f.options.programme_t)
    supply, demand = float(f.supply.sum()), float(f.demand.sum())
    if programme > min(supply, demand) + 1e-9:
        short = "supply" if supply < demand else "demand"
        msg = (
            f"programme_t {programme:,.0f} t is more than the network's total "
            f"{short} of {min(supply, demand):,.0f} t; lower programme_t to at most "
            f"that, or add {short}"
        )
        raise ValidationError(msg)
    cols = f.unmet[f.unmet_index]
    if not len(cols):
        return
    numbers = b.add_rows(
        1, np.zeros(len(cols), dtype=np.int64), cols, 1.0, -INF, demand - programme
    )
    f.rows["programme"] = {0: int(numbers[0])}


def add_silo(b: Builder, f: FlowData) -> None:
    """Silo of the opened level, per period: ``s_h,t <= sum_k V_hk y_hk`` (``V``
    the level's ``silo_capacity_t``)."""
    p = _period(f)
    pos_of = np.full(f.n_hubs, -1, dtype=np.int64)
    pos_of[p.stock_hub] = np.arange(len(p.stock_hub))
    member, pos = f.hub_cols.expand(p.stock_hub)
    b.add_rows(
        len(p.stock_hub),
        np.concatenate([np.arange(len(p.stock_hub)), member]),
        np.concatenate([p.stock_now, f.hub_cols.items[pos]]),
        np.concatenate([np.ones(len(p.stock_hub)), -p.silo_t[f.hub_levels.items[pos]]]),
        -INF,
        0.0,
    )


def add_reserve(b: Builder, f: FlowData) -> None:
    """Reserve, per period: the stock at the end of the period at the hubs serving
    the reserve markets ``G`` (those with a leg into one of them) is at least
    ``reserve_days`` of what the network delivers to them per day in the period,
    ``sum_{h serves G} s_h,t >= k sum_{d in G} (D_d,t - u_d,t)``, ``k =
    reserve_days / days_t``, written ``sum s_h,t - k sum u_d,t >= k sum D_d,t``
    (days of demand where a market is served in full)."""
    p = _period(f)
    pos = p.reserve_pos if p.reserve_pos is not None else np.zeros(0, dtype=np.int64)
    group = p.reserve_markets if p.reserve_markets is not None else np.zeros(0, int)
    need = p.reserve_per_t * float(f.demand[group].sum())
    if not len(pos) and need > 0:
        msg = (
            f"reserve_days asks for up to {need:,.0f} t in stock, but no hub serving "
            "the reserve markets has a silo; give silo_capacity_t in hub_levels (or "
            "hubs) for the hubs with legs into those markets"
        )
        raise ValidationError(msg)
    short = group[f.unmet[group] >= 0]
    cols = np.concatenate([p.stock_now[pos], f.unmet[short]])
    values = np.concatenate([np.ones(len(pos)), np.full(len(short), p.reserve_per_t)])
    b.add_rows(1, np.zeros(len(cols), dtype=np.int64), cols, values, need, INF)


def add_period_share(b: Builder, f: FlowData) -> None:
    """Each market served at least ``min_period_share`` of its demand in every
    period: ``u_d,t <= (1 - s) D_d,t`` (markets without a shortfall column are
    served in full anyway)."""
    share = float(f.options.min_period_share or 0.0)
    d = f.unmet_index
    b.add_rows(
        len(d), np.arange(len(d)), f.unmet[d], 1.0, -INF, (1.0 - share) * f.demand[d]
    )


def _period(f: FlowData) -> PeriodLink:
    if f.period is None:  # pragma: no cover - the registry turns these on in periods
        msg = "the period families need a block of the multi-period model"
        raise RuntimeError(msg)
    return f.period


def _with_stock(f: FlowData | None) -> bool:
    return f is not None and f.period is not None and len(f.period.stock_hub) > 0


def add_capacity_cover(b: Builder, f: FlowData) -> None:
    """Aggregate capacity cover, a valid inequality: ``sum_hk K_hk y_hk +
    sum_direct x_l + sum_d u_d >= sum_d D_d``."""
    d_legs = f.flow_legs[f.direct[f.flow_legs]]
    block_levels = f.block_levels
    cols = np.concatenate(
        [f.open_[block_levels], f.flow[d_legs], f.unmet[f.unmet_index]]
    )
    if not len(cols):
        return
    b.add_rows(
        1,
        np.zeros(len(cols), dtype=np.int64),
        cols,
        np.concatenate(
            [
                f.levels.capacity_t[block_levels],
                np.ones(len(d_legs) + len(f.unmet_index)),
            ]
        ),
        float(f.demand.sum()),
        INF,
    )


def add_max_hubs(b: Builder, h: HubData) -> None:
    """At most ``max_hubs`` open: ``sum_hk y_hk <= max_hubs``."""
    cols = h.open_[h.level_index]
    zeros = np.zeros(len(cols), dtype=np.int64)
    b.add_rows(1, zeros, cols, 1.0, -INF, float(h.options.max_hubs))


def add_min_hubs(b: Builder, h: HubData) -> None:
    """At least ``min_hubs`` open: ``sum_hk y_hk >= min_hubs``."""
    cols = h.open_[h.level_index]
    zeros = np.zeros(len(cols), dtype=np.int64)
    b.add_rows(1, zeros, cols, 1.0, float(h.options.min_hubs), INF)


def add_budget(b: Builder, h: HubData) -> None:
    """Budget on the fixed costs: ``sum_hk F_hk y_hk <= budget``."""
    level_index = h.level_index
    cols = h.open_[level_index]
    zeros = np.zeros(len(cols), dtype=np.int64)
    fixed = h.levels.fixed_cost[level_index]
    b.add_rows(1, zeros, cols, fixed, -INF, float(h.options.budget))


def add_no_good(b: Builder, h: HubData) -> None:
    """No-good cuts: the open hubs differ from each excluded portfolio ``P`` in at
    least ``min_difference`` hubs, ``sum_{hk, h not in P} y_hk - sum_{hk, h in P}
    y_hk >= min_difference - |P|``."""
    level_index = h.level_index
    cols = h.open_[level_index]
    zeros = np.zeros(len(cols), dtype=np.int64)
    for portfolio in h.options.exclude_portfolios:
        chosen = set(portfolio)
        hubs = h.levels.hub
        in_chosen = np.array([hubs[k] in chosen for k in level_index], dtype=bool)
        b.add_rows(
            1,
            zeros,
            cols,
            np.where(in_chosen, -1.0, 1.0),
            float(h.options.min_difference - len(chosen)),
            INF,
        )


@dataclass(frozen=True)
class Family:
    """A constraint family in the registry.

    ``add`` adds its rows (and columns, if it has its own); ``option`` names the
    :class:`hubopt.options.ModelOptions` field that turns it on (None: always in the
    model) and ``on`` tests it (on the options, and for ``"flow"`` families the
    network's :class:`FlowData`); ``lagrangian`` says whether the Lagrangian's plain
    hub-location shape keeps it (a model with a family that it does not keep goes
    straight to the MIP); ``marginal`` whether the marginal-value LP (hub decisions
    fixed) keeps it; ``scope`` is ``"flow"`` (once per network) or ``"hubs"`` (once
    per model, on the hub decisions alone).
    """

    name: str
    add: Callable[[Builder, Any], None]
    option: str | None
    on: Callable[[ModelOptions, FlowData | None], bool]
    lagrangian: bool
    marginal: bool
    scope: str = "flow"


def _always(options: ModelOptions, f: FlowData | None) -> bool:
    return True


#: The constraint families in the order their rows enter the model (row numbers,
#: and so HiGHS's path, depend on it); :func:`hubopt.check_solution` checks them in
#: the same order.
FAMILIES: tuple[Family, ...] = (
    Family("supply", add_supply, None, _always, True, True),
    Family("balance", add_balance, None, _always, True, True),
    Family(
        "transit_paths",
        add_transit_paths,
        None,  # on where a market has max_transit_days (a column, not an option)
        lambda o, f: f is not None and len(f.path_cols) > 0,
        False,
        True,
    ),
    Family("capacity", add_capacity, None, _always, True, True),
    Family(
        "min_throughput",
        add_min_throughput,
        "min_throughput_share",  # or min_throughput_t
        lambda o, f: bool(o.min_throughput_share) or bool(o.min_throughput_t),
        False,
        True,
    ),
    Family("one_level", add_one_level, None, _always, True, False),
    Family(
        "linking", add_linking, "linking", lambda o, f: o.linking != "none", True, False
    ),
    Family("demand", add_demand, None, _always, True, True),
    Family(
        "source_choice",
        add_source_choice,
        "single_sourcing",
        lambda o, f: o.single_sourcing,
        False,
        True,
    ),
    Family(
        "source_linking",
        add_source_linking,
        "single_sourcing",
        lambda o, f: o.single_sourcing and o.linking != "none",
        False,
        False,
    ),
    Family(
        "one_source",
        add_one_source,
        "single_sourcing",
        lambda o, f: o.single_sourcing,
        False,
        False,
    ),
    Family(
        "co2_cap",
        add_co2_cap,
        "max_co2_t",
        lambda o, f: o.max_co2_t is not None,
        False,
        True,
    ),
    Family(
        "capacities",
        add_capacities,
        None,  # on where the network has a capacities table (data, not an option)
        lambda o, f: f is not None and len(f.capacity_legs) > 0,
        False,
        True,
    ),
    Family(
        "programme",
        add_programme,
        "programme_t",
        lambda o, f: o.programme_t is not None,
        False,
        True,
    ),
    Family(
        "silo",
        add_silo,
        None,  # on in a period of the multi-period model with stock at a hub
        lambda o, f: _with_stock(f),
        False,
        False,
    ),
    Family(
        "reserve",
        add_reserve,
        "reserve_days",
        lambda o, f: bool(o.reserve_days) and f is not None and f.period is not None,
        False,
        False,
    ),
    Family(
        "period_share",
        add_period_share,
        "min_period_share",
        lambda o, f: (
            bool(o.min_period_share) and f is not None and f.period is not None
        ),
        False,
        False,
    ),
    Family(
        "capacity_cover",
        add_capacity_cover,
        None,  # not with stock: a period's demand may come out of stock
        lambda o, f: not _with_stock(f),
        True,
        False,
    ),
    Family(
        "max_hubs",
        add_max_hubs,
        "max_hubs",
        lambda o, f: o.max_hubs is not None,
        False,
        False,
        "hubs",
    ),
    Family(
        "min_hubs",
        add_min_hubs,
        "min_hubs",
        lambda o, f: o.min_hubs is not None,
        False,
        False,
        "hubs",
    ),
    Family(
        "budget",
        add_budget,
        "budget",
        lambda o, f: o.budget is not None,
        False,
        False,
        "hubs",
    ),
    Family(
        "no_good",
        add_no_good,
        "exclude_portfolios",
        lambda o, f: bool(o.exclude_portfolios),
        False,
        False,
        "hubs",
    ),
)


def families_on(
    options: ModelOptions,
    scope: str,
    data: FlowData | None = None,
    *,
    for_duals: bool = False,
) -> list[Family]:
    """The families of ``scope`` that ``options`` (and the network's ``data``) turn
    on, in order; with ``for_duals`` only those the marginal-value LP keeps."""
    return [
        family
        for family in FAMILIES
        if family.scope == scope
        and (family.marginal or not for_duals)
        and family.on(options, data)
    ]


def plain_shape(options: ModelOptions, data: FlowData) -> bool:
    """Whether the model has the Lagrangian's plain hub-location shape: every family
    on, of either scope, is one the Lagrangian keeps."""
    on = families_on(options, "flow", data) + families_on(options, "hubs")
    return all(family.lagrangian for family in on)


@dataclass
class FlowBlock:
    """The flow part of the model for one network, linked to given level columns."""

    data: FlowData
    cost_cols: np.ndarray  # the flow cost (fixed costs excluded)
    cost_values: np.ndarray

    @property
    def rows(self) -> dict[str, dict[int, int]]:
        """Row numbers of the supply, capacity and demand rows (marginal values)."""
        return self.data.rows


def add_flow_block(
    builder: Builder,
    network: Network,
    options: ModelOptions,
    open_: np.ndarray,
    levels: Levels,
    tag: str,
    *,
    for_duals: bool = False,
    fixed_flow_t: np.ndarray | None = None,
    period: PeriodLink | None = None,
) -> FlowBlock:
    """Add one network's flow columns and the rows of its ``"flow"`` families; the
    hub level columns ``open_`` (a column per level, -1 where it cannot open) may be
    shared with other blocks. With ``for_duals``, only the families the
    marginal-value LP keeps."""
    f = flow_data(
        builder,
        network,
        options,
        open_,
        levels,
        tag,
        for_duals=for_duals,
        fixed_flow_t=fixed_flow_t,
        period=period,
    )
    for family in families_on(options, "flow", f, for_duals=for_duals):
        family.add(builder, f)
    # objective terms (the caller adds them, weighting blocks if there are several)
    cost_cols = np.concatenate(
        [f.flow[f.flow_legs], f.path_cols, f.unmet[f.unmet_index]]
    )
    cost_values = np.concatenate(
        [f.coef[f.flow_legs], f.coef[f.path_out], f.penalty[f.unmet_index]]
    )
    nonzero = cost_values != 0
    return FlowBlock(f, cost_cols[nonzero], cost_values[nonzero])


def add_hub_rows(
    builder: Builder, options: ModelOptions, open_: np.ndarray, levels: Levels
) -> None:
    """Add the rows of the ``"hubs"`` families (count, budget, no-good cuts)."""
    data = HubData(options, levels, open_)
    for family in families_on(options, "hubs"):
        family.add(builder, data)


def hub_problem(f: FlowData) -> HubProblem:
    """The block's hub-location core, for Lagrangian hub fixing (a model of the
    plain shape, :func:`plain_shape`)."""
    ins, outs = f.ins, f.outs
    d_legs = f.flow_legs[f.direct[f.flow_legs]]
    levels, block_levels = f.levels, f.block_levels
    return HubProblem(
        in_col=f.flow[ins],
        in_hub=f.dst_h[ins],
        in_origin=f.src_o[ins],
        in_cost=f.coef[ins],
        out_col=f.flow[outs],
        out_hub=f.src_h[outs],
        out_dest=f.dst_d[outs],
        out_cost=f.coef[outs],
        direct_col=f.flow[d_legs],
        direct_origin=f.src_o[d_legs],
        direct_dest=f.dst_d[d_legs],
        direct_cost=f.coef[d_legs],
        unmet_col=f.unmet,
        penalty=f.penalty,
        supply_t=f.supply,
        demand_t=f.demand,
        level_col=f.open_[block_levels],
        level_hub=f.lvl_h[block_levels],
        level_capacity_t=levels.capacity_t[block_levels],
        level_fixed_cost=levels.fixed_cost[block_levels],
        must_open=f.open_h,
        n_hubs=f.n_hubs,
    )
