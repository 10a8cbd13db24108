"""Solving a network: options in, an honest :class:`~hubopt.result.Result` out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import model
from ._solution import RawSolution
from .deadline import Deadline
from .errors import InfeasibleError, SolverError, ValidationError
from .network import Network
from .options import DEFAULT_MIP_GAP as DEFAULT_MIP_GAP
from .options import MAX_THREADS as MAX_THREADS
from .options import SolveOptions as SolveOptions
from .options import SolverSettings
from .periods import Periods, level_silo_t
from .result import PeriodResults, Result

#: Largest objective term accepted for the carbon price: price x the largest
#: co2_kg_per_t / 1000 x the network's total supply, in currency. The data
#: validation refuses any number above 1e15 (:data:`hubopt.network.MAX_ABS_VALUE`);
#: at that size a double no longer resolves a unit of currency, and from 1e20 HiGHS
#: reads a cost as infinite. Past it a solve reports "optimal" with hubs open at
#: 0 t (costs that no longer register beside the carbon term) or no solution.
MAX_CARBON_TERM = 1e15


def solve(
    network: Network,
    options: SolveOptions | None = None,
    *,
    periods: Periods | None = None,
    raise_on_failure: bool = True,
    **overrides: Any,
) -> Result:
    """Choose hubs and route flows at least total cost.

    Parameters
    ----------
    network
        A validated :class:`~hubopt.network.Network`; every leg needs cost_per_t
        (see :func:`hubopt.with_leg_attributes`).
    periods
        Optional :class:`hubopt.periods.Periods`: the multi-period model with stock
        at hubs (hub levels chosen once, flows per period); the Result's
        :attr:`~hubopt.result.Result.periods` holds the per-period tables.
    options
        A :class:`~hubopt.options.SolveOptions`; by default all defaults.
    raise_on_failure
        Raise :class:`InfeasibleError` or :class:`SolverError` when there is no
        solution (the default); with False return the Result with its status.
    **overrides
        Flat options applied on top of ``options``: any field of
        :class:`~hubopt.options.ModelOptions` (max_hubs, min_hubs,
        carbon_price_per_t_co2, single_sourcing, min_throughput_share, budget,
        max_co2_t, exclude_portfolios, min_difference, linking), of
        :class:`~hubopt.options.SolverSettings` (solver: "highs", "cbc" or a PuLP
        solver object; time_limit_s, mip_gap, threads, msg) and
        ``marginal_values`` (one extra LP with the hub decisions fixed, for
        :attr:`Result.marginal_values`). An unknown name is a ValidationError.

    Returns
    -------
    Result
        With the options as given, in :attr:`Result.options`.

    Raises
    ------
    ValidationError
        Bad options or legs without a cost.
    InfeasibleError
        The network has no feasible solution.
    SolverError
        The solver is missing, or stopped without any solution.

    Examples
    --------
    >>> import hubopt
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> result.status
    'optimal'
    >>> result.hubs.loc[result.hubs["open"], "hub_id"].tolist()
    ['H1', 'H2']
    >>> hubopt.solve(hubopt.datasets.tiny(), max_hubs=1).open_hubs
    ['H2']
    """
    if not isinstance(network, Network):
        msg = (
            f"solve() needs a hubopt.Network, got {type(network).__name__}; build one "
            "with hubopt.read_network(path) or Network.from_frames(...)"
        )
        raise ValidationError(msg)
    options = _options_of(options, overrides)
    _check_against_network(network, options)
    if periods is not None:
        return _solve_periods(network, periods, options, raise_on_failure)
    # one budget from here: the build, the MILP (and its stages) and the tie-break LP
    deadline = Deadline(options.settings.time_limit_s)
    built = model.build(network, options.model)
    raw = run(built, options.settings, deadline)
    raw.values = None  # read into the flows; not carried along with the Result
    marginal = _settle(network, options, raw, deadline)
    result = Result(
        network,
        raw,
        built.levels,
        built.leg_objective,
        options,
        built.build_s,
        marginal=marginal,
    )
    if raise_on_failure:
        raise_for_status(raw, f"the network '{network.name}'")
    return result


def _solve_periods(
    network: Network,
    periods: Periods,
    options: SolveOptions,
    raise_on_failure: bool,
) -> Result:
    """:func:`solve` with periods: the multi-period model, read period by period."""
    if not isinstance(periods, Periods):
        msg = (
            f"periods must be a hubopt.periods.Periods, got {type(periods).__name__}; "
            "make one with Periods.from_frames(periods_table, period_values)"
        )
        raise ValidationError(msg)
    # marginal values are not computed for a multi-period solve (yet): None
    deadline = Deadline(options.settings.time_limit_s)  # the build's and the MILP's
    pm = model.build_periods(network, periods, options.model)
    raw = run(pm.built, options.settings, deadline)
    parts, stock = model.read_periods(pm, raw)
    raw.values = None
    result = Result(
        network, raw, pm.built.levels, pm.built.leg_objective, options, pm.built.build_s
    )
    results = [
        Result(net, part, lev, block.data.coef, options)
        for net, part, lev, block in zip(
            pm.networks, parts, pm.levels, pm.blocks, strict=True
        )
    ]
    hubs = network.hubs["id"].to_numpy()
    silo_of = level_silo_t(network, pm.built.levels.hub, pm.built.levels.level)
    opened = raw.open_level if len(raw.open_level) else np.zeros(len(silo_of))
    silo_h = {h: 0.0 for h in hubs}
    for h, s, v in zip(pm.built.levels.hub, silo_of, opened, strict=True):
        if v > 0.5:
            silo_h[h] = float(s)
    rows = [
        (
            hubs[h],
            pid,
            float(stock[i, t]) if stock.size else 0.0,
            silo_h[hubs[h]],
            float(stock[i, t] * pm.storage_cost[h]) if stock.size else 0.0,
        )
        for i, h in enumerate(pm.stock_hub)
        for t, pid in enumerate(periods.ids)
    ]
    stock_frame = pd.DataFrame(
        rows, columns=["hub_id", "period", "stock_t", "silo_t", "storage_cost"]
    )
    result.periods = PeriodResults(periods, results, stock_frame)
    if raise_on_failure:
        raise_for_status(
            raw, f"the network '{network.name}' over {len(periods)} periods"
        )
    return result


def _options_of(
    options: SolveOptions | None, overrides: dict[str, Any]
) -> SolveOptions:
    """``options`` (default: all defaults) with the flat ``overrides`` applied."""
    if options is None:
        return SolveOptions(**overrides)
    if not isinstance(options, SolveOptions):
        msg = (
            f"solve(): options must be a hubopt.SolveOptions, got "
            f"{type(options).__name__}; pass single options as keywords "
            "(solve(network, max_hubs=2))"
        )
        raise ValidationError(msg)
    return options.replace(**overrides) if overrides else options


def run(
    built: model.BuiltModel, settings: SolverSettings, deadline: Deadline
) -> RawSolution:
    """Run the solver on a built model (a plain or a two-stage one) with the
    settings, against a deadline already running."""
    return model.run(
        built,
        solver=settings.solver,
        deadline=deadline,
        mip_gap=settings.effective_mip_gap,
        threads=settings.threads,
        msg=settings.msg,
    )


def _settle(
    network: Network, options: SolveOptions, raw: RawSolution, deadline: Deadline
) -> dict[str, np.ndarray] | None:
    """The tie-break of a solution (:func:`hubopt.model.settle`: equally cheap
    alternatives resolved by ids, whatever the order of the rows) and its marginal
    values when asked for; nothing without a solution or after a Ctrl-C. A Ctrl-C
    during them keeps the solution and says so in its message."""
    if raw.status not in ("optimal", "feasible") or raw.interrupted:
        return None  # Ctrl-C means stop: no second solve
    try:
        return model.settle(
            network,
            options.model,
            raw,
            deadline=deadline,
            threads=options.settings.threads,
            marginal=options.marginal_values,
        )
    except KeyboardInterrupt:  # Ctrl-C after the MIP: keep what was found
        raw.interrupted = True
        raw.message = (
            raw.message + "; " if raw.message else ""
        ) + "interrupted before the marginal values were computed"
        return None


def raise_for_status(
    raw: RawSolution, what: str, *, infeasible: str | None = None
) -> None:
    """Raise for a solve without a solution: :class:`InfeasibleError` when ``what``
    (e.g. "the network 'tiny'") has none, :class:`SolverError` when the solver
    stopped without one (time limit, Ctrl-C); nothing when there is a solution.

    Parameters
    ----------
    raw
        What the solver returned.
    what
        The model solved, for the messages.
    infeasible
        What an infeasible model means, in place of the hints for one network.

    Examples
    --------
    >>> from hubopt._solution import interrupted
    >>> raise_for_status(interrupted("highs"), "the robust model")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hubopt.errors.SolverError: the solver stopped without a solution (interrupted ...
    """
    if raw.status in ("infeasible", "unbounded") and infeasible:
        msg = f"{what} has no solution ({raw.status}): {infeasible}"
        raise InfeasibleError(msg)
    if raw.status in ("infeasible", "unbounded"):
        msg = (
            f"{what} has no feasible solution ({raw.status}). "
            "Check that supply covers the demand of markets without "
            "unmet_penalty_per_t, that every such market has a leg to an open-able hub "
            "or a direct leg, and that capacities, max_hubs and forced-closed hubs "
            "leave room; hubopt.explain_infeasible(network) says what blocks it"
        )
        raise InfeasibleError(msg)
    if raw.status == "no_solution":
        msg = (
            f"the solver stopped without a solution ({raw.message or 'limit reached'});"
            " give it more time (time_limit_s) or a looser mip_gap"
        )
        raise SolverError(msg)


def _check_against_network(network: Network, options: SolveOptions) -> None:
    """Options that contradict the network itself, refused before any model is built:
    more hubs required than the network has, and a carbon price whose objective terms
    leave the range where the solver's arithmetic is exact."""
    problems = []
    hubs = network.hubs
    if options.min_hubs is not None and options.min_hubs > len(hubs):
        problems.append(
            f"min_hubs is {options.min_hubs} but the network has only {len(hubs)} "
            f"hub(s); lower min_hubs to at most {len(hubs)} or add candidate hubs"
        )
    price = options.carbon_price_per_t_co2
    if price:
        co2 = network.legs["co2_kg_per_t"].to_numpy(dtype=float)
        largest = float(np.nanmax(co2)) if np.isfinite(co2).any() else 0.0
        tonnes = max(network.total_supply_t, 1.0)
        term = price * largest / 1000.0 * tonnes
        if not term <= MAX_CARBON_TERM:
            cap = MAX_CARBON_TERM / (largest / 1000.0 * tonnes)
            problems.append(
                f"carbon_price_per_t_co2 {price:g} is too large for this network: "
                f"with its largest co2_kg_per_t ({largest:g}) and {tonnes:g} t of "
                f"supply the carbon cost reaches {term:.3g}, beyond the "
                f"{MAX_CARBON_TERM:g} at which the solver can still tell costs "
                f"apart; use at most {cap:.3g} (check the currency unit)"
            )
    if problems:
        raise ValidationError(problems)
