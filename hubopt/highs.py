"""The HiGHS driver: solver settings, the hand-over of :class:`ModelArrays` in one
``passModel`` call, lazy linking rounds, the LP with hub levels fixed (the Lagrangian's
incumbents), interrupts (Ctrl-C), and reading the status, bound, gap, column values and
duals back.

Each solve takes its time budget from a :class:`hubopt.deadline.Deadline`.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from dataclasses import replace
from typing import Any

import numpy as np

from ._arrays import CSRRows, ModelArrays, pool_rows_of
from ._solution import INTERRUPTED, RawSolution, interrupted, relative_gap
from .deadline import Deadline
from .errors import SolverError, SolverMissingError
from .lagrange import HubProblem

#: At most this many rounds of adding violated linking rows before the MIP.
LAZY_LINKING_MAX_ROUNDS = 100

#: Lazy linking stops once a round raises the LP bound by less than this share.
LAZY_LINKING_MIN_GAIN = 1e-3


_BANNER_SILENCED = False
_BANNER_LOCK = threading.Lock()


def _silence_highs_banner() -> None:
    """HiGHS prints a copyright banner from C the first time a solver is created in a
    process, whatever its options; create that first instance with stdout muted (under
    a lock, so a solve in another thread cannot create it first)."""
    global _BANNER_SILENCED
    if _BANNER_SILENCED:
        return
    import highspy

    with _BANNER_LOCK:
        if _BANNER_SILENCED:
            return
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):  # no real stdout (e.g. captured): nothing to hide
            highspy.Highs()
            _BANNER_SILENCED = True
            return
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SILENCED = True


def solve(
    arrays: ModelArrays,
    deadline: Deadline,
    mip_gap: float | None,
    threads: int | None,
    msg: bool,
    incumbent: np.ndarray | None = None,
    seed: np.ndarray | None = None,
    warm: Any | None = None,
) -> tuple[RawSolution, np.ndarray | None]:
    """Solve the arrays in HiGHS within ``deadline`` (a new highspy.Highs, or
    ``warm``): the solution's status and figures, and its column values (None
    without a solution).
    ``incumbent`` is a feasible solution to start the MIP from (with lazy linking,
    without one the LP solution rounded up is tried); ``seed`` the pool rows to add
    before the first LP. ``warm``, with lazy linking, is a Highs that already holds
    the LP relaxation of ``arrays`` with the ``seed`` rows, solved (the probe's of
    :mod:`hubopt.strategy`): the lazy rounds go on from its basis instead of
    solving that LP again in a fresh Highs."""
    solution, h = _solve(arrays, deadline, mip_gap, threads, msg, incumbent, seed, warm)
    if solution.status not in ("optimal", "feasible"):
        return solution, None
    return solution, np.asarray(h.getSolution().col_value, dtype=float)


def solve_duals(
    arrays: ModelArrays, deadline: Deadline, threads: int | None
) -> tuple[RawSolution, np.ndarray | None]:
    """Solve an LP within ``deadline`` with ``threads`` (those of the solve it
    follows, so HiGHS's thread scheduler is not reset): its status and its row
    duals, None unless optimal."""
    solution, h = _solve(arrays, deadline, None, threads, False)
    if solution.status != "optimal":
        return solution, None
    return solution, np.asarray(h.getSolution().row_dual, dtype=float)


#: Reduced costs and row duals below this share of the largest cost per unit (of the
#: columns not fixed) count as zero when the tie-break LP finds the optimal face.
FACE_TOLERANCE = 1e-7


def optimal_face(
    bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    cost: np.ndarray,
    free: np.ndarray,
    reduced: np.ndarray,
    dual: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The column and row bounds (lower, upper, row lower, row upper) of an LP's
    optimal face, from its optimum's reduced costs and row duals: a ``free`` column
    with a nonzero reduced cost is fixed at its bound, a row with a nonzero dual
    made tight (zero meaning below :data:`FACE_TOLERANCE` of the largest cost of a
    free column). ``bounds`` are not changed: the face's are copies."""
    col_lower, col_upper, row_lower, row_upper = (b.copy() for b in bounds)
    scale = float(np.abs(cost[free]).max(initial=0.0))
    tolerance = FACE_TOLERANCE * max(scale, 1.0)
    at_lower = free & (reduced > tolerance) & np.isfinite(col_lower)
    at_upper = free & (reduced < -tolerance) & np.isfinite(col_upper)
    col_upper[at_lower] = col_lower[at_lower]
    col_lower[at_upper] = col_upper[at_upper]
    tight_lower = (dual > tolerance) & np.isfinite(row_lower)
    tight_upper = (dual < -tolerance) & np.isfinite(row_upper)
    row_upper[tight_lower] = row_lower[tight_lower]
    row_lower[tight_upper] = row_upper[tight_upper]
    return col_lower, col_upper, row_lower, row_upper


def solve_face(
    arrays: ModelArrays,
    deadline: Deadline,
    threads: int | None,
    weights: np.ndarray,
) -> tuple[RawSolution, np.ndarray | None, np.ndarray | None]:
    """An LP twice in one Highs: its optimum (with the row duals), then the point
    of least ``weights`` on its optimal face, warm-started from the first.

    The face comes from the first LP's duals by complementary slackness, exactly:
    every optimal point leaves a column with a nonzero reduced cost at its bound
    and a row with a nonzero dual tight, and every feasible point that does so is
    optimal. So those columns are fixed at their bound and those rows made
    equalities (zero meaning below :data:`FACE_TOLERANCE` of the largest cost),
    and the second LP cannot trade cost for weight.

    Returns the first LP's status and objective, its row duals and the column
    values of the second (of the first when the second stops early, marked
    ``interrupted`` after a Ctrl-C); None for both unless the first is optimal."""
    highspy = _highspy()
    first, h = _solve(arrays, deadline, None, threads, False)
    if first.status != "optimal":
        return first, None, None
    solution = h.getSolution()
    dual = np.asarray(solution.row_dual, dtype=float)
    reduced = np.asarray(solution.col_dual, dtype=float)
    values = np.asarray(solution.col_value, dtype=float)
    free = arrays.col_lower < arrays.col_upper
    lower, upper, row_lower, row_upper = optimal_face(
        (arrays.col_lower, arrays.col_upper, arrays.row_lower, arrays.row_upper),
        arrays.col_cost,
        free,
        reduced,
        dual,
    )
    every_col = np.arange(arrays.n_cols, dtype=np.int32)
    h.changeColsBounds(arrays.n_cols, every_col, lower, upper)
    every_row = np.arange(arrays.n_rows, dtype=np.int32)
    h.changeRowsBounds(arrays.n_rows, every_row, row_lower, row_upper)
    costs = np.where(free, weights, 0.0)
    h.changeColsCost(arrays.n_cols, every_col, costs)
    left = deadline.remaining_s(at_least=1e-3)
    if left is not None:
        set_time_left(h, left)
    stopped: list[bool] = []
    interruptible_run(h, stopped)
    if stopped:  # Ctrl-C: the first LP's optimum stands
        first.interrupted = True
    elif h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        values = np.asarray(h.getSolution().col_value, dtype=float)
    return first, dual, values


def _solve(
    arrays: ModelArrays,
    deadline: Deadline,
    mip_gap: float | None,
    threads: int | None,
    msg: bool,
    incumbent: np.ndarray | None = None,
    seed: np.ndarray | None = None,
    warm: Any | None = None,
) -> tuple[RawSolution, Any]:
    """:func:`solve`, returning the Highs object to read values and duals from."""
    highspy = _highspy()
    lazy = arrays.pool.n_rows > 0
    if lazy and warm is not None:
        h = _reuse_highs(warm, deadline, mip_gap, msg)
    else:
        warm = None
        h = new_highs(deadline.limit_s, mip_gap, threads, msg)
        passed = pass_model(h, arrays, relaxed=lazy)
        if passed == highspy.HighsStatus.kError:
            error = "HiGHS failed: it rejected the model"
            raise SolverError(error)
    if not lazy and incumbent is not None:
        set_start(h, incumbent)
    stopped: list[bool] = []
    # redirect_stdout swaps the process-wide sys.stdout: from solves running in
    # threads (a ThreadPoolExecutor, a threaded Dask worker) the swaps interleave and
    # can leave sys.stdout pointing at a dead buffer, so only the main thread does it
    in_main = threading.current_thread() is threading.main_thread()
    quiet = (
        contextlib.redirect_stdout(io.StringIO())
        if not msg and in_main
        else contextlib.nullcontext()
    )
    with quiet:
        if lazy:
            _lazy_rounds(
                h, arrays, deadline, msg, stopped, incumbent, seed, warm is not None
            )
        if stopped:  # Ctrl-C before the MIP started: no solution to report
            return interrupted("highs"), h
        interruptible_run(h, stopped)
    return _read_status(h, bool(arrays.col_integer.any()), bool(stopped)), h


def _lazy_rounds(
    h: Any,
    arrays: ModelArrays,
    deadline: Deadline,
    msg: bool,
    stopped: list[bool],
    incumbent: np.ndarray | None,
    seed: np.ndarray | None,
    seeded: bool = False,
) -> None:
    """Lazy linking before the MIP: add the violated pool rows to the LP relaxation
    in ``h`` round after round (half of ``deadline`` at most), then make ``h`` the
    MIP again, with a start and the time that is left. ``seeded``: the ``seed``
    rows are in ``h`` already."""
    highspy = _highspy()
    added, lp_values = add_pool_rows(
        h, arrays, deadline.stage(share=0.5), msg, stopped, seed=seed, seeded=seeded
    )
    # HiGHS would take the fractional LP solution as a MIP start and complete it
    # with a sub-MIP that does not count against the time limit; give it the
    # incumbent, or else the LP solution with its integer columns rounded up when
    # that is feasible (else no start)
    h.clearSolver()
    mip_start = incumbent
    if mip_start is None:
        mip_start = rounded_start(arrays, added, lp_values)
    integer = np.flatnonzero(arrays.col_integer).astype(np.int32)
    h.changeColsIntegrality(
        len(integer),
        integer,
        np.full(len(integer), highspy.HighsVarType.kInteger),
    )
    if mip_start is not None:
        set_start(h, mip_start)
    left = deadline.remaining_s(at_least=1e-3)
    if left is not None:
        set_time_left(h, left, mip=True)


def _reuse_highs(h: Any, deadline: Deadline, mip_gap: float | None, msg: bool) -> Any:
    """A Highs made by :func:`new_highs` for an earlier stage (same threads), with
    this solve's gap, output and time left."""
    if msg:
        h.setOptionValue("output_flag", True)
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", mip_gap)
    left = deadline.remaining_s(at_least=1e-3)
    h.setOptionValue("time_limit", np.inf)
    if left is not None:
        set_time_left(h, left)
    return h


def set_time_left(h: Any, left_s: float, mip: bool = False) -> None:
    """Let the next run of ``h`` take at most ``left_s`` seconds more.

    HiGHS counts an LP's ``time_limit`` over every run of the same Highs object,
    so for an LP the option is set to the object's run time so far plus
    ``left_s`` (set to ``left_s`` alone, a later LP would stop at once, or early).
    A MIP run (``mip``) counts from its own start (measured with HiGHS 1.16: after
    a 26 s LP in the same object, a MIP given the run time plus 4 s ran 30 s), so
    its limit is ``left_s`` alone.
    """
    spent = 0.0 if mip else float(h.getRunTime())
    h.setOptionValue("time_limit", spent + left_s)


def set_start(h: Any, values: np.ndarray) -> None:
    """Give a highspy.Highs holding a MIP a start: a value for every column."""
    solution = _highspy().HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    h.setSolution(solution)


def _read_status(h: Any, is_mip: bool, stopped: bool) -> RawSolution:
    """The status, objective, bound and gap of a finished (or stopped) run."""
    highspy = _highspy()
    status = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if is_mip else objective
    if bound is not None and not np.isfinite(bound):
        bound = None
    gap = relative_gap(objective, bound)
    name = INTERRUPTED if stopped else h.modelStatusToString(status)
    if status == S.kOptimal:
        return RawSolution(
            "optimal",
            objective,
            bound,
            gap if is_mip else 0.0,
            0,
            "highs",
            interrupted=stopped,
        )
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return RawSolution("infeasible", None, None, None, 0, "highs", message=name)
    if status == S.kUnbounded:
        return RawSolution("unbounded", None, None, None, 0, "highs", message=name)
    if has_solution:
        return RawSolution(
            "feasible",
            objective,
            bound,
            gap,
            0,
            "highs",
            message=name,
            interrupted=stopped,
        )
    return RawSolution(
        "no_solution",
        None,
        bound,
        None,
        0,
        "highs",
        message=name,
        interrupted=stopped,
    )


def _highspy() -> Any:
    """The highspy module, or a SolverError saying how to install it."""
    try:
        import highspy
    except ImportError:
        error = (
            "the HiGHS solver (the highspy package) is not installed; install it "
            "with `pip install highspy` (a dependency of hubopt), or use solver='cbc'"
        )
        raise SolverMissingError(error) from None
    return highspy


def add_pool_rows(
    highs: Any,
    arrays: ModelArrays,
    deadline: Deadline | None = None,
    msg: bool = False,
    interrupted: list[bool] | None = None,
    seed: np.ndarray | None = None,
    seeded: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Lazy linking: add to an LP the pool rows its solutions violate, until none is.

    ``highs`` holds the LP relaxation of ``arrays`` (their rows, no pool). Solve it,
    add every pool row the solution violates (``addRows``; the next solve is a
    warm-started dual simplex), and repeat until no pool row is violated, or a round
    raises the bound by less than :data:`LAZY_LINKING_MIN_GAIN` (its rows are then
    not added, so the LP solution stays valid), after
    :data:`LAZY_LINKING_MAX_ROUNDS` rounds, once ``deadline`` has expired, on
    Ctrl-C (``interrupted`` gets True), or when the LP is not optimal. Run until no
    row is violated, the LP bound equals that of the LP with every pool row.
    ``seed`` names pool rows to add before the first solve (rows the LP is likely to
    need, which saves rounds); with ``seeded`` they are in ``highs`` already (the
    first solve then starts from its basis).

    Returns
    -------
    added : numpy.ndarray
        The numbers of the pool rows added, ascending.
    values : numpy.ndarray or None
        The column values of the last optimal LP (rows added after it leave HiGHS
        without a valid solution), None if no LP was solved to optimality.
    """
    import highspy

    pool = arrays.pool
    interrupted = [] if interrupted is None else interrupted
    added = np.zeros(pool.n_rows, dtype=bool)
    if seed is not None and len(seed):
        added[seed] = True
        if not seeded:
            _add_rows(highs, pool.subset(np.flatnonzero(added)))
    # a row counts as violated beyond 1e-6 relative to its largest coefficient
    scale = np.ones(pool.n_rows)
    np.maximum.at(scale, pool.entry_rows, np.abs(pool.value))
    tol = 1e-6 * scale
    clock = Deadline(None)  # for the progress lines
    previous = -np.inf
    values = None
    for round_ in range(1, LAZY_LINKING_MAX_ROUNDS + 1):
        left = None if deadline is None else deadline.remaining_s(at_least=1e-3)
        if left is not None and round_ > 1:  # later rounds stop on the deadline too
            set_time_left(highs, left)
        interruptible_run(highs, interrupted)
        if interrupted or highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        x = values = np.asarray(highs.getSolution().col_value, dtype=float)
        activity = pool.activity(x)
        violated = (
            (activity > pool.upper + tol) | (activity < pool.lower - tol)
        ) & ~added
        new = np.flatnonzero(violated)
        bound = highs.getInfo().objective_function_value
        if msg:
            print(
                f"lazy linking: round {round_}, LP bound {bound:.10g}, "
                f"{len(new)} violated rows added ({int(added.sum()) + len(new)} of "
                f"{pool.n_rows}), {clock.elapsed_s():.1f} s",
                flush=True,
            )
        if not len(new):
            break
        if (bound - previous) / max(abs(bound), 1.0) < LAZY_LINKING_MIN_GAIN:
            # the tail: many rounds of a few rows for little bound, left to the MIP's
            # cuts; the rows are not added, so this LP solution stays a valid start
            # that HiGHS's MIP completes into its first incumbent
            break
        previous = bound
        added[new] = True
        _add_rows(highs, pool.subset(new))
        if deadline is not None and deadline.expired():
            break
    return np.flatnonzero(added), values


def _add_rows(highs: Any, rows: CSRRows) -> None:
    highs.addRows(
        rows.n_rows,
        rows.lower,
        rows.upper,
        len(rows.value),
        rows.start[:-1],
        rows.index,
        rows.value,
    )


class FixedLevelsLP:
    """The LP of the arrays' rows (no pool) with the level columns fixed at a given
    choice: the Lagrangian method's incumbents. Each call passes HiGHS only the
    columns of the hubs that choice opens (the others' legs carry nothing), which is
    several times faster than re-solving the whole LP."""

    def __init__(
        self, arrays: ModelArrays, problem: HubProblem, threads: int | None
    ) -> None:
        self.arrays, self.problem, self.threads = arrays, problem, threads
        self.leg_cols = np.concatenate([problem.in_col, problem.out_col])
        self.leg_hub = np.concatenate([problem.in_hub, problem.out_hub])

    def __call__(
        self,
        open_levels: np.ndarray,
        free_levels: np.ndarray | None = None,
        time_limit_s: float | None = None,
    ) -> tuple[float, np.ndarray] | None:
        """The model with ``open_levels`` open and the rest shut (an LP); with
        ``free_levels`` those are left to choose instead (a MIP on their hubs, with
        their linking rows, stopped after ``time_limit_s``): its best solution."""
        import highspy

        a, p = self.arrays, self.problem
        chosen = np.asarray(open_levels, dtype=bool)
        free = np.zeros_like(chosen) if free_levels is None else free_levels
        open_hub = np.zeros(p.n_hubs, dtype=bool)
        open_hub[p.level_hub[chosen | free]] = True
        keep = np.ones(a.n_cols, dtype=bool)
        keep[self.leg_cols[~open_hub[self.leg_hub]]] = False
        lower, upper = a.col_lower.copy(), a.col_upper.copy()
        lower[p.level_col] = chosen & ~free
        upper[p.level_col] = chosen | free
        integer = np.zeros(a.n_cols, dtype=bool)
        integer[p.level_col[free]] = True
        rows = a.rows
        if free.any():  # the linking rows of the kept legs make the MIP strong
            rows = rows.joined(
                a.pool.subset(pool_rows_of(a.pool, np.flatnonzero(keep)))
            )
        rows = rows.on_columns(keep)
        sub = replace(
            a,
            col_cost=a.col_cost[keep],
            col_lower=lower[keep],
            col_upper=upper[keep],
            col_integer=integer[keep],
            row_lower=rows.lower,
            row_upper=rows.upper,
            start=rows.start,
            index=rows.index,
            value=rows.value,
            segments=[],
            pool=CSRRows.empty(),
        )
        h = new_highs(time_limit_s, None, self.threads, False)
        pass_model(h, sub)
        h.run()
        if h.getInfo().primal_solution_status != 2:  # no feasible solution
            return None
        if not free.any() and h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.zeros(a.n_cols)
        values[keep] = h.getSolution().col_value
        if free.any():  # exact 0/1 on the level columns
            values[p.level_col] = np.round(values[p.level_col])
        return float(h.getInfo().objective_function_value), values


def rounded_start(
    arrays: ModelArrays, added: np.ndarray, values: np.ndarray | None
) -> np.ndarray | None:
    """An LP solution with its integer columns rounded up, if that satisfies every
    row and the pool (a first incumbent for the MIP: opening every hub the LP opens
    a little keeps its flows feasible unless a count, budget or one-level row
    forbids it); None otherwise."""
    if (
        values is None
        or len(values) != arrays.n_cols
        or not np.all(np.isfinite(values))
    ):
        return None
    x = values.copy()
    integer = arrays.col_integer
    x[integer] = np.ceil(x[integer] - 1e-6)
    x = np.clip(x, arrays.col_lower, arrays.col_upper)
    for rows in (arrays.rows, arrays.pool):
        activity = rows.activity(x)
        slack = 1e-6 * (1.0 + np.abs(activity))
        if np.any(activity > rows.upper + slack) or np.any(
            activity < rows.lower - slack
        ):
            return None
    return x


def select_pool_rows(
    arrays: ModelArrays,
    deadline: Deadline,
    threads: int | None,
    msg: bool,
    interrupted: list[bool],
    seed: np.ndarray | None = None,
) -> np.ndarray:
    """The pool rows :func:`add_pool_rows` adds to the LP relaxation of
    ``arrays``, solved in a HiGHS of its own with ``threads`` (those of the solve
    it serves, so that it keeps HiGHS's thread scheduler as that solve set it)."""
    h = new_highs(deadline.limit_s, None, threads, msg)
    pass_model(h, arrays, relaxed=True)
    rounds = deadline.stage(share=0.5)
    return add_pool_rows(h, arrays, rounds, msg, interrupted, seed=seed)[0]


def new_highs(
    time_limit_s: float | None,
    mip_gap: float | None,
    threads: int | None,
    msg: bool,
) -> Any:
    """A highspy.Highs with hubopt's solver settings (quiet unless ``msg``)."""
    import highspy

    if not msg:
        _silence_highs_banner()
    _match_scheduler(threads)
    h = highspy.Highs()
    if not msg:
        h.setOptionValue("output_flag", False)
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", mip_gap)
    if threads is not None:
        h.setOptionValue("threads", threads)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


#: The ``threads`` of the last Highs made (HiGHS keeps one thread scheduler per
#: process, set up by its first solve; a later solve asking for another count fails
#: with no solution unless the scheduler is reset first).
_SCHEDULER_THREADS: list[int | str | None] = ["unset"]
_SCHEDULER_LOCK = threading.Lock()


def _match_scheduler(threads: int | None) -> None:
    """Reset HiGHS's process-wide thread scheduler when ``threads`` differs from
    the previous solve's (so ``solve()`` then ``solve(threads=1)`` works)."""
    import highspy

    with _SCHEDULER_LOCK:
        if _SCHEDULER_THREADS[0] not in ("unset", threads):
            highspy.Highs.resetGlobalScheduler(True)
        _SCHEDULER_THREADS[0] = threads


#: Largest cost and largest finite bound (row or column, in tonnes) HiGHS is handed
#: unscaled; beyond them it warns that the model is badly scaled.
SCALE_LIMIT = 1e6


def user_scales(arrays: ModelArrays) -> tuple[int, int]:
    """HiGHS's ``user_objective_scale`` and ``user_bound_scale`` for the arrays:
    the powers of two (0 or below) that bring the largest cost and the largest
    finite bound to at most :data:`SCALE_LIMIT`.

    Powers of two scale without rounding, and HiGHS reports the objective, the
    column values and the duals in the model's own units, so results are unchanged;
    only the solver works on better-scaled numbers (the bundled network has fixed
    costs up to 2e7 and demands up to 1.3e7 t).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.highs import user_scales
    >>> from hubopt.model import ModelOptions, build
    >>> user_scales(build(hubopt.datasets.tiny(), ModelOptions()).arrays)
    (0, 0)
    >>> user_scales(build(hubopt.datasets.morocco_kazakhstan(), ModelOptions()).arrays)
    (-5, -6)
    """

    def exponent(values: np.ndarray) -> int:
        finite = np.abs(values[np.isfinite(values)])
        largest = float(finite.max()) if finite.size else 0.0
        if largest <= SCALE_LIMIT:
            return 0
        return -int(np.ceil(np.log2(largest / SCALE_LIMIT)))

    bounds = np.concatenate(
        [arrays.row_lower, arrays.row_upper, arrays.col_lower, arrays.col_upper]
    )
    return exponent(arrays.col_cost), exponent(bounds)


def pass_model(highs: Any, arrays: ModelArrays, relaxed: bool = False) -> Any:
    """Hand the arrays to a highspy.Highs in one passModel call (with ``relaxed``
    as the LP relaxation), scaled by :func:`user_scales`; returns its status."""
    objective_scale, bound_scale = user_scales(arrays)
    highs.setOptionValue("user_objective_scale", objective_scale)
    highs.setOptionValue("user_bound_scale", bound_scale)
    model = (
        arrays.n_cols,
        arrays.n_rows,
        len(arrays.value),
        2,  # row-wise
        1,  # minimise
        0.0,
        arrays.col_cost,
        arrays.col_lower,
        arrays.col_upper,
        arrays.row_lower,
        arrays.row_upper,
        arrays.start[:-1],
        arrays.index,
        arrays.value,
    )
    integrality = np.zeros(arrays.n_cols, dtype=np.int32)
    if not relaxed:
        integrality = arrays.col_integer.astype(np.int32)
    return highs.passModel(*model, integrality)


def interruptible_run(highs: Any, interrupted: list[bool]) -> None:
    """Run HiGHS so that Ctrl-C stops it cleanly with the best solution found.

    During the C++ solve Python raises KeyboardInterrupt only when the main thread
    runs Python code again, so a plain ``run()`` would ignore Ctrl-C until the solve
    ends. Here, in the main thread, SIGINT gets a handler that only records the
    signal, and HiGHS's interrupt callbacks (simplex, IPM, MIP) - Python code run in
    this thread, where the handler fires - tell HiGHS to stop at its next check: it
    returns status "Interrupted by user" with its incumbent. ``interrupted`` gets one
    True appended when Ctrl-C was pressed. highspy's ``HandleKeyboardInterrupt`` is
    not used: it solves in a thread with locks shared by every instance (concurrent
    solves in threads collide), prints, and calls ``sys.exit`` on the fifth Ctrl-C.
    Outside the main thread signals never arrive, so the solve just runs.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        highs.run()
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if not interrupted:
            interrupted.append(True)

    def check(event: Any) -> None:
        if interrupted:
            event.interrupt()

    previous = signal.signal(signal.SIGINT, on_sigint)
    highs.cbSimplexInterrupt += check
    highs.cbIpmInterrupt += check
    highs.cbMipInterrupt += check
    try:
        highs.run()
    finally:
        highs.cbSimplexInterrupt -= check
        highs.cbIpmInterrupt -= check
        highs.cbMipInterrupt -= check
        signal.signal(signal.SIGINT, previous)
