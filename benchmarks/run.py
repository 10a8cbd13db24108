"""hubopt benchmark suite: ``python benchmarks/run.py [--quick]``.

Prints a table and writes ``benchmarks/results.json``: a list with one object per case
holding case, figure, unit, baseline (the comparison measured in the same run), ratio,
target and met. Cases (see ``docs/performance.md`` for the targets and findings):

- OR-Library: the 37 small instances, total time through :func:`hubopt.solve` vs the
  textbook PuLP formulation (``benchmarks/textbook.py``) on the same solver; capa, capb
  and capc at each capacity in ``optima.csv``: time to proven optimum or gap at a
  300 s limit (full run only), every optimum checked against the published value.
- Holmberg, Rönnqvist and Yuan (1999) single-source instances p1-p71
  (``benchmarks/holmberg``): each instance and the total time through
  :func:`hubopt.solve` with ``single_sourcing=True`` vs the textbook model written
  directly in highspy (``benchmarks/sscflp_direct.py``), same solver, one thread, the
  same ``--limit`` per instance; every objective checked against the published optimum.
- Model build: seeded synthetic networks of 10^4, 10^5 and 10^6 legs, build time and
  peak memory of :func:`hubopt.model.build` vs the same model built directly in highspy
  from numpy arrays (``benchmarks/floor.py``), each size in its own subprocess.
- Periods: a synthetic network of 10^5 legs with 12 monthly periods and a silo at
  every hub (``benchmarks/periods.py``): build time and peak memory of
  :func:`hubopt.model.build_periods` vs the same rows built directly in highspy, and
  the solve at a 120 s limit (status, gap), each in its own subprocess.
- Sea matrix: ``benchmarks/sea_matrix.run``.
- A 20-scenario batch, 1 worker vs 2.
- Uncertainty: 1,000 draws of the bundled network (:func:`hubopt.uncertainty`,
  no tornado) serially re-using the built models vs a rebuild-and-solve loop over
  200 draws (draws per second), and on 2 workers vs 1.
- Shapes (issue 17): seeded generated networks of several shapes
  (``benchmarks/shapes.py``), read + build + solve through hubopt's default,
  ``linking="all"`` and ``linking="lazy"`` without the Lagrangian, against the plain
  and the strong model written directly in highspy (``benchmarks/shapes_direct.py``),
  one thread, relative gap 1e-7, each in its own process; the ratio is the default's
  time over the better direct model's; every proven objective must agree.
  ``--shapes CASE ...`` picks cases, ``--shape-methods`` re-runs some methods and
  takes the others from ``benchmarks/shapes.jsonl``.

``--only GROUP ...`` runs some groups (orlib, holmberg, build, periods, sea, batch,
uncertainty, shapes) and merges into ``results.json``: a record replaces the one of
the same case, a full run of a group drops that group's other records, the other
groups' records stay.

``--quick`` (under a minute on an idle 2-core machine): 8 of the small instances,
Holmberg p1-p3 (``--holmberg p4 p25 ...`` picks others), builds at 10^4 and 10^5 legs
without the hand-over timing, the periods build at 10^4 legs (no solve), the 10 x 50
sea matrix, a 4-scenario batch, 100 uncertainty draws (20 rebuilt) and one 10^4-leg
shapes case. The capa/capb/capc solves run in two worker processes (hubopt and
textbook side by side, one thread each) and append to
``benchmarks/large_<side>.jsonl``; ``--reuse-large`` takes instances already there.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # source checkout
sys.path.insert(0, str(HERE))

ORLIB = HERE / "orlib"
RESULTS = HERE / "results.json"
LARGE_LIMIT_S = 300.0
REL_TOL = 1e-6  # published optima carry three decimals


def _record(
    case: str,
    figure: float | None,
    unit: str,
    baseline: float | None,
    target: str,
    met: bool | None,
    ratio: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if ratio is None and figure and baseline:
        ratio = baseline / figure
    return {
        "case": case,
        "figure": figure,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
        **extra,
    }


def _optima() -> list[dict[str, str]]:
    with open(ORLIB / "optima.csv", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["problem"] == "capacitated"]


def _matches(value: float | None, published: float) -> bool:
    return value is not None and abs(value - published) <= REL_TOL * abs(published)


# ------------------------------------------------------------------------------------
# OR-Library
# ------------------------------------------------------------------------------------
def solve_hubopt(
    file: str, capacity: float | None, time_limit_s: float | None
) -> dict[str, Any]:
    """One instance through hubopt.solve; reading and validating are not timed."""
    import hubopt
    from hubopt.orlib import read_orlib

    network = read_orlib(ORLIB / file, capacity=capacity)
    start, cpu = time.perf_counter(), time.process_time()
    result = hubopt.solve(
        network, time_limit_s=time_limit_s, threads=1, raise_on_failure=False
    )
    total_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu
    return {
        "status": result.status,
        "objective": result.objective,
        "gap": result.gap,
        "build_s": result.build_s,
        "total_s": total_s,
        "cpu_s": cpu_s,
    }


def solve_textbook(
    file: str, capacity: float | None, time_limit_s: float | None
) -> dict[str, Any]:
    """One instance through the textbook formulation; reading is not timed."""
    import textbook

    data = textbook.read_cap(ORLIB / file, capacity)
    return textbook.solve(data, time_limit_s=time_limit_s, threads=1)


SIDES = {"hubopt": solve_hubopt, "textbook": solve_textbook}


#: The --quick subset of the small instances: one per size class.
QUICK_SMALL = (
    *("cap41", "cap51", "cap61", "cap71"),
    *("cap81", "cap101", "cap111", "cap131"),
)


def orlib_small(quick: bool = False) -> list[dict[str, Any]]:
    """The 37 small instances (8 with ``quick``), both sides interleaved, total CPU
    and wall time."""
    rows = [r for r in _optima() if not r["capacity"]]
    if quick:
        rows = [r for r in rows if r["instance"] in QUICK_SMALL]
    cpu = {"hubopt": 0.0, "textbook": 0.0}
    wall = {"hubopt": 0.0, "textbook": 0.0}
    wrong: dict[str, list[str]] = {"hubopt": [], "textbook": []}
    for fn in SIDES.values():
        fn(rows[0]["file"], None, None)  # warm up imports and the solver
    for row in rows:
        for side, fn in SIDES.items():
            out = fn(row["file"], None, None)
            cpu[side] += out["cpu_s"]
            wall[side] += out["total_s"]
            if out["status"] != "optimal" or not _matches(
                out["objective"], float(row["optimum"])
            ):
                wrong[side].append(row["instance"])
    ok = not wrong["hubopt"] and not wrong["textbook"]
    return [
        _record(
            f"OR-Library {len(rows)} small instances, total CPU time "
            "(hubopt.solve vs textbook PuLP, HiGHS 1 thread)",
            cpu["hubopt"],
            "s",
            cpu["textbook"],
            "report (no target); every optimum = published",
            ok,
            instances=len(rows),
            wall_s=wall["hubopt"],
            baseline_wall_s=wall["textbook"],
            wrong_hubopt=wrong["hubopt"],
            wrong_textbook=wrong["textbook"],
        )
    ]


def _large_worker(side: str, limit: float, out: Path) -> None:
    """Solve capa/capb/capc at every capacity on one side, appending JSON lines."""
    done = {json.loads(line)["instance"] for line in _lines(out)}
    for row in _optima():
        if not row["capacity"] or row["instance"] in done:
            continue
        result = SIDES[side](row["file"], float(row["capacity"]), limit)
        result.update(
            instance=row["instance"],
            side=side,
            limit_s=limit,
            published=float(row["optimum"]),
            matches=_matches(result["objective"], float(row["optimum"])),
        )
        with open(out, "a") as handle:
            handle.write(json.dumps(result) + "\n")
        print(side, row["instance"], result["status"], f"{result['total_s']:.1f} s")


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def orlib_large(limit: float, reuse: bool, spawn: bool = True) -> list[dict[str, Any]]:
    """capa/capb/capc: run both sides in parallel worker processes, then compare.

    With ``spawn`` False, only read what earlier workers wrote (a background run).
    """
    files = {side: HERE / f"large_{side}.jsonl" for side in SIDES}
    if not reuse and spawn:
        for path in files.values():
            path.unlink(missing_ok=True)
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--large-worker", side, "--limit", str(limit)]
        )
        for side in SIDES
        if spawn
    ]
    for worker in workers:
        worker.wait()
    got = {
        side: {
            (rec := json.loads(line))["instance"]: rec for line in _lines(files[side])
        }
        for side in SIDES
    }
    records, ratios = [], []
    for row in _optima():
        name = row["instance"]
        if not row["capacity"] or name not in got["hubopt"]:
            continue
        ours, base = got["hubopt"][name], got["textbook"].get(name)
        ours_time = ours["total_s"] if ours["status"] == "optimal" else None
        base_time = base["total_s"] if base and base["status"] == "optimal" else None
        # A side that hits the limit counts as the limit (a lower bound on its time).
        ratio = (base_time or limit) / (ours_time or limit) if base else None
        if ratio is not None:
            ratios.append(ratio)
        records.append(
            _record(
                f"OR-Library {name}: time to proven optimum (limit {limit:g} s)",
                ours_time,
                "s",
                base_time,
                "optimum = published",
                ours["matches"] and ours["status"] == "optimal",
                ratio=ratio,
                hubopt_status=ours["status"],
                hubopt_gap=ours["gap"],
                textbook_status=None if base is None else base["status"],
                textbook_gap=None if base is None else base["gap"],
                textbook_matches=None if base is None else base["matches"],
            )
        )
    if ratios:
        import statistics

        median = statistics.median(ratios)
        records.append(
            _record(
                f"OR-Library capa/capb/capc: median speed-up over {len(ratios)} "
                "(a side at the limit counts as the limit)",
                median,
                "x",
                None,
                ">= 3x",
                median >= 3.0,
                ratio=median,
            )
        )
    return records


# ------------------------------------------------------------------------------------
# Holmberg single-source instances
# ------------------------------------------------------------------------------------
#: The --quick subset of the Holmberg instances.
QUICK_HOLMBERG = ("p1", "p2", "p3")


def holmberg(instances: list[str] | None, limit: float) -> list[dict[str, Any]]:
    """Holmberg p1-p71 (or ``instances``), hubopt with single sourcing vs the textbook
    highspy model, both sides interleaved at the same time limit per instance.

    One record per instance (time to proven optimum; a side at the limit counts as
    the limit) and one for the total, each checked against the published optimum.
    """
    import single_source

    rows = single_source.optima()
    if instances:
        unknown = sorted(set(instances) - {r["instance"] for r in rows})
        if unknown:
            msg = f"unknown Holmberg instances {unknown}; see holmberg/optima.csv"
            raise SystemExit(msg)
        rows = [r for r in rows if r["instance"] in instances]
    for fn in single_source.SIDES.values():
        fn("p1", limit)  # warm up imports and the solver on the smallest instance
    records = []
    total = {side: 0.0 for side in single_source.SIDES}
    wrong: dict[str, list[str]] = {side: [] for side in single_source.SIDES}
    for row in rows:
        published = float(row["optimum"])
        out = {}
        for side, fn in single_source.SIDES.items():
            out[side] = fn(row["file"], limit)
            proven = out[side]["status"] == "optimal"
            total[side] += out[side]["total_s"] if proven else limit
            if not (proven and _matches(out[side]["objective"], published)):
                wrong[side].append(row["instance"])
        ours, base = out["hubopt"], out["textbook"]
        print(
            f"holmberg {row['instance']}: hubopt {ours['status']} "
            f"{ours['total_s']:.2f} s, textbook {base['status']} "
            f"{base['total_s']:.2f} s",
            flush=True,
        )
        records.append(
            _record(
                f"Holmberg {row['instance']} ({row['sites']} x {row['customers']}, "
                f"single source): time to proven optimum (limit {limit:g} s)",
                ours["total_s"] if ours["status"] == "optimal" else None,
                "s",
                base["total_s"] if base["status"] == "optimal" else None,
                "objective = published",
                row["instance"] not in wrong["hubopt"]
                and ours["checker_problems"] == 0,
                ratio=(base["total_s"] if base["status"] == "optimal" else limit)
                / (ours["total_s"] if ours["status"] == "optimal" else limit),
                published=published,
                hubopt_status=ours["status"],
                hubopt_objective=ours["objective"],
                hubopt_gap=ours["gap"],
                hubopt_checker_problems=ours["checker_problems"],
                textbook_status=base["status"],
                textbook_objective=base["objective"],
                textbook_gap=base["gap"],
            )
        )
    records.append(
        _record(
            f"Holmberg {len(rows)} single-source instances, total time "
            "(hubopt.solve single_sourcing=True vs textbook highspy, HiGHS 1 thread; "
            "a side at the limit counts as the limit)",
            total["hubopt"],
            "s",
            total["textbook"],
            "report; every optimum = published",
            not wrong["hubopt"],
            instances=len(rows),
            wrong_hubopt=wrong["hubopt"],
            wrong_textbook=wrong["textbook"],
        )
    )
    return records


# ------------------------------------------------------------------------------------
# model build
# ------------------------------------------------------------------------------------
BUILD_TIMEOUT_S = 1200.0


def _rss_mb() -> float:
    """Peak resident memory of this process so far, MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _build_child(side: str, n_legs: int, handover: bool) -> None:
    """In a fresh process: make the network, build one side, print one JSON line."""
    import synth

    start = time.perf_counter()
    network = synth.network(n_legs)
    validate_s = time.perf_counter() - start
    before = _rss_mb()
    out: dict[str, Any] = {"legs": len(network.legs), "validate_s": validate_s}
    cpu = time.process_time()
    if side == "floor":
        import floor

        _, info = floor.build(network)
        out.update(info)
        out["build_cpu_s"] = time.process_time() - cpu
    else:
        from hubopt import highs as driver
        from hubopt import model

        # every linking row in the model, as in the floor
        built = model.build(network, model.ModelOptions(linking="all"))
        out["build_s"] = built.build_s
        out["build_cpu_s"] = time.process_time() - cpu
        out["rows"] = built.arrays.n_rows
        if handover:
            # what model.run() does next: one passModel of the arrays into highspy
            import highspy

            start, cpu = time.perf_counter(), time.process_time()
            highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
            driver.pass_model(highs, built.arrays)
            out["handover_s"] = time.perf_counter() - start
            out["handover_cpu_s"] = time.process_time() - cpu
    out["peak_rss_mb"] = _rss_mb()
    out["rss_before_build_mb"] = before
    print(json.dumps(out))


