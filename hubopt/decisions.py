"""Decisions beyond one optimum: robust hubs, cost-CO2 trade-offs, alternatives and
parameter sweeps. The models live in :mod:`hubopt.model`; this module orchestrates
solves (in parallel through :mod:`hubopt.parallel`) and tabulates them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import model, solving
from .deadline import Deadline
from .errors import HuboptError, InfeasibleError, ValidationError
from .network import Network
from .options import SolveOptions
from .parallel import map_tasks
from .result import Result
from .scenarios import (
    Scenario,
    _geo,
    _solve_and_summarise,
    _unique,
    solve_scenario,
    write_table,
)


# ------------------------------------------------------------------------------------
# robust
# ------------------------------------------------------------------------------------
@dataclass
class RobustResult:
    """The hub choice that holds up across scenarios.

    Attributes
    ----------
    criterion
        "minmax_regret" or "expected".
    hubs
        Chosen hub id -> level name.
    status, objective, gap
        Of the robust MILP (the worst regret, or the expected cost).
    table
        Per scenario: probability, own_hubs, own_cost (the scenario's own optimum),
        robust_cost (its cost under the robust choice), regret and regret_share
        (regret / own_cost).
    results
        Scenario name -> Result under the robust choice.
    own_results
        Scenario name -> the scenario's own optimal Result.
    two_stage_results
        Scenario name -> the two-stage model's own solution for that scenario (its
        flows, and the chosen hubs this scenario does not close), as a Result that
        :func:`hubopt.check_solution` can check; its objective is the scenario's
        cost (fixed costs of those hubs plus flow costs).

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> runs = [hubopt.Scenario("base"), hubopt.Scenario("no H2", close_hubs=["H2"])]
    >>> choice = hubopt.robust(net, runs, executor="serial", progress=False)
    >>> choice.criterion, choice.status, choice.hubs
    ('minmax_regret', 'optimal', {'H1': 'base', 'H2': 'base', 'H3': 'base'})
    """

    criterion: str
    hubs: dict[str, str]
    status: str
    objective: float | None
    gap: float | None
    table: pd.DataFrame
    results: dict[str, Result]
    own_results: dict[str, Result]
    two_stage_results: dict[str, Result] = field(default_factory=dict)

    def write_csv(self, file: str | Path) -> Path:
        """The table as CSV, rounded (:func:`hubopt.scenarios.write_table`)."""
        return write_table(self.table, file)

    @property
    def max_regret(self) -> float:
        """The largest regret over the scenarios.

        Examples
        --------
        >>> import hubopt
        >>> net = hubopt.datasets.tiny()
        >>> runs = [hubopt.Scenario("base"), hubopt.Scenario("-H2", close_hubs=["H2"])]
        >>> hubopt.robust(net, runs, executor="serial", progress=False).max_regret
        150.0
        """
        return float(self.table["regret"].max())


def chosen_levels(result: Result) -> dict[str, str]:
    """The open hubs of a result and their levels, hub id -> level.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.decisions import chosen_levels
    >>> chosen_levels(hubopt.solve(hubopt.datasets.tiny()))
    {'H1': 'base', 'H2': 'base'}
    """
    hubs = result.hubs
    opened = hubs[hubs["open"]]
    return dict(zip(opened["hub_id"], opened["level"], strict=True))


def fix_hubs(network: Network, hubs: dict[str, str]) -> Network:
    """The network with exactly these hubs open at these levels (every other hub
    closed); a hub the network already closes stays closed.

    A fixed hub is built and paid for; it moves only the tonnes for which it is the
    cheapest route, possibly none (solve with ``min_throughput_t`` to require more).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.decisions import fix_hubs
    >>> only_h2 = fix_hubs(hubopt.datasets.tiny(), {"H2": "base"})
    >>> only_h2.hubs["status"].tolist()
    ['closed', 'open', 'closed']
    >>> hubopt.solve(only_h2).objective
    1460.0
    """
    table = network.hubs
    levels = network.hub_levels
    chosen = table["id"].isin(list(hubs)) & (table["status"] != "closed")
    table["status"] = np.where(chosen, "open", "closed")
    if len(levels):
        keep = [
            hub not in hubs or str(level) == hubs[hub]
            for hub, level in zip(levels["hub_id"], levels["level"], strict=True)
        ]
        levels = levels[keep]
    legs = network.legs
    if "geometry" in legs.columns:
        legs = _geo(legs)
    return network.replace(hubs=table, hub_levels=levels, legs=legs)


def _solve_fixed(
    network: Network, hubs: dict[str, str], options: dict[str, Any]
) -> Result:

    return solving.solve(fix_hubs(network, hubs), raise_on_failure=False, **options)


def _model_options(options: dict[str, Any]) -> model.ModelOptions:
    """The model options of a dict of flat solve keywords, checked (an unknown name
    or a bad value is a ValidationError)."""
    return SolveOptions(**options).model


def robust(
    network: Network,
    scenarios: Iterable[Scenario],
    *,
    criterion: str = "minmax_regret",
    probabilities: Sequence[float] | None = None,
    executor: Any = None,
    progress: bool = True,
    **solve_options: Any,
) -> RobustResult:
    """The hub decision that is best across scenarios.

    "minmax_regret" minimises the worst regret, cost under the choice minus the
    scenario's own optimum; "expected" minimises the expected cost in one two-stage
    stochastic MILP (hubs chosen once, flows per scenario). See docs/scenarios.md.

    Parameters
    ----------
    network
        The base network.
    scenarios
        Scenarios (with the same candidate hubs and levels once applied).
    criterion
        "minmax_regret" (default) or "expected".
    probabilities
        Scenario weights for "expected"; by default each scenario's ``probability``,
        else equal weights. Normalised to sum to 1.
    executor, progress
        See :func:`hubopt.parallel.map_tasks`; the scenario optima and the
        evaluations under the robust choice run in parallel.
    **solve_options
        Options of :func:`hubopt.solve` (solver, time_limit_s, max_hubs, ...).

    Returns
    -------
    RobustResult

    Raises
    ------
    ValidationError
        Bad criterion or probabilities.
    InfeasibleError
        When a scenario has no solution or no hub choice serves every scenario.

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> runs = [hubopt.Scenario("base"), hubopt.Scenario("no H2", close_hubs=["H2"])]
    >>> choice = hubopt.robust(net, runs, executor="serial", progress=False)
    >>> choice.table.iloc[:, [2, 4, 5]]  # doctest: +NORMALIZE_WHITESPACE
              own_cost  robust_cost  regret
    scenario
    base        1140.0       1170.0    30.0
    no H2       1370.0       1520.0   150.0
    """

    scenarios = list(scenarios)
    weights = _robust_arguments(scenarios, criterion, probabilities)
    options = dict(solve_options)
    options.pop("raise_on_failure", None)
    checked = SolveOptions(**options)
    own_results = _scenario_optima(network, scenarios, options, executor, progress)
    networks = [own_results[s.name].network for s in scenarios]
    two_stage = model.build_two_stage(
        networks,
        weights,
        checked.model,
        criterion=criterion,
        own_optima=[own_results[s.name].objective for s in scenarios],
    )
    raw = solving.run(
        two_stage.built, checked.settings, Deadline(checked.settings.time_limit_s)
    )
    solving.raise_for_status(
        raw, "the robust model", infeasible="no hub choice serves every scenario"
    )
    levels = two_stage.built.levels
    hubs = {
        str(levels.hub[k]): str(levels.level[k])
        for k in range(len(levels.hub))
        if raw.open_level[k] > 0.5
    }
    evaluated = map_tasks(
        _solve_fixed,
        [(net, hubs, options) for net in networks],
        executor=executor,
        progress=progress,
        label="robust choice",
    )
    return RobustResult(
        criterion=criterion,
        hubs=hubs,
        status=raw.status,
        objective=raw.objective,
        gap=raw.gap,
        table=_robust_table(scenarios, weights, own_results, evaluated, hubs),
        results={s.name: r for s, r in zip(scenarios, evaluated, strict=True)},
        own_results=own_results,
        two_stage_results={
            s.name: r
            for s, r in zip(
                scenarios,
                _two_stage_results(two_stage, raw, networks, checked),
                strict=True,
            )
        },
    )


def _two_stage_results(
    two_stage: model.TwoStageModel,
    raw: model.RawSolution,
    networks: list[Network],
    options: SolveOptions,
) -> list[Result]:
    """The two-stage solution read block by block: one Result per scenario, with
    that scenario's flows and the chosen levels its network does not close."""
    built = two_stage.built
    values = raw.values
    if values is None:  # pragma: no cover - a solved model has its column values
        return []
    results = []
    for net, block in zip(networks, two_stage.blocks, strict=True):
        f = block.data
        linked = np.full(len(built.levels.hub), -1, dtype=np.int64)
        linked[f.block_levels] = f.open_[f.block_levels]
        view = model.BuiltModel(
            arrays=built.arrays,
            flow=f.flow,
            open=linked,
            unmet=f.unmet,
            path_legs=np.column_stack([f.path_in, f.path_out]),
            path_cols=f.path_cols,
            levels=built.levels,
            leg_objective=f.coef,
            n_destinations=len(f.demand),
        )
        fixed = float(
            built.levels.fixed_cost[f.block_levels]
            @ np.round(values[f.open_[f.block_levels]])
        )
        cost = fixed + float(block.cost_values @ values[block.cost_cols])
        part = model.RawSolution(
            raw.status, cost, None, None, raw.runtime_s, raw.solver
        )
        model._read_values(view, part, values)
        results.append(Result(net, part, built.levels, f.coef, options))
    return results


