"""The textbook PuLP formulation of an OR-Library capacitated warehouse instance.

The baseline hubopt is compared with on the OR-Library cases of ``benchmarks/run.py``::

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                      every customer j
         sum_j d_j x_ij <= s_i y_i           every site i
         0 <= x_ij <= 1,  y_i binary

the plain one, without the disaggregated linking rows ``x_ij <= y_i``. It is solved
with the same solver and settings hubopt uses by default (HiGHS through PuLP, relative
gap 1e-7), so the difference measured is the formulation and the code around it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pulp
from highs_run import read_run


def read_cap(path: str | Path, capacity: float | None = None) -> dict[str, Any]:
    """Read a ``cap*.txt`` file as arrays: capacity, fixed cost, demand, cost.

    Parameters
    ----------
    path
        The OR-Library file.
    capacity
        Every site's capacity, for the files that hold the word ``capacity``.

    Returns
    -------
    dict
        ``capacity`` (m,), ``fixed`` (m,), ``demand`` (n,), ``cost`` (m, n) where
        ``cost[i, j]`` serves all of customer j from site i.
    """
    tokens = Path(path).read_text(encoding="ascii").split()
    m, n = int(tokens[0]), int(tokens[1])
    head = tokens[2 : 2 + 2 * m]
    caps = np.array(
        [float(capacity) if capacity is not None else float(w) for w in head[0::2]]
    )
    fixed = np.array(head[1::2], dtype=float)
    body = np.array(tokens[2 + 2 * m : 2 + 2 * m + n * (m + 1)], dtype=float)
    body = body.reshape(n, m + 1)
    return {
        "capacity": caps,
        "fixed": fixed,
        "demand": body[:, 0],
        "cost": body[:, 1:].T,
    }


def solve(
    data: dict[str, Any],
    *,
    time_limit_s: float | None = None,
    mip_gap: float = 1e-7,
    threads: int | None = None,
) -> dict[str, Any]:
    """Build and solve the textbook model with HiGHS through PuLP.

    Parameters
    ----------
    data
        From :func:`read_cap`.
    time_limit_s, mip_gap, threads
        Solver settings, as hubopt passes them.

    Returns
    -------
    dict
        status ("optimal", "feasible" or "no_solution"), objective, bound, gap,
        build_s, total_s (build plus solve, wall clock) and cpu_s (the same in
        process CPU time).
    """
    start, cpu = time.perf_counter(), time.process_time()
    capacity, fixed = data["capacity"], data["fixed"]
    demand, cost = data["demand"], data["cost"]
    m, n = cost.shape
    prob = pulp.LpProblem("textbook", pulp.LpMinimize)
    flat = prob.add_variable_dict("x", range(m * n), lowBound=0, upBound=1)
    x = {(i, j): flat[i * n + j] for i in range(m) for j in range(n)}
    y = prob.add_variable_dict("y", range(m), cat="Binary")
    terms = [(y[i], float(fixed[i])) for i in range(m)]
    terms += [(var, float(cost[i, j])) for (i, j), var in x.items()]
    prob += pulp.LpAffineExpression(terms)
    for j in range(n):
        prob += pulp.LpAffineExpression([(x[i, j], 1.0) for i in range(m)]) == 1
    for i in range(m):
        row = [(x[i, j], float(demand[j])) for j in range(n)]
        row.append((y[i], -float(capacity[i])))
        prob += pulp.LpAffineExpression(row) <= 0
    build_s = time.perf_counter() - start
    solver = pulp.HiGHS(
        msg=False, timeLimit=time_limit_s, gapRel=mip_gap, threads=threads
    )
    prob.solve(solver)
    return read_run(prob.solverModel, start, cpu, build_s)
