"""Reading a finished HiGHS run the same way for every direct model of the suite.

``textbook.py`` (through PuLP's Highs object), ``sscflp_direct.py`` and
``shapes_direct.py`` each used to repeat these lines; they now call :func:`read_run`.
"""

from __future__ import annotations

import math
import time
from typing import Any


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
