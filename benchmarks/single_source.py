"""The two sides of the Holmberg single-source case of ``benchmarks/run.py``.

Each side reads an instance of ``benchmarks/holmberg`` with its own reader (not timed)
and then builds and solves it on HiGHS with one thread, relative gap 1e-7 and the same
time limit: hubopt through :func:`hubopt.solve` with ``single_sourcing=True``, the
textbook model through ``benchmarks/sscflp_direct.py`` (written directly in highspy).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

HOLMBERG = Path(__file__).resolve().parent / "holmberg"


def optima() -> list[dict[str, str]]:
    """The rows of ``holmberg/optima.csv`` (instance, file, sites, customers,
    optimum)."""
    with open(HOLMBERG / "optima.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def solve_hubopt(file: str, time_limit_s: float | None) -> dict[str, Any]:
    """One instance through hubopt.solve(single_sourcing=True); the independent
    checker runs after the timing."""
    import hubopt
    from hubopt.holmberg import read_holmberg

    network = read_holmberg(HOLMBERG / file)
    start, cpu = time.perf_counter(), time.process_time()
    result = hubopt.solve(
        network,
        single_sourcing=True,
        time_limit_s=time_limit_s,
        threads=1,
        raise_on_failure=False,
    )
    total_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu
    solved = result.objective is not None
    problems = hubopt.check_solution(network, result) if solved else []
    return {
        "status": result.status,
        "objective": result.objective,
        "gap": result.gap,
        "total_s": total_s,
        "cpu_s": cpu_s,
        "checker_problems": len(problems),
    }


def solve_textbook(file: str, time_limit_s: float | None) -> dict[str, Any]:
    """One instance through the textbook highspy model; reading is not timed."""
    import sscflp_direct

    data = sscflp_direct.read(HOLMBERG / file)
    return sscflp_direct.solve(data, time_limit_s=time_limit_s, threads=1)


SIDES = {"hubopt": solve_hubopt, "textbook": solve_textbook}