def _run_child(*arguments: str) -> dict[str, Any]:
    """Run this script with ``arguments`` in a fresh process (at most
    :data:`BUILD_TIMEOUT_S`) and read the last JSON line it prints; on a failure or
    timeout a dict with ``"error"``."""
    cmd = [sys.executable, __file__, *arguments]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {BUILD_TIMEOUT_S:g} s"}
    lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr or "no output").strip().splitlines()[-1]}
    return json.loads(lines[-1])


def _run_build_child(side: str, n_legs: int, handover: bool) -> dict[str, Any]:
    return _run_child(
        "--build-child", side, str(n_legs), *(["--handover"] if handover else [])
    )


def model_build(sizes: list[int], handover: bool = True) -> list[dict[str, Any]]:
    """hubopt model.build vs the highspy floor, each size in its own subprocess;
    with ``handover``, also time the passModel into highspy up to 1e5 legs."""
    records = []
    per_leg = {}
    for n in sizes:
        ours = _run_build_child("hubopt", n, handover=handover and n <= 10**5)
        base = _run_build_child("floor", n, handover=False)
        label = f"model build, {n:.0e} legs".replace("e+0", "e")
        if "error" in ours or "error" in base:
            records.append(
                _record(
                    f"{label}: hubopt vs highspy floor",
                    None,
                    "s",
                    base.get("build_s"),
                    "<= 3x floor",
                    False,
                    error=ours.get("error") or base.get("error"),
                )
            )
            continue
        ratio = ours["build_cpu_s"] / base["build_cpu_s"]
        target = (
            "report (targets at 1e5 and 1e6)"
            if n < 10**5
            else "<= 3x floor" + ("; < 60 s, < 6 GB" if n >= 10**6 else "")
        )
        per_leg[n] = ours["build_cpu_s"] / ours["legs"]
        limit_ok = n < 10**6 or (
            ours["build_cpu_s"] < 60 and ours["peak_rss_mb"] < 6 * 1024
        )
        records.append(
            _record(
                f"{label}: build CPU time, hubopt model.build vs highspy floor",
                ours["build_cpu_s"],
                "s",
                base["build_cpu_s"],
                target,
                ratio <= 3.0 and limit_ok if n >= 10**5 else None,
                ratio=ratio,
                rows=ours["rows"],
                wall_s=ours["build_s"],
                baseline_wall_s=base["build_s"],
                validate_s=ours["validate_s"],
                handover_s=ours.get("handover_s"),
            )
        )
        records.append(
            _record(
                f"{label}: peak memory of the process (network + model)",
                ours["peak_rss_mb"],
                "MB",
                base["peak_rss_mb"],
                "< 6 GB at 1e6" if n >= 10**6 else "report",
                ours["peak_rss_mb"] < 6 * 1024 if n >= 10**6 else None,
                ratio=ours["peak_rss_mb"] / base["peak_rss_mb"],
                build_increment_mb=ours["peak_rss_mb"] - ours["rss_before_build_mb"],
                floor_increment_mb=base["peak_rss_mb"] - base["rss_before_build_mb"],
            )
        )
        if ours.get("handover_s") is not None:
            records.append(
                _record(
                    f"{label}: arrays -> highspy hand-over in model.run, CPU (extra)",
                    ours.get("handover_cpu_s", ours["handover_s"]),
                    "s",
                    None,
                    "report (the floor has none)",
                    None,
                    wall_s=ours["handover_s"],
                )
            )
    if len(per_leg) >= 2:
        small, large = min(per_leg), max(per_leg)
        growth = per_leg[large] / per_leg[small]
        records.append(
            _record(
                f"model build: time per leg at {large:.0e} / at {small:.0e} legs "
                "(1 = linear)",
                growth,
                "x",
                None,
                "<= 1.5 (linear)",
                growth <= 1.5,
                ratio=growth,
            )
        )
    return records


