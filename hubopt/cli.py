"""The ``hubopt`` command: a thin shell over the library.

Exit codes: 0 solved (optimal or feasible), 2 bad input, 3 infeasible or no solution.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import HuboptError, InfeasibleError, SolverError, ValidationError

EXIT_OK, EXIT_INPUT, EXIT_NO_SOLUTION = 0, 2, 3
#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubopt",
        description=(
            "Site logistics hubs: choose which candidate hubs to open and route flows "
            "from origins to markets at least cost."
        ),
    )
    parser.add_argument("--version", action="version", version=f"hubopt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "solve",
        help="solve a network and write summary.json, flows/hubs/markets CSV",
        description="Solve a network and write the results to a folder.",
    )
    _solve_arguments(p, overwrite_help="replace files already in the output folder")

    p = sub.add_parser(
        "validate",
        help="check a network and print every problem, or ok",
        description="Validate a network: print every problem found, or 'ok'.",
    )
    p.add_argument("network", help="folder of CSV tables or a .gpkg file")

    p = sub.add_parser(
        "brief",
        help="solve a network and write the briefing pack (brief.html, maps, tables)",
        description=(
            "Solve a network and write a briefing pack: brief.html, map.png, "
            "map.pdf, interactive_map.html, the result tables as CSV and results.gpkg."
        ),
    )
    _solve_arguments(
        p, overwrite_help="replace files of an earlier pack in the output folder"
    )

    p = sub.add_parser("datasets", help="list the bundled networks")

    for name, text in (
        ("compare", "solve every scenario of a TOML file and compare them"),
        ("robust", "choose the hubs that hold up best across the scenarios"),
    ):
        p = sub.add_parser(name, help=text, description=text + ".")
        p.add_argument("scenarios", help="scenario TOML file (see docs/scenarios.md)")
        p.add_argument("--out", required=True, help="output folder")
        p.add_argument(
            "--network",
            default=None,
            help="folder or .gpkg (default: the file's network, else the bundled one)",
        )
        p.add_argument(
            "--workers",
            type=int,
            default=None,
            help="local worker processes (default: one per CPU; 1 solves here, "
            "one scenario after another)",
        )
        if name == "robust":
            p.add_argument(
                "--criterion",
                choices=("minmax_regret", "expected"),
                default="minmax_regret",
            )
        p.add_argument(
            "--overwrite",
            action="store_true",
            help="replace the results of an earlier run in the output folder",
        )
    return parser


def _solve_arguments(p: argparse.ArgumentParser, *, overwrite_help: str) -> None:
    """The arguments of the commands that solve one network: NETWORK, --out, the
    solve options and --overwrite."""
    p.add_argument(
        "network",
        nargs="?",
        default=None,
        help="folder of CSV tables or a .gpkg file (default: the bundled "
        "morocco_kazakhstan network)",
    )
    p.add_argument("--out", required=True, help="output folder")
    _solve_options(p)
    p.add_argument("--overwrite", action="store_true", help=overwrite_help)


def _solve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-hubs", type=int, default=None, help="open at most N hubs")
    p.add_argument("--min-hubs", type=int, default=None, help="open at least N hubs")
    p.add_argument(
        "--solver", choices=("highs", "cbc"), default="highs", help="MILP solver"
    )
    p.add_argument(
        "--time-limit", type=float, default=None, metavar="S", help="seconds"
    )
    p.add_argument(
        "--gap", type=float, default=None, metavar="G", help="relative MIP gap"
    )
    p.add_argument(
        "--carbon-price",
        type=float,
        default=None,
        metavar="P",
        help="price per tonne of CO2 added to the objective",
    )
    p.add_argument(
        "--log",
        action="store_true",
        help="print the solver's progress while it runs (for long solves)",
    )


def _load(network: str | None):
    from . import datasets
    from .io import read_network

    if network is None:
        names = datasets.list()
        name = "morocco_kazakhstan" if "morocco_kazakhstan" in names else "tiny"
        return datasets.load(name)
    return read_network(network)


def _error(text: str) -> None:
    print(f"hubopt: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Parameters
    ----------
    argv
        The arguments after ``hubopt``; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        0 solved (optimal or feasible), 2 bad input, 3 infeasible or no solution, 130
        interrupted.

    Examples
    --------
    >>> from hubopt.cli import main
    >>> main(["datasets"])
    morocco_kazakhstan: Kazakh wheat -> Moroccan hub port -> African markets
    tiny: a made-up, hand-checkable network (2 origins, 3 hubs, 3 markets)
    0
    >>> main(["validate", "no/such/folder"])  # the message goes to stderr
    2
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        return _dispatch(args)
    except ValidationError as exc:
        _error(str(exc))
        return EXIT_INPUT
    except InfeasibleError as exc:
        _error(str(exc))
        return EXIT_NO_SOLUTION
    except SolverError as exc:
        _error(str(exc))
        return EXIT_NO_SOLUTION
    except HuboptError as exc:
        _error(str(exc))
        return EXIT_INPUT
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from .io import read_network

        read_network(args.network)
        print("ok")
        return EXIT_OK
    if args.command == "datasets":
        from . import datasets

        for name in datasets.list():
            print(f"{name}: {datasets.DATASETS[name]}")
        return EXIT_OK
    if args.command == "solve":
        return _solve(args)
    if args.command in ("compare", "robust"):
        return _scenario_batch(args)
    if args.command == "brief":
        return _brief(args)
    msg = f"unknown command {args.command!r}"
    raise ValidationError(msg)


def _solve(args: argparse.Namespace) -> int:

    network = _load(args.network)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"--out '{out}' is a file, not a folder"
        raise ValidationError(msg)
    existing = [
        out / name
        for name in (
            "summary.json",
            "run.json",
            "flows.csv",
            "hubs.csv",
            "markets.csv",
            "paths.csv",
        )
        if (out / name).exists()
    ]
    if existing and not args.overwrite:
        msg = (
            f"'{existing[0]}' exists; pass --overwrite to replace the results in "
            f"'{out}', or choose another --out"
        )
        raise ValidationError(msg)
    result = _solve_with_args(network, args)
    result.write(out, overwrite=args.overwrite)
    if result.interrupted:
        if result.status in ("optimal", "feasible"):
            print(result.summary())
        _error(
            f"interrupted: status {result.status}; what was found is in {out}/"
            f" ({out / 'summary.json'} records it)"
        )
        return EXIT_INTERRUPTED
    if result.status in ("optimal", "feasible"):
        print(result.summary())
        print(f"results written to {out}/")
        return EXIT_OK
    _error(
        f"no solution: status {result.status}"
        + (f" ({result.message})" if result.message else "")
        + f"; {out / 'summary.json'} records it"
    )
    if result.status in ("infeasible", "unbounded"):
        explain = _explain(network, result)
        if explain:
            _error(explain)
    return EXIT_NO_SOLUTION


def _solve_with_args(network, args: argparse.Namespace):
    """Solve with the options of ``solve`` / ``brief``; a Result whatever its status."""
    from .solving import solve

    return solve(
        network,
        max_hubs=args.max_hubs,
        min_hubs=args.min_hubs,
        carbon_price_per_t_co2=args.carbon_price,
        solver=args.solver,
        time_limit_s=args.time_limit,
        mip_gap=args.gap,
        msg=args.log,
        raise_on_failure=False,
    )


def _brief(args: argparse.Namespace) -> int:
    from .report import write_brief

    network = _load(args.network)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"--out '{out}' is a file, not a folder"
        raise ValidationError(msg)
    result = _solve_with_args(network, args)
    if result.status not in ("optimal", "feasible"):
        _error(
            f"no solution: status {result.status}"
            + (f" ({result.message})" if result.message else "")
            + "; no brief written"
        )
        return EXIT_NO_SOLUTION
    from .report import direct_baseline, short_answer

    baseline = direct_baseline(result)
    page = write_brief(result, out, baseline=baseline, overwrite=args.overwrite)
    print(short_answer(result, baseline))
    print(f"briefing pack written to {out}/ (open {page})")
    return EXIT_OK


def _scenario_batch(args: argparse.Namespace) -> int:
    """compare / robust: a comparison CSV and one results folder per scenario."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .decisions import robust
    from .io import read_network, write_csv_atomic
    from .scenarios import compare, read_scenarios

    spec = read_scenarios(args.scenarios)
    if args.network is not None:
        network = read_network(args.network)
    elif spec.network is not None:
        network = read_network(spec.network)
    else:
        network = _load(None)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"--out '{out}' is a file, not a folder"
        raise ValidationError(msg)
    name = "comparison.csv" if args.command == "compare" else "robust.csv"
    earlier = [p for p in (out / name, out / "scenarios") if p.exists()]
    if earlier and not args.overwrite:
        msg = (
            f"'{earlier[0]}' exists; pass --overwrite to replace the results in "
            f"'{out}', or choose another --out"
        )
        raise ValidationError(msg)
    out.mkdir(parents=True, exist_ok=True)
    if args.workers is not None and args.workers < 1:
        msg = f"--workers must be 1 or more, got {args.workers}"
        raise ValidationError(msg)
    executor: Any = None
    if args.workers == 1:
        executor = "serial"
    elif args.workers:
        # spawn, not fork: a forked worker inherits HiGHS's thread pool without its
        # threads and hangs once this process has solved (robust solves here)
        executor = ProcessPoolExecutor(
            args.workers, mp_context=multiprocessing.get_context("spawn")
        )
    try:
        if args.command == "compare":
            cmp = compare(
                network, spec.scenarios, executor=executor, **spec.solve_options
            )
            table, results = cmp.table, cmp.results
        else:
            choice = robust(
                network,
                spec.scenarios,
                criterion=args.criterion,
                executor=executor,
                **spec.solve_options,
            )
            table, results = choice.table, choice.results
            print(f"robust choice ({args.criterion}): {choice.hubs or 'no hub'}")
    finally:
        if isinstance(executor, ProcessPoolExecutor):
            executor.shutdown()
    write_csv_atomic(table.reset_index(), out / name, True)
    for scenario, result in results.items():
        result.write(out / "scenarios" / scenario, overwrite=True)
    _comparison_maps(results, out / "maps")
    print(table.drop(columns=["message"], errors="ignore").to_string())
    print(f"results written to {out}/ ({name}, scenarios/<name>/)")
    return EXIT_OK


def _comparison_maps(results: dict, folder: Path) -> None:
    """One map per scenario of what changes against the first scenario."""
    from .maps import comparison_map

    solved = {k: r for k, r in results.items() if r.status in ("optimal", "feasible")}
    if len(solved) < 2:
        return
    folder.mkdir(parents=True, exist_ok=True)
    first, *others = solved
    for name in others:
        comparison_map(
            solved[first],
            solved[name],
            folder / f"{name}.png",
            labels=(first, name),
            dpi=100,
        )


def _explain(network, result) -> str:
    """Why the solve of ``result`` found no solution, with that solve's options
    (--max-hubs, --min-hubs, the solver)."""
    try:
        from .diagnose import explain_infeasible
    except ImportError:  # pragma: no cover
        return ""
    return explain_infeasible(network, result).text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
