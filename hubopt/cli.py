"""The ``hubopt`` command: a thin shell over the library.

Exit codes: 0 solved (optimal or feasible), 2 bad input, 3 infeasible or no solution.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import datasets, solving
from ._tables import rounded
from ._version import __version__
from .briefing import analyse
from .decisions import robust
from .diagnose import explain_infeasible
from .errors import (
    HuboptError,
    InfeasibleError,
    SolverError,
    SolverMissingError,
    ValidationError,
)
from .io import read_network, write_csv_atomic
from .maps import comparison_map
from .options import ModelOptions, SolveOptions, SolverSettings
from .outputs import check_target, file_names, output_folder
from .parallel import worker_context
from .periods import Periods, check_periods, read_periods
from .report import (
    PACK_FILES,
    PERIOD_PACK_FILES,
    UNCERTAINTY_FILES,
    short_answer,
    write_brief,
)
from .scenarios import compare, read_scenarios, table_text
from .uncertainty import ranges_of, read_ranges
from .uncertainty import uncertainty as monte_carlo

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
    p.add_argument(
        "network", help="folder of CSV tables, a .gpkg file or a bundled network's name"
    )
    _periods_option(p)

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
    _brief_arguments(p)

    p = sub.add_parser("datasets", help="list the bundled networks")

    p = sub.add_parser(
        "uncertainty",
        help="Monte Carlo over the cost ranges: how often each hub portfolio is best",
        description=(
            "Draw the network's uncertain cost figures (its uncertainty.csv) by "
            "Latin hypercube, solve each draw and write the probability of each "
            "portfolio, cost quantiles, regret and a tornado. Interrupted runs "
            "keep the draws done; run again with the same --out to resume."
        ),
    )
    p.add_argument(
        "network",
        nargs="?",
        default=None,
        help="folder of CSV tables or a bundled network's name (default: "
        "morocco_kazakhstan)",
    )
    p.add_argument("--draws", type=int, default=200, help="draws (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--ranges", default=None, help="uncertainty table (default: NETWORK's)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local worker processes (default: one per CPU; 1: solve here)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the results of an earlier, different run in the folder",
    )

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
            help="folder, .gpkg or a bundled network's name (default: the file's "
            "network, else the bundled one)",
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
        _csv_guard_option(p)
    return parser


def _solve_arguments(p: argparse.ArgumentParser, *, overwrite_help: str) -> None:
    """The arguments of the commands that solve one network: NETWORK, --out, the
    solve options and --overwrite."""
    p.add_argument(
        "network",
        nargs="?",
        default=None,
        help="folder of CSV tables, a .gpkg file or a bundled network's name "
        "(hubopt datasets; default: morocco_kazakhstan)",
    )
    p.add_argument("--out", required=True, help="output folder")
    _solve_options(p)
    _periods_option(p)
    p.add_argument("--overwrite", action="store_true", help=overwrite_help)
    _csv_guard_option(p)


def _periods_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--periods",
        default=None,
        metavar="DIR",
        help="solve over periods: a folder with periods.csv and period_values.csv, "
        "a sub-folder of the network's folder (e.g. monthly) or a bundled periods "
        "name (e.g. morocco_kazakhstan_monthly); see docs/format.md, 'Periods'",
    )


def _brief_arguments(p: argparse.ArgumentParser) -> None:
    """The options of the brief's page: title, author, paper size."""
    p.add_argument("--title", default=None, help="the brief's heading")
    p.add_argument(
        "--author", default=None, help="author or organisation, under the title"
    )
    p.add_argument(
        "--paper",
        type=str.lower,
        choices=("a4", "letter"),
        default="a4",
        help="page size of the print style (default a4)",
    )
    p.add_argument(
        "--draws",
        type=int,
        default=0,
        help="state the headline as probabilities from this many uncertainty draws "
        "over the network's uncertainty.csv (hubopt uncertainty; default 0: none)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")


def _csv_guard_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-csv-guard",
        dest="guard_formulas",
        action="store_false",
        help="write CSV text cells that start with = + - @, TAB or CR as they are "
        "(by default they get a leading ' so that a spreadsheet shows them instead "
        "of running them as formulas; numbers such as -3 are never changed)",
    )


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
        "--programme-t",
        type=float,
        default=None,
        metavar="T",
        help="a fixed programme: deliver at least T tonnes in all, whatever the "
        "markets' alternative costs (default: the model decides how much)",
    )
    p.add_argument(
        "--single-sourcing",
        action="store_true",
        help="serve each market from one hub or one direct leg",
    )
    p.add_argument(
        "--log",
        action="store_true",
        help="print the solver's progress while it runs (for long solves)",
    )


def _default_dataset() -> str:
    """The bundled network a command reads when none is named."""

    return "morocco_kazakhstan" if "morocco_kazakhstan" in datasets.list() else "tiny"


def _load(network: str | None):
    """The network a command names: a folder or .gpkg, or a bundled network's name
    (``hubopt datasets`` lists them); the bundled one when None."""

    return read_network(_input_path(network), name=_dataset_name(network))


