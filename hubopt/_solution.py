"""What a solver returned, before it becomes a :class:`hubopt.Result`: shared by the
solver adapters (:mod:`hubopt.highs`, :mod:`hubopt.pulp_adapter`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

#: The message of a solve stopped by Ctrl-C (SIGINT); the CLI exits with 130 on it.
INTERRUPTED = "interrupted (Ctrl-C)"


@dataclass
class RawSolution:
    """What a solver returned, before it becomes a :class:`hubopt.Result`.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build, run
    >>> raw = run(build(hubopt.datasets.tiny(), ModelOptions()))
    >>> raw.status, raw.objective, raw.open_level.tolist()
    ('optimal', 1140.0, [1.0, 1.0, 0.0])
    """

    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    runtime_s: float
    solver: str
    flow_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    open_level: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unmet_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    path_t: dict[tuple[int, int], float] = field(default_factory=dict)
    message: str = ""
    interrupted: bool = False  # stopped by Ctrl-C (SIGINT)
    #: Every column's value, in column order (None without a solution): what the
    #: flows above were read from, kept for models with several blocks of flows
    #: (the two-stage robust model) to be read block by block.
    values: np.ndarray | None = None
    #: How a large model of the plain shape was solved: "lagrangian" (hub fixing,
    #: then the MIP) or "lazy" (the MIP with lazy linking rows); "" otherwise.
    strategy: str = ""


def interrupted(solver: str, start: float | None = None) -> RawSolution:
    """The result of a solve stopped by Ctrl-C before the MIP: no solution; its
    runtime counted from ``start`` (a perf_counter reading) when given."""
    runtime_s = 0.0 if start is None else time.perf_counter() - start
    return RawSolution(
        "no_solution",
        None,
        None,
        None,
        runtime_s,
        solver,
        message=INTERRUPTED,
        interrupted=True,
    )


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / |objective|``; None without both."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)