def _robust_arguments(
    scenarios: list[Scenario], criterion: str, probabilities: Sequence[float] | None
) -> list[float]:
    """Check robust()'s scenarios and criterion; the scenario weights."""
    if not scenarios:
        msg = "robust() needs at least one scenario"
        raise ValidationError(msg)
    _unique(scenarios)
    if criterion not in ("minmax_regret", "expected"):
        msg = f"criterion must be 'minmax_regret' or 'expected', got {criterion!r}"
        raise ValidationError(msg)
    weights = _weights(scenarios, probabilities)
    if any(s.carbon_price_per_t_co2 is not None for s in scenarios):
        msg = (
            "robust(): scenarios with their own carbon price are not supported; pass "
            "carbon_price_per_t_co2 as a solve option for all"
        )
        raise ValidationError(msg)
    return weights


def _scenario_optima(
    network: Network,
    scenarios: list[Scenario],
    options: dict[str, Any],
    executor: Any,
    progress: bool,
) -> dict[str, Result]:
    """Each scenario's own optimum, by name; InfeasibleError naming every scenario
    without a solution."""
    own = map_tasks(
        solve_scenario,
        [(network, s, options) for s in scenarios],
        executor=executor,
        progress=progress,
        label="scenario optima",
    )
    problems = []
    for s, (result, message) in zip(scenarios, own, strict=True):
        if result is None:  # the message of Scenario.apply names the scenario
            problems.append(message)
        elif result.status not in ("optimal", "feasible"):
            problems.append(f"scenario '{s.name}': {result.status}")
    if problems:
        raise InfeasibleError("\n".join(problems))
    return {s.name: r for s, (r, _) in zip(scenarios, own, strict=True)}