# ------------------------------------------------------------------------------------
# multi-period build and solve
# ------------------------------------------------------------------------------------
#: Legs of the multi-period case (12 monthly periods), full and --quick.
PERIODS_LEGS = 10**5
PERIODS_QUICK_LEGS = 10**4
#: Time limit of the multi-period solve, full and --quick.
PERIODS_LIMIT_S = 120.0


def _periods_child(side: str, n_legs: int, limit_s: float) -> None:
    """In a fresh process: the network and its 12 periods, then one side (hubopt's
    build, the highspy floor, or hubopt's solve); one JSON line."""
    import periods as bench

    network = bench.network(n_legs)
    per = bench.periods(network)
    before = _rss_mb()
    out: dict[str, Any] = {"legs": len(network.legs), "periods": len(per)}
    cpu, wall = time.process_time(), time.perf_counter()
    if side == "floor":
        _, info = bench.floor_build(network, per)
        out.update(info)
    elif side == "hubopt":
        from hubopt import model

        built = model.build_periods(network, per, model.ModelOptions(linking="all"))
        arrays = built.built.arrays
        out.update(
            columns=arrays.n_cols, rows=arrays.n_rows, nonzeros=len(arrays.value)
        )
    else:
        from hubopt import solving

        result = solving.solve(
            network, periods=per, time_limit_s=limit_s, raise_on_failure=False
        )
        out.update(
            status=result.status,
            gap=result.gap,
            objective=result.objective,
            solve_s=result.runtime_s,
            build_s=result.build_s,
            hubs_opened=len(result.open_hubs),
            check=len(result.check()) if result.status == "optimal" else None,
        )
    out["cpu_s"] = time.process_time() - cpu
    out["wall_s"] = time.perf_counter() - wall
    out["peak_rss_mb"] = _rss_mb()
    out["rss_before_mb"] = before
    print(json.dumps(out))


