"""The hub-siting MILP: its public entry points (build, run, marginal values).

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

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from . import highs, pulp_adapter
from ._arrays import Builder, CSRRows, ModelArrays, Ragged, pool_rows_of
from ._solution import INTERRUPTED, RawSolution, interrupted, relative_gap
from .deadline import Deadline
from .errors import ValidationError
from .highs import add_pool_rows
from .lagrange import HubProblem, Reduction, reduce
from .network import Network
from .pulp_adapter import LpProblem, LpSolver, cbc_path

__all__ = [
    "BASE_LEVEL",
    "INTERRUPTED",
    "LAGRANGIAN_SHARE",
    "LAZY_LINKING_MIN_ROWS",
    "LINKING_CHOICES",
    "BuiltModel",
    "CSRRows",
    "Levels",
    "ModelArrays",
    "ModelOptions",
    "RawSolution",
    "TwoStageModel",
    "add_pool_rows",
    "build",
    "build_two_stage",
    "cbc_path",
    "hub_levels",
    "leg_objective",
    "marginal_values",
    "run",
]

#: Name of the single level used for a hub without rows in ``hub_levels``.
BASE_LEVEL = "base"

#: The values of :attr:`ModelOptions.linking`.
LINKING_CHOICES = ("auto", "all", "lazy", "none")

#: From this many per-leg linking rows on, ``linking="auto"`` adds them lazily.
LAZY_LINKING_MIN_ROWS = 20_000

#: Share of ``time_limit_s`` the Lagrangian hub fixing may use at most.
LAGRANGIAN_SHARE = 0.25


@dataclass(frozen=True)
class ModelOptions:
    """Options that change the model (not the solver).

    Parameters
    ----------
    max_hubs, min_hubs
        Bounds on the number of opened hubs.
    carbon_price_per_t_co2
        Price of a tonne of CO2, added to each leg's cost through its co2_kg_per_t.
    linking
        How the per-leg linking rows ``x_l <= D_d sum_k y_hk`` that make the LP bound
        strong enter the model: "all" (every row in the model), "lazy" (kept in a
        pool; before the MIP the LP relaxation is solved and the pool rows it violates
        are added, round after round, until none is violated: the same root bound
        with a small share of the rows), "none" (left out: a weaker bound, the
        textbook model) or "auto" (the default: "lazy" from
        :data:`LAZY_LINKING_MIN_ROWS` linking rows on, else "all"). The rows are
        valid inequalities, so every choice has the same optimum.
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
    linking: str = "auto"
    single_sourcing: bool = False
    min_throughput_share: float | None = None
    budget: float | None = None
    max_co2_t: float | None = None
    exclude_portfolios: tuple[tuple[str, ...], ...] = ()
    min_difference: int = 1

    def __post_init__(self) -> None:
        if self.linking not in LINKING_CHOICES:
            msg = (
                f"linking must be one of {', '.join(map(repr, LINKING_CHOICES))}, "
                f"got {self.linking!r}"
            )
            raise ValidationError(msg)
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
    """The model as arrays, with its columns located by position in the network's
    tables; the PuLP problem is made from the arrays only when asked for
    (:attr:`problem`, used for CBC and PuLP solver objects).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build
    >>> built = build(hubopt.datasets.tiny(), ModelOptions())
    >>> len(built.flow), len(built.open), built.problem.sense  # legs, levels, minimise
    (13, 3, 1)
    """

    arrays: ModelArrays
    flow: np.ndarray  # column per leg, -1 for legs fixed at zero
    open: np.ndarray  # column per level, -1 for levels that cannot open
    unmet: np.ndarray  # column per destination, -1 without a shortfall
    path_legs: np.ndarray  # (paths, 2): inbound leg, outbound leg
    path_cols: np.ndarray  # column per path
    levels: Levels
    leg_objective: np.ndarray  # objective coefficient per tonne on each leg
    n_destinations: int
    build_s: float = 0.0
    rows: dict[str, dict[int, int]] = field(default_factory=dict)  # row numbers
    #: the hub-location core for Lagrangian hub fixing, when the model has that shape
    hub_problem: HubProblem | None = None
    _problem: LpProblem | None = field(default=None, repr=False)
    _columns: list[Any] = field(default_factory=list, repr=False)

    @property
    def problem(self) -> LpProblem:
        """The model as a PuLP problem (made from the arrays on first use)."""
        return self.pulp_problem()[0]

    @property
    def has_pulp_problem(self) -> bool:
        """Whether the PuLP problem has been made."""
        return self._problem is not None

    def make_pulp_problem(self, arrays: ModelArrays) -> None:
        """Make the PuLP problem from ``arrays``: the model's arrays with the linking
        rows a solver needs (lazy linking for CBC) instead of :attr:`arrays`."""
        self._problem, self._columns = pulp_adapter.problem_from_arrays(arrays)

    def pulp_problem(self) -> tuple[LpProblem, list[Any]]:
        """The PuLP problem and its variables in column order (made from
        :attr:`arrays` on first use)."""
        if self._problem is None:
            self.make_pulp_problem(self.arrays)
        return self._problem, self._columns


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
    legs = _table(network, "legs")
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
    origin_cost = _table(network, "origins").set_index("id")["cost_per_t"]
    handling = _table(network, "hubs").set_index("id")["handling_cost_per_t"]
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
    """Build the MILP for a network, as arrays.

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
    >>> built.problem.name, built.arrays.n_cols > 0
    ('hubopt', True)
    """
    start = time.perf_counter()
    levels = hub_levels(network)
    closed = _closed_levels(network, levels)
    builder = Builder()
    level_index = np.flatnonzero(~closed)
    if fixed_levels is None:
        open_cols = builder.add_cols("open", level_index, upper=1.0, integer=True)
    else:
        value = np.asarray(fixed_levels, dtype=float)[level_index]
        open_cols = builder.add_cols("open", level_index, lower=value, upper=value)
    open_ = np.full(len(levels.hub), -1, dtype=np.int64)
    open_[level_index] = open_cols
    block = _add_block(
        builder,
        network,
        options,
        open_,
        levels,
        "",
        for_duals=fixed_levels is not None,
        fixed_flow_t=fixed_flow_t,
    )
    builder.cost(open_[block.block_levels], levels.fixed_cost[block.block_levels])
    builder.cost(block.cost_cols, block.cost_values)
    if fixed_levels is None:
        _add_decision_rows(builder, options, open_, levels)
    plain = fixed_levels is None and not (
        options.max_hubs is not None
        or options.min_hubs is not None
        or options.budget is not None
        or options.exclude_portfolios
    )
    return BuiltModel(
        arrays=builder.finish(pool_apart=_pool_apart(builder, options.linking)),
        flow=block.flow,
        open=open_,
        unmet=block.unmet,
        path_legs=block.path_legs,
        path_cols=block.path_cols,
        levels=levels,
        leg_objective=block.coef,
        n_destinations=block.n_destinations,
        build_s=time.perf_counter() - start,
        rows=block.rows,
        hub_problem=block.hub_problem if plain else None,
    )