def _robust_table(
    scenarios: list[Scenario],
    weights: list[float],
    own_results: dict[str, Result],
    evaluated: list[Result],
    hubs: dict[str, str],
) -> pd.DataFrame:
    """Per scenario: its own optimum against the robust choice, and the regret."""
    rows = []
    for s, weight, result in zip(scenarios, weights, evaluated, strict=True):
        own = own_results[s.name]
        cost = result.objective if result.status in ("optimal", "feasible") else np.nan
        # a chosen hub that this scenario closes is built all the same: pay for it
        cost += _closed_build_cost(own.network, hubs)
        regret = cost - own.objective
        rows.append(
            {
                "probability": weight,
                "own_hubs": ";".join(own.open_hubs),
                "own_cost": own.objective,
                "robust_hubs": ";".join(result.open_hubs),
                "robust_cost": cost,
                "regret": max(regret, 0.0)
                if abs(regret) < 1e-6 * max(abs(own.objective), 1.0)
                else regret,
                "regret_share": regret / own.objective if own.objective else np.nan,
            }
        )
    table = pd.DataFrame(rows, index=pd.Index([s.name for s in scenarios]))
    table.index.name = "scenario"
    table["regret"] = table["regret"].clip(lower=0.0)
    table["regret_share"] = table["regret_share"].clip(lower=0.0)
    return table


