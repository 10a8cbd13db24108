"""Passing a row-wise model into HiGHS and reading a finished run, the same way
for every direct model of the suite.

``floor.py``, ``periods.py``, ``shapes_direct.py`` and ``sscflp_direct.py`` each
used to repeat the sorting of their rows and the ``passModel`` call; they now call
:func:`rows_from_triplets` and :func:`pass_rows`. ``textbook.py`` (through PuLP's
Highs object), ``sscflp_direct.py`` and ``shapes_direct.py`` read the run with
:func:`read_run`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np


def rows_from_triplets(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row-wise (CSR) arrays of a matrix given as triplets: row starts, column
    indices and values, the triplets of each row in the order given (a stable sort
    by row, no summing of repeats: each (row, column) must come once).

    Returns
    -------
    start, index, value
        ``start`` has ``n_row`` entries (the start of each row), as ``passModel``
        takes them; ``index`` is int32.
    """
    order = np.argsort(rows, kind="stable")
    start = np.zeros(n_row + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n_row), out=start[1:])
    return start[:-1], cols[order].astype(np.int32), vals[order]


def pass_rows(
    *,
    col_cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    start: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
    integrality: np.ndarray,
    mip_gap: float | None = None,
    threads: int | None = None,
    time_limit_s: float | None = None,
) -> Any:
    """A fresh, silent ``highspy.Highs`` holding the minimisation model of these
    row-wise arrays (one ``passModel`` call), with the given options set.

    Parameters
    ----------
    col_cost, col_lower, col_upper
        Per column: cost and bounds.
    row_lower, row_upper
        Per row: bounds.
    start, index, value
        The matrix row by row, as :func:`rows_from_triplets` returns it.
    integrality
        Per column: 1 integer, 0 continuous.
    mip_gap, threads, time_limit_s
        HiGHS's ``mip_rel_gap``, ``threads`` and ``time_limit``; None leaves
        HiGHS's default.
    """
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for option, setting in (
        ("mip_rel_gap", mip_gap),
        ("threads", threads),
        ("time_limit", None if time_limit_s is None else float(time_limit_s)),
    ):
        if setting is not None:
            h.setOptionValue(option, setting)
    h.passModel(
        len(col_cost),
        len(row_lower),
        len(value),
        2,  # row-wise
        1,  # minimise
        0.0,
        col_cost,
        col_lower,
        col_upper,
        row_lower,
        row_upper,
        start,
        index,
        value,
        integrality,
    )
    return h


def read_run(h: Any, start: float, cpu: float, build_s: float) -> dict[str, Any]:
    """The figures of a finished (or stopped) HiGHS MIP run.

    Parameters
    ----------
    h
        The ``highspy.Highs`` object after ``run()``.
    start, cpu
        ``time.perf_counter()`` and ``time.process_time()`` taken before the build.
    build_s
        Wall seconds of the build (from ``start`` to the call of ``run()``).

    Returns
    -------
    dict
        status ("optimal", "feasible" or "no_solution"), objective, bound, gap,
        build_s, total_s (build plus solve, wall clock) and cpu_s (the same in
        process CPU time).
    """
    import highspy

    total_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound)
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif has_solution:
        status = "feasible"
    else:
        status = "no_solution"
    finite = math.isfinite(bound)
    gap = (
        abs(objective - bound) / max(abs(objective), 1e-9)
        if objective is not None and finite
        else None
    )
    return {
        "status": status,
        "objective": objective,
        "bound": bound if finite else None,
        "gap": gap,
        "build_s": build_s,
        "total_s": total_s,
        "cpu_s": cpu_s,
    }
