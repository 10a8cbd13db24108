"""Diagnostic: the strong root bound without every linking row, by adding violated rows.

A prototype of recommendation 4 in ``docs/performance.md``, on OR-Library instances in
highspy directly: the LP with the assignment, capacity and aggregate cover rows only,
then rounds of adding the linking rows ``x_ij <= y_i`` that the LP solution violates
(warm-started dual simplex on the same Highs object), until none is violated. Prints
one JSON line per instance: rounds, linking rows added (of m * n), final LP bound and
its gap to the published optimum, CPU seconds. Compare with ``lp_bounds.py``.

``python benchmarks/lazy_linking.py [instance ...]`` (default capa_8000 capb_5000
capc_5000).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def lazy_root(
    data: dict,
    tol: float = 1e-6,
    max_rounds: int = 100,
    all_rows: bool = False,
    solver: str = "simplex",
) -> dict:
    """Root LP with linking rows added on demand; see the module docstring.

    With ``all_rows`` every linking row is there from the start (the strong LP in one
    solve); ``solver`` is HiGHS's LP solver option ("simplex" or "ipm")."""
    import highspy

    capacity, fixed = data["capacity"], data["fixed"]
    demand, cost = data["demand"], data["cost"]
    m, n = cost.shape
    n_col = m * n + m  # x_ij at i * n + j, then y_i
    col_cost = np.concatenate([cost.reshape(-1), fixed])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.addVars(n_col, np.zeros(n_col), np.ones(n_col))
    h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), col_cost)
    # assignment: sum_i x_ij = 1
    idx = (np.arange(m)[None, :] * n + np.arange(n)[:, None]).reshape(-1)
    starts = np.arange(0, m * n, m, dtype=np.int32)
    h.addRows(
        n, np.ones(n), np.ones(n), m * n, starts, idx.astype(np.int32), np.ones(m * n)
    )
    # capacity: sum_j d_j x_ij - s_i y_i <= 0
    idx = np.column_stack([np.arange(m * n).reshape(m, n), m * n + np.arange(m)])
    val = np.column_stack([np.tile(demand, (m, 1)), -capacity[:, None]])
    starts = np.arange(0, m * (n + 1), n + 1, dtype=np.int32)
    h.addRows(
        m,
        np.full(m, -np.inf),
        np.zeros(m),
        m * (n + 1),
        starts,
        idx.reshape(-1).astype(np.int32),
        val.reshape(-1),
    )
    # aggregate cover: sum_i s_i y_i >= sum_j d_j
    h.addRow(
        float(demand.sum()),
        np.inf,
        m,
        (m * n + np.arange(m)).astype(np.int32),
        capacity.astype(float),
    )
    h.setOptionValue("solver", solver)
    cpu = time.process_time()
    added = np.zeros(m * n, dtype=bool)
    if all_rows:
        k = m * n
        cols = np.arange(k)
        added[:] = True
        pairs = np.column_stack([cols, m * n + cols // n]).reshape(-1)
        h.addRows(
            k,
            np.full(k, -np.inf),
            np.zeros(k),
            2 * k,
            np.arange(0, 2 * k, 2, dtype=np.int32),
            pairs.astype(np.int32),
            np.tile([1.0, -1.0], k),
        )
    rounds = 0
    while rounds < max_rounds:
        h.run()
        rounds += 1
        x = np.asarray(h.getSolution().col_value)
        y = x[m * n :]
        viol = (x[: m * n] > np.repeat(y, n) + tol) & ~added
        k = int(viol.sum())
        if k == 0:
            break
        cols = np.flatnonzero(viol)
        added[cols] = True
        pairs = np.column_stack([cols, m * n + cols // n]).reshape(-1)
        vals = np.tile([1.0, -1.0], k)
        h.addRows(
            k,
            np.full(k, -np.inf),
            np.zeros(k),
            2 * k,
            np.arange(0, 2 * k, 2, dtype=np.int32),
            pairs.astype(np.int32),
            vals,
        )
    return {
        "rounds": rounds,
        "rows_added": int(added.sum()),
        "of": m * n,
        "lp_bound": float(h.getInfo().objective_function_value),
        "lp_cpu_s": round(time.process_time() - cpu, 3),
    }


def main(names: list[str]) -> None:
    """Print the lazy root result for the named instances."""
    import textbook

    with open(HERE / "orlib" / "optima.csv", newline="") as handle:
        rows = {r["instance"]: r for r in csv.DictReader(handle)}
    for name in names:
        row = rows[name]
        capacity = float(row["capacity"]) if row["capacity"] else None
        data = textbook.read_cap(HERE / "orlib" / row["file"], capacity)
        optimum = float(row["optimum"])
        for variant, kwargs in VARIANTS.items():
            out = lazy_root(data, **kwargs)
            gap = (optimum - out["lp_bound"]) / optimum * 100
            out["gap_to_optimum_pct"] = round(gap, 4)
            print(json.dumps({"instance": name, "variant": variant, **out}), flush=True)


VARIANTS = {
    "lazy rows, dual simplex": {},
    "all rows, interior point": {"all_rows": True, "solver": "ipm"},
    "lazy rows, interior point": {"solver": "ipm"},
}


if __name__ == "__main__":
    main(sys.argv[1:] or ["capa_8000", "capb_5000", "capc_5000"])
