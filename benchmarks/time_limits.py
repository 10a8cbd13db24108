"""The time limit as a promise: wall time of :func:`hubopt.solve` against
``time_limit_s`` on hard single-source models (``python benchmarks/time_limits.py``).

Each run reads an instance (OR-Library capa/capb/capc at a capacity of
``orlib/optima.csv``, or a Holmberg ``p*`` file), then times ``hubopt.solve`` with
``single_sourcing=True`` and the limit, from the call to its return (build, solve,
the tie-break LP and the Result), and checks the solution with
:func:`hubopt.check_solution`. One JSON line per run on stdout: instance, limit,
status, objective, gap, wall time and the overrun (wall time minus limit). Run it
under ``flock /work/bench.lock`` on a shared machine; ``PYTHONPATH`` picks the hubopt
checkout measured.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def read(instance: str) -> Any:
    """``capa:8000`` (OR-Library file and capacity) or ``p71`` (Holmberg)."""
    from hubopt.holmberg import read_holmberg
    from hubopt.orlib import read_orlib

    if ":" in instance:
        name, capacity = instance.split(":")
        return read_orlib(HERE / "orlib" / f"{name}.txt", capacity=float(capacity))
    return read_holmberg(HERE / "holmberg" / instance)


def timed(instance: str, limit_s: float, threads: int | None) -> dict[str, Any]:
    """One time-limited single-source solve of ``instance``, checked."""
    import hubopt

    network = read(instance)
    start = time.perf_counter()
    result = hubopt.solve(
        network,
        single_sourcing=True,
        time_limit_s=limit_s,
        threads=threads,
        raise_on_failure=False,
    )
    wall_s = time.perf_counter() - start
    solved = result.objective is not None
    problems = hubopt.check_solution(network, result) if solved else []
    return {
        "instance": instance,
        "limit_s": limit_s,
        "status": result.status,
        "objective": result.objective,
        "gap": result.gap,
        "wall_s": round(wall_s, 2),
        "overrun_s": round(wall_s - limit_s, 2),
        "checker_problems": len(problems),
    }


def main(argv: list[str] | None = None) -> int:
    """Run every instance at every limit, one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances", nargs="+", default=["capa:8000", "capb:5000", "capc:5000"]
    )
    parser.add_argument("--limits", nargs="+", type=float, default=[10.0, 60.0])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    for limit in args.limits:
        for instance in args.instances:
            print(json.dumps(timed(instance, limit, args.threads)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
