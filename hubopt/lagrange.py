"""Lagrangian hub fixing: a bound, an incumbent, and hub levels fixed before the MIP.

The classical method for capacitated facility location (Beasley 1988; Görtz and
Klose 2012), applied to hubopt's model when it has the plain hub-location shape
(no transit limits, single sourcing, throughput share, CO2 cap, budget, hub count or
no-good rows). Relax the supply rows (multipliers ``pi_o >= 0``) and the demand rows
(``u_d``, free). What is left splits by hub: a level ``k`` of hub ``h`` is worth

    v_hk = F_hk + min { sum_m r_m x_m : 0 <= x_m <= D_d, sum_m x_m <= K_hk }

over the hub's outbound legs ``m = (h, d)``, with ``r_m = a_h + c_m - u_d`` and
``a_h`` the cheapest inbound leg's cost plus its origin's ``pi`` (a continuous
knapsack, solved by sorting; dropping the inbound legs' own bounds only lowers it).
Direct legs and shortfalls are taken where their reduced cost is negative. The levels
are then chosen by a knapsack that keeps the capacity cover
``sum K_hk y_hk >= sum_d D_d - (what direct legs and shortfall can carry)``, at most one
level per hub. Its integrality is what makes the bound stronger than the LP's: on
OR-Library capa/capb/capc it comes within 0.45 % of the optimum, and meets it on some.

A subgradient method raises the bound; every so often the levels the knapsack picks
are evaluated exactly (the model's LP with those levels fixed), which gives
incumbents, improved at the end by the best choices one level away, a local search
(open, shut or swap one hub) and a small MIP over the levels of the good choices
seen. At the end a level whose bound, with that level's choice forced the other
way, exceeds the best incumbent cannot be in a better solution and is fixed. The MIP
then runs on the rest, starting from the incumbent: the reductions are exact, so its
optimum is the model's.

The module is numpy only; :mod:`hubopt.formulation` builds :class:`HubProblem` and
:class:`hubopt.highs.FixedLevelsLP` evaluates incumbents.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .deadline import Deadline

#: Subgradient iterations at most.
MAX_ITERATIONS = 3000

#: The step multiplier is halved after this many iterations without a better bound.
PATIENCE = 30

#: The method stops when the step multiplier falls below this.
MIN_STEP = 1e-4

#: An incumbent is evaluated at most every this many iterations (when new).
EVALUATE_EVERY = 50

#: A level is fixed when its forced bound beats the incumbent by this share.
FIX_MARGIN = 1e-9

#: The choices one level away from the last relaxation's that are evaluated.
NEIGHBOURS = 10

#: Local search on the incumbent: moves tried per kind, and rounds at most.
LOCAL_MOVES = 5
LOCAL_SWAPS = 3
LOCAL_ROUNDS = 10

#: The restricted MIP: over the levels of choices within this share of the
#: incumbent, when they are at most this many, for at most this long.
RESTRICTED_SHARE = 0.03
RESTRICTED_MAX_LEVELS = 40
RESTRICTED_TIME_S = 10.0

#: The step aims at the incumbent raised by this share (a target a little above the
#: optimum keeps the steps from vanishing as the bound nears it).
OVERSHOOT = 1e-3


@dataclass(frozen=True)
class HubProblem:
    """The hub-location core of a model: legs with columns, levels, supply and demand.

    Leg arrays hold, per leg with a flow column: the column, its hub / origin /
    destination position and its cost per tonne (the model's objective coefficient).
    ``unmet_col`` is -1 for markets without a shortfall; ``penalty`` is their
    penalty per tonne (NaN without).
    """

    in_col: np.ndarray
    in_hub: np.ndarray
    in_origin: np.ndarray
    in_cost: np.ndarray
    out_col: np.ndarray
    out_hub: np.ndarray
    out_dest: np.ndarray
    out_cost: np.ndarray
    direct_col: np.ndarray
    direct_origin: np.ndarray
    direct_dest: np.ndarray
    direct_cost: np.ndarray
    unmet_col: np.ndarray
    penalty: np.ndarray
    supply_t: np.ndarray
    demand_t: np.ndarray
    level_col: np.ndarray
    level_hub: np.ndarray
    level_capacity_t: np.ndarray
    level_fixed_cost: np.ndarray
    must_open: np.ndarray  # per hub
    n_hubs: int


@dataclass(frozen=True)
class Reduction:
    """What the Lagrangian method found.

    Attributes
    ----------
    bound
        A lower bound on the model's optimum.
    objective
        The best incumbent's objective (None if no evaluated choice was feasible).
    values
        The incumbent's column values (None without one).
    closed_cols, open_cols
        Level columns proven to be 0, resp. 1, in some optimal solution at least as
        good as the incumbent.
    used_cols
        Flow columns of the outbound legs that carry tonnes in the relaxation at
        the best multipliers, at hubs not fixed closed (where the LP is likely to
        need its linking rows).
    iterations, seconds
        Subgradient iterations and time spent.
    """

    bound: float
    objective: float | None
    values: np.ndarray | None
    closed_cols: np.ndarray
    open_cols: np.ndarray
    used_cols: np.ndarray
    iterations: int
    seconds: float


#: evaluate(open_levels, free_levels=None, time_limit_s=None) -> (objective, column
#: values) of the model with exactly the levels marked True open, or None if that
#: choice is infeasible; with ``free_levels``, the best solution found in that time
#: with those levels left to choose (and the rest of ``open_levels`` open).
Evaluate = Callable[..., "tuple[float, np.ndarray] | None"]


class _Relaxation:
    """The Lagrangian subproblem for given multipliers, vectorised over legs."""

    def __init__(self, p: HubProblem) -> None:
        self.p = p
        n_levels = len(p.level_hub)
        # rank of each level within its hub, and the capacity per (rank, hub)
        order = np.lexsort((np.arange(n_levels), p.level_hub))
        rank = np.zeros(n_levels, dtype=np.int64)
        hubs_sorted = p.level_hub[order]
        first = np.r_[True, hubs_sorted[1:] != hubs_sorted[:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(n_levels), 0))
        rank[order] = np.arange(n_levels) - group_start
        self.rank = rank
        self.n_ranks = int(rank.max()) + 1 if n_levels else 0
        self.cap_by_rank = np.full((self.n_ranks, p.n_hubs), np.nan)
        self.cap_by_rank[rank, p.level_hub] = p.level_capacity_t
        self.out_cap = p.demand_t[p.out_dest]
        self.direct_cap = np.minimum(
            p.supply_t[p.direct_origin], p.demand_t[p.direct_dest]
        )
        self.demand_scale = np.maximum(p.demand_t, 1e-9)
        self.supply_scale = np.maximum(p.supply_t, 1e-9)
        self.cover_scale = max(float(p.demand_t.sum()), 1e-9)
        has_unmet = p.unmet_col >= 0
        self.unmet_index = np.flatnonzero(has_unmet)
        # capacity cover: what the hubs must carry whatever direct legs and shortfall do
        other = np.zeros(len(p.demand_t))
        np.add.at(other, p.direct_dest, self.direct_cap)
        other[has_unmet] = p.demand_t[has_unmet]
        self.cover_t = float(p.demand_t.sum() - np.minimum(p.demand_t, other).sum())
        caps = p.level_capacity_t
        self.simple = bool(
            n_levels
            and self.n_ranks == 1
            and not p.must_open.any()
            and np.all(caps == caps[0])
        )

    def start(self) -> tuple[np.ndarray, np.ndarray]:
        """Starting multipliers: each market's cheapest way in per tonne."""
        p = self.p
        a = np.full(p.n_hubs, np.inf)
        np.minimum.at(a, p.in_hub, p.in_cost)
        u = np.full(len(p.demand_t), np.inf)
        np.minimum.at(u, p.out_dest, a[p.out_hub] + p.out_cost)
        np.minimum.at(u, p.direct_dest, p.direct_cost)
        u[self.unmet_index] = np.minimum(
            u[self.unmet_index], p.penalty[self.unmet_index]
        )
        u[~np.isfinite(u)] = 0.0
        return u, np.zeros(len(p.supply_t))

    def levels(self, u: np.ndarray, pi: np.ndarray) -> tuple[np.ndarray, _LevelFlows]:
        """Each level's value v_hk, and the flows behind it."""
        p = self.p
        in_r = p.in_cost + pi[p.in_origin]
        a = np.full(p.n_hubs, np.inf)
        np.minimum.at(a, p.in_hub, in_r)
        # the origin of each hub's cheapest inbound leg
        best_in = np.full(p.n_hubs, -1, dtype=np.int64)
        hit = in_r <= a[p.in_hub]
        best_in[p.in_hub[hit]] = p.in_origin[hit]
        r = a[p.out_hub] + p.out_cost - u[p.out_dest]
        neg = np.flatnonzero(r < 0)
        order = neg[np.lexsort((r[neg], p.out_hub[neg]))]
        hub = p.out_hub[order]
        cap = self.out_cap[order]
        gain = r[order] * cap
        cum = np.cumsum(cap)
        first = np.r_[True, hub[1:] != hub[:-1]] if len(hub) else np.zeros(0, bool)
        base = np.maximum.accumulate(np.where(first, np.arange(len(hub)), 0))
        before = cum - cap - (cum[base] - cap[base])
        value = p.level_fixed_cost.copy()
        takes = []
        for k in range(self.n_ranks):
            room = self.cap_by_rank[k][hub]
            take = np.clip((room - before) / cap, 0.0, 1.0)
            take[np.isnan(take)] = 0.0
            takes.append(take)
            sums = np.bincount(hub, weights=take * gain, minlength=p.n_hubs)
            sums = sums.astype(float)
            at = self.rank == k
            value[at] += sums[p.level_hub[at]]
        return value, _LevelFlows(order, hub, cap, takes, best_in)

    def knapsack(
        self, v: np.ndarray, forced: int | None = None, banned: int | None = None
    ) -> np.ndarray | None:
        """The levels to open: least total v, at most one per hub (one at a hub that
        must open), their capacity covering :attr:`cover_t`; with level ``forced``
        open or hub ``banned`` shut. None if no choice is feasible."""
        p = self.p
        n = len(v)
        if self.simple:
            cost = v.astype(float).copy()
            allowed = np.ones(n, dtype=bool)
            if banned is not None:
                allowed[p.level_hub == banned] = False
            chosen = (cost < 0) & allowed
            if forced is not None:
                chosen[forced] = True
            need = 0
            if self.cover_t > 0:
                need = math.ceil(self.cover_t / p.level_capacity_t[0] - 1e-9)
            short = need - int(chosen.sum())
            if short > 0:
                rest = np.flatnonzero(allowed & ~chosen)
                if len(rest) < short:
                    return None
                chosen[rest[np.argsort(cost[rest], kind="stable")[:short]]] = True
            return chosen
        # each hub's best level alone (none unless it pays or the hub must open):
        # optimal when it covers the demand already, else the knapsack MILP
        p_v = np.where(np.isfinite(v), v, np.inf)
        if forced is not None:
            p_v = np.where(p.level_hub == p.level_hub[forced], np.inf, p_v)
            p_v[forced] = -np.inf
        if banned is not None:
            p_v = np.where(p.level_hub == banned, np.inf, p_v)
        best = self._best_per_hub(p_v)
        must = p.must_open[p.level_hub[best]]
        if not (must & np.isposinf(p_v[best])).any():
            chosen = np.zeros(n, dtype=bool)
            chosen[best[(p_v[best] < 0) | must]] = True
            if p.level_capacity_t[chosen].sum() >= self.cover_t - 1e-9:
                return chosen
        return self._knapsack_milp(v, forced, banned)

    def _best_per_hub(self, score: np.ndarray) -> np.ndarray:
        """The level of least ``score`` at each hub with levels."""
        hub = self.p.level_hub
        order = np.lexsort((score, hub))
        first = np.r_[True, hub[order][1:] != hub[order][:-1]]
        return order[first]

    def priced(self, v: np.ndarray, mu: float) -> np.ndarray:
        """The levels to open with the cover row priced at ``mu`` per tonne of
        capacity instead of kept: each hub's level of least ``v - mu K`` where that
        is negative (always one at a hub that must open)."""
        p = self.p
        score = v - mu * p.level_capacity_t
        best = self._best_per_hub(score)
        chosen = np.zeros(len(v), dtype=bool)
        chosen[best[(score[best] < 0) | p.must_open[p.level_hub[best]]]] = True
        return chosen

    def _knapsack_milp(
        self, v: np.ndarray, forced: int | None, banned: int | None
    ) -> np.ndarray | None:
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import csr_matrix

        p = self.p
        n = len(v)
        lower, upper = np.zeros(n), np.ones(n)
        if forced is not None:
            lower[forced] = 1.0
        if banned is not None:
            upper[p.level_hub == banned] = 0.0
        one = csr_matrix((np.ones(n), (p.level_hub, np.arange(n))), (p.n_hubs, n))
        used = np.bincount(p.level_hub, minlength=p.n_hubs) > 0
        one_lo = np.where(p.must_open & used, 1.0, 0.0)
        if banned is not None and one_lo[banned] > 0:
            return None
        constraints = [LinearConstraint(one[used], one_lo[used], 1.0)]
        if self.cover_t > 0:
            constraints.append(
                LinearConstraint(p.level_capacity_t[None, :], self.cover_t, np.inf)
            )
        res = milp(
            v,
            integrality=np.ones(n),
            bounds=Bounds(lower, upper),
            constraints=constraints,
        )
        if res.x is None:
            return None
        return res.x > 0.5

    def value(
        self, u: np.ndarray, pi: np.ndarray, v: np.ndarray, chosen: np.ndarray
    ) -> float:
        """The Lagrangian function at (u, pi) with levels ``chosen``."""
        p = self.p
        total = float(u @ p.demand_t - pi @ p.supply_t + v[chosen].sum())
        r_direct = p.direct_cost + pi[p.direct_origin] - u[p.direct_dest]
        total += float(np.minimum(r_direct, 0.0) @ self.direct_cap)
        idx = self.unmet_index
        total += float(np.minimum(p.penalty[idx] - u[idx], 0.0) @ p.demand_t[idx])
        return total

    def subgradient(
        self,
        u: np.ndarray,
        pi: np.ndarray,
        flows: _LevelFlows,
        chosen: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(d L / d u, d L / d pi) at the subproblem's solution."""
        p = self.p
        rank_of_hub = np.full(p.n_hubs, -1, dtype=np.int64)
        rank_of_hub[p.level_hub[chosen]] = self.rank[chosen]
        leg_rank = rank_of_hub[flows.hub]
        x = np.zeros(len(flows.order))
        for k, take in enumerate(flows.takes):
            at = leg_rank == k
            x[at] = take[at] * flows.cap[at]
        inflow = np.bincount(
            p.out_dest[flows.order], weights=x, minlength=len(p.demand_t)
        ).astype(float)
        through = np.bincount(flows.hub, weights=x, minlength=p.n_hubs).astype(float)
        outflow = np.zeros(len(p.supply_t))
        fed = flows.best_in >= 0
        np.add.at(outflow, flows.best_in[fed], through[fed])
        r_direct = p.direct_cost + pi[p.direct_origin] - u[p.direct_dest]
        direct = np.where(r_direct < 0, self.direct_cap, 0.0)
        inflow += np.bincount(
            p.direct_dest, weights=direct, minlength=len(inflow)
        ).astype(float)
        np.add.at(outflow, p.direct_origin, direct)
        idx = self.unmet_index
        inflow[idx] += np.where(p.penalty[idx] - u[idx] < 0, p.demand_t[idx], 0.0)
        return p.demand_t - inflow, outflow - p.supply_t


def _local_search(
    problem: HubProblem,
    v: np.ndarray,
    levels: np.ndarray,
    try_incumbent: Callable[[np.ndarray], bool],
) -> None:
    """Improve the incumbent's choice of levels: open one more level, shut one open
    hub, or swap the two, trying the :data:`LOCAL_MOVES` most promising opens and
    shuts by their Lagrangian value ``v`` (least first to open, largest first to
    shut) and the swaps among the :data:`LOCAL_SWAPS` first of each, taking the
    first move that improves, while one does (at most :data:`LOCAL_ROUNDS` times)."""
    for _ in range(LOCAL_ROUNDS):
        open_hubs = np.zeros(problem.n_hubs, dtype=bool)
        open_hubs[problem.level_hub[levels]] = True
        candidates = []
        free = np.flatnonzero(~open_hubs[problem.level_hub])
        for k in free[np.argsort(v[free], kind="stable")][:LOCAL_MOVES]:
            more = levels.copy()
            more[k] = True
            candidates.append(more)
        shut = np.flatnonzero(levels & ~problem.must_open[problem.level_hub])
        for k in shut[np.argsort(-v[shut], kind="stable")][:LOCAL_MOVES]:
            fewer = levels.copy()
            fewer[k] = False
            candidates.append(fewer)
        # swaps: shut one of the least attractive open, open one of the most
        # attractive shut
        best_free = free[np.argsort(v[free], kind="stable")][:LOCAL_SWAPS]
        for k in shut[np.argsort(-v[shut], kind="stable")][:LOCAL_SWAPS]:
            for j in best_free:
                swapped = levels.copy()
                swapped[k], swapped[j] = False, True
                candidates.append(swapped)
        for choice in candidates:
            if try_incumbent(choice):
                levels = choice
                break
        else:
            return


@dataclass
class _LevelFlows:
    order: np.ndarray  # outbound legs with negative reduced cost, by hub then cost
    hub: np.ndarray
    cap: np.ndarray
    takes: list[np.ndarray]  # share of each leg taken, per level rank
    best_in: np.ndarray  # origin of each hub's cheapest inbound leg


def reduce(
    problem: HubProblem,
    evaluate: Evaluate,
    *,
    time_limit_s: float | None = None,
    deadline: Deadline | None = None,
    msg: bool = False,
) -> Reduction:
    """Run the Lagrangian method and fix what its bound allows.

    Parameters
    ----------
    problem
        The model's hub-location core.
    evaluate
        Solves the model with a given set of levels open (an incumbent).
    time_limit_s
        Stop the subgradient method after this long, and skip the incumbent's local
        search and restricted MIP once it is spent (the fixing tests, a few
        knapsacks, still run).
    deadline
        The same as a deadline already running (the solve's stage); replaces
        ``time_limit_s``.
    msg
        Print progress every 100 iterations and a summary.

    Returns
    -------
    Reduction

    Examples
    --------
    Two hubs that each can serve one market of 10 t; hub A costs 5, hub B 50 a year,
    and any leg costs 1 per tonne, so A alone is optimal (5 + 20 = 25):

    >>> import numpy as np
    >>> from hubopt.lagrange import HubProblem, reduce
    >>> i = np.array
    >>> p = HubProblem(
    ...     in_col=i([0, 1]), in_hub=i([0, 1]), in_origin=i([0, 0]),
    ...     in_cost=i([0.0, 0.0]), out_col=i([2, 3]), out_hub=i([0, 1]),
    ...     out_dest=i([0, 0]), out_cost=i([2.0, 2.0]), direct_col=i([], int),
    ...     direct_origin=i([], int), direct_dest=i([], int), direct_cost=i([]),
    ...     unmet_col=i([-1]), penalty=i([np.nan]), supply_t=i([10.0]),
    ...     demand_t=i([10.0]), level_col=i([4, 5]), level_hub=i([0, 1]),
    ...     level_capacity_t=i([10.0, 10.0]), level_fixed_cost=i([5.0, 50.0]),
    ...     must_open=i([False, False]), n_hubs=2)
    >>> def evaluate(open_levels, free_levels=None, time_limit_s=None):
    ...     a, b = open_levels
    ...     if not (a or b):
    ...         return None  # the market cannot be served
    ...     x = np.r_[10.0, 0.0, 10.0, 0.0] if a else np.r_[0.0, 10.0, 0.0, 10.0]
    ...     return 5.0 * a + 50.0 * b + 20.0, np.r_[x, open_levels]
    >>> red = reduce(p, evaluate)
    >>> red.bound, red.objective, red.closed_cols.tolist(), red.open_cols.tolist()
    (25.0, 25.0, [5], [4])
    """
    deadline = Deadline(time_limit_s) if deadline is None else deadline
    relax = _Relaxation(problem)
    n_levels = len(problem.level_col)
    empty = np.zeros(0, dtype=np.int64)
    if n_levels == 0:
        return Reduction(-np.inf, None, None, empty, empty, empty, 0, 0.0)
    incumbents = _Incumbents(evaluate, deadline, np.zeros(n_levels, dtype=bool))
    ascent = _ascend(relax, incumbents, msg)
    if not ascent.covered:  # no choice covers the demand: leave it to the MIP
        return Reduction(
            -np.inf, None, None, empty, empty, empty, ascent.iterations, 0.0
        )
    bound, closed, opened, flows = _improve_and_fix(relax, incumbents, ascent)
    used = _used_cols(problem, flows, closed)
    seconds = deadline.elapsed_s()
    best = incumbents.best
    if msg:
        shown = "none" if best is None else f"{best[0]:.10g}"
        print(
            f"lagrangian: bound {bound:.10g}, incumbent {shown} after "
            f"{ascent.iterations} iterations, {seconds:.1f} s; levels fixed: "
            f"{len(closed)} closed, {len(opened)} open of {n_levels}",
            flush=True,
        )
    return Reduction(
        bound=bound,
        objective=None if best is None else float(best[0]),
        values=None if best is None else best[1],
        closed_cols=closed,
        open_cols=opened,
        used_cols=used,
        iterations=ascent.iterations,
        seconds=seconds,
    )


@dataclass
class _Incumbents:
    """The choices of levels evaluated so far and the best of them.

    Attributes
    ----------
    evaluate
        Solves the model with a given set of levels open.
    deadline
        The time budget of the whole method.
    levels
        The incumbent's choice of levels (all False before there is one).
    best
        The incumbent: (objective, column values), None before there is one.
    seen
        The choices evaluated (packed bits), each evaluated once.
    evaluated
        (objective, levels) of every feasible choice evaluated, in order.
    """

    evaluate: Evaluate
    deadline: Deadline
    levels: np.ndarray
    best: tuple[float, np.ndarray] | None = None
    seen: set[bytes] = field(default_factory=set)
    evaluated: list[tuple[float, np.ndarray]] = field(default_factory=list)

    @property
    def upper(self) -> float | None:
        """The incumbent's objective (None without one)."""
        return None if self.best is None else self.best[0]

    def left_s(self) -> float:
        """Seconds left of the deadline (infinite without a limit)."""
        remaining = self.deadline.remaining_s()
        return np.inf if remaining is None else remaining

    def closes_gap(self, bound: float) -> bool:
        """True if the incumbent is within a relative 1e-7 of ``bound``."""
        return self.best is not None and self.best[0] - bound <= 1e-7 * max(
            1.0, abs(self.best[0])
        )

    def try_choice(self, chosen: np.ndarray) -> bool:
        """Evaluate a choice of levels (once).

        Parameters
        ----------
        chosen
            The levels to open, a boolean per level.

        Returns
        -------
        bool
            True if the choice is the new incumbent.
        """
        key = np.packbits(chosen).tobytes()
        if key in self.seen:
            return False
        self.seen.add(key)
        got = self.evaluate(chosen)
        if got is not None:
            self.evaluated.append((got[0], chosen.copy()))
        if got is not None and (self.best is None or got[0] < self.best[0]):
            self.best, self.levels = got, chosen.copy()
            return True
        return False


@dataclass
class _Ascent:
    """Where the subgradient method ended.

    Attributes
    ----------
    bound, u, pi
        The best bound and the multipliers that gave it.
    iterations
        Iterations run.
    covered
        False if no choice of levels covers the demand (the method stopped).
    """

    bound: float
    u: np.ndarray
    pi: np.ndarray
    iterations: int = 0
    covered: bool = True


@dataclass
class _Subproblem:
    """The Lagrangian subproblem's solution at some multipliers.

    Attributes
    ----------
    v, flows
        Each level's value and the flows behind it (:meth:`_Relaxation.levels`).
    chosen
        The levels the knapsack (or the priced cover) opens.
    short
        Tonnes of the capacity cover the chosen levels leave uncovered (0 when the
        cover is kept as a row).
    bound
        The Lagrangian function's value there: a lower bound.
    """

    v: np.ndarray
    flows: _LevelFlows
    chosen: np.ndarray
    short: float
    bound: float


@dataclass
class _StepSize:
    """The subgradient step multiplier, halved after :data:`PATIENCE` iterations
    without a real gain (a relative 1e-6) on the best bound since the last gain."""

    step: float = 2.0
    stall: int = 0
    progress: float = -np.inf

    def record(self, bound: float) -> None:
        """Take an iteration's bound into account.

        Parameters
        ----------
        bound
            The Lagrangian bound of the iteration.
        """
        if bound > self.progress + 1e-6 * abs(bound):  # a real gain, not a crawl
            self.progress, self.stall = bound, 0
        else:
            self.stall += 1
            if self.stall >= PATIENCE:
                self.step, self.stall = self.step / 2, 0

    @property
    def spent(self) -> bool:
        """True once the multiplier is below :data:`MIN_STEP`."""
        return self.step < MIN_STEP


def _ascend(relax: _Relaxation, incumbents: _Incumbents, msg: bool) -> _Ascent:
    """The subgradient method: raise the bound, evaluating the subproblem's choice
    of levels as an incumbent on the first and every :data:`EVALUATE_EVERY`
    iterations.

    It stops after :data:`MAX_ITERATIONS`, when the incumbent meets the bound, the
    step multiplier is spent, the deadline passes or the subgradient vanishes.

    Parameters
    ----------
    relax
        The Lagrangian subproblem.
    incumbents
        The choices evaluated so far (updated).
    msg
        Print progress every 100 iterations.

    Returns
    -------
    _Ascent
        The best bound, its multipliers and the iterations run.
    """
    u, pi = relax.start()
    mu = 0.0
    ascent = _Ascent(-np.inf, u, pi)
    rule = _StepSize()
    for iteration in range(1, MAX_ITERATIONS + 1):
        ascent.iterations = iteration
        sub = _solve_subproblem(relax, u, pi, mu)
        if sub is None:
            ascent.covered = False
            return ascent
        if sub.bound > ascent.bound:
            ascent.bound, ascent.u, ascent.pi = sub.bound, u, pi
        rule.record(sub.bound)
        if iteration == 1 or iteration % EVALUATE_EVERY == 0:
            incumbents.try_choice(sub.chosen)
        upper = incumbents.upper
        if msg and iteration % 100 == 0:
            shown = "none" if upper is None else f"{upper:.10g}"
            print(
                f"lagrangian: iteration {iteration}, bound {ascent.bound:.10g}, "
                f"incumbent {shown}, {incumbents.deadline.elapsed_s():.1f} s",
                flush=True,
            )
        if (
            incumbents.closes_gap(ascent.bound)
            or rule.spent
            or incumbents.left_s() <= 0
        ):
            break
        moved = _step(relax, u, pi, mu, sub, upper, rule.step)
        if moved is None:
            break  # the subproblem's solution is feasible: the bound is tight
        u, pi, mu = moved
    return ascent


def _solve_subproblem(
    relax: _Relaxation, u: np.ndarray, pi: np.ndarray, mu: float
) -> _Subproblem | None:
    """Solve the Lagrangian subproblem at (u, pi, mu).

    Where the knapsack is a sort (:attr:`_Relaxation.simple`) it keeps the capacity
    cover as a row; otherwise the cover is priced at ``mu`` too and the exact
    knapsack is left to the end.

    Parameters
    ----------
    relax
        The Lagrangian subproblem.
    u, pi, mu
        The multipliers of the demand, supply and cover rows.

    Returns
    -------
    _Subproblem or None
        None if no choice of levels covers the demand.
    """
    v, flows = relax.levels(u, pi)
    if relax.simple:  # the exact knapsack is a sort
        chosen = relax.knapsack(v)
        if chosen is None:
            return None
        short = 0.0
    else:
        chosen = relax.priced(v, mu)
        short = relax.cover_t - float(relax.p.level_capacity_t[chosen].sum())
    bound = relax.value(u, pi, v, chosen) + mu * short
    return _Subproblem(v, flows, chosen, short, bound)


def _step(
    relax: _Relaxation,
    u: np.ndarray,
    pi: np.ndarray,
    mu: float,
    sub: _Subproblem,
    upper: float | None,
    step: float,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """One subgradient step from (u, pi, mu), aimed at the incumbent raised by
    :data:`OVERSHOOT` (or 5 % above the bound without one).

    Parameters
    ----------
    relax
        The Lagrangian subproblem.
    u, pi, mu
        The multipliers of the demand, supply and cover rows.
    sub
        The subproblem's solution there.
    upper
        The incumbent's objective (None without one).
    step
        The step multiplier.

    Returns
    -------
    tuple or None
        The next (u, pi, mu); None if the subgradient vanishes.
    """
    g_u, g_pi = relax.subgradient(u, pi, sub.flows, sub.chosen)
    g_pi = np.where((pi <= 0) & (g_pi < 0), 0.0, g_pi)
    # measured in shares of each market's demand and origin's supply, so that
    # large and small markets move their multipliers alike
    g_u, g_pi = g_u / relax.demand_scale, g_pi / relax.supply_scale
    g_mu = 0.0 if mu <= 0 and sub.short < 0 else sub.short / relax.cover_scale
    norm = float(g_u @ g_u + g_pi @ g_pi + g_mu * g_mu)
    if norm <= 1e-18:
        return None
    bound = sub.bound
    target = (
        upper + OVERSHOOT * abs(upper)
        if upper is not None
        else bound + 0.05 * max(1.0, abs(bound))
    )
    t = step * max(target - bound, 1e-9 * max(1.0, abs(bound))) / norm
    u = u + t * g_u / relax.demand_scale
    pi = np.maximum(pi + t * g_pi / relax.supply_scale, 0.0)
    mu = max(mu + t * g_mu / relax.cover_scale, 0.0)
    return u, pi, mu


class _Move(NamedTuple):
    """A choice one level away from the relaxation's, and its Lagrangian bound.

    ``kind`` "close" forces level ``index`` open (so the level is fixed closed when
    the bound beats the incumbent); "open" shuts hub ``index`` (so its levels are
    fixed open). ``choice`` is the knapsack's levels with the move (None if none
    covers the demand, and then ``bound`` is infinite).
    """

    bound: float
    kind: str
    index: int
    choice: np.ndarray | None


def _improve_and_fix(
    relax: _Relaxation, incumbents: _Incumbents, ascent: _Ascent
) -> tuple[float, np.ndarray, np.ndarray, _LevelFlows]:
    """At the best multipliers: the exact knapsack, the incumbent's improvement
    (neighbours, local search, restricted MIP) and the fixing tests.

    Parameters
    ----------
    relax
        The Lagrangian subproblem.
    incumbents
        The choices evaluated so far (updated).
    ascent
        Where the subgradient method ended.

    Returns
    -------
    tuple
        The bound (raised by the exact knapsack), the level columns fixed closed
        and open, and the relaxation's flows at the best multipliers.
    """
    problem = relax.p
    empty = np.zeros(0, dtype=np.int64)
    v, flows = relax.levels(ascent.u, ascent.pi)
    chosen = relax.knapsack(v)  # exact: at least the bound with the priced cover
    bound = ascent.bound
    if chosen is None:
        return bound, empty, empty, flows
    incumbents.try_choice(chosen)
    bound = max(bound, relax.value(ascent.u, ascent.pi, v, chosen))
    moves = _neighbour_moves(relax, v, ascent.u, ascent.pi, chosen)
    # the most promising neighbours are incumbents too (Lagrangian heuristic)
    for move in sorted(moves, key=lambda m: m.bound)[:NEIGHBOURS]:
        if incumbents.left_s() <= 0:
            break  # the stage's time is spent: the MIP gets the rest
        if move.choice is not None:
            incumbents.try_choice(move.choice)
    if (
        incumbents.best is not None
        and not incumbents.closes_gap(bound)
        and incumbents.left_s() > 0
    ):
        _local_search(problem, v, incumbents.levels, incumbents.try_choice)
    if (
        incumbents.best is not None
        and not incumbents.closes_gap(bound)
        and incumbents.left_s() >= 1.0
    ):
        _restricted_mip(incumbents)
    if incumbents.best is None:
        return bound, empty, empty, flows
    closed, opened = _fixings(problem, moves, incumbents.best[0])
    return bound, closed, opened, flows


def _neighbour_moves(
    relax: _Relaxation,
    v: np.ndarray,
    u: np.ndarray,
    pi: np.ndarray,
    chosen: np.ndarray,
) -> list[_Move]:
    """The choices one level away from ``chosen`` and their bounds: each level not
    chosen forced open, each chosen hub with a single level (and free to shut) shut.

    Their bounds share the Lagrangian function's constant and differ by a sum of
    ``v``.

    Parameters
    ----------
    relax
        The Lagrangian subproblem.
    v
        Each level's value at (u, pi).
    u, pi
        The best multipliers.
    chosen
        The exact knapsack's levels there.

    Returns
    -------
    list of _Move
        The levels forced open first (by level), then the hubs shut (by hub).
    """
    problem = relax.p
    constant = relax.value(u, pi, v, np.zeros_like(chosen))
    counts = np.bincount(problem.level_hub, minlength=problem.n_hubs)
    moves: list[_Move] = []
    for k in np.flatnonzero(~chosen):
        forced = relax.knapsack(v, forced=int(k))
        at = np.inf if forced is None else constant + v[forced].sum()
        moves.append(_Move(at, "close", int(k), forced))
    for h in np.unique(problem.level_hub[chosen]):
        if counts[h] != 1 or problem.must_open[h]:
            continue
        shut = relax.knapsack(v, banned=int(h))
        at = np.inf if shut is None else constant + v[shut].sum()
        moves.append(_Move(at, "open", int(h), shut))
    return moves


def _restricted_mip(incumbents: _Incumbents) -> None:
    """A small MIP over the levels of every good choice seen (objective within
    :data:`RESTRICTED_SHARE` of the incumbent), for the best mix of them.

    It runs when those levels are at most :data:`RESTRICTED_MAX_LEVELS` and not
    only the incumbent's, for at most :data:`RESTRICTED_TIME_S` (and the time
    left); a better solution replaces the incumbent's objective and values
    (:attr:`_Incumbents.levels` keeps the choice the MIP started from).

    Parameters
    ----------
    incumbents
        The choices evaluated so far, with an incumbent (updated).
    """
    best = incumbents.best
    assert best is not None
    near = best[0] + RESTRICTED_SHARE * abs(best[0])
    free = np.zeros(len(incumbents.levels), dtype=bool)
    for objective, levels in incumbents.evaluated:
        if objective <= near:
            free |= levels
    if free.sum() > RESTRICTED_MAX_LEVELS or not (free & ~incumbents.levels).any():
        return
    time_limit_s = min(RESTRICTED_TIME_S, incumbents.left_s())
    got = incumbents.evaluate(incumbents.levels, free, time_limit_s)
    if got is not None and got[0] < best[0] - 1e-9 * abs(got[0]):
        incumbents.best = got


def _fixings(
    problem: HubProblem, moves: list[_Move], upper: float
) -> tuple[np.ndarray, np.ndarray]:
    """The level columns fixed by the bound: a move whose bound exceeds the
    incumbent's objective (by :data:`FIX_MARGIN`) is in no solution as good, so
    the levels it would open are closed and the hub it would shut stays open.

    Parameters
    ----------
    problem
        The model's hub-location core.
    moves
        The choices one level away and their bounds.
    upper
        The incumbent's objective.

    Returns
    -------
    tuple
        The level columns fixed closed, and those fixed open.
    """
    margin = FIX_MARGIN * max(1.0, abs(upper))
    closed_list, open_list = [], []
    for move in moves:
        if move.bound > upper + margin:  # no solution as good has this move
            if move.kind == "close":
                closed_list.append(move.index)
            else:
                open_list.extend(np.flatnonzero(problem.level_hub == move.index))
    closed = problem.level_col[np.array(closed_list, dtype=np.int64)]
    opened = problem.level_col[np.array(open_list, dtype=np.int64)]
    return closed, opened


def _used_cols(
    problem: HubProblem, flows: _LevelFlows, closed: np.ndarray
) -> np.ndarray:
    """The flow columns of the outbound legs the relaxation uses, at hubs with a
    level not fixed closed.

    Parameters
    ----------
    problem
        The model's hub-location core.
    flows
        The relaxation's flows at the best multipliers.
    closed
        The level columns fixed closed.

    Returns
    -------
    numpy.ndarray
        Flow columns (see :attr:`Reduction.used_cols`).
    """
    shut = np.ones(problem.n_hubs, dtype=bool)
    live = ~np.isin(problem.level_col, closed)
    shut[problem.level_hub[live]] = False
    return problem.out_col[flows.order[~shut[flows.hub]]]
