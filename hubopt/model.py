"""The hub-siting MILP: the only module that builds PuLP objects.

Notation (see ``docs/model.md`` for the full statement)::

    min  sum_hk F_hk y_hk + sum_l c_l x_l + sum_d P_d u_d
    s.t. sum_{l out of o} x_l               <= S_o           every origin o
         sum_{l into h} x_l = sum_{l out of h} x_l             every hub h
         sum_{l into h} x_l <= sum_k K_hk y_hk                 every hub h
         sum_k y_hk <= 1  (= 1 when open, = 0 when closed)    every hub h
         sum_{l into d} x_l + u_d = D_d   (u_d = 0 without a penalty)
         x_l <= D_d sum_k y_hk            every leg l = (h, d)  (tight linking)
         x_l <= min(S_o, K_h) sum_k y_hk  every leg l = (o, h)
         sum_hk K_hk y_hk + sum_direct x_l + sum_d u_d >= sum_d D_d  (capacity cover)
         min_hubs <= sum_hk y_hk <= max_hubs
         x, u >= 0,  y binary

where ``c_l`` folds the leg's cost per tonne, the origin's cost per tonne for legs
leaving an origin, the hub's handling cost for legs entering a hub, and the carbon price
times the leg's CO2. Markets with ``max_transit_days`` are served through path variables
``p_lm`` (inbound leg l, outbound leg m) restricted to paths within the limit.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from .errors import SolverError, ValidationError
from .network import Network

#: Name of the single level used for a hub without rows in ``hub_levels``.
BASE_LEVEL = "base"


@dataclass(frozen=True)
class ModelOptions:
    """Options that change the model (not the solver).

    Parameters
    ----------
    max_hubs, min_hubs
        Bounds on the number of opened hubs.
    carbon_price_per_t_co2
        Price of a tonne of CO2, added to each leg's cost through its co2_kg_per_t.
    tight_linking
        Add the per-leg linking rows that strengthen the LP bound.
    single_sourcing
        Every market takes all its tonnes from one hub or one direct leg.
    min_throughput_share
        An open hub with a capacity moves at least this share of it, in [0, 1].
    budget
        Cap on the total annual fixed cost of the opened levels.
    max_co2_t
        Cap on the total CO2 of the flows, in tonnes (the epsilon constraint of
        :func:`hubopt.pareto`).
    exclude_portfolios
        Sets of hub ids the solution's set of open hubs must differ from (no-good
        cuts, :func:`hubopt.alternatives`).
    min_difference
        By how many hubs (opened or not) a solution differs from each excluded
        portfolio.

    Examples
    --------
    >>> from hubopt.model import ModelOptions
    >>> ModelOptions(max_hubs=2, single_sourcing=True).max_hubs
    2
    """

    max_hubs: int | None = None
    min_hubs: int | None = None
    carbon_price_per_t_co2: float | None = None
    tight_linking: bool = True
    single_sourcing: bool = False
    min_throughput_share: float | None = None
    budget: float | None = None
    max_co2_t: float | None = None
    exclude_portfolios: tuple[tuple[str, ...], ...] = ()
    min_difference: int = 1

    def __post_init__(self) -> None:
        for name in ("max_hubs", "min_hubs"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | np.integer)
            ):
                msg = f"{name} must be a whole number or None, got {value!r}"
                raise ValidationError(msg)
            if value is not None and value < 0:
                msg = f"{name} must be zero or more, got {value}"
                raise ValidationError(msg)
        if (
            self.max_hubs is not None
            and self.min_hubs is not None
            and self.min_hubs > self.max_hubs
        ):
            msg = (
                f"min_hubs ({self.min_hubs}) is larger than max_hubs ({self.max_hubs})"
            )
            raise ValidationError(msg)
        price = self.carbon_price_per_t_co2
        if price is not None and not (np.isfinite(price) and price >= 0):
            msg = f"carbon_price_per_t_co2 must be a finite number >= 0, got {price!r}"
            raise ValidationError(msg)
        share = self.min_throughput_share
        if share is not None and not (_is_number(share) and 0 <= share <= 1):
            msg = f"min_throughput_share must be a number in [0, 1], got {share!r}"
            raise ValidationError(msg)
        for name in ("budget", "max_co2_t"):
            value = getattr(self, name)
            if value is not None and not (
                _is_number(value) and np.isfinite(value) and value >= 0
            ):
                msg = f"{name} must be a finite number >= 0 or None, got {value!r}"
                raise ValidationError(msg)
        if not isinstance(self.single_sourcing, bool):
            msg = f"single_sourcing must be True or False, got {self.single_sourcing!r}"
            raise ValidationError(msg)
        if (
            isinstance(self.min_difference, bool)
            or not isinstance(self.min_difference, int | np.integer)
            or self.min_difference < 1
        ):
            msg = (
                "min_difference must be a whole number >= 1, got "
                f"{self.min_difference!r}"
            )
            raise ValidationError(msg)
        portfolios = tuple(
            tuple(sorted(str(h) for h in portfolio))
            for portfolio in self.exclude_portfolios
        )
        object.__setattr__(self, "exclude_portfolios", portfolios)


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | np.number)


@dataclass
class Levels:
    """Every (hub, level) pair the model may open, as aligned arrays.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import hub_levels
    >>> levels = hub_levels(hubopt.datasets.tiny())
    >>> levels.hub.tolist(), levels.capacity_t.tolist()
    (['H1', 'H2', 'H3'], [100.0, 200.0, 60.0])
    """

    hub: np.ndarray  # hub id per level
    level: np.ndarray  # level name per level
    capacity_t: np.ndarray  # capacity, finite (big-M where the hub is uncapacitated)
    capacitated: np.ndarray  # bool: False where capacity_t stands for "no limit"
    fixed_cost: np.ndarray


@dataclass
class BuiltModel:
    """A PuLP problem with its variables keyed by position in the network's tables.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build
    >>> built = build(hubopt.datasets.tiny(), ModelOptions())
    >>> len(built.flow), len(built.open), built.problem.sense  # legs, levels, minimise
    (13, 3, 1)
    """

    problem: pulp.LpProblem
    flow: dict[int, Any]  # leg position -> variable (None for legs fixed at zero)
    open: dict[int, Any]  # level position -> binary variable
    unmet: dict[int, Any]  # destination position -> variable
    paths: dict[tuple[int, int], Any]  # (inbound leg, outbound leg) -> variable
    levels: Levels
    leg_objective: np.ndarray  # objective coefficient per tonne on each leg
    n_destinations: int
    build_s: float = 0.0
    rows: dict[str, dict[int, Any]] = field(default_factory=dict)


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


def hub_levels(network: Network) -> Levels:
    """Every level a hub may open at: its ``hub_levels`` rows, or one base level built
    from its ``capacity_t`` and ``fixed_cost``. Uncapacitated levels get a finite
    capacity equal to the most any hub can move, min(total supply, total demand).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import hub_levels
    >>> hub_levels(hubopt.datasets.tiny()).level.tolist()  # no hub_levels table
    ['base', 'base', 'base']
    >>> levels = hub_levels(hubopt.datasets.morocco_kazakhstan())
    >>> len(levels.hub)  # four sizes at each of eleven ports
    44
    """
    hubs = network.hubs
    levels = network.hub_levels
    big_m = min(network.total_supply_t, network.total_demand_t)
    with_levels = set(levels["hub_id"])
    hub_ids, names, caps, capacitated, fixed = [], [], [], [], []
    for row in hubs.itertuples(index=False):
        if row.id in with_levels:
            rows = levels[levels["hub_id"] == row.id]
            for lev in rows.itertuples(index=False):
                hub_ids.append(row.id)
                names.append(str(lev.level))
                caps.append(float(lev.capacity_t))
                capacitated.append(True)
                fixed.append(float(lev.fixed_cost))
        else:
            hub_ids.append(row.id)
            names.append(BASE_LEVEL)
            has_cap = not np.isnan(row.capacity_t)
            caps.append(float(row.capacity_t) if has_cap else big_m)
            capacitated.append(has_cap)
            fixed.append(float(row.fixed_cost))
    return Levels(
        hub=np.array(hub_ids, dtype=object),
        level=np.array(names, dtype=object),
        capacity_t=np.array(caps, dtype=float),
        capacitated=np.array(capacitated, dtype=bool),
        fixed_cost=np.array(fixed, dtype=float),
    )


def leg_objective(network: Network, carbon_price_per_t_co2: float | None) -> np.ndarray:
    """Objective coefficient per tonne on each leg: leg cost + origin cost (legs leaving
    an origin) + handling (legs entering a hub) + carbon price x CO2.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import leg_objective
    >>> net = hubopt.datasets.tiny()
    >>> net.legs["cost_per_t"].tolist()[:2], leg_objective(net, None).tolist()[:2]
    ([2.0, 4.0], [3.0, 5.0])
    """
    legs = network.legs
    problems = []
    cost = legs["cost_per_t"].to_numpy(dtype=float)
    for pos in np.flatnonzero(np.isnan(cost))[:20]:
        problems.append(
            f"table 'legs', leg {legs['origin'].iloc[pos]}->"
            f"{legs['destination'].iloc[pos]}, column 'cost_per_t': missing; give it, "
            "or fill it from geography with network.with_leg_attributes()"
        )
    co2 = legs["co2_kg_per_t"].to_numpy(dtype=float)
    if carbon_price_per_t_co2:
        for pos in np.flatnonzero(np.isnan(co2))[:20]:
            problems.append(
                f"table 'legs', leg {legs['origin'].iloc[pos]}->"
                f"{legs['destination'].iloc[pos]}, column 'co2_kg_per_t': missing, "
                "but a carbon price was given; fill it with "
                "network.with_leg_attributes()"
            )
    if problems:
        raise ValidationError(problems)
    origin_cost = network.origins.set_index("id")["cost_per_t"]
    handling = network.hubs.set_index("id")["handling_cost_per_t"]
    coef = cost.copy()
    coef += legs["origin"].map(origin_cost).fillna(0.0).to_numpy(dtype=float)
    coef += legs["destination"].map(handling).fillna(0.0).to_numpy(dtype=float)
    if carbon_price_per_t_co2:
        coef += carbon_price_per_t_co2 * co2 / 1000.0
    return coef


def build(
    network: Network,
    options: ModelOptions,
    *,
    fixed_levels: np.ndarray | None = None,
    fixed_flow_t: np.ndarray | None = None,
) -> BuiltModel:
    """Build the MILP for a network.

    Parameters
    ----------
    network
        A validated network whose legs all carry cost_per_t.
    options
        Model options.
    fixed_levels
        Internal: 0/1 per level (as :attr:`RawSolution.open_level`). The hub decisions
        are then fixed and the model is the LP whose duals are the marginal values
        (no linking, cover, count or budget rows, which are constant or redundant).
    fixed_flow_t
        Internal, with ``fixed_levels`` under single sourcing: the solution's flows,
        from which each market's source is fixed.

    Returns
    -------
    BuiltModel

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build
    >>> built = build(hubopt.datasets.tiny(), ModelOptions(max_hubs=1))
    >>> built.problem.name, len(built.problem.variables()) > 0
    ('hubopt', True)
    """
    start = time.perf_counter()
    levels = hub_levels(network)
    prob = pulp.LpProblem("hubopt", pulp.LpMinimize)
    closed = _closed_levels(network, levels)
    level_index = [k for k in range(len(levels.hub)) if not closed[k]]
    if fixed_levels is None:
        open_ = prob.add_variable_dict("open", level_index, cat="Binary")
    else:
        open_ = {
            k: prob.add_variable(
                f"open_{k}",
                lowBound=float(fixed_levels[k]),
                upBound=float(fixed_levels[k]),
            )
            for k in level_index
        }
    block = _add_block(
        prob,
        network,
        options,
        open_,
        levels,
        "",
        for_duals=fixed_levels is not None,
        fixed_flow_t=fixed_flow_t,
    )
    prob.setObjective(pulp.LpAffineExpression(block.fixed_terms + block.cost_terms))
    if fixed_levels is None:
        _add_decision_rows(prob, network, options, open_, levels)
    return BuiltModel(
        problem=prob,
        flow=block.flow,
        open=open_,
        unmet=block.unmet,
        paths=block.paths,
        levels=levels,
        leg_objective=block.coef,
        n_destinations=block.n_destinations,
        build_s=time.perf_counter() - start,
        rows=block.rows,
    )


def _closed_levels(network: Network, levels: Levels) -> np.ndarray:
    status = network.hubs.set_index("id")["status"]
    return np.array([status[h] == "closed" for h in levels.hub], dtype=bool)


@dataclass
class _Block:
    """The flow part of the model for one network, linked to given level variables."""

    flow: dict[int, Any]
    unmet: dict[int, Any]
    paths: dict[tuple[int, int], Any]
    coef: np.ndarray
    n_destinations: int
    fixed_terms: list[tuple[Any, float]]
    cost_terms: list[tuple[Any, float]]
    rows: dict[str, dict[int, Any]]


def _add_block(
    prob: pulp.LpProblem,
    network: Network,
    options: ModelOptions,
    open_: dict[int, Any],
    levels: Levels,
    tag: str,
    *,
    for_duals: bool = False,
    fixed_flow_t: np.ndarray | None = None,
) -> _Block:
    """Add one network's flow variables and rows to ``prob``; the hub levels
    ``open_`` (keyed by level position) may be shared with other blocks."""
    legs = network.legs
    origins = network.origins
    hubs = network.hubs
    dests = network.destinations
    coef = leg_objective(network, options.carbon_price_per_t_co2)
    co2 = legs["co2_kg_per_t"].to_numpy(dtype=float)
    if options.max_co2_t is not None and np.isnan(co2).any():
        bad = [
            f"table 'legs', leg {legs['origin'].iloc[p]}->"
            f"{legs['destination'].iloc[p]}, column 'co2_kg_per_t': missing, but "
            "max_co2_t was given; fill it with network.with_leg_attributes()"
            for p in np.flatnonzero(np.isnan(co2))[:20]
        ]
        raise ValidationError(bad)

    n_legs = len(legs)
    origin_pos = {o: i for i, o in enumerate(origins["id"])}
    hub_pos = {h: i for i, h in enumerate(hubs["id"])}
    dest_pos = {d: i for i, d in enumerate(dests["id"])}
    leg_from = legs["origin"].to_numpy()
    leg_to = legs["destination"].to_numpy()
    supply = origins["supply_t"].to_numpy(dtype=float)
    demand = dests["demand_t"].to_numpy(dtype=float)
    penalty = dests["unmet_penalty_per_t"].to_numpy(dtype=float)
    max_days = dests["max_transit_days"].to_numpy(dtype=float)
    status = hubs["status"].to_numpy()
    transit = legs["transit_days"].to_numpy(dtype=float)
    dwell = (
        hubs["dwell_days"].fillna(0).to_numpy(dtype=float)
        if "dwell_days" in hubs.columns
        else np.zeros(len(hubs))
    )

    into_hub: list[list[int]] = [[] for _ in hub_pos]
    out_of_hub: list[list[int]] = [[] for _ in hub_pos]
    out_of_origin: list[list[int]] = [[] for _ in origin_pos]
    into_dest: list[list[int]] = [[] for _ in dest_pos]
    kind = np.empty(n_legs, dtype=object)
    for pos in range(n_legs):
        a, b = leg_from[pos], leg_to[pos]
        if a in origin_pos:
            out_of_origin[origin_pos[a]].append(pos)
            if b in hub_pos:
                into_hub[hub_pos[b]].append(pos)
                kind[pos] = "inbound"
            else:
                into_dest[dest_pos[b]].append(pos)
                kind[pos] = "direct"
        else:
            out_of_hub[hub_pos[a]].append(pos)
            into_dest[dest_pos[b]].append(pos)
            kind[pos] = "outbound"

    # Markets with a transit limit are served through admissible paths only.
    limited = ~np.isnan(max_days)
    if limited.any() and np.isnan(transit).any():
        bad = [
            f"table 'legs', leg {leg_from[p]}->{leg_to[p]}, column 'transit_days': "
            "missing, but a market has max_transit_days; fill it with "
            "network.with_leg_attributes()"
            for p in np.flatnonzero(np.isnan(transit))[:20]
        ]
        raise ValidationError(bad)

    usable = np.ones(n_legs, dtype=bool)
    for pos in range(n_legs):
        a, b = leg_from[pos], leg_to[pos]
        if (kind[pos] == "inbound" and status[hub_pos[b]] == "closed") or (
            kind[pos] == "outbound" and status[hub_pos[a]] == "closed"
        ):
            usable[pos] = False
        elif kind[pos] == "direct" and limited[dest_pos[b]]:
            usable[pos] = transit[pos] <= max_days[dest_pos[b]] + 1e-9
        if kind[pos] == "outbound" and limited[dest_pos[b]]:
            # carried by path variables instead
            usable[pos] = False
    flow_index = [p for p in range(n_legs) if usable[p]]
    flow = prob.add_variable_dict(f"flow{tag}", flow_index, lowBound=0)
    unmet_index = [d for d in range(len(dests)) if not np.isnan(penalty[d])]
    unmet = prob.add_variable_dict(f"unmet{tag}", unmet_index, lowBound=0)

    path_keys: list[tuple[int, int]] = []
    if limited.any():
        for h in range(len(hubs)):
            if status[h] == "closed":
                continue
            for m in out_of_hub[h]:
                d = dest_pos[leg_to[m]]
                if not limited[d]:
                    continue
                for leg_in in into_hub[h]:
                    days = transit[leg_in] + dwell[h] + transit[m]
                    if days <= max_days[d] + 1e-9:
                        path_keys.append((leg_in, m))
    path_vars_list = prob.add_variable_dict(
        f"path{tag}", range(len(path_keys)), lowBound=0
    )
    paths = {key: path_vars_list[i] for i, key in enumerate(path_keys)}
    paths_by_in: dict[int, list[Any]] = {}
    paths_by_out: dict[int, list[Any]] = {}
    for (leg_in, m), var in paths.items():
        paths_by_in.setdefault(leg_in, []).append(var)
        paths_by_out.setdefault(m, []).append(var)

    hub_status = dict(zip(hubs["id"], status, strict=True))
    levels_of_hub: dict[str, list[int]] = {}
    for k, h in enumerate(levels.hub):
        if k in open_ and hub_status.get(h) != "closed":
            levels_of_hub.setdefault(h, []).append(k)
    block_levels = [k for ks in levels_of_hub.values() for k in ks]

    # objective terms (the caller sums them, weighting blocks if there are several)
    cost_terms = [(flow[p], coef[p]) for p in flow_index if coef[p] != 0]
    cost_terms += [(paths[key], coef[key[1]]) for key in path_keys if coef[key[1]] != 0]
    cost_terms += [(unmet[d], penalty[d]) for d in unmet_index]
    fixed_terms = [(open_[k], levels.fixed_cost[k]) for k in block_levels]

    def add(expr_terms: list[tuple[Any, float]], sense: int, rhs: float) -> Any:
        row = pulp.LpConstraint(pulp.LpAffineExpression(expr_terms), sense, rhs=rhs)
        prob.addConstraint(row)
        return row

    LE, EQ, GE = pulp.LpConstraintLE, pulp.LpConstraintEQ, pulp.LpConstraintGE
    rows: dict[str, dict[int, Any]] = {"supply": {}, "capacity": {}, "demand": {}}
    tight = options.tight_linking and not for_duals
    share = options.min_throughput_share

    for o, legs_out in enumerate(out_of_origin):
        terms = [(flow[p], 1.0) for p in legs_out if p in flow]
        if terms:
            rows["supply"][o] = add(terms, LE, supply[o])

    for h, hub_id in enumerate(hubs["id"]):
        ins = [p for p in into_hub[h] if p in flow]
        outs = [p for p in out_of_hub[h] if p in flow]
        hub_paths = [var for p in ins for var in paths_by_in.get(p, [])]
        ks = levels_of_hub.get(hub_id, [])
        if status[h] == "closed":
            continue
        # flow balance: what enters leaves, by arc or by path
        add(
            [(flow[p], 1.0) for p in ins]
            + [(flow[p], -1.0) for p in outs]
            + [(v, -1.0) for v in hub_paths],
            EQ,
            0.0,
        )
        # path flow on an inbound leg cannot exceed that leg's flow
        for p in ins:
            if p in paths_by_in:
                add([(flow[p], 1.0)] + [(v, -1.0) for v in paths_by_in[p]], GE, 0.0)
        # capacity of the opened level
        if ins:
            rows["capacity"][h] = add(
                [(flow[p], 1.0) for p in ins]
                + [(open_[k], -levels.capacity_t[k]) for k in ks],
                LE,
                0.0,
            )
        # an open hub moves at least a share of its capacity
        if share and ks:
            capped = [k for k in ks if levels.capacitated[k]]
            if capped:
                add(
                    [(flow[p], 1.0) for p in ins]
                    + [(open_[k], -share * levels.capacity_t[k]) for k in capped],
                    GE,
                    0.0,
                )
        if ks and not for_duals:
            sense = EQ if status[h] == "open" else LE
            add([(open_[k], 1.0) for k in ks], sense, 1.0)
        if tight and ks:
            cap_h = float(max(levels.capacity_t[k] for k in ks))
            for p in outs:
                d_t = demand[dest_pos[leg_to[p]]]
                add([(flow[p], 1.0)] + [(open_[k], -d_t) for k in ks], LE, 0.0)
            for p in ins:
                bound = min(supply[origin_pos[leg_from[p]]], cap_h)
                add([(flow[p], 1.0)] + [(open_[k], -bound) for k in ks], LE, 0.0)
            for m in out_of_hub[h]:
                if m in paths_by_out:
                    d_t = demand[dest_pos[leg_to[m]]]
                    add(
                        [(v, 1.0) for v in paths_by_out[m]]
                        + [(open_[k], -d_t) for k in ks],
                        LE,
                        0.0,
                    )

    for d in range(len(dests)):
        terms = [(flow[p], 1.0) for p in into_dest[d] if p in flow]
        if limited[d]:
            terms += [(v, 1.0) for m in into_dest[d] for v in paths_by_out.get(m, [])]
        if d in unmet:
            terms.append((unmet[d], 1.0))
        rows["demand"][d] = add(terms, EQ, demand[d])

    if options.single_sourcing:
        _add_single_sourcing(
            prob,
            add,
            tag,
            dests=dests,
            demand=demand,
            penalty=penalty,
            into_dest=into_dest,
            kind=kind,
            leg_from=leg_from,
            flow=flow,
            paths_by_out=paths_by_out,
            open_=open_,
            levels_of_hub=levels_of_hub,
            tight=tight,
            fixed_flow_t=fixed_flow_t if for_duals else None,
        )

    if options.max_co2_t is not None:
        terms = [(flow[p], co2[p] / 1000.0) for p in flow_index if co2[p] != 0]
        terms += [(paths[key], co2[key[1]] / 1000.0) for key in path_keys]
        add(terms, LE, float(options.max_co2_t))

    if not for_duals:
        # aggregate capacity cover: opened capacity + direct flows + shortfall >= demand
        cover = [(open_[k], levels.capacity_t[k]) for k in block_levels]
        cover += [(flow[p], 1.0) for p in flow_index if kind[p] == "direct"]
        cover += [(unmet[d], 1.0) for d in unmet_index]
        if cover:
            add(cover, GE, float(demand.sum()))

    return _Block(
        flow=flow,
        unmet=unmet,
        paths=paths,
        coef=coef,
        n_destinations=len(dests),
        fixed_terms=fixed_terms,
        cost_terms=cost_terms,
        rows=rows,
    )


def _add_single_sourcing(
    prob: pulp.LpProblem,
    add: Any,
    tag: str,
    *,
    dests: Any,
    demand: np.ndarray,
    penalty: np.ndarray,
    into_dest: list[list[int]],
    kind: np.ndarray,
    leg_from: np.ndarray,
    flow: dict[int, Any],
    paths_by_out: dict[int, list[Any]],
    open_: dict[int, Any],
    levels_of_hub: dict[str, list[int]],
    tight: bool,
    fixed_flow_t: np.ndarray | None,
) -> None:
    """Every market takes all its tonnes from one source: one hub (any of its legs
    into the market) or one direct leg. a_ds binary; sum_s a_ds = 1 (<= 1 where
    shortfall is allowed); inflow from s <= D_d a_ds."""
    LE, EQ = pulp.LpConstraintLE, pulp.LpConstraintEQ
    sources: list[tuple[int, tuple[str, Any], list[Any]]] = []
    for d in range(len(dests)):
        by_source: dict[tuple[str, Any], list[Any]] = {}
        for p in into_dest[d]:
            if kind[p] == "direct":
                key: tuple[str, Any] = ("leg", p)
            else:
                key = ("hub", leg_from[p])
            carried = ([flow[p]] if p in flow else []) + paths_by_out.get(p, [])
            if carried:
                by_source.setdefault(key, []).extend(carried)
        for key, variables in by_source.items():
            sources.append((d, key, variables))
    if fixed_flow_t is None:
        assign = prob.add_variable_dict(
            f"assign{tag}", range(len(sources)), cat="Binary"
        )
    else:
        # the LP for marginal values: keep each market on the source it uses
        used: set[tuple[int, tuple[str, Any]]] = set()
        for d in range(len(dests)):
            for p in into_dest[d]:
                if fixed_flow_t[p] > 1e-9:
                    used.add(
                        (d, ("leg", p) if kind[p] == "direct" else ("hub", leg_from[p]))
                    )
        assign = {}
        for i, (d, key, _) in enumerate(sources):
            value = 1.0 if (d, key) in used else 0.0
            assign[i] = prob.add_variable(
                f"assign{tag}_{i}", lowBound=value, upBound=value
            )
    per_market: dict[int, list[Any]] = {}
    for i, (d, key, variables) in enumerate(sources):
        per_market.setdefault(d, []).append(assign[i])
        add([(v, 1.0) for v in variables] + [(assign[i], -demand[d])], LE, 0.0)
        if tight and key[0] == "hub":
            ks = levels_of_hub.get(key[1], [])
            add([(assign[i], 1.0)] + [(open_[k], -1.0) for k in ks], LE, 0.0)
    if fixed_flow_t is not None:
        return
    for d, variables in per_market.items():
        if demand[d] <= 0:
            continue
        sense = LE if not np.isnan(penalty[d]) else EQ
        add([(v, 1.0) for v in variables], sense, 1.0)


def _add_decision_rows(
    prob: pulp.LpProblem,
    network: Network,
    options: ModelOptions,
    open_: dict[int, Any],
    levels: Levels,
) -> None:
    """Rows on the hub decisions alone: count, budget and no-good cuts."""
    LE, GE = pulp.LpConstraintLE, pulp.LpConstraintGE

    def add(terms: list[tuple[Any, float]], sense: int, rhs: float) -> None:
        prob.addConstraint(
            pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, rhs=rhs)
        )

    level_index = list(open_)
    if options.max_hubs is not None:
        add([(open_[k], 1.0) for k in level_index], LE, float(options.max_hubs))
    if options.min_hubs is not None:
        add([(open_[k], 1.0) for k in level_index], GE, float(options.min_hubs))
    if options.budget is not None:
        add(
            [(open_[k], levels.fixed_cost[k]) for k in level_index],
            LE,
            float(options.budget),
        )
    # no-good cuts: differ from each excluded portfolio in at least min_difference hubs
    for portfolio in options.exclude_portfolios:
        chosen = set(portfolio)
        terms = [
            (open_[k], -1.0 if levels.hub[k] in chosen else 1.0) for k in level_index
        ]
        add(terms, GE, float(options.min_difference - len(chosen)))


@dataclass
class TwoStageModel:
    """One MILP over several scenarios: hub levels chosen once, flows per scenario.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build_two_stage
    >>> net = hubopt.datasets.tiny()
    >>> busy = hubopt.Scenario("busy", demand_multiplier=1.1).apply(net)
    >>> two = build_two_stage([net, busy], [0.5, 0.5], ModelOptions())
    >>> two.criterion, len(two.blocks)
    ('expected', 2)
    """

    built: BuiltModel
    blocks: list[_Block]
    criterion: str


def build_two_stage(
    networks: list[Network],
    weights: list[float],
    options: ModelOptions,
    *,
    criterion: str = "expected",
    own_optima: list[float] | None = None,
) -> TwoStageModel:
    """The robust models over scenario networks that share hubs and levels.

    ``"expected"``: min sum_s p_s (sum_hk F_hk y_hk + flow cost_s), the two-stage
    stochastic MILP with first-stage y and second-stage flows per scenario.
    ``"minmax_regret"``: min R s.t. cost_s(y, x_s) - z*_s <= R for every s, where z*_s
    is scenario s's own optimum. A hub is built once: its level's fixed cost counts in
    every scenario, also in one where a disruption closes it (it then carries nothing
    there).

    Parameters
    ----------
    networks
        One network per scenario, with the same hub ids and levels.
    weights
        Scenario probabilities (used by "expected").
    options
        Model options applied to every scenario.
    criterion
        "expected" or "minmax_regret".
    own_optima
        Each scenario's optimal cost (needed for "minmax_regret").

    Returns
    -------
    TwoStageModel

    Examples
    --------
    Hubs chosen once for two equally likely futures, today's demand and 10 % more
    (:func:`hubopt.robust` does this, and evaluates the choice, for you):

    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build_two_stage, run
    >>> net = hubopt.datasets.tiny()
    >>> busy = hubopt.Scenario("busy", demand_multiplier=1.1).apply(net)
    >>> two = build_two_stage([net, busy], [0.5, 0.5], ModelOptions())
    >>> raw = run(two.built)
    >>> raw.status, raw.objective  # the expected cost
    ('optimal', 1204.5)
    """
    start = time.perf_counter()
    if criterion not in ("expected", "minmax_regret"):
        msg = f"criterion must be 'expected' or 'minmax_regret', got {criterion!r}"
        raise ValidationError(msg)
    if criterion == "minmax_regret" and (
        own_optima is None or len(own_optima) != len(networks)
    ):
        msg = "minmax_regret needs each scenario's own optimum (own_optima)"
        raise ValidationError(msg)
    levels = hub_levels(networks[0])
    for net in networks[1:]:
        other = hub_levels(net)
        if list(other.hub) != list(levels.hub) or list(other.level) != list(
            levels.level
        ):
            msg = (
                f"scenario network '{net.name}' has other hubs or levels than "
                f"'{networks[0].name}'; a robust choice needs the same candidate hubs "
                "and levels in every scenario"
            )
            raise ValidationError(msg)
    closed_all = np.all([_closed_levels(net, levels) for net in networks], axis=0)
    prob = pulp.LpProblem("hubopt_robust", pulp.LpMinimize)
    level_index = [k for k in range(len(levels.hub)) if not closed_all[k]]
    open_ = prob.add_variable_dict("open", level_index, cat="Binary")
    blocks = []
    for s, net in enumerate(networks):
        blocks.append(_add_block(prob, net, options, open_, levels, f"_s{s}"))
    # first-stage cost: every built level is paid for in every scenario
    built_cost = [(open_[k], float(levels.fixed_cost[k])) for k in level_index]
    if criterion == "expected":
        # summed per variable: the shared level variables appear in every block
        summed: dict[Any, float] = {}
        for weight, block in zip(weights, blocks, strict=True):
            for var, c in built_cost + block.cost_terms:
                summed[var] = summed.get(var, 0.0) + weight * c
        prob.setObjective(pulp.LpAffineExpression(list(summed.items())))
    else:
        regret = prob.add_variable("max_regret")
        for block, optimum in zip(blocks, own_optima or [], strict=True):
            prob.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression(
                        [*built_cost, *block.cost_terms, (regret, -1.0)]
                    ),
                    pulp.LpConstraintLE,
                    rhs=float(optimum),
                )
            )
        prob.setObjective(pulp.LpAffineExpression([(regret, 1.0)]))
    _add_decision_rows(prob, networks[0], options, open_, levels)
    built = BuiltModel(
        problem=prob,
        flow={},
        open=open_,
        unmet={},
        paths={},
        levels=levels,
        leg_objective=np.zeros(0),
        n_destinations=0,
        build_s=time.perf_counter() - start,
    )
    return TwoStageModel(built=built, blocks=blocks, criterion=criterion)


def marginal_values(
    network: Network,
    options: ModelOptions,
    open_level: np.ndarray,
    flow_t: np.ndarray,
) -> dict[str, np.ndarray] | None:
    """Marginal values from the LP with the hub decisions of a solution fixed.

    Returns the duals, per tonne: ``"supply"`` per origin (value of one more tonne of
    supply, >= 0), ``"capacity"`` per hub (value of one more tonne of capacity at an
    open hub, >= 0; NaN at hubs not open) and ``"demand"`` per market (cost of one more
    tonne of demand). Solved with HiGHS, whatever solved the MILP. None when the LP
    has no optimal solution (it always has one when the MILP solution is feasible).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build, marginal_values, run
    >>> net = hubopt.datasets.tiny()
    >>> raw = run(build(net, ModelOptions()))
    >>> values = marginal_values(net, ModelOptions(), raw.open_level, raw.flow_t)
    >>> values["demand"].tolist()  # one more tonne at D1, D2, D3 would cost
    [4.0, 6.0, 7.0]
    """
    built = build(network, options, fixed_levels=open_level, fixed_flow_t=flow_t)
    raw = run(built, solver="highs")
    if raw.status != "optimal":
        return None
    hubs = network.hubs
    levels = built.levels
    out = {
        "supply": np.zeros(len(network.origins)),
        "capacity": np.full(len(hubs), np.nan),
        "demand": np.full(len(network.destinations), np.nan),
    }
    for o, row in built.rows["supply"].items():
        out["supply"][o] = -(row.pi or 0.0)
    is_open = {h for h, v in zip(levels.hub, open_level, strict=True) if v > 0.5}
    for h, row in built.rows["capacity"].items():
        if hubs["id"].iloc[h] in is_open:
            out["capacity"][h] = -(row.pi or 0.0)
    for h, hub_id in enumerate(hubs["id"]):
        if hub_id in is_open and np.isnan(out["capacity"][h]):
            out["capacity"][h] = 0.0
    for d, row in built.rows["demand"].items():
        out["demand"][d] = row.pi or 0.0
    for key, values in out.items():
        values[np.abs(values) < 1e-9] = 0.0
        out[key] = values + 0.0  # no negative zeros
    return out


# ------------------------------------------------------------------------------------
# solvers
# ------------------------------------------------------------------------------------
def cbc_path() -> str | None:
    """The CBC binary: beside the running Python first (a virtual environment that is
    not activated), then on PATH.

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
    return shutil.which("cbc")


