"""How firm the hub choice is: break-even values of its drivers, and what each
candidate hub costs against the optimum.

:func:`break_even` finds, by bisection with the solver, the value of a driver (a
multiplier on freight, hub handling, fixed costs or demand, or any function
``network, value -> network``) at which the optimal hub portfolio changes: "at
freight x1.75 a Tanger Med hub pays". :func:`candidate_ranking` solves the network
once per candidate hub with that hub as the only one allowed to open, and tabulates
what each costs against the optimum, in total and per tonne through the hub.

Both are decision-layer functions (they solve); the brief (:mod:`hubopt.report`)
only prints what they return.

>>> import hubopt
>>> edge = hubopt.break_even(hubopt.datasets.tiny(), "handling", low=1.0, high=2.0)
>>> edge.value is None, edge.solves  # no change of hubs between x1 and x2
(True, 2)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import solving
from ._format import EPS, cost_per_t
from .decisions import chosen_levels
from .errors import HuboptError, ValidationError
from .network import Network
from .options import SolveOptions
from .parallel import map_tasks
from .result import Result
from .scenarios import Scenario

#: A driver: the network with the driver at ``value`` (1.0 is the network as given).
_Driver = Callable[[Network, float], Network]

#: A hub portfolio: (hub id, level) pairs, sorted; () opens no hub.
_Portfolio = tuple[tuple[str, str], ...]


def _freight(network: Network, value: float) -> Network:
    return Scenario(f"freight x{value:g}", freight_multiplier=value).apply(network)


def _sea_freight(network: Network, value: float) -> Network:
    modes = network.legs["mode"].dropna().astype(str).str.lower().unique()
    sea = {mode: value for mode in modes if mode.startswith("sea")}
    return Scenario(f"sea freight x{value:g}", mode_multipliers=sea).apply(network)


def _demand(network: Network, value: float) -> Network:
    return Scenario(f"demand x{value:g}", demand_multiplier=value).apply(network)


def _handling(network: Network, value: float) -> Network:
    hubs = network.hubs
    hubs["handling_cost_per_t"] = hubs["handling_cost_per_t"] * value
    return network.replace(hubs=hubs, name=f"{network.name}:handling x{value:g}")


def _fixed_cost(network: Network, value: float) -> Network:
    hubs = network.hubs
    hubs["fixed_cost"] = hubs["fixed_cost"] * value
    levels = network.hub_levels
    if len(levels):
        levels["fixed_cost"] = levels["fixed_cost"] * value
    return network.replace(
        hubs=hubs, hub_levels=levels, name=f"{network.name}:fixed cost x{value:g}"
    )


#: The named drivers: a multiplier on ...
DRIVERS: dict[str, _Driver] = {
    "freight": _freight,
    "sea_freight": _sea_freight,
    "handling": _handling,
    "fixed_cost": _fixed_cost,
    "demand": _demand,
}

#: What each named driver multiplies, in words.
DRIVER_LABELS: dict[str, str] = {
    "freight": "freight (every leg's cost per tonne)",
    "sea_freight": "sea freight (the cost per tonne of legs by a sea mode)",
    "handling": "hub handling (its cost per tonne)",
    "fixed_cost": "hub fixed cost (the annualised terminal cost)",
    "demand": "demand (of every market)",
}


@dataclass(frozen=True)
class BreakEven:
    """Where the optimal hub portfolio changes as a driver moves.

    Attributes
    ----------
    driver
        The driver's name (a key of :data:`DRIVERS`, or the function's name).
    base_value
        The driver's value for the network as given (1.0 for a multiplier).
    value
        The break-even value, the middle of ``bracket``; None when the portfolio
        is the same at ``low`` and ``high``.
    bracket
        (below, above): the solves at these values gave ``portfolio_below`` and
        ``portfolio_above``; they are at most ``tol`` apart. (low, high) when
        there is no change.
    low, high
        The interval searched.
    portfolio_below, portfolio_above
        The optimal (hub id, level) pairs at the low and the high side of the
        break-even; () is no hub.
    solves
        Solves used.
    """

    driver: str
    base_value: float
    value: float | None
    bracket: tuple[float, float]
    low: float
    high: float
    portfolio_below: _Portfolio
    portfolio_above: _Portfolio
    solves: int

    @property
    def changes(self) -> bool:
        """The portfolio changes inside [low, high]."""
        return self.value is not None


def portfolio(result: Result) -> _Portfolio:
    """The open hubs of a result and their levels, sorted (hub id, level) pairs.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.breakeven import portfolio
    >>> portfolio(hubopt.solve(hubopt.datasets.tiny()))
    (('H1', 'base'), ('H2', 'base'))
    """
    return tuple(sorted((str(h), str(v)) for h, v in chosen_levels(result).items()))


def _driver_of(driver: str | _Driver) -> tuple[str, _Driver]:
    if isinstance(driver, str):
        if driver not in DRIVERS:
            msg = (
                f"break_even: unknown driver {driver!r}; use one of "
                f"{', '.join(DRIVERS)} or a function (network, value) -> network"
            )
            raise ValidationError(msg)
        return driver, DRIVERS[driver]
    if not callable(driver):
        msg = (
            f"break_even: driver must be a name ({', '.join(DRIVERS)}) or a "
            f"function (network, value) -> network, got {type(driver).__name__}"
        )
        raise ValidationError(msg)
    return getattr(driver, "__name__", "driver"), driver


def _options_of(options: SolveOptions | Mapping[str, Any] | None) -> SolveOptions:
    if options is None:
        return SolveOptions()
    if isinstance(options, SolveOptions):
        return options
    if isinstance(options, Mapping):
        return SolveOptions(**options)
    msg = (
        "options must be a hubopt.SolveOptions or a dict of solve keywords, got "
        f"{type(options).__name__}"
    )
    raise ValidationError(msg)


def break_even(
    network: Network,
    driver: str | _Driver,
    *,
    low: float,
    high: float,
    tol: float = 0.01,
    options: SolveOptions | Mapping[str, Any] | None = None,
    base_value: float = 1.0,
) -> BreakEven:
    """The value of a driver in [low, high] at which the optimal hubs change.

    Solves at ``low`` and ``high``; when their portfolios (hubs and levels)
    differ, halves the interval until it is at most ``tol`` wide, keeping a solve
    with the ``low`` portfolio below and one with another portfolio above. When the
    portfolio changes more than once in [low, high], one of the changes is found:
    search a narrower interval (e.g. from the base value up, then down) to see
    each.

    Parameters
    ----------
    network
        The network as given (driver value ``base_value``).
    driver
        A name of :data:`DRIVERS` ("freight", "sea_freight", "handling",
        "fixed_cost", "demand": multipliers, 1.0 is the network as given) or any
        function ``(network, value) -> network``.
    low, high
        The interval to search, low < high.
    tol
        The width of the final bracket.
    options
        Solve options (a :class:`~hubopt.options.SolveOptions` or a dict of solve
        keywords) for every solve.
    base_value
        The driver's value for the network as given, recorded in the result.

    Returns
    -------
    BreakEven

    Raises
    ------
    ValidationError
        A bad driver, interval or tolerance, or a value in the interval at which
        the network has no solution (the message says which).

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.morocco_kazakhstan()
    >>> edge = hubopt.break_even(net, "freight", low=1.0, high=3.0, tol=0.05)
    >>> edge.portfolio_below, edge.portfolio_above
    ((('HUB_DAKHLA_ATLANTIQUE', 'S'),), ())
    >>> 1.0 < edge.value < 3.0 and edge.bracket[1] - edge.bracket[0] <= 0.05
    True
    """
    name, change = _driver_of(driver)
    numbers = {"low": low, "high": high, "tol": tol, "base_value": base_value}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            msg = f"break_even: {key} must be a number, got {value!r}"
            raise ValidationError(msg)
        if not math.isfinite(value):
            msg = f"break_even: {key} must be finite, got {value!r}"
            raise ValidationError(msg)
    if not low < high:
        msg = f"break_even: low must be below high, got low={low!r}, high={high!r}"
        raise ValidationError(msg)
    if tol <= 0:
        msg = f"break_even: tol must be > 0, got {tol!r}"
        raise ValidationError(msg)
    solve_options = _options_of(options).replace(marginal_values=False)
    solves = 0

    def at(value: float) -> _Portfolio:
        nonlocal solves
        solves += 1
        changed = change(network, float(value))
        result = solving.solve(changed, solve_options, raise_on_failure=False)
        if result.status not in ("optimal", "feasible"):
            msg = (
                f"break_even: {name} at {value:g} has no solution ({result.status}); "
                "search a narrower interval [low, high]"
            )
            raise ValidationError(msg)
        return portfolio(result)

    below, above = at(low), at(high)
    if below == above:
        return BreakEven(
            name,
            float(base_value),
            None,
            (float(low), float(high)),
            float(low),
            float(high),
            below,
            above,
            solves,
        )
    lo, hi = float(low), float(high)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        found = at(mid)
        if found == below:
            lo = mid
        else:
            hi, above = mid, found
    return BreakEven(
        name,
        float(base_value),
        (lo + hi) / 2,
        (lo, hi),
        float(low),
        float(high),
        below,
        above,
        solves,
    )


def candidate_ranking(
    result: Result,
    *,
    executor: Any = "serial",
    progress: bool = False,
) -> pd.DataFrame:
    """Every hub of the network, ranked by what the best plan costs when it is the
    only hub allowed to open.

    One solve per hub that is not closed by its status, with that hub forced open
    and every other hub closed (:class:`~hubopt.scenarios.Scenario` ``open_hubs`` /
    ``close_hubs``), the solver choosing its level; same solver settings and model
    options as ``result``, without its bounds on the number of hubs. A network of
    n candidate hubs costs n solves, run through :func:`hubopt.parallel.map_tasks`
    (one after another by default; its progress bar with ``progress=True``).

    Parameters
    ----------
    result
        The solved result (the optimum to compare with).
    executor
        As in :func:`hubopt.parallel.map_tasks`; "serial" by default.
    progress
        Draw a progress bar on stderr.

    Returns
    -------
    pandas.DataFrame
        One row per hub: rank (1 is the cheapest; empty for a hub without a
        solution or closed by status), hub_id, name, status, status_reason, level,
        capacity_t, throughput_t, utilisation, total_cost, extra_cost (against
        ``result``), extra_cost_per_t_through_hub (extra_cost over the hub's
        tonnes), extra_cost_per_t_delivered (spread over every tonne delivered),
        markets_served (names, "; "-separated), solve_status. Candidates come
        first, cheapest first; hubs closed by status follow, in table order.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.breakeven import candidate_ranking
    >>> table = candidate_ranking(hubopt.solve(hubopt.datasets.tiny()))
    >>> for row in table[["hub_id", "rank", "extra_cost", "solve_status"]].values:
    ...     print(*row)
    H2 1 320.0 optimal
    H1 2 950.0 optimal
    H3 <NA> nan infeasible
    """
    network = result.network
    hubs = network.hubs
    ids = hubs["id"].astype(str).tolist()
    open_able = hubs.loc[hubs["status"] != "closed", "id"].astype(str).tolist()
    options = result.options.replace(
        min_hubs=None, max_hubs=None, msg=False, marginal_values=False
    )
    tasks = [
        (network, hub, tuple(h for h in open_able if h != hub), options)
        for hub in open_able
    ]
    solved = map_tasks(
        _forced_solve,
        tasks,
        executor=executor,
        progress=progress,
        label="ranking the candidate hubs",
    )
    by_hub = dict(zip(open_able, solved, strict=True))
    reasons = (
        hubs["status_reason"].fillna("").astype(str)
        if "status_reason" in hubs.columns
        else pd.Series("", index=hubs.index)
    )
    rows = []
    for hub, name, status, reason in zip(
        ids,
        hubs["name"].astype(str),
        hubs["status"].astype(str),
        reasons,
        strict=True,
    ):
        rows.append(_ranking_row(result, hub, name, status, reason, by_hub.get(hub)))
    table = pd.DataFrame(rows)
    candidates = table["solve_status"].isin(["optimal", "feasible"])
    ranked = table[candidates].sort_values(["extra_cost", "hub_id"], kind="stable")
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    rest = table[~candidates]
    rest = pd.concat(
        [rest[rest["status"] != "closed"], rest[rest["status"] == "closed"]]
    )
    out = pd.concat([ranked, rest], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out[list(RANKING_COLUMNS)]


#: Columns of :func:`candidate_ranking`.
RANKING_COLUMNS = (
    "rank",
    "hub_id",
    "name",
    "status",
    "status_reason",
    "level",
    "capacity_t",
    "throughput_t",
    "utilisation",
    "total_cost",
    "extra_cost",
    "extra_cost_per_t_through_hub",
    "extra_cost_per_t_delivered",
    "markets_served",
    "solve_status",
)


def _forced_solve(
    network: Network, hub: str, others: tuple[str, ...], options: SolveOptions
) -> Result | str:
    """The solve with ``hub`` forced open and ``others`` closed; the reason as text
    when there is none (a market left without a route, an infeasible model)."""
    scenario = Scenario(f"only {hub}"[:200], open_hubs=(hub,), close_hubs=others)
    try:
        forced = scenario.apply(network)
    except HuboptError as exc:
        return f"no solution: {exc}"
    return solving.solve(forced, options, raise_on_failure=False)


def _ranking_row(
    result: Result,
    hub: str,
    name: str,
    status: str,
    reason: str,
    forced: Result | str | None,
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RANKING_COLUMNS, np.nan)
    row.update(
        rank=pd.NA,
        hub_id=hub,
        name=name,
        status=status,
        status_reason=reason,
        level="",
        markets_served="",
    )
    if forced is None:
        row["solve_status"] = "closed by status"
        return row
    if isinstance(forced, str):
        row["solve_status"] = forced
        return row
    row["solve_status"] = forced.status
    if forced.status not in ("optimal", "feasible"):
        return row
    hubs = forced.hubs.set_index("hub_id")
    opened = hubs.loc[hub]
    paths = forced.paths
    served = paths.loc[(paths["hub"] == hub) & (paths["tonnes"] > EPS), "destination"]
    names = forced.markets.set_index("destination")["name"]
    extra = forced.costs.total - result.costs.total
    through = float(opened["throughput_t"])
    row.update(
        level=str(opened["level"]) if bool(opened["open"]) else "",
        capacity_t=float(opened["capacity_t"]),
        throughput_t=through,
        utilisation=float(opened["utilisation"]),
        total_cost=float(forced.costs.total),
        extra_cost=float(extra),
        extra_cost_per_t_through_hub=extra / through if through > EPS else np.nan,
        extra_cost_per_t_delivered=cost_per_t(forced) - cost_per_t(result),
        markets_served="; ".join(str(names.get(d, d)) for d in served.unique()),
    )
    return row