def _closed_build_cost(network: Network, hubs: dict[str, str]) -> float:
    """Fixed cost of the chosen hubs (and levels) that a scenario's network closes."""
    table = network.hubs.set_index("id")
    levels = network.hub_levels
    total = 0.0
    for hub, level in hubs.items():
        if hub not in table.index or table.loc[hub, "status"] != "closed":
            continue
        mine = (levels["hub_id"] == hub) & (levels["level"].astype(str) == level)
        rows = levels[mine]
        total += (
            float(rows["fixed_cost"].iloc[0])
            if len(rows)
            else float(table.loc[hub, "fixed_cost"])
        )
    return total


def _weights(
    scenarios: Sequence[Scenario], probabilities: Sequence[float] | None
) -> list[float]:
    if probabilities is None:
        given = [s.probability for s in scenarios]
        if all(p is not None for p in given):
            probabilities = [float(p) for p in given]  # type: ignore[arg-type]
        else:
            probabilities = [1.0] * len(scenarios)
    values = np.asarray(list(probabilities), dtype=float)
    if len(values) != len(scenarios):
        msg = (
            f"{len(values)} probabilities for {len(scenarios)} scenarios; give one "
            "per scenario"
        )
        raise ValidationError(msg)
    if not np.all(np.isfinite(values)) or (values < 0).any() or values.sum() <= 0:
        msg = f"probabilities must be >= 0 with a positive sum, got {list(values)}"
        raise ValidationError(msg)
    return list(values / values.sum())


# ------------------------------------------------------------------------------------
# pareto
# ------------------------------------------------------------------------------------
#: Carbon price used to find the low-CO2 end of the frontier (USD per t CO2): far
#: above any freight cost per tonne, so CO2 dominates the objective.
_CO2_END_PRICE = 1e5


def _solve_with(network: Network, options: dict[str, Any]) -> Result:

    return solving.solve(network, raise_on_failure=False, **options)


def pareto(
    network: Network,
    objectives: Sequence[str] = ("cost", "co2"),
    *,
    points: int = 5,
    executor: Any = None,
    progress: bool = True,
    **solve_options: Any,
) -> list[Result]:
    """The cost-CO2 frontier by the epsilon-constraint method.

    The cheapest solution gives the high-CO2 end E_max; a solve with a prohibitive
    carbon price gives the low end E_min. Then ``points`` solves minimise cost with
    total CO2 <= eps for eps evenly spaced from E_max to E_min; dominated and repeated
    points are dropped.

    Parameters
    ----------
    network
        A network whose legs carry co2_kg_per_t.
    objectives
        Only ("cost", "co2").
    points
        Number of epsilon values (>= 2).
    executor, progress
        See :func:`hubopt.parallel.map_tasks`.
    **solve_options
        Options of :func:`hubopt.solve`.

    Returns
    -------
    list of Result
        Non-dominated points, cheapest (most CO2) first; ``result.costs.total`` and
        ``result.co2_t`` are the two objectives.

    Examples
    --------
    ``examples/cost_co2_frontier.py`` draws the frontier and places a carbon price on
    it.

    >>> import hubopt
    >>> net = hubopt.datasets.morocco_kazakhstan()
    >>> points = hubopt.pareto(net, points=3, executor="serial", progress=False)
    >>> cheapest, greenest = points[0], points[-1]
    >>> cheapest.costs.total <= greenest.costs.total
    True
    >>> cheapest.co2_t >= greenest.co2_t
    True
    """

    if tuple(objectives) != ("cost", "co2"):
        msg = f"objectives must be ('cost', 'co2'), got {tuple(objectives)!r}"
        raise ValidationError(msg)
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        msg = f"points must be a whole number >= 2, got {points!r}"
        raise ValidationError(msg)
    options = dict(solve_options)
    options.pop("raise_on_failure", None)
    if options.get("max_co2_t") is not None:
        msg = "pareto() sets max_co2_t itself; do not pass it"
        raise ValidationError(msg)
    base_price = options.get("carbon_price_per_t_co2") or 0.0
    cheap, green = map_tasks(
        _solve_with,
        [
            (network, options),
            (
                network,
                {**options, "carbon_price_per_t_co2": base_price + _CO2_END_PRICE},
            ),
        ],
        executor=executor,
        progress=False,
    )
    for end in (cheap, green):
        if end.status not in ("optimal", "feasible"):
            msg = f"the network has no solution ({end.status})"
            raise InfeasibleError(msg)
    high, low = cheap.co2_t, green.co2_t
    epsilons = np.linspace(high, low, points)
    # a hair of slack so the end points stay feasible despite rounding
    tasks = [
        (network, {**options, "max_co2_t": float(eps) * (1 + 1e-9) + 1e-6})
        for eps in epsilons
    ]
    results = map_tasks(
        _solve_with, tasks, executor=executor, progress=progress, label="pareto"
    )
    solved = [r for r in results if r.status in ("optimal", "feasible")]
    return _non_dominated(solved)