def run(
    built: BuiltModel,
    *,
    solver: str | pulp.LpSolver = "highs",
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    msg: bool = False,
) -> RawSolution:
    """Solve a built model and read back an honest status, bound and gap.

    Parameters
    ----------
    built
        The model from :func:`build`.
    solver
        "highs", "cbc" or a PuLP solver object.
    time_limit_s, mip_gap, threads, msg
        Solver settings; mip_gap is relative.

    Returns
    -------
    RawSolution

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build, run
    >>> built = build(hubopt.datasets.tiny(), ModelOptions())
    >>> raw = run(built, solver="highs", time_limit_s=30)
    >>> raw.status, raw.gap
    ('optimal', 0.0)
    """
    prob = built.problem
    start = time.perf_counter()
    if isinstance(solver, str):
        name = solver.lower()
        if name == "highs":
            solution = _run_highs(prob, time_limit_s, mip_gap, threads, msg)
        elif name == "cbc":
            solution = _run_cbc(prob, time_limit_s, mip_gap, threads, msg)
        else:
            error = f"unknown solver {solver!r}; use 'highs', 'cbc' or a pulp solver"
            raise ValidationError(error)
    else:
        solution = _run_pulp_solver(prob, solver)
    solution.runtime_s = time.perf_counter() - start
    if solution.status in ("optimal", "feasible"):
        _read_values(built, solution)
    return solution