def _run_periods_child(side: str, n_legs: int, limit_s: float) -> dict[str, Any]:
    return _run_child("--periods-child", side, str(n_legs), str(limit_s))


def periods_case(quick: bool) -> list[dict[str, Any]]:
    """12 monthly periods on a synthetic network (``benchmarks/periods.py``):
    hubopt's build_periods vs the same rows built directly in highspy, peak memory,
    and the solve at a time limit, each in its own subprocess."""
    n = PERIODS_QUICK_LEGS if quick else PERIODS_LEGS
    limit = PERIODS_LIMIT_S
    label = f"periods, 12 months, {n:.0e} legs".replace("e+0", "e")
    ours = _run_periods_child("hubopt", n, limit)
    base = _run_periods_child("floor", n, limit)
    if "error" in ours or "error" in base:
        return [
            _record(
                f"{label}: build, hubopt vs highspy floor",
                None,
                "s",
                base.get("cpu_s"),
                "<= 3x floor",
                False,
                error=ours.get("error") or base.get("error"),
            )
        ]
    ratio = ours["cpu_s"] / base["cpu_s"]
    same = all(ours[k] == base[k] for k in ("columns", "rows", "nonzeros"))
    records = [
        _record(
            f"{label}: build CPU time, hubopt build_periods vs highspy floor",
            ours["cpu_s"],
            "s",
            base["cpu_s"],
            "report (target at 1e5: <= 3x), same rows" if quick else "<= 3x, same rows",
            same and (None if quick else ratio <= 3.0),
            ratio=ratio,
            rows=ours["rows"],
            columns=ours["columns"],
            nonzeros=ours["nonzeros"],
            same_rows_as_floor=same,
            wall_s=ours["wall_s"],
            baseline_wall_s=base["wall_s"],
        ),
        _record(
            f"{label}: peak memory of the build process (network + model)",
            ours["peak_rss_mb"],
            "MB",
            base["peak_rss_mb"],
            "< 4 GB",
            ours["peak_rss_mb"] < 4 * 1024,
            ratio=ours["peak_rss_mb"] / base["peak_rss_mb"],
            build_increment_mb=ours["peak_rss_mb"] - ours["rss_before_mb"],
            floor_increment_mb=base["peak_rss_mb"] - base["rss_before_mb"],
        ),
    ]
    if quick:  # the build only: --quick stays under a minute
        return records
    solved = _run_periods_child("solve", n, limit)
    records.append(
        _record(
            f"{label}: hubopt.solve(periods=...) at a {limit:g} s limit",
            solved.get("wall_s"),
            "s",
            None,
            "report: status and gap",
            None,
            status=solved.get("status"),
            gap=solved.get("gap"),
            objective=solved.get("objective"),
            solve_s=solved.get("solve_s"),
            build_s=solved.get("build_s"),
            hubs_opened=solved.get("hubs_opened"),
            checker_problems=solved.get("check"),
            peak_rss_mb=solved.get("peak_rss_mb"),
            error=solved.get("error"),
        )
    )
    return records


# ------------------------------------------------------------------------------------
# sea matrix, scenario batch
# ------------------------------------------------------------------------------------
def sea_matrix(quick: bool) -> list[dict[str, Any]]:
    """The geo helper's benchmark, as it reports itself."""
    import sea_matrix as bench

    return bench.run(quick)