def _non_dominated(results: list[Result]) -> list[Result]:
    keyed = [(r.costs.total, r.co2_t, r) for r in results]
    keep = []
    for cost, co2, r in keyed:
        dominated = any(
            (c2 <= cost + 1e-6 * max(abs(cost), 1.0) and e2 <= co2 + 1e-9)
            and (c2 < cost - 1e-6 * max(abs(cost), 1.0) or e2 < co2 - 1e-6)
            for c2, e2, _ in keyed
        )
        duplicate = any(
            abs(c - cost) <= 1e-6 * max(abs(cost), 1.0) and abs(e - co2) <= 1e-6
            for c, e, _ in keep
        )
        if not dominated and not duplicate:
            keep.append((cost, co2, r))
    keep.sort(key=lambda item: (item[0], -item[1]))
    return [r for _, _, r in keep]


def frontier_table(points: Sequence[Result]) -> pd.DataFrame:
    """The points of :func:`pareto` as a table: total_cost, co2_t, hubs_opened and
    the cost of each tonne of CO2 saved relative to the previous point.

    Examples
    --------
    ``examples/cost_co2_frontier.py`` draws the frontier of the bundled network.

    >>> import hubopt
    >>> from hubopt.decisions import frontier_table
    >>> net = hubopt.datasets.morocco_kazakhstan()
    >>> points = hubopt.pareto(net, points=2, executor="serial", progress=False)
    >>> table = frontier_table(points)
    >>> table.columns.tolist()
    ['total_cost', 'co2_t', 'hubs_opened', 'cost_per_t_co2_saved']
    >>> bool(table["co2_t"].is_monotonic_decreasing)
    True
    """
    rows = [
        {
            "total_cost": r.costs.total,
            "co2_t": r.co2_t,
            "hubs_opened": ";".join(r.open_hubs),
        }
        for r in points
    ]
    table = pd.DataFrame(rows, columns=["total_cost", "co2_t", "hubs_opened"])
    saved = -table["co2_t"].diff()
    table["cost_per_t_co2_saved"] = table["total_cost"].diff() / saved.where(saved > 0)
    return table


# ------------------------------------------------------------------------------------
# alternatives
# ------------------------------------------------------------------------------------
#: The tonnes every opened hub of an :func:`alternatives` portfolio moves at least.
ALTERNATIVES_MIN_THROUGHPUT_T = 1.0


