"""Diagnostic: LP-relaxation bound and CPU time of hubopt's model vs the textbook one.

Wall-clock solve times on a loaded machine say little; the root bound each
formulation gives, and the CPU time HiGHS needs for that LP, do not depend on the load.
``python benchmarks/lp_bounds.py [instance ...]`` (names from ``orlib/optima.csv``,
default capa_8000 capb_5000 capc_5000) prints one JSON line per instance and side:
the LP bound, its gap to the published optimum, and the CPU seconds of the LP solve.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def _lp(problem) -> tuple[float, float]:
    """Solve a PuLP problem's LP relaxation with HiGHS; bound and CPU seconds."""
    import pulp

    solver = pulp.HiGHS(msg=False, mip=False, threads=1)
    solver.createAndConfigureSolver(problem)
    solver.buildSolverModel(problem)
    highs = problem.solverModel
    cpu = time.process_time()
    highs.run()
    return float(highs.getInfo().objective_function_value), time.process_time() - cpu


def main(names: list[str]) -> None:
    """Print the LP bounds of both formulations for the named instances."""
    import pulp
    import textbook

    from hubopt import model
    from hubopt.orlib import read_orlib

    with open(HERE / "orlib" / "optima.csv", newline="") as handle:
        rows = {r["instance"]: r for r in csv.DictReader(handle)}
    for name in names:
        row = rows[name]
        capacity = float(row["capacity"]) if row["capacity"] else None
        optimum = float(row["optimum"])
        network = read_orlib(HERE / "orlib" / row["file"], capacity=capacity)
        for linking in ("all", "none"):
            built = model.build(network, model.ModelOptions(linking=linking))
            bound, cpu = _lp(built.problem)
            side = f"hubopt, linking={linking!r}"
            _show(name, side, bound, optimum, cpu)
        data = textbook.read_cap(HERE / "orlib" / row["file"], capacity)
        prob = _textbook_problem(data, pulp)
        bound, cpu = _lp(prob)
        _show(name, "textbook", bound, optimum, cpu)


def _textbook_problem(data, pulp):
    capacity, fixed, demand, cost = (
        data["capacity"],
        data["fixed"],
        data["demand"],
        data["cost"],
    )
    m, n = cost.shape
    prob = pulp.LpProblem("textbook", pulp.LpMinimize)
    flat = prob.add_variable_dict("x", range(m * n), lowBound=0, upBound=1)
    y = prob.add_variable_dict("y", range(m), cat="Binary")
    terms = [(y[i], float(fixed[i])) for i in range(m)]
    terms += [(flat[i * n + j], float(cost[i, j])) for i in range(m) for j in range(n)]
    prob += pulp.LpAffineExpression(terms)
    for j in range(n):
        prob += pulp.LpAffineExpression([(flat[i * n + j], 1.0) for i in range(m)]) == 1
    for i in range(m):
        row = [(flat[i * n + j], float(demand[j])) for j in range(n)]
        row.append((y[i], -float(capacity[i])))
        prob += pulp.LpAffineExpression(row) <= 0
    return prob


def _show(name: str, side: str, bound: float, optimum: float, cpu: float) -> None:
    gap = (optimum - bound) / optimum * 100.0
    record = {"instance": name, "side": side, "lp_bound": bound}
    record.update(gap_to_optimum_pct=round(gap, 4), lp_cpu_s=round(cpu, 3))
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["capa_8000", "capb_5000", "capc_5000"])
