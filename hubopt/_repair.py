"""A primal heuristic for single-source models: a first solution before the MIP.

A single-source model can be too hard for HiGHS to find any solution within a time
limit (its root LP alone may not finish). This heuristic finds one quickly, as arrays:

1. hubs: every hub that may open is opened at its largest level, then hubs are shut
   one at a time (the one whose closing saves most: its fixed cost against what its
   markets cost at their next-best hub with room), while that saves, and while the
   count (``max_hubs``) or the ``budget`` is exceeded;
2. sources: each market goes to one source (a hub, a direct leg, or its shortfall),
   markets in order of regret (the cost of their second-best option less that of
   their best, largest first), each to its cheapest option with room, so that no hub
   is loaded past its capacity;
3. a local search: a market moves to a cheaper hub with room, two markets at two hubs
   swap when that is cheaper and both fit; emptied hubs shut, and each open hub gets
   its cheapest level that holds its load;
4. under a time limit, the Lagrangian relaxation of :mod:`hubopt._source_bound`
   gives a lower bound, and steps 2-3 run again from the hubs it opens at its best
   bound (with the next-best hubs until their capacity holds the demand with a tenth
   to spare); the cheaper of the two plans is kept;
5. the flows: the LP of the model with every hub level and source fixed (origins,
   paths within transit limits and the other rows are honoured by it), then every
   row and pool row is checked on the full column vector before it is handed over.

Costs per source are estimates (the cheapest path into the market through it, without
supply limits); the LP of step 5 gives the true flows. The heuristic runs within its
own stage of the solve's :class:`~hubopt.deadline.Deadline` and gives up (None) when
it cannot find a feasible solution in time, when the network is too large for its
dense market-by-hub cost table (:data:`hubopt._sources.MAX_TABLE_ENTRIES`), or when a
family it does not model (minimum throughput, a CO2 cap, the capacities table, a
no-good cut) is violated by its candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import highs
from ._arrays import CSRRows, ModelArrays
from ._solution import RawSolution, relative_gap
from ._source_bound import lower_bound
from ._sources import SourceTable
from .deadline import Deadline

#: Rounds of the local search (moves, then swaps) at most.
LOCAL_SEARCH_ROUNDS = 20

#: A row holds when violated by at most this, relative to 1 + |activity|.
ROW_TOLERANCE = 1e-6

#: Option codes in an assignment: a hub position, or one of these.
DIRECT, SHORT, IDLE = -1, -2, -3


@dataclass
class Start:
    """A feasible solution of the whole model: every column's value and the
    objective; with a lower bound on the optimum when one was found in time
    (:func:`hubopt._source_bound.lower_bound`)."""

    values: np.ndarray
    objective: float
    bound: float | None = None


class _Plan:
    """Hubs open and each market's option, with hub loads and the cost of the
    options (fixed costs apart)."""

    def __init__(self, table: SourceTable, open_hub: np.ndarray) -> None:
        self.t = table
        self.open = open_hub.copy()
        self.capacity_t = table.capacity_t()
        self.choice = np.full(len(table.demand_t), IDLE, dtype=np.int64)
        self.load_t = np.zeros(table.n_hubs)

    def option_cost(self, d: int, choice: int) -> float:
        if choice >= 0:
            return float(self.t.hub_cost[d, choice])
        if choice == DIRECT:
            return float(self.t.direct_cost[d])
        if choice == SHORT:
            return float(self.t.short_cost[d])
        return 0.0

    def costs(self) -> np.ndarray:
        """The cost of each market's current option."""
        t, c = self.t, self.choice
        rows = np.arange(len(c))
        out = np.zeros(len(c))
        hub = c >= 0
        out[hub] = t.hub_cost[rows[hub], c[hub]]
        out[c == DIRECT] = t.direct_cost[c == DIRECT]
        out[c == SHORT] = t.short_cost[c == SHORT]
        return out

    def best_option(self, d: int, exclude: int = IDLE) -> tuple[int, float]:
        """The cheapest option of market ``d`` with room (not hub ``exclude``)."""
        t = self.t
        room = self.open & (self.load_t + t.demand_t[d] <= self.capacity_t + 1e-9)
        if exclude >= 0:
            room[exclude] = False
        cost = np.where(room, t.hub_cost[d], np.inf)
        best, choice = np.inf, SHORT
        if len(cost):
            h = int(np.argmin(cost))
            best, choice = float(cost[h]), h
        if t.direct_cost[d] < best:
            best, choice = float(t.direct_cost[d]), DIRECT
        if t.short_cost[d] < best:
            best, choice = float(t.short_cost[d]), SHORT
        return choice, best

    def put(self, d: int, choice: int) -> None:
        old = self.choice[d]
        if old >= 0:
            self.load_t[old] -= self.t.demand_t[d]
        if choice >= 0:
            self.load_t[choice] += self.t.demand_t[d]
        self.choice[d] = choice

    def assign_all(self) -> bool:
        """Every market with demand to its cheapest option with room, in order of
        regret; False when a market is left without one."""
        t = self.t
        self.choice[:] = IDLE
        self.load_t[:] = 0.0
        markets = np.flatnonzero(t.demand_t > 0)
        options = np.column_stack(
            [
                np.where(self.open, t.hub_cost[markets], np.inf),
                t.direct_cost[markets],
                t.short_cost[markets],
            ]
        )
        two = np.sort(options, axis=1)[:, :2] if options.shape[1] > 1 else options
        with np.errstate(invalid="ignore"):  # inf - inf: no option at all
            regret = two[:, -1] - two[:, 0]
        regret[~np.isfinite(regret)] = np.inf  # a single option: first
        order = np.lexsort((-t.demand_t[markets], -regret))
        for d in markets[order]:
            choice, cost = self.best_option(int(d))
            if not np.isfinite(cost):
                return False
            self.put(int(d), choice)
        return True

    def shut_saving(self) -> np.ndarray:
        """Per open hub, an estimate of what shutting it saves: its fixed cost less
        what its markets cost more at their next-best option with room (ignoring
        the room they take from each other); -inf where it cannot shut."""
        t = self.t
        _, fixed = t.fixed_cost_for(self.load_t)
        on = self.choice >= 0
        markets = np.flatnonzero(on)
        hubs = self.choice[markets]
        room = self.open[None, :] & (
            self.load_t[None, :] + t.demand_t[markets, None]
            <= self.capacity_t[None, :] + 1e-9
        )
        room[np.arange(len(markets)), hubs] = False
        alternative = np.where(room, t.hub_cost[markets], np.inf).min(axis=1)
        alternative = np.minimum(alternative, t.direct_cost[markets])
        alternative = np.minimum(alternative, t.short_cost[markets])
        extra = alternative - t.hub_cost[markets, hubs]
        more = np.zeros(t.n_hubs)
        np.add.at(more, hubs, extra)
        saving = np.where(self.open, np.where(np.isfinite(fixed), fixed, 0.0), -np.inf)
        saving = saving - more
        saving[t.must_open | ~self.open] = -np.inf
        return saving

    def shut(self, h: int) -> bool:
        """Shut hub ``h``, its markets to their best options with room (largest
        demand first); False (nothing changed) when one has none."""
        markets = np.flatnonzero(self.choice == h)
        markets = markets[np.argsort(-self.t.demand_t[markets], kind="stable")]
        saved_choice, saved_load = self.choice.copy(), self.load_t.copy()
        self.open[h] = False
        for d in markets:
            choice, cost = self.best_option(int(d))
            if not np.isfinite(cost):
                self.open[h] = True
                self.choice, self.load_t = saved_choice, saved_load
                return False
            self.put(int(d), choice)
        return True

    def total(self) -> float:
        """Option costs plus the fixed cost of each open hub's cheapest level that
        holds its load (inf when a load fits no level)."""
        _, fixed = self.t.fixed_cost_for(self.load_t)
        return float(self.costs().sum() + fixed[self.open].sum())

    def fixed_total(self) -> float:
        _, fixed = self.t.fixed_cost_for(self.load_t)
        return float(fixed[self.open].sum())