def _pool_apart(builder: Builder, linking: str) -> bool:
    """Whether the linking rows stay in a pool apart (lazy linking): with ``linking``
    "lazy", and "auto" from :data:`LAZY_LINKING_MIN_ROWS` rows on."""
    return linking == "lazy" or (
        linking == "auto" and builder.pool.n_rows >= LAZY_LINKING_MIN_ROWS
    )


def _closed_levels(network: Network, levels: Levels) -> np.ndarray:
    status = network.hubs.set_index("id")["status"]
    return np.array([status[h] == "closed" for h in levels.hub], dtype=bool)


def _table(network: Network, name: str) -> Any:
    """A network table without the defensive copy of the public property (read
    only; the model never edits it)."""
    return network._tables[name]


@dataclass
class _Block:
    """The flow part of the model for one network, linked to given level columns."""

    flow: np.ndarray
    unmet: np.ndarray
    path_legs: np.ndarray
    path_cols: np.ndarray
    coef: np.ndarray
    n_destinations: int
    block_levels: np.ndarray  # levels linked in this block
    cost_cols: np.ndarray  # the flow cost (fixed costs excluded)
    cost_values: np.ndarray
    rows: dict[str, dict[int, int]]
    hub_problem: HubProblem | None = None  # the plain hub-location shape only