_BANNER_SILENCED = False
_BANNER_LOCK = threading.Lock()


def _silence_highs_banner() -> None:
    """HiGHS prints a copyright banner from C the first time a solver is created in a
    process, whatever its options; create that first instance with stdout muted (under
    a lock, so a solve in another thread cannot create it first)."""
    global _BANNER_SILENCED
    if _BANNER_SILENCED:
        return
    import highspy

    with _BANNER_LOCK:
        if _BANNER_SILENCED:
            return
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):  # no real stdout (e.g. captured): nothing to hide
            highspy.Highs()
            _BANNER_SILENCED = True
            return
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SILENCED = True


def _run_highs(
    prob: pulp.LpProblem,
    time_limit_s: float | None,
    mip_gap: float | None,
    threads: int | None,
    msg: bool,
) -> RawSolution:
    try:
        import highspy
    except ImportError:
        error = (
            "the HiGHS solver (the highspy package) is not installed; install it "
            "with `pip install highspy` (a dependency of hubopt), or use solver='cbc'"
        )
        raise SolverError(error) from None

    if not msg:
        _silence_highs_banner()
    options: dict[str, Any] = {}
    solver = pulp.HiGHS(
        msg=msg,
        timeLimit=time_limit_s,
        gapRel=mip_gap,
        threads=threads,
        **options,
    )
    interrupted: list[bool] = []
    solver.callSolver = lambda lp: _interruptible_run(lp.solverModel, interrupted)
    # redirect_stdout swaps the process-wide sys.stdout: from solves running in
    # threads (a ThreadPoolExecutor, a threaded Dask worker) the swaps interleave and
    # can leave sys.stdout pointing at a dead buffer, so only the main thread does it
    in_main = threading.current_thread() is threading.main_thread()
    quiet = (
        contextlib.redirect_stdout(io.StringIO()) if not msg and in_main else _null()
    )
    try:
        with quiet:
            prob.solve(solver)
    except pulp.PulpSolverError as exc:
        error = f"HiGHS failed: {exc}"
        raise SolverError(error) from None
    h = prob.solverModel
    status = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    is_mip = any(v.cat == pulp.LpInteger for v in prob.variables())
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if is_mip else objective
    if bound is not None and not np.isfinite(bound):
        bound = None
    gap = _gap(objective, bound)
    name = h.modelStatusToString(status)
    if interrupted:
        name = INTERRUPTED
    if status == S.kOptimal:
        return RawSolution(
            "optimal",
            objective,
            bound,
            gap if is_mip else 0.0,
            0,
            "highs",
            interrupted=bool(interrupted),
        )
    if status == S.kInfeasible:
        return RawSolution("infeasible", None, None, None, 0, "highs", message=name)
    if status == S.kUnbounded:
        return RawSolution("unbounded", None, None, None, 0, "highs", message=name)
    if status == S.kUnboundedOrInfeasible:
        return RawSolution("infeasible", None, None, None, 0, "highs", message=name)
    stopped = bool(interrupted)
    if has_solution:
        return RawSolution(
            "feasible",
            objective,
            bound,
            gap,
            0,
            "highs",
            message=name,
            interrupted=stopped,
        )
    return RawSolution(
        "no_solution",
        None,
        bound,
        None,
        0,
        "highs",
        message=name,
        interrupted=stopped,
    )