def _choose_hubs(plan: _Plan, deadline: Deadline) -> bool:
    """Shut hubs while that saves (until ``deadline``), or while the count or budget
    is exceeded (the drop heuristic); False when the limits cannot be met."""
    t = plan.t
    tried = np.zeros(t.n_hubs, dtype=bool)
    while True:
        count = int(plan.open.sum())
        over = (t.max_hubs is not None and count > t.max_hubs) or (
            t.budget is not None and plan.fixed_total() > t.budget + 1e-9
        )
        if (t.min_hubs is not None and count <= t.min_hubs and not over) or (
            deadline.expired() and not over
        ):
            return True
        saving = plan.shut_saving()
        saving[tried] = -np.inf
        h = int(np.argmax(saving))
        if not np.isfinite(saving[h]) or (saving[h] <= 0 and not over):
            return not over
        before = plan.total()
        choice, load = plan.choice.copy(), plan.load_t.copy()
        if not plan.shut(h) or (plan.total() >= before and not over):
            if not plan.open[h]:  # shut, but it did not pay: open it again
                plan.open[h] = True
                plan.choice, plan.load_t = choice, load
            tried[h] = True
            continue
        tried[:] = False  # the loads changed: every hub may be tried again


def _improve(plan: _Plan, deadline: Deadline) -> None:
    """Local search: moves of a market to a cheaper option with room, and swaps of
    two markets between two hubs, until neither finds a saving (or time is up)."""
    t = plan.t
    for _ in range(LOCAL_SEARCH_ROUNDS):
        changed = False
        for d in np.flatnonzero(t.demand_t > 0):
            if deadline.expired():
                return
            now = plan.choice[d]
            choice, cost = plan.best_option(int(d), exclude=int(now))
            if cost < plan.option_cost(int(d), int(now)) - 1e-9:
                plan.put(int(d), choice)
                changed = True
        changed |= _swaps(plan, deadline)
        if not changed:
            return