def _add_block(
    builder: Builder,
    network: Network,
    options: ModelOptions,
    open_: np.ndarray,
    levels: Levels,
    tag: str,
    *,
    for_duals: bool = False,
    fixed_flow_t: np.ndarray | None = None,
) -> _Block:
    """Add one network's flow columns and rows; the hub level columns ``open_`` (a
    column per level, -1 where it cannot open) may be shared with other blocks."""
    legs = _table(network, "legs")
    origins = _table(network, "origins")
    hubs = _table(network, "hubs")
    dests = _table(network, "destinations")
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

    n_legs, n_o, n_h, n_d = len(legs), len(origins), len(hubs), len(dests)
    hub_ids = hubs["id"].to_numpy()
    leg_from = legs["origin"].to_numpy()
    leg_to = legs["destination"].to_numpy()
    src_o = pd.Index(origins["id"]).get_indexer(leg_from)
    src_h = pd.Index(hub_ids).get_indexer(leg_from)
    dst_h = pd.Index(hub_ids).get_indexer(leg_to)
    dst_d = pd.Index(dests["id"]).get_indexer(leg_to)
    supply = origins["supply_t"].to_numpy(dtype=float)
    demand = dests["demand_t"].to_numpy(dtype=float)
    penalty = dests["unmet_penalty_per_t"].to_numpy(dtype=float)
    max_days = dests["max_transit_days"].to_numpy(dtype=float)
    closed_h = (hubs["status"] == "closed").to_numpy()
    open_h = (hubs["status"] == "open").to_numpy()
    transit = legs["transit_days"].to_numpy(dtype=float)
    dwell = (
        hubs["dwell_days"].fillna(0).to_numpy(dtype=float)
        if "dwell_days" in hubs.columns
        else np.zeros(n_h)
    )

    from_origin = src_o >= 0
    inbound = from_origin & (dst_h >= 0)
    direct = from_origin & (dst_h < 0)
    outbound = ~from_origin
    leg_hub = np.where(inbound, dst_h, np.where(outbound, src_h, -1))
    leg_dest = np.where(inbound, -1, dst_d)

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
    to_limited = np.zeros(n_legs, dtype=bool)
    to_limited[leg_dest >= 0] = limited[leg_dest[leg_dest >= 0]]
    usable = np.ones(n_legs, dtype=bool)
    usable[(inbound | outbound) & closed_h[np.maximum(leg_hub, 0)]] = False
    fast = transit <= max_days[np.maximum(leg_dest, 0)] + 1e-9
    usable[direct & to_limited & ~fast] = False
    usable[outbound & to_limited] = False  # carried by path variables instead

    leg_pos = np.arange(n_legs)
    flow = np.full(n_legs, -1, dtype=np.int64)
    flow[usable] = builder.add_cols(f"flow{tag}", leg_pos[usable])
    unmet_index = np.flatnonzero(~np.isnan(penalty))
    unmet = np.full(n_d, -1, dtype=np.int64)
    unmet[unmet_index] = builder.add_cols(f"unmet{tag}", unmet_index)

    # paths (inbound leg, outbound leg) through an open-able hub within the limit
    in_legs = leg_pos[inbound]
    into_hub = Ragged.of(dst_h[in_legs], in_legs, n_h)
    candidates = leg_pos[outbound & to_limited & ~closed_h[np.maximum(src_h, 0)]]
    candidates = candidates[np.argsort(src_h[candidates], kind="stable")]
    member, pos = into_hub.expand(src_h[candidates])
    path_out = candidates[member]
    path_in = into_hub.items[pos]
    days = transit[path_in] + dwell[src_h[path_out]] + transit[path_out]
    keep = days <= max_days[dst_d[path_out]] + 1e-9
    path_in, path_out = path_in[keep], path_out[keep]
    path_cols = builder.add_cols(f"path{tag}", np.arange(len(path_in)))

    # level columns per hub (levels of closed hubs and unopenable levels left out)
    lvl_h = pd.Index(hub_ids).get_indexer(levels.hub)
    linked = (open_ >= 0) & (lvl_h >= 0)
    linked[linked] = ~closed_h[lvl_h[linked]]
    block_levels = np.flatnonzero(linked)
    hub_levels_ = Ragged.of(lvl_h[block_levels], block_levels, n_h)
    hub_cols = Ragged(open_[hub_levels_.items], hub_levels_.start, hub_levels_.count)
    has_levels = hub_levels_.count > 0

    # objective terms (the caller adds them, weighting blocks if there are several)
    flow_legs = leg_pos[usable]
    cost_cols = np.concatenate([flow[flow_legs], path_cols, unmet[unmet_index]])
    cost_values = np.concatenate(
        [coef[flow_legs], coef[path_out], penalty[unmet_index]]
    )
    nonzero = cost_values != 0
    cost_cols, cost_values = cost_cols[nonzero], cost_values[nonzero]

    inf = np.inf
    rows: dict[str, dict[int, int]] = {}
    tight = options.linking != "none" and not for_duals
    share = options.min_throughput_share
    live_h = np.flatnonzero(~closed_h)

    # supply: flows out of each origin
    out_o = flow_legs[from_origin[flow_legs]]
    has_out = np.bincount(src_o[out_o], minlength=n_o) > 0
    o_row = np.cumsum(has_out) - 1
    numbers = builder.add_rows(
        int(has_out.sum()),
        o_row[src_o[out_o]],
        flow[out_o],
        1.0,
        -inf,
        supply[has_out],
    )
    rows["supply"] = dict(
        zip(np.flatnonzero(has_out).tolist(), numbers.tolist(), strict=True)
    )

    # balance at every hub not closed: in - out - paths = 0
    h_row = np.full(n_h, -1, dtype=np.int64)
    h_row[live_h] = np.arange(len(live_h))
    ins = flow_legs[inbound[flow_legs]]
    outs = flow_legs[outbound[flow_legs]]
    builder.add_rows(
        len(live_h),
        np.concatenate([h_row[dst_h[ins]], h_row[src_h[outs]], h_row[src_h[path_out]]]),
        np.concatenate([flow[ins], flow[outs], path_cols]),
        np.concatenate([np.ones(len(ins)), -np.ones(len(outs) + len(path_cols))]),
        0.0,
        0.0,
    )
    # path flow on an inbound leg cannot exceed that leg's flow
    with_paths = np.unique(path_in)
    p_row = np.full(n_legs, -1, dtype=np.int64)
    p_row[with_paths] = np.arange(len(with_paths))
    builder.add_rows(
        len(with_paths),
        np.concatenate([p_row[with_paths], p_row[path_in]]),
        np.concatenate([flow[with_paths], path_cols]),
        np.concatenate([np.ones(len(with_paths)), -np.ones(len(path_cols))]),
        0.0,
        inf,
    )
    # capacity of the opened level, at hubs with inbound flow
    cap_h = np.flatnonzero(np.bincount(dst_h[ins], minlength=n_h) > 0)
    c_row = np.full(n_h, -1, dtype=np.int64)
    c_row[cap_h] = np.arange(len(cap_h))
    member, pos = hub_cols.expand(cap_h)
    numbers = builder.add_rows(
        len(cap_h),
        np.concatenate([c_row[dst_h[ins]], member]),
        np.concatenate([flow[ins], hub_cols.items[pos]]),
        np.concatenate([np.ones(len(ins)), -levels.capacity_t[hub_levels_.items[pos]]]),
        -inf,
        0.0,
    )
    rows["capacity"] = dict(zip(cap_h.tolist(), numbers.tolist(), strict=True))
    # an open hub moves at least a share of its capacity
    if share:
        capped = levels.capacitated[hub_levels_.items]
        capped_hubs = np.flatnonzero(
            np.bincount(lvl_h[hub_levels_.items[capped]], minlength=n_h) > 0
        )
        s_row = np.full(n_h, -1, dtype=np.int64)
        s_row[capped_hubs] = np.arange(len(capped_hubs))
        member, pos = hub_cols.expand(capped_hubs)
        pos = pos[capped[pos]]
        member = s_row[lvl_h[hub_levels_.items[pos]]]
        in_s = ins[s_row[dst_h[ins]] >= 0]
        builder.add_rows(
            len(capped_hubs),
            np.concatenate([s_row[dst_h[in_s]], member]),
            np.concatenate([flow[in_s], hub_cols.items[pos]]),
            np.concatenate(
                [
                    np.ones(len(in_s)),
                    -share * levels.capacity_t[hub_levels_.items[pos]],
                ]
            ),
            0.0,
            inf,
        )
    # one level per hub (exactly one at a hub that must open)
    if not for_duals:
        one_h = np.flatnonzero(has_levels)
        member, pos = hub_cols.expand(one_h)
        builder.add_rows(
            len(one_h),
            member,
            hub_cols.items[pos],
            1.0,
            np.where(open_h[one_h], 1.0, -inf),
            1.0,
        )
    if tight:
        cap_max = np.zeros(n_h)
        np.maximum.at(
            cap_max, lvl_h[hub_levels_.items], levels.capacity_t[hub_levels_.items]
        )
        # x_l <= D_d sum_k y_hk on outbound legs, x_l <= min(S_o, K_h) sum_k y_hk on
        # inbound legs, sum of paths on an outbound leg <= D_d sum_k y_hk
        linked_out = outs[has_levels[src_h[outs]]]
        builder.add_linking(
            flow[linked_out],
            src_h[linked_out],
            hub_cols,
            -demand[dst_d[linked_out]],
            -inf,
            0.0,
            lazy=True,
        )
        linked_in = ins[has_levels[dst_h[ins]]]
        builder.add_linking(
            flow[linked_in],
            dst_h[linked_in],
            hub_cols,
            -np.minimum(supply[src_o[linked_in]], cap_max[dst_h[linked_in]]),
            -inf,
            0.0,
            lazy=True,
        )
        path_m = np.unique(path_out)
        path_m = path_m[has_levels[src_h[path_m]]]
        m_row = np.full(n_legs, -1, dtype=np.int64)
        m_row[path_m] = np.arange(len(path_m))
        on = m_row[path_out] >= 0
        member, pos = hub_cols.expand(src_h[path_m])
        builder.add_rows(
            len(path_m),
            np.concatenate([m_row[path_out[on]], member]),
            np.concatenate([path_cols[on], hub_cols.items[pos]]),
            np.concatenate([np.ones(int(on.sum())), -demand[dst_d[path_m]][member]]),
            -inf,
            0.0,
            lazy=True,
        )

    # demand: flows and paths into each market, plus its shortfall = D_d
    into_d = flow_legs[leg_dest[flow_legs] >= 0]
    numbers = builder.add_rows(
        n_d,
        np.concatenate([dst_d[into_d], dst_d[path_out], unmet_index]),
        np.concatenate([flow[into_d], path_cols, unmet[unmet_index]]),
        1.0,
        demand,
        demand,
    )
    rows["demand"] = dict(zip(range(n_d), numbers.tolist(), strict=True))

    if options.single_sourcing:
        _add_single_sourcing(
            builder,
            tag,
            demand=demand,
            penalty=penalty,
            leg_dest=leg_dest,
            direct=direct,
            src_h=src_h,
            flow=flow,
            path_out=path_out,
            path_cols=path_cols,
            hub_cols=hub_cols,
            tight=tight,
            fixed_flow_t=fixed_flow_t if for_duals else None,
        )

    if options.max_co2_t is not None:
        c_legs = flow_legs[co2[flow_legs] != 0]
        cols = np.concatenate([flow[c_legs], path_cols])
        builder.add_rows(
            1,
            np.zeros(len(cols), dtype=np.int64),
            cols,
            np.concatenate([co2[c_legs], co2[path_out]]) / 1000.0,
            -inf,
            float(options.max_co2_t),
        )

    if not for_duals:
        # aggregate capacity cover: opened capacity + direct flows + shortfall >= demand
        d_legs = flow_legs[direct[flow_legs]]
        cols = np.concatenate([open_[block_levels], flow[d_legs], unmet[unmet_index]])
        if len(cols):
            builder.add_rows(
                1,
                np.zeros(len(cols), dtype=np.int64),
                cols,
                np.concatenate(
                    [
                        levels.capacity_t[block_levels],
                        np.ones(len(d_legs) + len(unmet_index)),
                    ]
                ),
                float(demand.sum()),
                inf,
            )

    hub_problem = None
    plain = not (share or options.single_sourcing or options.max_co2_t is not None)
    if plain and not for_duals and not len(path_cols):
        d_legs = flow_legs[direct[flow_legs]]
        hub_problem = HubProblem(
            in_col=flow[ins],
            in_hub=dst_h[ins],
            in_origin=src_o[ins],
            in_cost=coef[ins],
            out_col=flow[outs],
            out_hub=src_h[outs],
            out_dest=dst_d[outs],
            out_cost=coef[outs],
            direct_col=flow[d_legs],
            direct_origin=src_o[d_legs],
            direct_dest=dst_d[d_legs],
            direct_cost=coef[d_legs],
            unmet_col=unmet,
            penalty=penalty,
            supply_t=supply,
            demand_t=demand,
            level_col=open_[block_levels],
            level_hub=lvl_h[block_levels],
            level_capacity_t=levels.capacity_t[block_levels],
            level_fixed_cost=levels.fixed_cost[block_levels],
            must_open=open_h,
            n_hubs=n_h,
        )
    return _Block(
        flow=flow,
        unmet=unmet,
        path_legs=np.column_stack([path_in, path_out]),
        path_cols=path_cols,
        coef=coef,
        n_destinations=n_d,
        block_levels=block_levels,
        cost_cols=cost_cols,
        cost_values=cost_values,
        rows=rows,
        hub_problem=hub_problem,
    )


