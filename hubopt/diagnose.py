"""Why a network has no solution, in plain words.

:func:`explain_infeasible` checks the structure (markets no route reaches, supply short
of demand, hub counts that cannot be met) and then solves an *elastic* version of the
model, in which every market may be left short at a prohibitive price: the shortfall it
finds is the smallest relaxation of demand that makes the network feasible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from . import solving
from .errors import ValidationError
from .network import Network
from .options import ModelOptions, SolveOptions


@dataclass(frozen=True)
class Diagnosis:
    """What blocks a network.

    Attributes
    ----------
    feasible
        True when the network (with these options) has a solution after all.
    reasons
        One plain sentence per cause found.
    unreachable_markets
        Ids of markets that no leg chain from an origin can reach.
    shortfall
        Per market, the smallest number of tonnes that must go unserved (elastic model).

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()  # D1 and D2 need a hub or a direct leg
    >>> diagnosis = hubopt.explain_infeasible(net, max_hubs=0)
    >>> diagnosis.feasible
    False
    >>> diagnosis.shortfall
      destination  short_t
    0          D2     70.0
    """

    feasible: bool
    reasons: list[str] = field(default_factory=list)
    unreachable_markets: list[str] = field(default_factory=list)
    shortfall: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def text(self) -> str:
        """The diagnosis as a paragraph.

        Examples
        --------
        >>> import hubopt
        >>> net = hubopt.datasets.tiny()
        >>> print(hubopt.explain_infeasible(net).text)
        the network has a feasible solution
        """
        if self.feasible:
            return "the network has a feasible solution"
        return "why there is no solution:\n" + "\n".join(
            f"  - {r}" for r in self.reasons
        )

    def __str__(self) -> str:
        return self.text


#: Options that only narrow the set of solutions; each may be why a network has none.
_RESTRICTIVE = (
    "max_hubs",
    "min_hubs",
    "budget",
    "max_co2_t",
    "single_sourcing",
    "min_throughput_share",
    "exclude_portfolios",
)


def explain_infeasible(
    network: Network,
    options: Any = None,
    *,
    max_hubs: int | None = None,
    min_hubs: int | None = None,
    solver: str | None = None,
) -> Diagnosis:
    """Say in plain words why a network has no feasible solution.

    Parameters
    ----------
    network
        The network.
    options
        The options of the failing solve: its :class:`hubopt.Result`, a
        :class:`hubopt.SolveOptions`, a :class:`hubopt.ModelOptions` or a dict
        of :func:`hubopt.solve` keywords. Hub counts, budget, CO2 cap, single
        sourcing, throughput shares and excluded portfolios then shape the
        explanation as they shaped the solve.
    max_hubs, min_hubs
        The hub-count bounds used in the failing solve (they override ``options``).
    solver
        Solver for the elastic model; that of ``options``, else HiGHS.

    Returns
    -------
    Diagnosis

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> origins = net.origins
    >>> origins["supply_t"] = 50
    >>> diagnosis = hubopt.explain_infeasible(net.replace(origins=origins))
    >>> print(diagnosis.reasons[0])  # doctest: +NORMALIZE_WHITESPACE
    total supply 100 t is 50 t short of the 150 t that markets without an unmet
    penalty must receive

    The options of the failing solve, here as its Result:

    >>> result = hubopt.solve(net, max_hubs=0, raise_on_failure=False)
    >>> print(hubopt.explain_infeasible(net, result).reasons[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    max_hubs is 0 (no hub may open), but market D2 (70 t) has no direct leg from an
    origin and can only be served through a hub; allow a hub (max_hubs >= 1) or add
    a direct leg
    """

    given = _solve_options(options)
    chosen = _model_options(given)
    if max_hubs is not None:
        chosen["max_hubs"] = max_hubs
    if min_hubs is not None:
        chosen["min_hubs"] = min_hubs
    max_hubs, min_hubs = chosen.get("max_hubs"), chosen.get("min_hubs")
    solver = solver or _solver_of(given)

    reasons: list[str] = []
    hubs = network.hubs
    dests = network.destinations
    legs = network.legs
    # markets to serve in full: neither an unmet penalty nor an alternative supplier
    contestable = network.column("destinations", "alternative_cost_per_t").notna()
    must = dests[dests["unmet_penalty_per_t"].isna() & ~contestable]
    must_demand = float(must["demand_t"].sum())
    supply = network.total_supply_t

    # structure: which markets can be reached at all
    usable_hubs = set(hubs.loc[hubs["status"] != "closed", "id"])
    origin_ids = set(network.origins["id"])
    fed_hubs = set(
        legs.loc[
            legs["origin"].isin(origin_ids) & legs["destination"].isin(usable_hubs),
            "destination",
        ]
    )
    reachable = set(
        legs.loc[
            legs["origin"].isin(origin_ids) | legs["origin"].isin(fed_hubs),
            "destination",
        ]
    )
    unreachable = [d for d in must["id"] if d not in reachable]
    for d in unreachable:
        demand = float(must.loc[must["id"] == d, "demand_t"].iloc[0])
        reasons.append(
            f"market {d} ({demand:,.0f} t) cannot be reached: no direct leg and no leg "
            "from a hub that an origin feeds (closed hubs do not count); add a leg or "
            "give it an unmet_penalty_per_t"
        )
    reasons.extend(_transit_reasons(must, legs, origin_ids, fed_hubs, unreachable))
    if supply < must_demand - 1e-6:
        reasons.append(
            f"total supply {supply:,.0f} t is {must_demand - supply:,.0f} t short of "
            f"the {must_demand:,.0f} t that markets without an unmet penalty must "
            "receive"
        )
    contradiction = _hub_count_contradictions(hubs, chosen)
    reasons.extend(contradiction)
    reasons.extend(_hub_only_markets(must, legs, origin_ids, unreachable, chosen))

    # elastic model: every market may go short at a prohibitive price
    costs = legs["cost_per_t"].to_numpy(dtype=float)
    finite = costs[np.isfinite(costs)]
    big = 1e3 * (float(finite.max()) if finite.size else 1.0) + 1e6
    elastic_dests = dests.copy()
    elastic_dests["unmet_penalty_per_t"] = elastic_dests["unmet_penalty_per_t"].mask(
        elastic_dests["unmet_penalty_per_t"].isna() & ~contestable, big
    )
    elastic = network.replace(destinations=elastic_dests)
    if contradiction:  # even the elastic model cannot meet these hub counts
        chosen = {k: v for k, v in chosen.items() if k not in ("max_hubs", "min_hubs")}
    result = _elastic(elastic, chosen, solver)
    shortfall = pd.DataFrame(columns=["destination", "short_t"])
    if result.status in ("optimal", "feasible"):
        shortfall = _shortfall(result, must)
        if not reasons and len(shortfall):
            total = float(shortfall["short_t"].sum())
            hub_cap = result.hubs
            reasons.append(
                f"the reachable hub capacity and direct legs fall {total:,.0f} t short "
                "of demand; the smallest relaxation is to let "
                + ", ".join(
                    f"{r.destination} go {r.short_t:,.0f} t short"
                    for r in shortfall.itertuples()
                )
                + " (or add that much capacity or supply on routes to them); opened "
                f"capacity in the elastic solution: "
                f"{hub_cap.loc[hub_cap['open'], 'capacity_t'].sum():,.0f} t"
            )
        elif len(shortfall) and not any("short" in r for r in reasons):
            reasons.append(
                "the smallest relaxation: let "
                + ", ".join(
                    f"{r.destination} go {r.short_t:,.0f} t short"
                    for r in shortfall.itertuples()
                )
            )
        if len(shortfall):
            reasons.extend(_binding_capacities(result))
            reasons.extend(
                _binding_options(elastic, chosen, solver, must, shortfall, reasons)
            )
        if not reasons:
            return Diagnosis(feasible=True)
    elif not reasons:
        reasons.append(
            "even with every market allowed to go short the model has no solution: "
            "check forced-open hubs, hub counts and transit limits"
        )
    return Diagnosis(
        feasible=False,
        reasons=reasons,
        unreachable_markets=unreachable,
        shortfall=shortfall,
    )


def _solve_options(options: Any) -> SolveOptions:
    """The :class:`~hubopt.options.SolveOptions` of a Result, SolveOptions,
    ModelOptions or dict of solve keywords (other keys of the dict ignored)."""
    if options is None:
        return SolveOptions()
    if isinstance(getattr(options, "options", None), SolveOptions):
        return options.options  # a Result
    if isinstance(options, SolveOptions):
        return options
    if isinstance(options, ModelOptions):
        return SolveOptions(options)
    if isinstance(options, Mapping):
        known = SolveOptions.keywords()
        return SolveOptions(**{k: v for k, v in options.items() if k in known})
    msg = (
        "explain_infeasible: options must be a Result, SolveOptions, ModelOptions "
        f"or a dict of solve options, got {type(options).__name__}"
    )
    raise ValidationError(msg)


def _model_options(options: SolveOptions) -> dict[str, Any]:
    """The model options (hubopt.options.ModelOptions fields) of the solve, without
    those left at None."""
    model = options.model
    chosen = {
        f.name: getattr(model, f.name)
        for f in fields(model)
        if getattr(model, f.name) is not None
    }
    # the price changes costs, not feasibility; beside the elastic penalty it could
    # make shortfall look cheaper than carbon
    chosen.pop("carbon_price_per_t_co2", None)
    return chosen


def _solver_of(options: SolveOptions) -> str:
    name = options.settings.solver
    return name if name in ("highs", "cbc") else "highs"


def _hub_count_contradictions(hubs: pd.DataFrame, chosen: dict[str, Any]) -> list[str]:
    """Hub-count bounds no solution can meet: forced-open hubs above max_hubs, min_hubs
    above the hubs not closed."""
    reasons = []
    max_hubs, min_hubs = chosen.get("max_hubs"), chosen.get("min_hubs")
    forced = hubs[hubs["status"] == "open"]
    usable = int((hubs["status"] != "closed").sum())
    if max_hubs is not None and len(forced) > max_hubs:
        reasons.append(
            f"{len(forced)} hubs have status 'open' (must open) but max_hubs is "
            f"{max_hubs}; raise max_hubs to {len(forced)} or release a hub"
        )
    if min_hubs is not None and usable < min_hubs:
        reasons.append(f"min_hubs is {min_hubs} but only {usable} hubs are not closed")
    return reasons


def _hub_only_markets(
    must: pd.DataFrame,
    legs: pd.DataFrame,
    origin_ids: set[str],
    unreachable: list[str],
    chosen: dict[str, Any],
) -> list[str]:
    """With max_hubs = 0, the markets to serve in full that only a hub can reach."""
    if chosen.get("max_hubs") != 0:
        return []
    direct = set(legs.loc[legs["origin"].isin(origin_ids), "destination"])
    hub_only = must[~must["id"].isin(direct) & ~must["id"].isin(unreachable)]
    if hub_only.empty:
        return []
    names = ", ".join(f"{r.id} ({r.demand_t:,.0f} t)" for r in hub_only.itertuples())
    several = len(hub_only) > 1
    return [
        f"max_hubs is 0 (no hub may open), but market{'s' if several else ''} "
        f"{names} {'have' if several else 'has'} no direct leg from an origin and "
        "can only be served through a hub; allow a hub (max_hubs >= 1) or add a "
        "direct leg"
    ]


def _elastic(network: Network, chosen: dict[str, Any], solver: str):
    return solving.solve(network, raise_on_failure=False, solver=solver, **chosen)


def _shortfall(result: Any, must: pd.DataFrame) -> pd.DataFrame:
    markets = result.markets
    short = markets[
        markets["destination"].isin(must["id"]) & (markets["unmet_t"] > 1e-6)
    ]
    return pd.DataFrame(
        {"destination": short["destination"], "short_t": short["unmet_t"]}
    ).reset_index(drop=True)


def _binding_capacities(result: Any) -> list[str]:
    """The rows of the capacities table that the elastic solution uses in full."""
    caps = result.capacities
    if caps.empty:
        return []
    full = caps[caps["binding"].astype(bool)]
    return [
        f"capacity {row.id} ("
        + ", ".join(
            f"{c} {getattr(row, c)}"
            for c in ("node", "corridor", "mode")
            if getattr(row, c)
        )
        + f") is full at {row.capacity_t:,.0f} t in the elastic solution; raise its "
        "capacity_t in the capacities table or add a route around it"
        for row in full.itertuples()
    ]


def _binding_options(
    elastic: Network,
    chosen: dict[str, Any],
    solver: str,
    must: pd.DataFrame,
    shortfall: pd.DataFrame,
    known: list[str],
) -> list[str]:
    """The restrictive options without which the elastic shortfall shrinks: one more
    elastic solve per option set that no reason in ``known`` names yet (only on this
    failure path)."""
    reasons = []
    total = float(shortfall["short_t"].sum())
    for name in _RESTRICTIVE:
        value = chosen.get(name)
        if value is None or value is False or value == ():
            continue
        if any(name in reason for reason in known):
            continue
        relaxed = {k: v for k, v in chosen.items() if k != name}
        again = _elastic(elastic, relaxed, solver)
        if again.status not in ("optimal", "feasible"):
            continue
        without = float(_shortfall(again, must)["short_t"].sum())
        if without < total - 1e-6:
            shown = [list(p) for p in value] if name == "exclude_portfolios" else value
            reasons.append(
                f"{name} = {shown!r} is binding: without it the markets fall "
                f"{without:,.0f} t short instead of {total:,.0f} t"
            )
    return reasons


def _transit_reasons(
    must: pd.DataFrame,
    legs: pd.DataFrame,
    origin_ids: set[str],
    fed_hubs: set[str],
    unreachable: list[str],
) -> list[str]:
    """Markets whose max_transit_days no route meets: the fastest direct leg or
    origin->hub->market chain, with the days it takes. Legs without transit_days
    cannot serve a market with a limit."""
    reasons = []
    days = legs["transit_days"].to_numpy(dtype=float)
    known = ~np.isnan(days)
    inbound: dict[str, tuple[float, str]] = {}
    for a, b, t in zip(legs["origin"], legs["destination"], days, strict=True):
        fed = a in origin_ids and b in fed_hubs and not np.isnan(t)
        if fed and (b not in inbound or t < inbound[b][0]):
            inbound[b] = (t, f"{a}->{b}")
    for row in must.itertuples():
        limit = row.max_transit_days
        if np.isnan(limit) or row.id in unreachable:
            continue
        into = (legs["destination"] == row.id).to_numpy() & known
        best: tuple[float, str] | None = None
        for a, t in zip(legs["origin"][into], days[into], strict=True):
            if a in origin_ids:
                route = (t, f"{a}->{row.id}")
            elif a in inbound:
                route = (inbound[a][0] + t, f"{inbound[a][1]}->{row.id}")
            else:
                continue
            if best is None or route[0] < best[0]:
                best = route
        if best is None:
            reasons.append(
                f"market {row.id} must be reached within {limit:g} days "
                "(max_transit_days) but none of its routes has transit_days; fill "
                "them in (hubopt.with_leg_attributes) or drop the limit"
            )
        elif best[0] > limit + 1e-9:
            reasons.append(
                f"market {row.id} must be reached within {limit:g} days "
                f"(max_transit_days) but its fastest route, {best[1]}, takes "
                f"{best[0]:g} days; raise the limit to {best[0]:g} or add a faster leg"
            )
    return reasons