def _swaps(plan: _Plan, deadline: Deadline) -> bool:
    """Swap two markets served by two hubs when that is cheaper and both fit."""
    t = plan.t
    changed = False
    for i in np.flatnonzero(plan.choice >= 0):
        if deadline.expired():
            return changed
        a = int(plan.choice[i])
        others = np.flatnonzero((plan.choice >= 0) & (plan.choice != a))
        if not len(others):
            continue
        b = plan.choice[others]
        di, dj = t.demand_t[i], t.demand_t[others]
        gain = (
            t.hub_cost[i, a]
            + t.hub_cost[others, b]
            - t.hub_cost[i, b]
            - t.hub_cost[others, a]
        )
        fits = (plan.load_t[a] - di + dj <= plan.capacity_t[a] + 1e-9) & (
            plan.load_t[b] - dj + di <= plan.capacity_t[b] + 1e-9
        )
        gain = np.where(fits & np.isfinite(gain), gain, -np.inf)
        k = int(np.argmax(gain))
        if gain[k] > 1e-9:
            j = int(others[k])
            bj = int(b[k])
            plan.put(int(i), bj)
            plan.put(j, a)
            changed = True
    return changed


def _shut_empty(plan: _Plan) -> None:
    """Shut the hubs left without a market (not those that must open)."""
    empty = plan.open & (plan.load_t <= 1e-9) & ~plan.t.must_open
    used = np.zeros(plan.t.n_hubs, dtype=bool)
    used[plan.choice[plan.choice >= 0]] = True
    plan.open[empty & ~used] = False


def _columns(plan: _Plan, arrays: ModelArrays) -> tuple[np.ndarray, np.ndarray] | None:
    """The column bounds with every level and source column fixed at the plan."""
    t = plan.t
    lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
    level, _ = t.fixed_cost_for(plan.load_t)
    chosen = np.zeros(len(t.level_col), dtype=bool)
    for h in np.flatnonzero(plan.open):
        if level[h] < 0:
            return None
        chosen[level[h]] = True
    lower[t.level_col] = upper[t.level_col] = chosen.astype(float)
    markets = np.arange(len(t.demand_t))
    cols = np.concatenate([t.hub_col.ravel(), t.direct_col])
    cols = cols[cols >= 0]
    lower[cols] = upper[cols] = 0.0
    c = plan.choice
    hub = c >= 0
    picked = np.concatenate(
        [t.hub_col[markets[hub], c[hub]], t.direct_col[markets[c == DIRECT]]]
    )
    if np.any(picked < 0):
        return None
    lower[picked] = upper[picked] = 1.0
    return lower, upper