#: The message of a solve stopped by Ctrl-C (SIGINT); the CLI exits with 130 on it.
INTERRUPTED = "interrupted (Ctrl-C)"


def _interruptible_run(highs: Any, interrupted: list[bool]) -> None:
    """Run HiGHS so that Ctrl-C stops it cleanly with the best solution found.

    During the C++ solve Python raises KeyboardInterrupt only when the main thread
    runs Python code again, so a plain ``run()`` would ignore Ctrl-C until the solve
    ends. Here, in the main thread, SIGINT gets a handler that only records the
    signal, and HiGHS's interrupt callbacks (simplex, IPM, MIP) - Python code run in
    this thread, where the handler fires - tell HiGHS to stop at its next check: it
    returns status "Interrupted by user" with its incumbent. ``interrupted`` gets one
    True appended when Ctrl-C was pressed. highspy's ``HandleKeyboardInterrupt`` is
    not used: it solves in a thread with locks shared by every instance (concurrent
    solves in threads collide), prints, and calls ``sys.exit`` on the fifth Ctrl-C.
    Outside the main thread signals never arrive, so the solve just runs.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        highs.run()
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if not interrupted:
            interrupted.append(True)

    def check(event: Any) -> None:
        if interrupted:
            event.interrupt()

    previous = signal.signal(signal.SIGINT, on_sigint)
    highs.cbSimplexInterrupt += check
    highs.cbIpmInterrupt += check
    highs.cbMipInterrupt += check
    try:
        highs.run()
    finally:
        highs.cbSimplexInterrupt -= check
        highs.cbIpmInterrupt -= check
        highs.cbMipInterrupt -= check
        signal.signal(signal.SIGINT, previous)


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
        raise SolverError(error)
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
            _gap(objective, bound) or 0.0,
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
            _gap(objective, bound),
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


@contextlib.contextmanager
def _null():
    yield


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def _read_values(built: BuiltModel, solution: RawSolution) -> None:
    n_legs = len(built.leg_objective)
    flow = np.zeros(n_legs)
    for pos, var in built.flow.items():
        flow[pos] = var.varValue or 0.0
    path_t: dict[tuple[int, int], float] = {}
    for key, var in built.paths.items():
        value = var.varValue or 0.0
        if value > 1e-9:
            path_t[key] = value
            flow[key[1]] += value
    flow[np.abs(flow) < 1e-9] = 0.0
    opened = np.zeros(len(built.levels.hub))
    for k, var in built.open.items():
        opened[k] = round(var.varValue or 0.0)
    unmet_full = np.zeros(built.n_destinations)
    for d, var in built.unmet.items():
        unmet_full[d] = max(var.varValue or 0.0, 0.0)
    solution.flow_t = np.maximum(flow, 0.0)
    solution.open_level = opened
    solution.unmet_t = unmet_full
    solution.path_t = path_t