def alternatives(
    network: Network,
    k: int = 5,
    min_difference: int = 1,
    **solve_options: Any,
) -> list[Result]:
    """The k best distinct hub portfolios, best first.

    Each solve adds a no-good cut excluding the portfolios (sets of open hubs) found
    so far, so the next differs from each in at least ``min_difference`` hubs. The
    solves depend on each other and so run one after another.

    Every hub a portfolio opens moves at least ``min_throughput_t`` tonnes (1 t
    unless you pass another value): without it, ``min_hubs=1`` on a network where no
    hub pays would return the hubs with the smallest fixed cost "opened" at 0 t, and
    portfolios would differ only in hubs built and left idle. So the portfolios
    differ in the hubs they use. A portfolio in which an opened hub moves no more
    than that minimum (it is used only because it must be) is skipped, with a
    warning naming it; the search stops after ``3 * k`` solves. Pass
    ``min_throughput_t=None`` to allow idle hubs (nothing is skipped then).

    Parameters
    ----------
    network
        The network.
    k
        How many portfolios (fewer come back when no more exist).
    min_difference
        Hubs (opened or closed) by which each portfolio differs from every other.
    **solve_options
        Options of :func:`hubopt.solve` (``min_throughput_t`` defaults to
        :data:`ALTERNATIVES_MIN_THROUGHPUT_T` here).

    Returns
    -------
    list of Result
        Best first; ``result.cost_gap_to_best`` is (cost - best) / best.

    Examples
    --------
    >>> import hubopt
    >>> runs = hubopt.alternatives(hubopt.datasets.tiny(), k=3)
    >>> [(r.open_hubs, round(r.cost_gap_to_best, 4)) for r in runs]
    [(['H1', 'H2'], 0.0), (['H1', 'H2', 'H3'], 0.0263), (['H1', 'H3'], 0.2018)]
    """

    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        msg = f"k must be a whole number >= 1, got {k!r}"
        raise ValidationError(msg)
    options = dict(solve_options)
    options.pop("raise_on_failure", None)
    options.setdefault("min_throughput_t", ALTERNATIVES_MIN_THROUGHPUT_T)
    excluded: list[tuple[str, ...]] = list(
        tuple(p) for p in options.pop("exclude_portfolios", ())
    )
    floor = options["min_throughput_t"]
    found: list[Result] = []
    skipped: list[str] = []
    for _ in range(3 * k):
        result = solving.solve(
            network,
            raise_on_failure=False,
            exclude_portfolios=tuple(excluded),
            min_difference=min_difference,
            **options,
        )
        if result.status not in ("optimal", "feasible"):
            if not found and not skipped:
                msg = f"the network has no solution ({result.status})"
                raise InfeasibleError(msg)
            break
        excluded.append(tuple(result.open_hubs))
        idle = _hubs_at_floor(result, floor)
        if idle:
            skipped.append(f"{'+'.join(result.open_hubs)} ({', '.join(idle)})")
            continue
        found.append(result)
        if len(found) == k:
            break
    if skipped:
        warnings.warn(
            f"alternatives: skipped {len(skipped)} portfolio(s) in which an opened hub "
            f"moves only the required minimum of {floor:g} t, i.e. is built but not "
            f"worth using: {'; '.join(skipped)}",
            stacklevel=2,
        )
    if not found:
        msg = (
            "alternatives: every portfolio found opens a hub that moves only the "
            f"required minimum of {floor:g} t ({'; '.join(skipped)}); pass "
            "min_throughput_t=None to see them"
        )
        raise InfeasibleError(msg)
    best = found[0].objective or 0.0
    for r in found:
        r.cost_gap_to_best = (
            (r.objective - best) / abs(best) if best else r.objective - best
        )
    return found


def _hubs_at_floor(result: Result, floor: float | None) -> list[str]:
    """The opened hubs of ``result`` that move no more than ``floor`` tonnes."""
    if not floor:
        return []
    hubs = result.hubs
    opened = hubs[hubs["open"]]
    limit = floor * (1 + 1e-6) + 1e-6
    return opened.loc[opened["throughput_t"] <= limit, "hub_id"].astype(str).tolist()