def feasible(arrays: ModelArrays, x: np.ndarray) -> bool:
    """Whether ``x`` satisfies the column bounds, integrality, every row and every
    pool row (within :data:`ROW_TOLERANCE`)."""
    if len(x) != arrays.n_cols or not np.all(np.isfinite(x)):
        return False
    slack = 1e-9 + 1e-9 * np.abs(x)
    if np.any(x < arrays.col_lower - slack) or np.any(x > arrays.col_upper + slack):
        return False
    integer = arrays.col_integer
    if np.any(np.abs(x[integer] - np.round(x[integer])) > 1e-9):
        return False
    for rows in (arrays.rows, arrays.pool):
        activity = rows.activity(x)
        tol = ROW_TOLERANCE * (1.0 + np.abs(activity))
        if np.any(activity > rows.upper + tol) or np.any(activity < rows.lower - tol):
            return False
    return True


#: Rounds of fixing the columns that forcing rows pin, before the flows LP.
FORCING_ROUNDS = 4

#: Seconds the flows LP gets however little of the stage is left (it holds only the
#: chosen sources' flows, and without it the plan is lost).
FLOWS_MIN_S = 0.25


def _pin_forced(
    arrays: ModelArrays, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds with the columns of forcing rows fixed: a row whose least
    possible activity (over the columns not yet fixed) already reaches its upper
    bound holds each of those columns at the bound that gives that least activity,
    and likewise for the greatest activity and the lower bound. With every level
    and source fixed this pins the flows of the sources and hubs not chosen at 0
    (``x <= D a`` with ``a = 0``, a shut hub's capacity and balance), so that the
    flows LP holds only the chosen ones."""
    rows = arrays.rows
    entry_row, col, coef = rows.entry_rows, rows.index, rows.value
    lower, upper = lower.copy(), upper.copy()
    for _ in range(FORCING_ROUNDS):
        fixed = lower == upper
        const = np.bincount(
            entry_row,
            weights=np.where(fixed[col], coef * lower[col], 0.0),
            minlength=rows.n_rows,
        )
        free = ~fixed[col]
        low_end = np.where(coef > 0, lower[col], upper[col])
        high_end = np.where(coef > 0, upper[col], lower[col])
        with np.errstate(invalid="ignore"):
            least = np.bincount(
                entry_row,
                weights=np.where(free, coef * low_end, 0.0),
                minlength=rows.n_rows,
            )
            most = np.bincount(
                entry_row,
                weights=np.where(free, coef * high_end, 0.0),
                minlength=rows.n_rows,
            )
        tol = 1e-9 * (1.0 + np.abs(const))
        at_upper = np.isfinite(least) & (least >= rows.upper - const - tol)
        at_lower = np.isfinite(most) & (most <= rows.lower - const + tol)
        pin_low = free & at_upper[entry_row]
        pin_high = free & at_lower[entry_row] & ~pin_low
        if not pin_low.any() and not pin_high.any():
            break
        value = np.where(pin_low, low_end, high_end)
        pinned = pin_low | pin_high
        lower[col[pinned]] = upper[col[pinned]] = value[pinned]
    return lower, upper


def _flows(
    arrays: ModelArrays,
    bounds: tuple[np.ndarray, np.ndarray],
    deadline: Deadline,
    threads: int | None,
) -> Start | None:
    """The LP of the arrays (their rows, no pool) with the columns bounded by
    ``bounds``: its optimum as a start when it satisfies the whole model. The
    columns that bounds and forcing rows fix (:func:`_pin_forced`) are left out
    of the LP, their values moved into the rows' bounds."""
    import highspy

    lower, upper = _pin_forced(arrays, *bounds)
    keep = lower < upper
    x = lower.copy()
    if keep.any():
        rows = arrays.rows
        const = rows.activity(np.where(keep, 0.0, lower))
        sub_rows = rows.on_columns(keep)
        has = np.diff(sub_rows.start) > 0
        sub_rows = sub_rows.subset(np.flatnonzero(has))
        sub = replace(
            arrays,
            col_cost=arrays.col_cost[keep],
            col_lower=lower[keep],
            col_upper=upper[keep],
            col_integer=np.zeros(int(keep.sum()), dtype=bool),
            row_lower=(rows.lower - const)[has],
            row_upper=(rows.upper - const)[has],
            start=sub_rows.start,
            index=sub_rows.index,
            value=sub_rows.value,
            segments=[],
            pool=CSRRows.empty(),
        )
        left = deadline.remaining_s(at_least=FLOWS_MIN_S)
        h = highs.new_highs(left, None, threads, False)
        highs.pass_model(h, sub, relaxed=True)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x[keep] = h.getSolution().col_value
    integer = arrays.col_integer
    x[integer] = np.round(x[integer])
    x = np.clip(x, bounds[0], bounds[1])
    if not feasible(arrays, x):
        return None
    return Start(values=x, objective=float(arrays.col_cost @ x))


def start(
    arrays: ModelArrays,
    table: SourceTable,
    deadline: Deadline,
    threads: int | None = None,
) -> Start | None:
    """A feasible solution of a single-source model, found within ``deadline``
    (see the module's docstring); None when none was found in time.

    Parameters
    ----------
    arrays
        The model (its rows and its pool of linking rows).
    table
        Its sources, from :func:`source_table`.
    deadline
        The heuristic's stage of the solve's deadline. With a limit, the lower
        bound of :func:`hubopt._source_bound.lower_bound` is computed too (in what
        is left of it); without one the MIP goes on to its own proof.
    threads
        HiGHS threads for the flows LP (those of the solve).
    """
    open_hub = np.zeros(table.n_hubs, dtype=bool)
    open_hub[table.level_hub] = True
    plan = _plan(table, open_hub, deadline)
    if plan is None:
        return None
    bound = None
    if deadline.limit_s is not None:
        # a run without a limit goes on to the MIP's own proof: no bound needed
        relaxed = lower_bound(table, deadline.stage(share=0.5), plan.total())
        if relaxed is not None:
            bound, term = relaxed
            other = _plan(table, _lagrangian_hubs(plan, term), deadline)
            if other is not None and other.total() < plan.total():
                plan = other
    bounds = _columns(plan, arrays)
    if bounds is None or deadline.expired():
        return None
    found = _flows(arrays, bounds, deadline, threads)
    if found is not None and bound is not None:
        found.bound = min(bound, found.objective)
    return found


def _plan(table: SourceTable, open_hub: np.ndarray, deadline: Deadline) -> _Plan | None:
    """Steps 1-3 of the heuristic from the hubs ``open_hub``: None when the markets
    cannot all be given a source with room, or the hub limits cannot be met."""
    plan = _Plan(table, open_hub)
    if not plan.assign_all() or not _choose_hubs(plan, deadline):
        return None
    _improve(plan, deadline)
    _shut_empty(plan)
    if table.min_hubs is not None and plan.open.sum() < table.min_hubs:
        return None
    return plan


def _lagrangian_hubs(plan: _Plan, term: np.ndarray) -> np.ndarray:
    """The hubs open in the Lagrangian relaxation at its best bound (negative
    term), those that must open, and then the next by term until their capacity
    holds the demand the plan serves through hubs, with a tenth to spare."""
    t = plan.t
    chosen = (term < 0) | t.must_open
    need = 1.1 * float(t.demand_t[plan.choice >= 0].sum())
    capacity = plan.capacity_t
    for h in np.argsort(term, kind="stable"):
        if capacity[chosen].sum() >= need or not np.isfinite(term[h]):
            break
        chosen[h] = True
    return chosen


def better_of(
    solution: RawSolution, values: np.ndarray | None, start: Start | None
) -> tuple[RawSolution, np.ndarray | None]:
    """The solver's solution, or the heuristic's start where the solver stopped
    without a solution or with a worse one (then status "feasible"); the better of
    the solver's bound and the heuristic's, with the gap to it."""
    if start is None or solution.status not in ("feasible", "no_solution"):
        return solution, values
    bounds = [b for b in (solution.best_bound, start.bound) if b is not None]
    solution.best_bound = max(bounds) if bounds else None
    if (
        values is not None
        and solution.objective is not None
        and solution.objective <= start.objective
    ):
        solution.gap = relative_gap(solution.objective, solution.best_bound)
        return solution, values
    solution.status = "feasible"
    solution.objective = start.objective
    solution.gap = relative_gap(start.objective, solution.best_bound)
    note = "the solution is the repair heuristic's start"
    solution.message = f"{solution.message}; {note}" if solution.message else note
    return solution, start.values