def _scenarios(count: int) -> list[Any]:
    """Seeded perturbations of the bundled scenario: demand and freight rates."""
    import numpy as np

    import hubopt

    rng = np.random.default_rng(20261128)
    return [
        hubopt.Scenario(
            f"s{i:02d}",
            demand_multiplier=float(rng.uniform(0.85, 1.15)),
            freight_multiplier=float(rng.uniform(0.9, 1.1)),
            mode_multipliers={"rail": float(rng.uniform(0.8, 1.3))},
        )
        for i in range(count)
    ]


def scenario_batch(count: int) -> list[dict[str, Any]]:
    """hubopt.compare over ``count`` scenarios with a pool of 1 and of 2 workers."""
    from concurrent.futures import ProcessPoolExecutor

    import hubopt

    network = hubopt.datasets.morocco_kazakhstan()
    scenarios = _scenarios(count)
    wall, tables = {}, {}
    for workers in (1, 2):
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # start the workers and import hubopt in them before timing
            list(pool.map(_warm, range(workers)))
            start = time.perf_counter()
            comparison = hubopt.compare(
                network, scenarios, executor=pool, progress=False, threads=1
            )
            wall[workers] = time.perf_counter() - start
        tables[workers] = comparison.table
    same = tables[1]["total_cost"].round(3).equals(tables[2]["total_cost"].round(3))
    solved = int((tables[2]["status"] == "optimal").sum())
    speedup = wall[1] / wall[2]
    return [
        _record(
            f"{count}-scenario batch (hubopt.compare), 2 workers vs 1",
            wall[2],
            "s",
            wall[1],
            ">= 1.7x",
            speedup >= 1.7,
            ratio=speedup,
            optimal=solved,
            identical_results=bool(same),
            load_average=os.getloadavg()[0],
        )
    ]


#: Ranges of the costly-draw case: assumed spreads of a synthetic network (no data).
_SYNTH_RANGES = [
    {
        "table": "legs",
        "id": "*",
        "column": "cost_per_t",
        "distribution": "triangular",
        "low": 0.8,
        "mode": 1.0,
        "high": 1.3,
        "scale": "factor",
        "above": 0.0,
        "group": "freight",
        "source": "benchmark: an assumed spread of a synthetic network",
    },
    {
        "table": "hubs",
        "id": "*",
        "column": "fixed_cost",
        "distribution": "uniform",
        "low": 0.7,
        "mode": 1.0,
        "high": 1.3,
        "scale": "factor",
        "above": 0.0,
        "group": "capex",
        "source": "benchmark: an assumed spread of a synthetic network",
    },
]


def uncertainty_costly_draws(n_legs: int, draws: int) -> list[dict[str, Any]]:
    """hubopt.uncertainty over ``draws`` draws of a synthetic network whose draws
    cost about a second each (a MIP per draw), serially and on a started pool of 2
    workers: where the pool pays, unlike the bundled network's 3.5 ms draws."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd
    import synth

    import hubopt

    network = synth.network(n_legs)
    ranges = pd.DataFrame(_SYNTH_RANGES)
    common = {"seed": 1, "ranges": ranges, "tornado": False, "progress": False}
    start = time.perf_counter()
    serial = hubopt.uncertainty(network, draws=draws, executor="serial", **common)
    serial_s = time.perf_counter() - start
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        list(pool.map(_warm, range(2)))  # start the workers before timing
        start = time.perf_counter()
        pooled = hubopt.uncertainty(network, draws=draws, executor=pool, **common)
        pool_s = time.perf_counter() - start
    same = all(pooled.tables()[k].equals(t) for k, t in serial.tables().items())
    speedup = serial_s / pool_s
    return [
        _record(
            f"uncertainty, {draws} draws of a synthetic {n_legs}-leg network "
            "(a MIP a draw), 2 workers (a started pool) vs 1",
            pool_s,
            "s",
            serial_s,
            ">= 1.7x",
            speedup >= 1.7,
            ratio=speedup,
            identical_results=bool(same),
            draw_s=serial_s / draws,
            load_average=os.getloadavg()[0],
        )
    ]


def uncertainty_draws(draws: int, rebuilt: int) -> list[dict[str, Any]]:
    """hubopt.uncertainty over ``draws`` draws of the bundled network: serially
    re-using the built models, on a local pool of 2 workers, and a rebuild-and-solve
    loop over a ``rebuilt``-draw run with the same seed (its own Latin hypercube),
    checked equal to the re-used models on those draws."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import hubopt

    network = hubopt.datasets.morocco_kazakhstan()
    common = {"seed": 1, "tornado": False, "progress": False}
    wall, found = {}, {}
    cpu = {}
    for name, kwargs in (
        ("serial", {"draws": draws, "executor": "serial"}),
        ("rebuild", {"draws": rebuilt, "executor": "serial", "reuse": False}),
        ("check", {"draws": rebuilt, "executor": "serial"}),
    ):
        start, start_cpu = time.perf_counter(), time.process_time()
        found[name] = hubopt.uncertainty(network, **kwargs, **common)
        wall[name] = time.perf_counter() - start
        cpu[name] = time.process_time() - start_cpu
    spawn = multiprocessing.get_context("spawn")  # no fork after a HiGHS solve
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        list(pool.map(_warm, range(2)))  # start the workers before timing
        pids = list(pool._processes)
        before = _cpu_s(pids)
        start, start_cpu = time.perf_counter(), time.process_time()
        found["pool"] = hubopt.uncertainty(
            network, draws=draws, executor=pool, **common
        )
        wall["pool"] = time.perf_counter() - start
        parent_cpu = time.process_time() - start_cpu
        worker_cpu = [a - b for a, b in zip(_cpu_s(pids), before, strict=True)]
    start = time.perf_counter()  # the default pool, started by the run itself
    found["cold"] = hubopt.uncertainty(network, draws=draws, max_workers=2, **common)
    wall["cold"] = time.perf_counter() - start
    rate = {name: found[name].draws.shape[0] / wall[name] for name in wall}
    same_pool = all(
        found["pool"].tables()[k].equals(t) for k, t in found["serial"].tables().items()
    )
    a, b = found["check"], found["rebuild"]
    same_rebuilt = a.draws["portfolio"].equals(b.draws["portfolio"]) and bool(
        (a.draws["total_cost"] - b.draws["total_cost"]).abs().max()
        <= 1e-6 * b.draws["total_cost"].abs().max()
    )
    solves = 2 + len(found["serial"].fixed) / draws
    # the critical path in CPU seconds: the parent's, then the busier worker's, as
    # if each process had a core of its own (the machine is shared)
    critical = parent_cpu + max(worker_cpu)
    note = {
        "solves_per_draw": solves,
        "load_average": os.getloadavg()[0],
        "portfolios": len(found["serial"].portfolios),
    }
    return [
        _record(
            f"uncertainty, {draws} draws serially re-using the model vs a "
            f"rebuild-and-solve loop ({rebuilt} draws), 1 worker",
            rate["serial"],
            "draws/s",
            rate["rebuild"],
            ">= 5x",
            rate["serial"] >= 5 * rate["rebuild"],
            ratio=rate["serial"] / rate["rebuild"],
            identical_results=same_rebuilt,
            **note,
        ),
        _record(
            f"uncertainty, {draws} draws, 2 workers (a started pool) vs 1",
            rate["pool"],
            "draws/s",
            rate["serial"],
            ">= 1.7x",
            rate["pool"] >= 1.7 * rate["serial"],
            ratio=rate["pool"] / rate["serial"],
            identical_results=same_pool,
            cpu_serial_s=cpu["serial"],
            cpu_parent_s=parent_cpu,
            cpu_workers_s=worker_cpu,
            cpu_ratio=cpu["serial"] / critical,
            **note,
        ),
        _record(
            f"uncertainty, {draws} draws, 2 workers (the run starts its pool) vs 1",
            rate["cold"],
            "draws/s",
            rate["serial"],
            "-",
            None,
            ratio=rate["cold"] / rate["serial"],
        ),
    ]


