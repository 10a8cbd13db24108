"""The textbook single-source capacitated facility location model, written directly
in highspy (independent of hubopt's reader and builder).

The baseline of the Holmberg case in ``benchmarks/run.py``::

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                      every customer j
         sum_j d_j x_ij <= s_i y_i           every site i
         x_ij, y_i binary

the plain formulation of Holmberg, Rönnqvist and Yuan (1999), without the
disaggregated rows ``x_ij <= y_i``. It runs on the same solver with the settings hubopt
passes (HiGHS, relative gap 1e-7, the same threads and time limit), so what differs is
the formulation and the code around it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from highs_run import pass_rows, read_run


def read(path: str | Path) -> dict[str, Any]:
    """Read a Holmberg file as arrays (its own reader, not hubopt's).

    The data end at the first NUL byte (some files carry DOS-era padding after it).

    Returns
    -------
    dict
        ``capacity`` (m,), ``fixed`` (m,), ``demand`` (n,), ``cost`` (m, n) where
        ``cost[i, j]`` is the cost of serving all of customer j from site i.
    """
    text = Path(path).read_bytes().split(b"\x00", 1)[0].decode("ascii")
    tokens = np.array(text.split(), dtype=float)
    m, n = int(tokens[0]), int(tokens[1])
    head = tokens[2 : 2 + 2 * m]
    rest = tokens[2 + 2 * m :]
    if rest.size != n + m * n:
        msg = f"{path}: expected {n + m * n} numbers after the sites, got {rest.size}"
        raise ValueError(msg)
    return {
        "capacity": head[0::2],
        "fixed": head[1::2],
        "demand": rest[:n],
        "cost": rest[n:].reshape(m, n),
    }


def solve(
    data: dict[str, Any],
    *,
    time_limit_s: float | None = None,
    mip_gap: float = 1e-7,
    threads: int | None = None,
) -> dict[str, Any]:
    """Build the textbook model in one ``passModel`` call and solve it.

    Returns
    -------
    dict
        status ("optimal", "feasible" or "no_solution"), objective, bound, gap,
        build_s, total_s (build plus solve, wall clock) and cpu_s.
    """

    start, cpu = time.perf_counter(), time.process_time()
    capacity, fixed = data["capacity"], data["fixed"]
    demand, cost = data["demand"], data["cost"]
    m, n = cost.shape
    # columns: x_ij at i * n + j, then y_i at m * n + i
    n_col = m * n + m
    col_cost = np.concatenate([cost.reshape(-1), fixed])
    x = np.arange(m * n).reshape(m, n)
    # rows 0..n-1: assignment (column-major over x); rows n..n+m-1: capacity
    assign_cols = x.T.reshape(-1)
    cap_cols = np.column_stack([x, m * n + np.arange(m)]).reshape(-1)
    cap_vals = np.column_stack([np.tile(demand, (m, 1)), -capacity]).reshape(-1)
    index = np.concatenate([assign_cols, cap_cols]).astype(np.int32)
    value = np.concatenate([np.ones(m * n), cap_vals])
    start_rows = np.concatenate(
        [np.arange(n) * m, n * m + np.arange(m + 1) * (n + 1)]
    ).astype(np.int32)
    h = pass_rows(
        col_cost=col_cost,
        col_lower=np.zeros(n_col),
        col_upper=np.ones(n_col),
        row_lower=np.concatenate([np.ones(n), np.full(m, -np.inf)]),
        row_upper=np.concatenate([np.ones(n), np.zeros(m)]),
        start=start_rows[:-1],
        index=index,
        value=value,
        integrality=np.ones(n_col, dtype=np.int32),
        mip_gap=mip_gap,
        threads=threads,
        time_limit_s=time_limit_s,
    )
    build_s = time.perf_counter() - start
    h.run()
    return read_run(h, start, cpu, build_s)