def _dataset_name(network: str | None) -> str | None:
    """The bundled network's name when ``network`` names one, not a path."""

    if network is None:
        return _default_dataset()
    if not Path(network).exists() and network in datasets.list():
        return network
    return None


def _input_path(network: str | None) -> Path:
    """Where the network of a command is read from."""

    name = _dataset_name(network)
    if name is not None:
        return datasets.path(name)
    path = Path(str(network))
    if not path.exists():
        msg = (
            f"network '{network}': no such file or folder, nor a bundled network "
            f"(bundled: {', '.join(datasets.list())})"
        )
        raise ValidationError(msg)
    return path


def _periods_folder(periods: str, network: str | None) -> Path:
    """Where ``--periods`` is read from: a folder, a sub-folder of the network's
    folder, or a bundled periods set."""

    path = Path(periods)
    if path.is_dir():
        return path
    base = _input_path(network)
    if base.is_dir() and (base / periods).is_dir():
        return base / periods
    if periods in datasets.PERIODS:
        return datasets.periods_path(periods)
    msg = (
        f"periods '{periods}': no such folder, nor a folder of the network "
        f"'{base}', nor bundled periods (bundled: {', '.join(datasets.PERIODS)})"
    )
    raise ValidationError(msg)


def _load_periods(args: argparse.Namespace, network: Any) -> Periods | None:
    """The periods ``--periods`` names, checked against the network; None without."""

    if args.periods is None:
        return None
    periods = read_periods(_periods_folder(args.periods, args.network))
    check_periods(network, periods)
    return periods


def _inputs(args: argparse.Namespace) -> list[Path]:
    """The folders a command reads, which its output may not overwrite."""

    inputs = [_input_path(args.network)]
    if getattr(args, "periods", None) is not None:
        inputs.append(_periods_folder(args.periods, args.network))
    return inputs


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
    except SolverMissingError as exc:  # an install problem, not the network's
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
        network = _load(args.network)
        periods = _load_periods(args, network)
        if periods is not None:
            print(
                f"periods: {len(periods)} ({', '.join(periods.ids)}), "
                f"{len(periods.values)} period values"
            )
        print("ok")
        return EXIT_OK
    if args.command == "datasets":
        for name in datasets.list():
            print(f"{name}: {datasets.DATASETS[name]}")
        return EXIT_OK
    if args.command == "solve":
        return _solve(args)
    if args.command in ("compare", "robust"):
        return _scenario_batch(args)
    if args.command == "brief":
        return _brief(args)
    if args.command == "uncertainty":
        return _uncertainty(args)
    msg = f"unknown command {args.command!r}"
    raise ValidationError(msg)


def _uncertainty(args: argparse.Namespace) -> int:
    network = _load(args.network)
    ranges = (
        read_ranges(args.ranges)
        if args.ranges
        else ranges_of(_input_path(args.network))
    )
    try:
        found = monte_carlo(
            network,
            draws=args.draws,
            seed=args.seed,
            executor="serial" if args.workers == 1 else None,
            ranges=ranges,
            out=args.out,
            overwrite=args.overwrite,
            max_workers=args.workers,
        )
    except KeyboardInterrupt:
        _error(
            f"interrupted: the draws done are kept in {args.out}; run the same "
            "command again to resume"
        )
        return EXIT_INTERRUPTED
    print(found.headline())
    return EXIT_OK


def _solve(args: argparse.Namespace) -> int:

    network = _load(args.network)
    periods = _load_periods(args, network)
    out = check_target(args.out, overwrite=args.overwrite, inputs=_inputs(args))
    result = _solve_with_args(network, args, periods)
    result.write(out, overwrite=args.overwrite, guard_formulas=args.guard_formulas)
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


def _solve_with_args(network, args: argparse.Namespace, periods: Periods | None):
    """Solve with the options of ``solve`` / ``brief`` (over ``periods`` when given);
    a Result whatever its status."""

    options = SolveOptions(
        ModelOptions(
            max_hubs=args.max_hubs,
            min_hubs=args.min_hubs,
            carbon_price_per_t_co2=args.carbon_price,
            programme_t=args.programme_t,
            single_sourcing=args.single_sourcing,
        ),
        SolverSettings(
            solver=args.solver,
            time_limit_s=args.time_limit,
            mip_gap=args.gap,
            msg=args.log,
        ),
    )
    return solving.solve(network, options, raise_on_failure=False, periods=periods)


