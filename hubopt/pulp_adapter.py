"""The PuLP adapter: the model's arrays as a PuLP problem, solved by CBC or any PuLP
solver object, and the solution read back (status, bound and gap from CBC's log,
Ctrl-C while CBC runs). The only module of hubopt that imports pulp.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pulp
from pulp.apis import coin_api

from ._arrays import ModelArrays
from ._solution import INTERRUPTED, RawSolution, relative_gap
from .deadline import Deadline
from .errors import SolverError, SolverMissingError

# PuLP's types, for the annotations of modules that do not import pulp themselves
LpSolver = pulp.LpSolver
LpProblem = pulp.LpProblem


def solve(
    prob: pulp.LpProblem,
    columns: list[Any],
    solver: str | pulp.LpSolver,
    deadline: Deadline,
    mip_gap: float | None,
    threads: int | None,
    msg: bool,
) -> tuple[RawSolution, np.ndarray | None]:
    """Solve a PuLP problem with CBC (``solver`` "cbc") or a PuLP solver object,
    CBC within ``deadline``: the solution's status and figures, and the values of
    ``columns`` (its variables in column order; None without a solution)."""
    if isinstance(solver, str):
        solution = _run_cbc(prob, deadline.limit_s, mip_gap, threads, msg)
    else:
        solution = _run_pulp_solver(prob, solver)
    if solution.status not in ("optimal", "feasible"):
        return solution, None
    return solution, np.array([(var.varValue or 0.0) for var in columns], dtype=float)


def cbc_path() -> str | None:
    """The CBC binary: beside the running Python first (a virtual environment that is
    not activated), then on PATH, then the one PuLP's wheel ships for this platform.

    Examples
    --------
    >>> from hubopt.model import cbc_path
    >>> path = cbc_path()  # None when CBC is not installed (pip install 'pulp[cbc]')
    >>> path is None or path.endswith("cbc")
    True
    """
    here = os.path.join(os.path.dirname(sys.executable), "cbc")
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return here
    found = shutil.which("cbc")
    if found:
        return found
    bundled = getattr(coin_api, "pulp_cbc_path", None)  # inside PuLP's wheel
    if isinstance(bundled, str) and os.path.isfile(bundled):
        if not os.access(bundled, os.X_OK):  # some installers drop the exec bit
            with contextlib.suppress(OSError):
                os.chmod(bundled, os.stat(bundled).st_mode | 0o111)
        if os.access(bundled, os.X_OK):
            return os.path.normpath(bundled)
    return None


def _run_cbc(
    prob: pulp.LpProblem,
    time_limit_s: float | None,
    mip_gap: float | None,
    threads: int | None,
    msg: bool,
) -> RawSolution:
    path = cbc_path()
    if path is None:
        error = (
            "the CBC solver binary was not found; install it with "
            "`pip install 'pulp[cbc]'` (or `pip install hubopt[cbc]`), or use "
            "solver='highs'"
        )
        raise SolverMissingError(error)
    with tempfile.TemporaryDirectory(prefix="hubopt-cbc-") as tmp:
        log = os.path.join(tmp, "cbc.log")
        solver = pulp.COIN_CMD(
            path=path,
            msg=msg,
            timeLimit=time_limit_s,
            gapRel=mip_gap,
            threads=threads,
            logPath=log,
        )
        solver.tmpDir = tmp  # pulp's MPS and solution files stay here until the end
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:
            error = f"CBC failed: {exc}"
            raise SolverError(error) from None
        except KeyboardInterrupt:
            # pulp waits on the cbc process and drops its incumbent when interrupted.
            # Stop the process with SIGINT (a terminal's Ctrl-C reaches it too, a
            # kill -INT of this process alone does not): CBC then ends its search as
            # "Stopped on ctrl-c" and still writes its best solution, read back here.
            _stop_children(path)
            if _read_interrupted_cbc(prob, solver, tmp):
                text = Path(log).read_text(encoding="utf-8", errors="replace")
                solution = _cbc_status(prob, text)
                solution.message = INTERRUPTED
                solution.interrupted = True
                return solution
            return RawSolution(
                "no_solution",
                None,
                None,
                None,
                0,
                "cbc",
                message=f"{INTERRUPTED}; CBC had no solution yet",
                interrupted=True,
            )
        text = (
            Path(log).read_text(encoding="utf-8", errors="replace")
            if os.path.exists(log)
            else ""
        )
    return _cbc_status(prob, text)


def _read_interrupted_cbc(
    prob: pulp.LpProblem, solver: pulp.COIN_CMD, folder: str
) -> bool:
    """Read the solution file an interrupted CBC wrote into ``folder`` (pulp's own
    reader, with the same renaming pulp used to write the model). True when a solution
    with values was found and assigned to ``prob``."""
    written = sorted(Path(folder).glob("*-pulp.sol"))
    if not written or written[0].stat().st_size == 0:
        return False
    names = prob.writeMPS(os.path.join(folder, "names.mps"), rename=1)
    variables, variable_names, constraint_names, _ = names
    try:
        status, values, _dj, _pi, _slack, sol_status = solver.readsol_MPS(
            str(written[0]), prob, variables, variable_names, constraint_names
        )
    except (OSError, ValueError, IndexError, KeyError):
        return False
    if not values or sol_status not in (1, 2):
        return False
    prob.assignVarsVals(values)
    prob.assignStatus(status, sol_status)
    return True


def _stop_children(binary: str, wait_s: float = 5.0) -> None:
    """Stop this process's child processes running ``binary`` (or the program it
    execs under the same name): SIGINT, then SIGKILL after ``wait_s``. Linux only
    (reads /proc); elsewhere does nothing."""
    import signal

    me = os.getpid()
    children = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            argv = [
                os.fsdecode(a) for a in (entry / "cmdline").read_bytes().split(b"\0")
            ]
        except (OSError, ValueError, IndexError):
            continue
        # a console-script wrapper (python .../bin/cbc) may exec the real binary
        name = os.path.basename(binary)
        if ppid == me and (binary in argv or os.path.basename(argv[0]) == name):
            children.append(int(entry.name))
    for pid in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + wait_s
    for pid in children:
        with contextlib.suppress(OSError):
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.02)


def _cbc_status(prob: pulp.LpProblem, log: str) -> RawSolution:
    sol = prob.sol_status
    objective = pulp.value(prob.objective) if sol in (1, 2) else None
    if objective is not None:
        objective = float(objective)
    bound = None
    match = re.search(r"best possible\s+(-?[\d.eE+-]+)", log)
    if match:
        bound = float(match.group(1))
    match = re.search(r"Lower bound:\s+(-?[\d.eE+-]+)", log)
    if match:
        bound = float(match.group(1))
    stopped = re.search(r"Stopped on (time|iterations|nodes|solutions|ctrl-c)", log)
    if "Result - Optimal solution found" in log or (sol == 1 and not stopped):
        return RawSolution(
            "optimal",
            objective,
            objective if bound is None else bound,
            relative_gap(objective, bound) or 0.0,
            0,
            "cbc",
        )
    if ("infeasible" in log.lower() and sol not in (1, 2)) or prob.status == -1:
        return RawSolution("infeasible", None, None, None, 0, "cbc")
    if prob.status == -2:
        return RawSolution("unbounded", None, None, None, 0, "cbc")
    if sol in (1, 2):
        return RawSolution(
            "feasible",
            objective,
            bound,
            relative_gap(objective, bound),
            0,
            "cbc",
            message=stopped.group(0) if stopped else "",
        )
    return RawSolution(
        "no_solution",
        None,
        bound,
        None,
        0,
        "cbc",
        message=stopped.group(0) if stopped else "",
    )


def _run_pulp_solver(prob: pulp.LpProblem, solver: pulp.LpSolver) -> RawSolution:
    try:
        prob.solve(solver)
    except pulp.PulpSolverError as exc:
        error = f"{type(solver).__name__} failed: {exc}"
        raise SolverError(error) from None
    name = type(solver).__name__
    sol = prob.sol_status
    objective = float(pulp.value(prob.objective)) if sol in (1, 2) else None
    if sol == 1:
        # A generic solver says "optimal" without a bound we can check.
        return RawSolution("optimal", objective, None, None, 0, name)
    if sol == 2:
        return RawSolution("feasible", objective, None, None, 0, name)
    if prob.status == -1:
        return RawSolution("infeasible", None, None, None, 0, name)
    if prob.status == -2:
        return RawSolution("unbounded", None, None, None, 0, name)
    return RawSolution("no_solution", None, None, None, 0, name)


def problem_from_arrays(arrays: ModelArrays) -> tuple[pulp.LpProblem, list[Any]]:
    """The arrays as a PuLP problem: one variable dict per column family (named as
    the family, keyed as its keys), one row per CSR row. Returns the problem and its
    variables in column order."""
    prob = pulp.LpProblem(arrays.name, pulp.LpMinimize)
    columns: list[Any] = []
    for name, first, keys in arrays.segments:
        n = len(keys)
        integer = arrays.col_integer[first : first + n]
        cat = "Integer" if n and integer.all() else "Continuous"
        variables = prob.add_variable_dict(name, keys.tolist(), cat=cat)
        columns.extend(variables.values())
    lower = [None if v == -np.inf else float(v) for v in arrays.col_lower]
    upper = [None if v == np.inf else float(v) for v in arrays.col_upper]
    for var, lo, up in zip(columns, lower, upper, strict=True):
        var.lowBound, var.upBound = lo, up
    cost = arrays.col_cost
    prob.setObjective(
        pulp.LpAffineExpression(
            [(columns[j], float(cost[j])) for j in np.flatnonzero(cost)]
        )
    )
    index = arrays.index.tolist()
    value = arrays.value.tolist()
    start = arrays.start.tolist()
    for r, (lo, up) in enumerate(
        zip(arrays.row_lower.tolist(), arrays.row_upper.tolist(), strict=True)
    ):
        terms = [(columns[index[j]], value[j]) for j in range(start[r], start[r + 1])]
        if lo == up:
            sense, rhs = pulp.LpConstraintEQ, lo
        elif lo == -np.inf:
            sense, rhs = pulp.LpConstraintLE, up
        else:
            sense, rhs = pulp.LpConstraintGE, lo
        prob.addConstraint(
            pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, rhs=rhs)
        )
    return prob, columns