def _cpu_s(pids: list[int]) -> list[float]:
    """CPU seconds (user + system) of each process so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = []
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out.append((int(fields[11]) + int(fields[12])) / tick)
    return out


def _warm(_: int) -> int:
    import hubopt  # noqa: F401

    time.sleep(0.5)  # keep this worker busy so the other one gets a task too
    return os.getpid()


# ------------------------------------------------------------------------------------
# table
# ------------------------------------------------------------------------------------
# ------------------------------------------------------------------------------------
# Shapes: generated networks of several shapes (issue 17)
# ------------------------------------------------------------------------------------
#: The methods of the shapes case: hubopt's three and the two direct models
#: ("lagrangian", hubopt with the Lagrangian forced, the default before the probe,
#: can be asked for by ``--shape-child``).
SHAPE_METHODS = ("default", "all", "lazy", "plain", "strong")
SHAPES_LIMIT_S = 300.0
SHAPES_LOG = HERE / "shapes.jsonl"
#: The default and the better direct model run this many times per case (once
#: with ``--quick``), interleaved, and count by their median runs: the same solve
#: varies by a quarter in wall time from one minute to the next on this machine
#: (distance-28k-many-pen, default path: 37.4 s, then 30.4 s).
SHAPES_REPEATS = 3


def solve_shape(name: str, method: str, limit: float) -> dict[str, Any]:
    """One generated network, one method: read (validate the tables), build and
    solve, wall and CPU seconds. hubopt's methods are :func:`hubopt.model.build`
    and :func:`hubopt.model.run` (the solve proper, without the tie-break and the
    marginal values :func:`hubopt.solve` adds), one thread."""
    import numpy as np
    import shapes
    import shapes_direct

    tables = shapes.tables(shapes.case(name))
    if method in ("plain", "strong"):
        return shapes_direct.solve(
            tables, strong=method == "strong", time_limit_s=limit, threads=1
        )
    import hubopt
    from hubopt import Network
    from hubopt.model import ModelOptions, build, run

    start, cpu = time.perf_counter(), time.process_time()
    network = Network.from_frames(**tables, name=name)
    if method in ("solve", "solve-single"):  # the whole hubopt.solve, as a user runs it
        result = hubopt.solve(
            network,
            time_limit_s=limit,
            threads=1,
            single_sourcing=method == "solve-single",
            raise_on_failure=False,
        )
        return {
            "status": result.status,
            "objective": result.objective,
            "bound": result.best_bound,
            "gap": result.gap,
            "build_s": result.build_s,
            "total_s": time.perf_counter() - start,
            "cpu_s": time.process_time() - cpu,
            "open_levels": int(result.hubs["open"].sum()),
            "strategy": None,
        }
    linking = {"default": "auto", "all": "all", "lazy": "lazy"}.get(method, "auto")
    built = build(network, ModelOptions(linking=linking))
    build_s = time.perf_counter() - start
    raw = run(
        built,
        time_limit_s=limit,
        mip_gap=1e-7,
        threads=1,
        lagrangian={"default": None, "lagrangian": True}.get(method, False),
    )
    return {
        "status": raw.status,
        "objective": raw.objective,
        "bound": raw.best_bound,
        "gap": raw.gap,
        "build_s": build_s,
        "total_s": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "open_levels": None
        if raw.open_level is None
        else int(np.asarray(raw.open_level).sum()),
        "unmet_t": None if raw.unmet_t is None else float(np.sum(raw.unmet_t)),
        "strategy": getattr(raw, "strategy", None),
    }


def _shape_child(name: str, method: str, limit: float) -> None:
    """Run one shapes case and method and print its figures as JSON (a child
    process, so every method starts from a fresh process and its peak memory is
    its own)."""
    out = solve_shape(name, method, limit)
    out["peak_mb"] = _rss_mb()
    print(json.dumps(out))


def _run_shape_child(name: str, method: str, limit: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--shape-child", name, method]
    command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _time_of(run: dict[str, Any], limit: float) -> float:
    """A run's time to proven optimum, the limit when it did not prove."""
    return run["total_s"] if run["status"] == "optimal" else limit