# ------------------------------------------------------------------------------------
# sweep
# ------------------------------------------------------------------------------------
@dataclass
class Sweep:
    """Solves across the values of one parameter.

    Attributes
    ----------
    parameter
        The parameter swept.
    table
        One row per value: value, hubs_opened, total_cost, cost_per_t, co2_t,
        unmet_t, status, message.
    results
        One Result per value (None where the scenario could not be built).
    changes
        Where the optimal hub set changes: value_before, value_after, hubs_before,
        hubs_after (the break-even lies between the two values).

    Examples
    --------
    >>> import hubopt
    >>> s = hubopt.sweep(hubopt.datasets.tiny(), "max_hubs", [1, 2],
    ...                  executor="serial", progress=False)
    >>> s.parameter, len(s.results), s.table["hubs_opened"].tolist()
    ('max_hubs', 2, ['H2', 'H1;H2'])
    """

    parameter: str
    table: pd.DataFrame
    results: list[Result | None]
    changes: pd.DataFrame

    def write_csv(self, file: str | Path) -> Path:
        """The table as CSV, rounded (:func:`hubopt.scenarios.write_table`)."""
        return write_table(self.table, file, index=False)


_SCENARIO_PARAMETERS = ("freight_multiplier", "demand_multiplier")


def sweep(
    network: Network,
    parameter: str,
    values: Iterable[Any],
    *,
    executor: Any = None,
    progress: bool = True,
    **solve_options: Any,
) -> Sweep:
    """Re-solve for each value of one parameter and report where the hub set changes.

    Parameters
    ----------
    network
        The network.
    parameter
        A :func:`hubopt.solve` option (max_hubs, carbon_price_per_t_co2, budget,
        min_throughput_share, max_co2_t, ...) or a :class:`Scenario` multiplier
        (freight_multiplier, demand_multiplier).
    values
        The values, in the order to report them.
    executor, progress
        See :func:`hubopt.parallel.map_tasks`.
    **solve_options
        Other options of :func:`hubopt.solve`.

    Returns
    -------
    Sweep

    Examples
    --------
    >>> import hubopt
    >>> s = hubopt.sweep(hubopt.datasets.tiny(), "max_hubs", [1, 2, 3],
    ...                  executor="serial", progress=False)
    >>> s.table[["value", "hubs_opened", "total_cost"]]
       value hubs_opened  total_cost
    0      1          H2      1460.0
    1      2       H1;H2      1140.0
    2      3       H1;H2      1140.0
    >>> s.changes[["value_before", "value_after", "hubs_after"]]
       value_before  value_after hubs_after
    0             1            2      H1;H2
    """

    values = list(values)
    options = dict(solve_options)
    options.pop("raise_on_failure", None)
    option_names = SolveOptions.keywords()
    if parameter in _SCENARIO_PARAMETERS:
        tasks = [
            (network, Scenario(f"{parameter}={v}", **{parameter: v}), options)
            for v in values
        ]
    elif parameter in option_names:
        tasks = [
            (network, Scenario(f"{parameter}={v}"), {**options, parameter: v})
            for v in values
        ]
    else:
        msg = (
            f"unknown parameter {parameter!r}; sweep a solve option "
            f"({', '.join(sorted(option_names))}) or one of "
            f"{', '.join(_SCENARIO_PARAMETERS)}"
        )
        raise ValidationError(msg)
    for _, _, task_options in tasks:
        try:
            _model_options(task_options)
        except (HuboptError, TypeError) as exc:
            msg = f"sweep over {parameter}: {exc}"
            raise ValidationError(msg) from None
    outcomes = map_tasks(
        _solve_and_summarise,
        tasks,
        executor=executor,
        progress=progress,
        label="sweep",
    )
    rows = []
    for value, (_, _, row) in zip(values, outcomes, strict=True):
        rows.append({"value": value, **row})
    table = pd.DataFrame(rows)
    changes = []
    for before, after in pairwise(rows):
        solved = before["status"] in ("optimal", "feasible") and after["status"] in (
            "optimal",
            "feasible",
        )
        if solved and before["hubs_opened"] != after["hubs_opened"]:
            changes.append(
                {
                    "value_before": before["value"],
                    "value_after": after["value"],
                    "hubs_before": before["hubs_opened"],
                    "hubs_after": after["hubs_opened"],
                }
            )
    return Sweep(
        parameter=parameter,
        table=table,
        results=[r for r, _, _ in outcomes],
        changes=pd.DataFrame(
            changes,
            columns=["value_before", "value_after", "hubs_before", "hubs_after"],
        ),
    )


