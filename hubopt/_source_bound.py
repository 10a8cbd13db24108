"""A lower bound for single-source models that is quick to compute: a Lagrangian
relaxation of the markets' demand, on the dense table of :mod:`hubopt._repair`.

A time-limited single-source solve may stop before HiGHS has finished its root LP, so
without a bound of its own it could not say how far its solution is from the optimum.
The relaxation here is of the strong (per market and hub) linking model, with each
market's options priced at their cheapest path (supply limits and every other family
dropped, a hub at its cheapest level's fixed cost and its largest level's capacity):

    L(lambda) = sum_d lambda_d + sum_d min(0, o_d - lambda_d)
                + sum_h min(0, F_h + min { sum_d (c_dh - lambda_d) x_dh :
                                           sum_d D_d x_dh <= K_h, 0 <= x <= 1 })

(``o_d`` the cheapest of the market's direct leg and its shortfall in full; a hub that
must open always adds its term). Each hub's inner problem is a continuous knapsack,
solved by sorting; ``lambda`` follows subgradient steps toward the heuristic's
objective. Every ``L(lambda)`` is a lower bound on the model's optimum; the best one
found is returned.
"""

from __future__ import annotations

import numpy as np

from ._sources import SourceTable
from .deadline import Deadline

#: Subgradient iterations at most.
MAX_ITERATIONS = 200

#: The step's factor is halved after this many iterations without a better bound.
PATIENCE = 5


def _hub_terms(
    reduced: np.ndarray, demand_t: np.ndarray, capacity_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per hub, the continuous knapsack ``min sum_d r_dh x_dh`` s.t. ``sum_d D_d
    x_dh <= K_h``, ``0 <= x <= 1`` (``reduced`` is markets x hubs, inf where a
    market has no source there): the optimum per hub and the x (markets x hubs).
    Only the entries with ``r_dh < 0`` take part; they are sorted by hub, then by
    ``r_dh / D_d``, and each hub fills its capacity in that order."""
    n_markets, n_hubs = reduced.shape
    market, hub = np.nonzero(reduced < 0)  # inf is not below 0
    gain = reduced[market, hub]
    weight = demand_t[market]
    order = np.lexsort((gain / weight, hub))
    market, hub, gain, weight = market[order], hub[order], gain[order], weight[order]
    total = np.cumsum(weight)
    first = np.searchsorted(hub, hub, side="left")  # the group's first entry
    before = total - weight - (total[first] - weight[first])
    share = np.clip((capacity_t[hub] - before) / weight, 0.0, 1.0)
    x = np.zeros((n_markets, n_hubs))
    x[market, hub] = share
    value = np.zeros(n_hubs)
    np.add.at(value, hub, gain * share)
    return value, x


def lower_bound(
    table: SourceTable, deadline: Deadline, upper: float | None
) -> tuple[float, np.ndarray] | None:
    """The best Lagrangian bound found within ``deadline`` (see the module's
    docstring) and, per hub, its term in the relaxation at that bound (the hubs
    with a negative term open there: a hint for the heuristic); ``upper`` (a
    feasible objective) sets the step sizes. None when no finite bound was found."""
    demand = table.demand_t
    served = demand > 0
    cost = table.hub_cost[served]
    d = demand[served]
    other = np.minimum(table.direct_cost, table.short_cost)[served]
    capacity = table.capacity_t()
    fixed = np.full(table.n_hubs, np.inf)
    np.minimum.at(fixed, table.level_hub, table.level_fixed_cost)
    can_open = np.isfinite(fixed)
    fixed = np.where(can_open, fixed, 0.0)
    must = table.must_open
    best_option = np.minimum(
        np.where(np.isfinite(cost), cost, np.inf).min(axis=1), other
    )
    if not np.all(np.isfinite(best_option)):
        return None  # a market without any option: no bound from here
    lam = best_option.copy()
    best: float | None = None
    best_term = np.zeros(table.n_hubs)
    factor, stale = 2.0, 0
    for _ in range(MAX_ITERATIONS):
        if deadline.expired():
            break
        hub_value, x = _hub_terms(cost - lam[:, None], d, capacity)
        term = fixed + hub_value
        opened = can_open & ((term < 0) | must)
        value = float(
            lam.sum()
            + np.minimum(0.0, other - lam)[np.isfinite(other)].sum()
            + term[opened].sum()
        )
        if best is None or value > best + 1e-9 * max(abs(value), 1.0):
            best, best_term, stale = value, np.where(can_open, term, np.inf), 0
        else:
            stale += 1
            if stale >= PATIENCE:
                factor, stale = factor / 2.0, 0
        covered = x[:, opened].sum(axis=1) + np.where(
            np.isfinite(other) & (other < lam), 1.0, 0.0
        )
        subgradient = 1.0 - covered
        norm = float(subgradient @ subgradient)
        if norm < 1e-12 or factor < 1e-4:
            break
        target = upper if upper is not None and upper > value else abs(value) * 1.01
        lam = lam + factor * (target - value) / norm * subgradient
    if best is None:
        return None
    return best - 1e-9 * max(abs(best), 1.0), best_term