def _add_single_sourcing(
    builder: Builder,
    tag: str,
    *,
    demand: np.ndarray,
    penalty: np.ndarray,
    leg_dest: np.ndarray,
    direct: np.ndarray,
    src_h: np.ndarray,
    flow: np.ndarray,
    path_out: np.ndarray,
    path_cols: np.ndarray,
    hub_cols: Ragged,
    tight: bool,
    fixed_flow_t: np.ndarray | None,
) -> None:
    """Every market takes all its tonnes from one source: one hub (any of its legs
    into the market) or one direct leg. a_ds binary; sum_s a_ds = 1 (<= 1 where
    shortfall is allowed); inflow from s <= D_d a_ds."""
    n_legs = len(flow)
    carries = (flow >= 0) | (np.bincount(path_out, minlength=n_legs) > 0)
    legs = np.flatnonzero((leg_dest >= 0) & carries)
    legs = legs[np.argsort(leg_dest[legs], kind="stable")]
    # a source is (market, direct leg) or (market, hub), numbered by first use
    code = np.where(direct[legs], legs, n_legs + src_h[legs])
    key = leg_dest[legs].astype(np.int64) * (n_legs + len(hub_cols.count) + 1) + code
    source_of_leg, first = pd.factorize(key)
    n_src = len(first)
    first_leg = np.zeros(n_src, dtype=np.int64)
    first_leg[source_of_leg[::-1]] = legs[::-1]
    src_d = leg_dest[first_leg]
    src_hub = np.where(direct[first_leg], -1, src_h[first_leg])
    if fixed_flow_t is None:
        assign = builder.add_cols(
            f"assign{tag}", np.arange(n_src), upper=1.0, integer=True
        )
    else:
        # the LP for marginal values: keep each market on the source it uses
        used = np.zeros(n_src, dtype=bool)
        used[source_of_leg[np.asarray(fixed_flow_t)[legs] > 1e-9]] = True
        value = used.astype(float)
        assign = builder.add_cols(
            f"assign{tag}", np.arange(n_src), lower=value, upper=value
        )
    # inflow from each source <= D_d a_ds
    leg_src = np.full(n_legs, -1, dtype=np.int64)
    leg_src[legs] = source_of_leg
    f_legs = legs[flow[legs] >= 0]
    builder.add_rows(
        n_src,
        np.concatenate([leg_src[f_legs], leg_src[path_out], np.arange(n_src)]),
        np.concatenate([flow[f_legs], path_cols, assign]),
        np.concatenate(
            [np.ones(len(f_legs) + len(path_cols)), -demand[src_d]],
        ),
        -np.inf,
        0.0,
    )
    if tight:
        # a_ds <= sum_k y_hk for a hub source
        hubbed = np.flatnonzero(src_hub >= 0)
        builder.add_linking(
            assign[hubbed],
            src_hub[hubbed],
            hub_cols,
            -np.ones(len(hubbed)),
            -np.inf,
            0.0,
        )
    if fixed_flow_t is not None:
        return
    markets = np.unique(src_d)
    markets = markets[demand[markets] > 0]
    d_row = np.full(len(demand), -1, dtype=np.int64)
    d_row[markets] = np.arange(len(markets))
    on = d_row[src_d] >= 0
    builder.add_rows(
        len(markets),
        d_row[src_d[on]],
        assign[on],
        1.0,
        np.where(np.isnan(penalty[markets]), 1.0, -np.inf),
        1.0,
    )


