"""The choice of how to solve a large model of the plain hub-location shape: with the
Lagrangian hub fixing before the MIP, or straight to the MIP with lazy linking.

The Lagrangian method (:mod:`hubopt.lagrange`) pays where the strong LP relaxation (the
one with the per-leg linking rows) is dear: on OR-Library capa/capb/capc that LP takes
100x the weak one (it is highly degenerate), and the method's bound, incumbent and
fixings replace most of it. Where the strong LP is cheap, HiGHS's MIP with the lazy
rows closes the gap itself at the root, and the method's incumbent LPs and local search
are time lost (issue 17: up to 23x a direct model). Which case a model is in shows in
its root: :func:`probe` solves the weak LP and then adds violated linking rows for a
budget tied to the weak LP's own time; :func:`use_lagrangian` reads the outcome. The
rows the probe found seed the lazy rounds of whichever path runs next, so its work is
kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import highs
from ._arrays import ModelArrays
from .deadline import Deadline
from .lagrange import HubProblem

#: The probe's linking rounds may take this many times the weak LP's time...
PROBE_FACTOR = 5.0

#: ... but at least this many seconds (a weak LP of a few milliseconds says little).
PROBE_MIN_S = 1.0

#: A share of the time limit the probe never exceeds.
PROBE_SHARE = 0.05


@dataclass(frozen=True)
class Probe:
    """What the root of a model showed.

    Attributes
    ----------
    weak_bound
        The LP bound without linking rows.
    strong_bound
        The LP bound with the linking rows the rounds added (a lower bound on the
        full strong LP's unless ``settled``).
    weak_lp_s
        Seconds of the weak LP.
    rounds_s
        Seconds of the linking rounds after it.
    settled
        Whether the rounds ended within their budget (no violated row left, or the
        bound no longer moving): the strong LP is cheap.
    fractional_levels
        Level columns strictly between 0 and 1 at the last LP solution.
    rows
        The pool rows added (to seed the next stage's lazy rounds).
    lp
        The highspy.Highs that holds the LP relaxation with those rows, solved
        (None unless ``settled``): the lazy path goes on from its basis.
    """

    weak_bound: float
    strong_bound: float
    weak_lp_s: float
    rounds_s: float
    settled: bool
    fractional_levels: int
    rows: np.ndarray
    lp: Any = field(default=None, repr=False, compare=False)


def use_lagrangian(settled: bool) -> bool:
    """The decision rule: run the Lagrangian hub fixing unless the strong root LP
    settled within its probe budget.

    Parameters
    ----------
    settled
        :attr:`Probe.settled`: the linking rounds ended within
        ``max(PROBE_MIN_S, PROBE_FACTOR * weak LP time)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> use_lagrangian(settled=False), use_lagrangian(settled=True)
    (True, False)
    """
    return not settled


def probe(
    arrays: ModelArrays,
    problem: HubProblem,
    deadline: Deadline,
    threads: int | None,
    interrupted: list[bool],
) -> Probe | None:
    """Solve the weak LP of ``arrays`` (no pool rows), then add violated pool rows
    for ``max(PROBE_MIN_S, PROBE_FACTOR x its time)`` (and at most
    :data:`PROBE_SHARE` of ``deadline``'s limit); None if the weak LP is not solved
    to optimality (then the caller keeps its usual path)."""
    budget = deadline.stage(share=PROBE_SHARE)
    h = highs.new_highs(budget.limit_s, None, threads, False)
    highs.pass_model(h, arrays, relaxed=True)
    clock = Deadline(None)
    highs.interruptible_run(h, interrupted)
    if interrupted or h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return None
    weak_lp_s = clock.elapsed_s()
    weak = float(h.getInfo().objective_function_value)
    # the rounds' budget is set once, as seconds beyond the weak LP's run time
    # (set_time_left), and the rounds run without a deadline of their own
    rounds_budget_s = max(PROBE_MIN_S, PROBE_FACTOR * weak_lp_s)
    if budget.limit_s is not None:
        left_s = budget.limit_s - float(h.getRunTime())
        rounds_budget_s = max(min(rounds_budget_s, left_s), 1e-3)
    highs.set_time_left(h, rounds_budget_s)
    rows, values = highs.add_pool_rows(h, arrays, None, False, interrupted)
    rounds_s = clock.elapsed_s() - weak_lp_s
    if values is None or interrupted:
        return None
    # the rounds ended on their own (no violated row left, or the bound no longer
    # moving) exactly when the last LP stands optimal: a stop on the budget leaves
    # it stopped, and rows added after it leave it unsolved
    settled = h.modelStatusToString(h.getModelStatus()) == "Optimal"
    strong = float(arrays.col_cost @ values)
    level = values[problem.level_col]
    fractional = int(np.count_nonzero((level > 1e-6) & (level < 1 - 1e-6)))
    return Probe(
        weak_bound=weak,
        strong_bound=strong,
        weak_lp_s=weak_lp_s,
        rounds_s=rounds_s,
        settled=settled,
        fractional_levels=fractional,
        rows=rows,
        lp=h if settled else None,
    )