def _brief(args: argparse.Namespace) -> int:

    network = _load(args.network)
    periods = _load_periods(args, network)
    out = check_target(
        args.out,
        overwrite=args.overwrite,
        inputs=_inputs(args),
        names=PACK_FILES + UNCERTAINTY_FILES + PERIOD_PACK_FILES,
    )
    result = _solve_with_args(network, args, periods)
    if result.status not in ("optimal", "feasible"):
        _error(
            f"no solution: status {result.status}"
            + (f" ({result.message})" if result.message else "")
            + "; no brief written"
        )
        return EXIT_INTERRUPTED if result.interrupted else EXIT_NO_SOLUTION
    found = analyse(result, progress=True)
    draws = None
    if args.draws > 0:
        draws = monte_carlo(
            network,
            draws=args.draws,
            seed=args.seed,
            ranges=ranges_of(_input_path(args.network)),
            options=result.options,
        )
    page = write_brief(
        result,
        out,
        baseline=found.baseline,
        single_hub=found.single_hub,
        ranking=found.ranking,
        break_evens=found.break_evens,
        overwrite=args.overwrite,
        guard_formulas=args.guard_formulas,
        interrupted=found.interrupted,
        title=args.title,
        author=args.author,
        paper=args.paper,
        uncertainty=draws,
    )
    if draws is not None:
        print(draws.headline())
    print(short_answer(result, found.baseline, found.single_hub))
    if found.interrupted or result.interrupted:
        _error(f"interrupted: what was found is in {out}/ (open {page})")
        return EXIT_INTERRUPTED
    print(f"briefing pack written to {out}/ (open {page})")
    return EXIT_OK


def _scenario_batch(args: argparse.Namespace) -> int:
    """compare / robust: a comparison CSV and one results folder per scenario."""
    from concurrent.futures import ProcessPoolExecutor

    spec = read_scenarios(args.scenarios)
    if args.network is not None:
        source = _input_path(args.network)
        network = _load(args.network)
    elif spec.network is not None:
        source = spec.network
        network = read_network(source)
    else:
        source = _input_path(None)
        network = _load(None)
    periods = None
    if spec.periods is not None:
        if args.command == "robust":
            msg = (
                f"{args.scenarios}: key 'periods': hubopt robust does not solve over "
                "periods yet; use hubopt compare, or leave periods out"
            )
            raise ValidationError(msg)
        periods = read_periods(spec.periods)
        check_periods(network, periods)
    name = "comparison.csv" if args.command == "compare" else "robust.csv"
    entries = (name, "scenarios", "maps")
    inputs = [source, *([spec.periods] if spec.periods is not None else [])]
    out = check_target(args.out, overwrite=args.overwrite, inputs=inputs, names=entries)
    if args.workers is not None and args.workers < 1:
        msg = f"--workers must be 1 or more, got {args.workers}"
        raise ValidationError(msg)
    executor: Any = None
    if args.workers == 1:
        executor = "serial"
    elif args.workers:
        # spawn, not fork: a forked worker inherits HiGHS's thread pool without its
        # threads and hangs once this process has solved (robust solves here)
        executor = ProcessPoolExecutor(args.workers, mp_context=worker_context())
    try:
        if args.command == "compare":
            over = {"periods": periods} if periods is not None else {}
            cmp = compare(
                network,
                spec.scenarios,
                executor=executor,
                **spec.solve_options,
                **over,
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
    with output_folder(out, overwrite=args.overwrite) as staging:
        _write_batch(staging, name, table, results, args.guard_formulas)
    print(table_text(table))
    for reason in _reasons(table):
        print(reason)
    print(f"results written to {out}/ ({name}, scenarios/<name>/)")
    return EXIT_OK


def _reasons(table: Any) -> list[str]:
    """One line per scenario without a solution: why (the message of the CSV)."""

    lines = []
    for name, row in table.iterrows():
        status = str(row.get("status", ""))
        if status in ("optimal", "feasible", "") or "status" not in row:
            continue
        message = str(row.get("message") or "")
        lines.append(f"{status}: {message or f'scenario {name!r} has no solution'}")
    return lines


def _write_batch(
    folder: Path, name: str, table: Any, results: dict, guard_formulas: bool
) -> None:
    """The files of compare / robust: the table, with the folder of each scenario's
    results (scenario names mapped to safe file names), and the maps."""

    files = file_names(str(s) for s in table.index)
    rows = table.reset_index()
    rows["folder"] = [
        f"scenarios/{files[str(s)]}" if s in results else "" for s in table.index
    ]
    write_csv_atomic(rounded(rows), folder / name, guard_formulas=guard_formulas)
    for scenario, result in results.items():
        result.write_tables(
            folder / "scenarios" / files[str(scenario)], guard_formulas=guard_formulas
        )
    _comparison_maps(results, folder / "maps", files)


def _comparison_maps(results: dict, folder: Path, files: dict[str, str]) -> None:
    """One map per scenario of what changes against the first scenario."""

    solved = {k: r for k, r in results.items() if r.status in ("optimal", "feasible")}
    if len(solved) < 2:
        return
    folder.mkdir(parents=True, exist_ok=True)
    first, *others = solved
    for name in others:
        comparison_map(
            solved[first],
            solved[name],
            folder / f"{files[str(name)]}.png",
            labels=(first, name),
            dpi=100,
        )


def _explain(network, result) -> str:
    """Why the solve of ``result`` found no solution, with that solve's options
    (--max-hubs, --min-hubs, the solver)."""

    return explain_infeasible(network, result).text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