def _add_decision_rows(
    builder: Builder,
    options: ModelOptions,
    open_: np.ndarray,
    levels: Levels,
) -> None:
    """Rows on the hub decisions alone: count, budget and no-good cuts."""
    level_index = np.flatnonzero(open_ >= 0)
    cols = open_[level_index]
    zeros = np.zeros(len(cols), dtype=np.int64)
    if options.max_hubs is not None:
        builder.add_rows(1, zeros, cols, 1.0, -np.inf, float(options.max_hubs))
    if options.min_hubs is not None:
        builder.add_rows(1, zeros, cols, 1.0, float(options.min_hubs), np.inf)
    if options.budget is not None:
        builder.add_rows(
            1,
            zeros,
            cols,
            levels.fixed_cost[level_index],
            -np.inf,
            float(options.budget),
        )
    # no-good cuts: differ from each excluded portfolio in at least min_difference hubs
    for portfolio in options.exclude_portfolios:
        chosen = set(portfolio)
        in_chosen = np.array([levels.hub[k] in chosen for k in level_index], dtype=bool)
        builder.add_rows(
            1,
            zeros,
            cols,
            np.where(in_chosen, -1.0, 1.0),
            float(options.min_difference - len(chosen)),
            np.inf,
        )


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
    builder = Builder()
    level_index = np.flatnonzero(~closed_all)
    open_ = np.full(len(levels.hub), -1, dtype=np.int64)
    open_[level_index] = builder.add_cols("open", level_index, upper=1.0, integer=True)
    blocks = [
        _add_block(builder, net, options, open_, levels, f"_s{s}")
        for s, net in enumerate(networks)
    ]
    # first-stage cost: every built level is paid for in every scenario
    built_cols = open_[level_index]
    built_cost = levels.fixed_cost[level_index].astype(float)
    if criterion == "expected":
        for weight, block in zip(weights, blocks, strict=True):
            builder.cost(built_cols, weight * built_cost)
            builder.cost(block.cost_cols, weight * block.cost_values)
    else:
        regret = builder.add_cols("max_regret", np.zeros(1, dtype=int), lower=-np.inf)
        builder.cost(regret, 1.0)
        for block, optimum in zip(blocks, own_optima or [], strict=True):
            cols = np.concatenate([built_cols, block.cost_cols, regret])
            builder.add_rows(
                1,
                np.zeros(len(cols), dtype=np.int64),
                cols,
                np.concatenate([built_cost, block.cost_values, [-1.0]]),
                -np.inf,
                float(optimum),
            )
    _add_decision_rows(builder, options, open_, levels)
    built = BuiltModel(
        arrays=builder.finish(
            "hubopt_robust", pool_apart=_pool_apart(builder, options.linking)
        ),
        flow=np.zeros(0, dtype=np.int64),
        open=open_,
        unmet=np.zeros(0, dtype=np.int64),
        path_legs=np.zeros((0, 2), dtype=np.int64),
        path_cols=np.zeros(0, dtype=np.int64),
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
    *,
    deadline: Deadline | None = None,
    threads: int | None = None,
) -> dict[str, np.ndarray] | None:
    """Marginal values from the LP with the hub decisions of a solution fixed.

    Returns the duals, per tonne: ``"supply"`` per origin (value of one more tonne of
    supply, >= 0), ``"capacity"`` per hub (value of one more tonne of capacity at an
    open hub, >= 0; NaN at hubs not open) and ``"demand"`` per market (cost of one more
    tonne of demand). Solved with HiGHS, whatever solved the MILP, with ``threads``
    (those of the MILP's solve, so HiGHS keeps its thread scheduler) and the time
    left of ``deadline`` (the solve's; at least 1 s). None when the LP has no optimal
    solution (it always has one when the MILP solution is feasible, given the time).

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
    stage = Deadline(None) if deadline is None else deadline.stage(at_least=1.0)
    _, dual = highs.solve_duals(built.arrays, stage, threads)
    if dual is None:
        return None
    hubs = _table(network, "hubs")
    levels = built.levels
    out = {
        "supply": np.zeros(len(_table(network, "origins"))),
        "capacity": np.full(len(hubs), np.nan),
        "demand": np.full(len(_table(network, "destinations")), np.nan),
    }
    for o, row in built.rows["supply"].items():
        out["supply"][o] = -dual[row]
    is_open = {h for h, v in zip(levels.hub, open_level, strict=True) if v > 0.5}
    for h, row in built.rows["capacity"].items():
        if hubs["id"].iloc[h] in is_open:
            out["capacity"][h] = -dual[row]
    for h, hub_id in enumerate(hubs["id"]):
        if hub_id in is_open and np.isnan(out["capacity"][h]):
            out["capacity"][h] = 0.0
    for d, row in built.rows["demand"].items():
        out["demand"][d] = dual[row]
    for key, values in out.items():
        values[np.abs(values) < 1e-9] = 0.0
        out[key] = values + 0.0  # no negative zeros
    return out


def run(
    built: BuiltModel,
    *,
    solver: str | LpSolver = "highs",
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    msg: bool = False,
    deadline: Deadline | None = None,
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
    deadline
        The time budget as a deadline already running (a solve's, shared with the
        marginal-value LP after it); replaces ``time_limit_s``.

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
    deadline = Deadline(time_limit_s) if deadline is None else deadline
    name = solver.lower() if isinstance(solver, str) else None
    if name not in (None, "highs", "cbc"):
        error = f"unknown solver {solver!r}; use 'highs', 'cbc' or a pulp solver"
        raise ValidationError(error)
    label = name or type(solver).__name__
    arrays, reduction, seed, stage = built.arrays, None, None, deadline
    if built.hub_problem is not None and arrays.pool.n_rows:
        # a large model of the plain shape: Lagrangian bound, incumbent and fixings
        try:
            reduction = reduce(
                built.hub_problem,
                highs.FixedLevelsLP(arrays, built.hub_problem, threads),
                deadline=deadline.stage(share=LAGRANGIAN_SHARE),
                msg=msg,
            )
        except KeyboardInterrupt:  # Ctrl-C before the MIP: as in the lazy rounds
            return interrupted(label, deadline.start)
        arrays = _with_fixed_levels(arrays, reduction)
        seed = pool_rows_of(arrays.pool, reduction.used_cols)
        stage = deadline.stage(at_least=1.0)
    if name == "highs":
        incumbent = None if reduction is None else reduction.values
        solution, values = highs.solve(
            arrays, stage, mip_gap, threads, msg, incumbent=incumbent, seed=seed
        )
    else:
        if built.arrays.pool.n_rows and not built.has_pulp_problem:
            # lazy linking for CBC and PuLP solvers: pick the rows with HiGHS's LP
            stopped: list[bool] = []
            selected = highs.select_pool_rows(arrays, stage, msg, stopped, seed)
            if stopped:
                return interrupted(label, deadline.start)
            built.make_pulp_problem(arrays.with_pool_rows(selected))
            stage = deadline.stage(at_least=1.0)
        prob, columns = built.pulp_problem()
        solution, values = pulp_adapter.solve(
            prob, columns, solver, stage, mip_gap, threads, msg
        )
    if (
        reduction is not None
        and solution.status == "feasible"
        and (solution.best_bound is None or reduction.bound > solution.best_bound)
    ):
        # the Lagrangian bound holds for the whole model; HiGHS's for what was left
        solution.best_bound = reduction.bound
        solution.gap = relative_gap(solution.objective, reduction.bound)
    solution.runtime_s = deadline.elapsed_s()
    if values is not None:
        _read_values(built, solution, values)
    return solution


def _with_fixed_levels(arrays: ModelArrays, reduction: Reduction) -> ModelArrays:
    """The arrays with the level columns the Lagrangian method fixed set to 0 or 1."""
    if not len(reduction.closed_cols) and not len(reduction.open_cols):
        return arrays
    lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
    upper[reduction.closed_cols] = 0.0
    lower[reduction.open_cols] = 1.0
    return replace(arrays, col_lower=lower, col_upper=upper)


def _read_values(built: BuiltModel, solution: RawSolution, values: np.ndarray) -> None:
    """Column values (in column order) to flows, levels and shortfalls."""
    flow = np.zeros(len(built.leg_objective))
    has = built.flow >= 0
    flow[has] = values[built.flow[has]]
    path_values = values[built.path_cols]
    used = path_values > 1e-9
    path_t = {
        (int(leg_in), int(leg_out)): float(v)
        for (leg_in, leg_out), v in zip(
            built.path_legs[used].tolist(), path_values[used].tolist(), strict=True
        )
    }
    np.add.at(flow, built.path_legs[used, 1], path_values[used])
    flow[np.abs(flow) < 1e-9] = 0.0
    opened = np.zeros(len(built.levels.hub))
    can_open = built.open >= 0
    opened[can_open] = np.round(values[built.open[can_open]]) + 0.0  # no -0.0
    unmet_full = np.zeros(built.n_destinations)
    has = built.unmet >= 0
    unmet_full[has] = np.maximum(values[built.unmet[has]], 0.0)
    solution.flow_t = np.maximum(flow, 0.0)
    solution.open_level = opened
    solution.unmet_t = unmet_full
    solution.path_t = path_t