def direct_baseline(result: Result) -> Result | None:
    """Solve the result's network again with every hub closed: direct legs only.

    The solver, time limit, gap and carbon price are those of ``result``; bounds on
    the number of hubs are dropped.

    Parameters
    ----------
    result
        The result to compare with.

    Returns
    -------
    Result or None
        The baseline, or None when the network has no feasible direct-only solution
        (some market has no direct leg and no penalty for being left short).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.decisions import direct_baseline
    >>> direct_baseline(hubopt.solve(hubopt.datasets.tiny())) is None
    True
    """

    if result.status in ("optimal", "feasible") and not bool(result.hubs["open"].any()):
        # A solution that opens no hub is feasible with every hub closed, and no
        # direct-only solution beats it: it is its own baseline. Re-solving could
        # return another, equally cheap split of the markets between origins and
        # show per-market "savings" that are only ties.
        return result
    network = result.network
    hubs = network.hubs
    hubs["status"] = "closed"
    closed = network.replace(hubs=hubs, name=f"{network.name} (direct baseline)")
    return _resolve(result, closed)


def _resolve(
    result: Result, network: Network, *, hub_count: int | None = None
) -> Result | None:
    """Solve ``network`` with the solver settings and carbon price of ``result``
    (other model options dropped), optionally with exactly ``hub_count`` hubs; None
    without a solution."""

    kept = result.options
    solver = kept.settings.solver
    settings = replace(
        kept.settings,
        solver=solver if solver in ("highs", "cbc") else "highs",
        msg=False,
    )
    model_options = model.ModelOptions(
        min_hubs=hub_count,
        max_hubs=hub_count,
        carbon_price_per_t_co2=kept.model.carbon_price_per_t_co2,
    )
    again = solving.solve(
        network, SolveOptions(model_options, settings), raise_on_failure=False
    )
    return again if again.status in ("optimal", "feasible") else None


def best_single_hub(result: Result) -> Result | None:
    """When the optimum opens no hub, the best solution that opens exactly one.

    A briefing that asks "which port should host the hub?" needs this answer even
    when no hub pays: the cheapest single site and what it costs against the optimum.

    Parameters
    ----------
    result
        The solved result.

    Returns
    -------
    Result or None
        The solve with ``min_hubs=1, max_hubs=1`` (same solver and options); None when
        the result already opens a hub, has no solution, or no hub may open.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.decisions import best_single_hub
    >>> best_single_hub(hubopt.solve(hubopt.datasets.tiny())) is None  # opens hubs
    True
    """

    if result.status not in ("optimal", "feasible"):
        return None
    if bool(result.hubs["open"].any()):
        return None
    network = result.network
    if not bool((network.hubs["status"] != "closed").any()):
        return None
    return _resolve(result, network, hub_count=1)


def comparisons(
    result: Result,
) -> tuple[Result | None, Result | None, bool]:
    """The solves a brief compares its result with: the direct baseline and, when no
    hub opens, the best single hub.

    Ctrl-C during them does not lose the result: they are dropped and the third item
    says the run was interrupted. An interrupted result gets no comparison solves.

    Returns
    -------
    tuple
        (direct baseline or None, best single hub or None, interrupted).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.decisions import comparisons
    >>> base, single, interrupted = comparisons(hubopt.solve(hubopt.datasets.tiny()))
    >>> base, single, interrupted  # tiny has no direct legs, and opens hubs
    (None, None, False)
    """
    if result.interrupted or result.status not in ("optimal", "feasible"):
        return None, None, result.interrupted
    try:
        base = direct_baseline(result)
        if base is not None and base.interrupted:
            return None, None, True
        forced = best_single_hub(result)
        if forced is not None and forced.interrupted:
            return base, None, True
    except KeyboardInterrupt:
        return None, None, True
    return base, forced, False
