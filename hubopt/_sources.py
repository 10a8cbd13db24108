"""Single-source models as a dense table of markets by hubs: what the repair heuristic
(:mod:`hubopt._repair`) and the quick lower bound (:mod:`hubopt._source_bound`) read,
made from a flow block when the model is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .formulation import FlowData

#: The dense market-by-hub cost table has at most this many entries (above, none).
MAX_TABLE_ENTRIES = 5_000_000


@dataclass
class SourceTable:
    """A single-source model's choices as dense arrays (markets by hubs).

    Costs are totals (cost per tonne of the cheapest path through the source, times
    the market's demand); ``inf`` where a market has no such option.
    """

    demand_t: np.ndarray  # per market
    hub_cost: np.ndarray  # (markets, hubs): serving the market from the hub
    hub_col: np.ndarray  # (markets, hubs): the source's assignment column, -1
    direct_cost: np.ndarray  # per market: its cheapest direct leg
    direct_col: np.ndarray  # per market: that source's column, -1
    short_cost: np.ndarray  # per market: its shortfall in full (inf: served in full)
    level_hub: np.ndarray  # per level of the block: its hub
    level_col: np.ndarray  # per level: its column
    level_capacity_t: np.ndarray
    level_fixed_cost: np.ndarray
    must_open: np.ndarray  # per hub
    max_hubs: int | None
    min_hubs: int | None
    budget: float | None

    @property
    def n_hubs(self) -> int:
        return self.hub_cost.shape[1]

    def capacity_t(self) -> np.ndarray:
        """The largest capacity of each hub over its levels (0 without a level)."""
        out = np.zeros(self.n_hubs)
        np.maximum.at(out, self.level_hub, self.level_capacity_t)
        return out

    def fixed_cost_for(self, load_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per hub: the cheapest level holding ``load_t`` (-1 if none) and its
        fixed cost (inf if none)."""
        best = np.full(self.n_hubs, np.inf)
        level = np.full(self.n_hubs, -1, dtype=np.int64)
        fits = self.level_capacity_t >= load_t[self.level_hub] - 1e-9
        for k in np.flatnonzero(fits):
            h = self.level_hub[k]
            if self.level_fixed_cost[k] < best[h]:
                best[h], level[h] = self.level_fixed_cost[k], k
        return level, best


def source_table(f: FlowData) -> SourceTable | None:
    """The :class:`SourceTable` of a single-source block (None without single
    sourcing, or when the table would exceed :data:`MAX_TABLE_ENTRIES`)."""
    source = f.source
    n_markets, n_hubs = len(f.demand), f.n_hubs
    if source is None or n_markets * max(n_hubs, 1) > MAX_TABLE_ENTRIES:
        return None
    coef = f.coef
    best_in = np.full(n_hubs, np.inf)
    np.minimum.at(best_in, f.dst_h[f.ins], coef[f.ins])
    # per tonne into the market over each leg of a source
    leg_cost = np.full(f.n_legs, np.inf)
    has = f.flow >= 0
    direct = has & f.direct
    leg_cost[direct] = coef[direct]
    out = has & ~f.from_origin & (f.leg_dest >= 0)
    leg_cost[out] = coef[out] + best_in[f.src_h[out]]
    if len(f.path_out):
        np.minimum.at(
            leg_cost, f.path_out, coef[f.path_in] + coef[f.path_out]
        )  # paths within the transit limit
    unit = np.full(len(source.market), np.inf)
    np.minimum.at(unit, source.of_leg, leg_cost[source.legs])
    demand = f.demand
    total = unit * demand[source.market]
    hub_cost = np.full((n_markets, n_hubs), np.inf)
    hub_col = np.full((n_markets, n_hubs), -1, dtype=np.int64)
    at_hub = (source.hub >= 0) & np.isfinite(total)
    hub_cost[source.market[at_hub], source.hub[at_hub]] = total[at_hub]
    hub_col[source.market[at_hub], source.hub[at_hub]] = source.assign[at_hub]
    direct_cost = np.full(n_markets, np.inf)
    direct_col = np.full(n_markets, -1, dtype=np.int64)
    for s in np.flatnonzero((source.hub < 0) & np.isfinite(total)):
        d = source.market[s]
        if total[s] < direct_cost[d]:
            direct_cost[d], direct_col[d] = total[s], source.assign[s]
    short_cost = np.where(np.isnan(f.penalty), np.inf, f.penalty * demand)
    levels = f.block_levels
    options = f.options
    return SourceTable(
        demand_t=demand.astype(float),
        hub_cost=hub_cost,
        hub_col=hub_col,
        direct_cost=direct_cost,
        direct_col=direct_col,
        short_cost=short_cost,
        level_hub=f.lvl_h[levels],
        level_col=f.open_[levels],
        level_capacity_t=f.levels.capacity_t[levels],
        level_fixed_cost=f.levels.fixed_cost[levels],
        must_open=f.open_h & ~f.closed_h,
        max_hubs=options.max_hubs,
        min_hubs=options.min_hubs,
        budget=options.budget,
    )