def _median_runs(
    name: str, methods: list[str], limit: float, first: dict[str, Any], repeats: int
) -> dict[str, Any]:
    """Each of ``methods`` run ``repeats`` times in all (``first`` holds
    the first runs), interleaved (method by method, round by round, so a slow spell
    of the machine falls on every method alike); per method the run of median total
    time, with every run's time kept under ``"runs_s"``."""
    runs = {m: [first[m]] for m in methods}
    for _ in range(repeats - 1):
        for m in methods:
            runs[m].append(_run_shape_child(name, m, limit))
    out = {}
    for m, done in runs.items():
        ranked = sorted(done, key=lambda r: r["total_s"])
        out[m] = {**ranked[len(ranked) // 2], "runs_s": [r["total_s"] for r in done]}
    return out


def _logged(name: str, limit: float) -> dict[str, Any]:
    """The latest figures per method of a shapes case at ``limit`` in
    ``shapes.jsonl``."""
    found: dict[str, Any] = {}
    for line in _lines(SHAPES_LOG):
        entry = json.loads(line)
        if entry["case"] == name and entry["limit"] == limit:
            found.update({m: r for m, r in entry.items() if m not in ("case", "limit")})
    return found


def shapes_group(
    names: list[str],
    limit: float,
    methods: list[str] | None = None,
    repeats: int = SHAPES_REPEATS,
) -> list[dict[str, Any]]:
    """Every method on every named case, one after the other in one run; records
    the default's time against the better of the plain and strong direct models.
    With ``methods`` only those run and the others' figures are the latest of
    ``shapes.jsonl`` (to re-measure the default after a change; the record says
    which were reused). The default and the better direct model run ``repeats``
    times where they prove within the limit, interleaved, and count by their median
    runs."""
    records = []
    for name in names:
        run_now = list(methods or SHAPE_METHODS)
        out = {m: _run_shape_child(name, m, limit) for m in run_now}
        reused = sorted(set(SHAPE_METHODS) - set(run_now))
        if reused:
            earlier = _logged(name, limit)
            out = {**{m: earlier[m] for m in reused}, **out}
        # the two runs the ratio divides, again, interleaved: the default and the
        # better direct model, where either proved (at the limit there is no time
        # to be noisy)
        direct = min(("plain", "strong"), key=lambda m: _time_of(out[m], limit))
        again = [
            m
            for m in ("default", direct)
            if m in run_now and out[m]["status"] == "optimal"
        ]
        out.update(_median_runs(name, again, limit, out, repeats))
        with SHAPES_LOG.open("a") as log:
            fresh = {m: out[m] for m in run_now}
            log.write(json.dumps({"case": name, "limit": limit, **fresh}) + "\n")
        out = {m: out[m] for m in SHAPE_METHODS}
        proven = {m: r["objective"] for m, r in out.items() if r["status"] == "optimal"}
        values = list(proven.values())
        agree = all(
            abs(v - values[0]) <= REL_TOL * max(abs(values[0]), 1.0) for v in values
        )

        time_of = {m: _time_of(r, limit) for m, r in out.items()}
        best = min(time_of["plain"], time_of["strong"])
        ratio = time_of["default"] / best
        # when neither direct model proves within the limit the times say nothing
        # (all equal the limit): the default's gap at the limit is held against the
        # better direct gap instead, with the same 1.5x
        gap_ratio = None
        if best >= limit and out["default"]["gap"] is not None:
            gaps = [out[m]["gap"] for m in ("plain", "strong")]
            gaps = [g for g in gaps if g is not None]  # a direct model may find none
            best_gap = min(gaps) if gaps else float("inf")
            gap_ratio = out["default"]["gap"] / max(best_gap, 1e-9)
        met = ratio <= 1.5 if gap_ratio is None else gap_ratio <= 1.5
        print(
            f"shapes {name}: "
            + ", ".join(
                f"{m} {out[m]['status']} {out[m]['total_s']:.1f} s" for m in out
            )
            + f"; default / best direct {ratio:.2f}"
            + ("" if gap_ratio is None else f" (gap {gap_ratio:.2f}x)")
            + f"; objectives agree {agree}",
            flush=True,
        )
        records.append(
            _record(
                f"shapes {name}: read+build+solve, hubopt default vs the better "
                f"direct highspy model (limit {limit:g} s)",
                time_of["default"],
                "s",
                best,
                "<= 1.5x the better direct model (its gap at the limit when "
                "neither direct model proves)",
                bool(met and agree),
                ratio=ratio,
                gap_ratio=gap_ratio,
                objectives_agree=agree,
                reused_from_log=reused,
                **{
                    f"{m}_{k}": r[k]
                    for m, r in out.items()
                    for k in ("status", "total_s", "gap", "objective")
                },
            )
        )
    return records


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_table(records: list[dict[str, Any]]) -> None:
    """Print the records as a fixed-width table."""
    head = ("case", "figure", "unit", "baseline", "ratio", "target", "met")
    rows = [
        (
            r["case"],
            _fmt(r["figure"]),
            r["unit"],
            _fmt(r["baseline"]),
            _fmt(r["ratio"]),
            r["target"],
            {True: "yes", False: "NO", None: "-"}[r["met"]],
        )
        for r in records
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    widths[0] = min(widths[0], 90)
    for row in (head, *rows):
        print("  ".join(str(x)[:90].ljust(w) for x, w in zip(row, widths, strict=True)))


def markdown_table(records: list[dict[str, Any]]) -> str:
    """The records as a Markdown table (for docs/performance.md)."""
    lines = [
        "| case | figure | unit | baseline | ratio | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for r in records:
        met = {True: "yes", False: "**no**", None: "-"}[r["met"]]
        lines.append(
            f"| {r['case']} | {_fmt(r['figure'])} | {r['unit']} | "
            f"{_fmt(r['baseline'])} | {_fmt(r['ratio'])} | {r['target']} | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the suite."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="under a minute")
    parser.add_argument("--reuse-large", action="store_true")
    parser.add_argument("--large-only", action="store_true")
    parser.add_argument(
        "--markdown", action="store_true", help="print results.json as Markdown"
    )
    parser.add_argument(
        "--large-from-files",
        action="store_true",
        help="take capa/b/c figures from large_*.jsonl (a background run)",
    )
    parser.add_argument(
        "--update-large",
        action="store_true",
        help="refresh only the capa/b/c records of results.json from large_*.jsonl",
    )
    parser.add_argument("--large-worker", choices=sorted(SIDES))
    parser.add_argument("--build-child", nargs=2, metavar=("SIDE", "LEGS"))
    parser.add_argument("--periods-child", nargs=3, metavar=("SIDE", "LEGS", "LIMIT"))
    parser.add_argument("--handover", action="store_true")
    parser.add_argument("--limit", type=float, default=LARGE_LIMIT_S)
    parser.add_argument("--only", nargs="*", default=None, help="case groups to run")
    parser.add_argument("--shape-child", nargs=2, metavar=("CASE", "METHOD"))
    parser.add_argument(
        "--shape-methods",
        nargs="*",
        default=None,
        choices=SHAPE_METHODS,
        help="shapes methods to run; the others' figures come from shapes.jsonl",
    )
    parser.add_argument(
        "--shapes",
        nargs="*",
        default=None,
        metavar="CASE",
        help="shapes cases to run (default all of benchmarks/shapes.py CASES)",
    )
    parser.add_argument(
        "--holmberg",
        nargs="*",
        default=None,
        metavar="INSTANCE",
        help="Holmberg instances to run (default all, p1-p3 with --quick)",
    )
    args = parser.parse_args(argv)
    if args.large_worker:
        out = HERE / f"large_{args.large_worker}.jsonl"
        _large_worker(args.large_worker, args.limit, out)
        return 0
    if args.periods_child:
        side, legs, limit = args.periods_child
        _periods_child(side, int(legs), float(limit))
        return 0
    if args.shape_child:
        _shape_child(args.shape_child[0], args.shape_child[1], args.limit)
        return 0
    if args.build_child:
        _build_child(args.build_child[0], int(args.build_child[1]), args.handover)
        return 0
    if args.markdown:
        print(markdown_table(json.loads(RESULTS.read_text())))
        return 0
    if args.large_only:
        records = orlib_large(args.limit, args.reuse_large)
        print_table(records)
        return 0
    if args.update_large:
        kept = [
            r
            for r in json.loads(RESULTS.read_text())
            if not r["case"].startswith(("OR-Library cap", "OR-Library capa/"))
        ]
        records = kept + orlib_large(args.limit, True, spawn=False)
        print_table(records)
        _write(records)
        return 0
    groups = args.only or ALL_GROUPS
    records: list[dict[str, Any]] = []
    if "orlib" in groups:
        records += orlib_small(args.quick)
    if "holmberg" in groups:
        chosen = args.holmberg or (list(QUICK_HOLMBERG) if args.quick else None)
        records += holmberg(chosen, args.limit)
    if "build" in groups:
        sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6]
        records += model_build(sizes, handover=not args.quick)
    if "periods" in groups:
        records += periods_case(args.quick)
    if "sea" in groups:
        records += sea_matrix(args.quick)
    if "batch" in groups:
        records += scenario_batch(4 if args.quick else 20)
    if "uncertainty" in groups:
        records += uncertainty_draws(*((100, 20) if args.quick else (1000, 200)))
        if not args.quick:
            records += uncertainty_costly_draws(6000, 40)
    if "shapes" in groups:
        import shapes

        names = args.shapes or list(
            shapes.QUICK if args.quick else (s.name for s in shapes.CASES)
        )
        records += shapes_group(
            names,
            min(args.limit, SHAPES_LIMIT_S),
            args.shape_methods,
            repeats=1 if args.quick else SHAPES_REPEATS,  # --quick: under a minute
        )
    if "orlib" in groups and not args.quick:
        spawn = not args.large_from_files
        records += orlib_large(args.limit, args.reuse_large, spawn=spawn)
    print_table(records)
    _write(_merged(records, groups, args.quick))
    return 0


#: The case groups of the suite, in the order they run.
ALL_GROUPS = [
    "orlib",
    "holmberg",
    "build",
    "periods",
    "sea",
    "batch",
    "uncertainty",
    "shapes",
]


def _group_of(case: str) -> str | None:
    """The case group a record of results.json belongs to, from its case name."""
    if case.startswith("OR-Library"):
        return "orlib"
    if case.startswith("Holmberg"):
        return "holmberg"
    if case.startswith("model build"):
        return "build"
    if case.startswith("sea_matrix"):
        return "sea"
    if "-scenario batch" in case:
        return "batch"
    if case.startswith("shapes "):
        return "shapes"
    if case.startswith("periods,"):
        return "periods"
    if case.startswith("uncertainty,"):
        return "uncertainty"
    return None


def _merged(
    records: list[dict[str, Any]], groups: list[str], quick: bool
) -> list[dict[str, Any]]:
    """results.json updated with ``records``: a record replaces the one of the same
    case; a full run of a group (not ``--quick``) also drops that group's other
    records (but a shapes run only its cases); every other group's records are
    kept (``--only`` runs part of the suite)."""
    if not RESULTS.exists():
        return records
    fresh = {r["case"] for r in records}
    # a shapes run may pick its cases (--shapes): it replaces only those
    dropped = set() if quick else set(groups) - {"shapes"}
    kept = [
        r
        for r in json.loads(RESULTS.read_text())
        if r["case"] not in fresh and _group_of(r["case"]) not in dropped
    ]
    return kept + records


def _write(records: list[dict[str, Any]]) -> None:
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(records, indent=1) + "\n")
    os.replace(tmp, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
