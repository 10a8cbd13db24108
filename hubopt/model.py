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

The parts live in modules of their own: :mod:`hubopt.formulation` (the constraint
families and their registry), :mod:`hubopt._arrays` (the sparse-array toolkit),
:mod:`hubopt.highs` (the HiGHS driver), :mod:`hubopt.pulp_adapter` (CBC and other
PuLP solvers) and :mod:`hubopt.deadline` (the time budget). This module composes them
and keeps the entry points.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from . import _repair, highs, pulp_adapter, strategy
from ._arrays import Builder, CSRRows, ModelArrays, pool_rows_of
from ._solution import INTERRUPTED, RawSolution, interrupted, relative_gap
from ._sources import SourceTable, source_table
from .deadline import Deadline
from .errors import ValidationError
from .formulation import BASE_LEVEL as BASE_LEVEL
from .formulation import (
    FlowBlock,
    PeriodLink,
    add_flow_block,
    add_hub_rows,
    closed_levels,
    hub_problem,
    plain_shape,
    table,
)
from .formulation import Levels as Levels
from .formulation import hub_levels as hub_levels
from .formulation import leg_objective as leg_objective
from .highs import add_pool_rows as add_pool_rows
from .lagrange import HubProblem, Reduction, reduce
from .network import Network
from .options import LINKING_CHOICES as LINKING_CHOICES
from .options import ModelOptions as ModelOptions
from .periods import (
    Periods,
    level_silo_t,
    period_networks,
    reserve_hubs,
    stock_loss_share,
)
from .pulp_adapter import LpProblem, LpSolver
from .pulp_adapter import cbc_path as cbc_path

# The names documented on this page: its own and those of the private modules
# (_arrays, _solution). The ``X as X`` imports above re-export names from their new
# homes (formulation, highs, pulp_adapter, options, documented there) for code that
# imports them from here.
__all__ = [
    "INTERRUPTED",
    "LAGRANGIAN_SHARE",
    "LAZY_LINKING_MIN_ROWS",
    "NOISE_T",
    "PLAIN_LAZY_MIN_ROWS",
    "REPAIR_MIN_S",
    "REPAIR_SHARE",
    "UNMET_WEIGHT",
    "BuiltModel",
    "CSRRows",
    "ModelArrays",
    "PeriodModel",
    "RawSolution",
    "TwoStageModel",
    "build",
    "build_periods",
    "build_two_stage",
    "canonical_weights",
    "marginal_values",
    "read_periods",
    "run",
    "settle",
]

#: Tonnes below this on a leg, a path or in a stock are the solver's tolerance and
#: read as 0: HiGHS's feasibility tolerance (1e-7) applies to the scaled model, so
#: a closed hub's legs can carry some 1e-8 t per period on a network of millions of
#: tonnes, which summed over periods showed as served markets and used hubs.
NOISE_T = 1e-6
#: From this many per-leg linking rows on, ``linking="auto"`` adds them lazily.
LAZY_LINKING_MIN_ROWS = 20_000

#: ... and from this many on a model of the plain hub-location shape, where a probe
#: of its root then chooses between the Lagrangian hub fixing and the MIP
#: (:mod:`hubopt.strategy`; docs/performance.md, "Shapes").
PLAIN_LAZY_MIN_ROWS = 5_000

#: Share of ``time_limit_s`` the Lagrangian hub fixing may use at most.
LAGRANGIAN_SHARE = 0.25

#: Share of ``time_limit_s`` the repair heuristic (single sourcing) may use at most,
#: and the seconds it gets however little time is left (as the MIP gets 1 s).
REPAIR_SHARE = 0.3
REPAIR_MIN_S = 0.5


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
    #: single sourcing: the markets' sources as a dense table, for the repair
    #: heuristic's first solution (:mod:`hubopt._repair`)
    sources: SourceTable | None = None
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
        are then fixed and the model is the LP whose duals are the marginal values:
        only the families :data:`hubopt.formulation.FAMILIES` marks as kept by it
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
    _period_options_need_periods(options)
    levels = hub_levels(network)
    closed = closed_levels(network, levels)
    builder = Builder()
    level_index = np.flatnonzero(~closed)
    if fixed_levels is None:
        open_cols = builder.add_cols("open", level_index, upper=1.0, integer=True)
    else:
        value = np.asarray(fixed_levels, dtype=float)[level_index]
        open_cols = builder.add_cols("open", level_index, lower=value, upper=value)
    open_ = np.full(len(levels.hub), -1, dtype=np.int64)
    open_[level_index] = open_cols
    for_duals = fixed_levels is not None
    block = add_flow_block(
        builder,
        network,
        options,
        open_,
        levels,
        "",
        for_duals=for_duals,
        fixed_flow_t=fixed_flow_t,
    )
    f = block.data
    builder.cost(open_[f.block_levels], levels.fixed_cost[f.block_levels])
    builder.cost(block.cost_cols, block.cost_values)
    if not for_duals:
        add_hub_rows(builder, options, open_, levels)
    plain = not for_duals and plain_shape(options, f)
    return BuiltModel(
        arrays=builder.finish(
            pool_apart=_pool_apart(builder, options.linking, plain=plain)
        ),
        flow=f.flow,
        open=open_,
        unmet=f.unmet,
        path_legs=np.column_stack([f.path_in, f.path_out]),
        path_cols=f.path_cols,
        levels=levels,
        leg_objective=f.coef,
        n_destinations=len(f.demand),
        build_s=time.perf_counter() - start,
        rows=f.rows,
        hub_problem=hub_problem(f) if plain else None,
        sources=None if for_duals else source_table(f),
    )


#: Options of the one-period model not (yet) in the multi-period one, and why.
PERIODS_UNSUPPORTED = {
    "single_sourcing": "a market's source would be fixed for the year",
    "min_throughput_share": "an annual minimum throughput is not modelled per period",
    "min_throughput_t": "an annual minimum throughput is not modelled per period",
}

#: Options of the one-period model that the multi-period one states once for the
#: year, as a sum over the periods, instead of in every period's block.
PERIODS_YEARLY = ("max_co2_t", "programme_t")


def _period_options_need_periods(options: ModelOptions) -> None:
    used = [
        name
        for name in ("reserve_days", "min_period_share")
        if getattr(options, name) is not None
    ]
    if used:
        msg = (
            f"{', '.join(used)} need periods: solve with periods="
            "hubopt.periods.Periods.from_frames(...) (or read_periods(folder)), or "
            "leave them out"
        )
        raise ValidationError(msg)


@dataclass
class PeriodModel:
    """The multi-period MILP: hub levels chosen once, flows per period, stock at
    hubs carried from one period to the next (see ``docs/model.md``, "Periods and
    stock").

    Examples
    --------
    >>> import pandas as pd
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build_periods
    >>> from hubopt.periods import Periods
    >>> p = Periods.from_frames(pd.DataFrame({"id": ["a", "b"], "days": [1, 1]}))
    >>> pm = build_periods(hubopt.datasets.tiny(), p, ModelOptions())
    >>> len(pm.blocks), pm.stock_cols.shape  # no hub has a silo
    (2, (0, 2))
    """

    built: BuiltModel  # the annual view: level columns; flows read block by block
    blocks: list[FlowBlock]
    networks: list[Network]  # one per period
    levels: list[Levels]  # per period (capacities pro rata to days)
    periods: Periods
    stock_hub: np.ndarray  # hub positions with a stock column
    stock_cols: np.ndarray  # (stocking hubs, periods)
    storage_cost: np.ndarray  # per stocking hub, per tonne and period


def build_periods(
    network: Network, periods: Periods, options: ModelOptions
) -> PeriodModel:
    """Build the multi-period MILP, as arrays: one flow block per period network
    (:func:`hubopt.periods.period_networks`) on shared level columns, stock columns
    ``s_h,t`` at hubs whose levels have a silo, the balance at those hubs carrying
    stock from period to period, the silo, reserve and period-share families, and
    the storage cost ``sum_h,t c_h s_h,t``. Hub capacity holds per period, pro rata
    to its days.

    Raises
    ------
    ValidationError
        For options the multi-period model does not have (yet), and bad period data.
    """
    start = time.perf_counter()
    unsupported = [
        f"{name} ({why})"
        for name, why in PERIODS_UNSUPPORTED.items()
        if getattr(options, name) not in (None, False)
    ]
    if unsupported:
        msg = (
            "the multi-period model does not have these options yet: "
            f"{'; '.join(unsupported)}; solve without them, or without periods"
        )
        raise ValidationError(msg)
    networks = period_networks(network, periods)
    yearly = {name: getattr(options, name) for name in PERIODS_YEARLY}
    block_options = replace(options, **dict.fromkeys(PERIODS_YEARLY))
    levels = hub_levels(network)
    closed = closed_levels(network, levels)
    builder = Builder()
    level_index = np.flatnonzero(~closed)
    open_ = np.full(len(levels.hub), -1, dtype=np.int64)
    open_[level_index] = builder.add_cols("open", level_index, upper=1.0, integer=True)
    hubs = table(network, "hubs")
    silo = level_silo_t(network, levels.hub, levels.level)
    lvl_h = pd.Index(hubs["id"]).get_indexer(levels.hub)
    stocking = np.zeros(len(hubs), dtype=bool)
    stocking[lvl_h[(silo > 0) & ~closed]] = True
    stock_hub = np.flatnonzero(stocking)
    n_t = len(periods)
    stock_cols = np.zeros((len(stock_hub), n_t), dtype=np.int64)
    storage = network.column("hubs", "storage_cost_per_t_period").to_numpy(float)
    if len(stock_hub):
        stock_cols = builder.add_cols("stock", np.arange(len(stock_hub) * n_t)).reshape(
            len(stock_hub), n_t
        )
        builder.cost(stock_cols.ravel(), np.repeat(storage[stock_hub], n_t))
    keep = 1.0 - stock_loss_share(network)[stock_hub]
    reserve_pos, reserve_markets = None, None
    if options.reserve_days:
        group = reserve_hubs(network, options.reserve_markets)
        reserve_pos = np.flatnonzero(np.isin(stock_hub, group))
        dests = table(network, "destinations")["id"]
        reserve_markets = np.flatnonzero(
            dests.isin(options.reserve_markets or set(dests)).to_numpy()
        )
    blocks, period_levels = [], []
    for t, net in enumerate(networks):
        lev = hub_levels(net)
        if len(stock_hub):  # a period's inflow may go to stock: bounded by supply
            lev.capacity_t[~lev.capacitated] = net.total_supply_t
        prev = t - 1 if t else (n_t - 1 if options.cyclic_stock else -1)
        link = PeriodLink(
            index=t,
            stock_hub=stock_hub,
            stock_now=stock_cols[:, t],
            stock_prev=stock_cols[:, prev]
            if prev >= 0
            else np.full(len(stock_hub), -1),
            keep=keep,
            silo_t=silo,
            reserve_per_t=(options.reserve_days or 0.0) / float(periods.days[t]),
            reserve_pos=reserve_pos,
            reserve_markets=reserve_markets,
        )
        block = add_flow_block(
            builder, net, block_options, open_, lev, f"_p{t}", period=link
        )
        builder.cost(block.cost_cols, block.cost_values)
        blocks.append(block)
        period_levels.append(lev)
    first = blocks[0].data
    builder.cost(open_[first.block_levels], levels.fixed_cost[first.block_levels])
    if len(stock_hub):
        _add_year_cover(builder, blocks, levels)
    if yearly["max_co2_t"] is not None:
        _add_year_co2_cap(builder, network, blocks, float(yearly["max_co2_t"]))
    if yearly["programme_t"] is not None:
        _add_year_programme(builder, blocks, float(yearly["programme_t"]))
    add_hub_rows(builder, options, open_, levels)
    n_legs = len(table(network, "legs"))
    built = BuiltModel(
        arrays=builder.finish(
            "hubopt_periods", pool_apart=_pool_apart(builder, options.linking)
        ),
        flow=np.full(n_legs, -1, dtype=np.int64),
        open=open_,
        unmet=np.full(len(first.demand), -1, dtype=np.int64),
        path_legs=np.zeros((0, 2), dtype=np.int64),
        path_cols=np.zeros(0, dtype=np.int64),
        levels=levels,
        leg_objective=leg_objective(network, options.carbon_price_per_t_co2),
        n_destinations=len(first.demand),
        build_s=time.perf_counter() - start,
    )
    return PeriodModel(
        built, blocks, networks, period_levels, periods, stock_hub, stock_cols, storage
    )


def _add_year_cover(builder: Builder, blocks: list[FlowBlock], levels: Levels) -> None:
    """The year's capacity cover, a valid inequality where there is stock (the
    per-period cover is not): ``sum_hk K_hk y_hk + sum_t (sum_direct x_l,t + sum_d
    u_d,t) >= sum_t sum_d D_d,t`` (over the year a hub delivers at most what
    entered it, at most its capacity)."""
    first = blocks[0].data
    cols = [first.open_[first.block_levels]]
    values = [levels.capacity_t[first.block_levels]]
    demand = 0.0
    for block in blocks:
        f = block.data
        d_legs = f.flow_legs[f.direct[f.flow_legs]]
        cols += [f.flow[d_legs], f.unmet[f.unmet_index]]
        values.append(np.ones(len(d_legs) + len(f.unmet_index)))
        demand += float(f.demand.sum())
    col = np.concatenate(cols)
    builder.add_rows(
        1,
        np.zeros(len(col), dtype=np.int64),
        col,
        np.concatenate(values),
        demand,
        np.inf,
    )


def _add_year_co2_cap(
    builder: Builder, network: Network, blocks: list[FlowBlock], max_co2_t: float
) -> None:
    """The CO2 cap over the year: ``sum_t (sum_l e_l x_l,t + sum_p (e_l + e_m)
    p_lm,t) <= max_co2_t`` (a path's CO2 on its inbound leg is in ``x_l,t``)."""
    legs = table(network, "legs")
    co2 = legs["co2_kg_per_t"].to_numpy(dtype=float)
    if np.isnan(co2).any():
        bad = [
            f"table 'legs', leg {legs['origin'].iloc[p]}->"
            f"{legs['destination'].iloc[p]}, column 'co2_kg_per_t': missing, but "
            "max_co2_t was given; fill it with hubopt.with_leg_attributes(network)"
            for p in np.flatnonzero(np.isnan(co2))[:20]
        ]
        raise ValidationError(bad)
    cols, values = [], []
    for block in blocks:
        f = block.data
        c_legs = f.flow_legs[f.co2[f.flow_legs] != 0]
        cols += [f.flow[c_legs], f.path_cols]
        values += [f.co2[c_legs] / 1000.0, f.co2[f.path_out] / 1000.0]
    col = np.concatenate(cols)
    builder.add_rows(
        1,
        np.zeros(len(col), dtype=np.int64),
        col,
        np.concatenate(values),
        -np.inf,
        max_co2_t,
    )


def _add_year_programme(
    builder: Builder, blocks: list[FlowBlock], programme_t: float
) -> None:
    """The programme over the year: ``sum_t sum_d (D_d,t - u_d,t) >= P``, written
    ``sum_t sum_d u_d,t <= sum_t sum_d D_d,t - P``."""
    supply = sum(float(b.data.supply.sum()) for b in blocks)
    demand = sum(float(b.data.demand.sum()) for b in blocks)
    if programme_t > min(supply, demand) + 1e-9:
        short = "supply" if supply < demand else "demand"
        msg = (
            f"programme_t {programme_t:,.0f} t is more than the network's total "
            f"{short} of {min(supply, demand):,.0f} t over the periods; lower "
            f"programme_t to at most that, or add {short}"
        )
        raise ValidationError(msg)
    col = np.concatenate([b.data.unmet[b.data.unmet_index] for b in blocks])
    if not len(col):
        return  # every market is served in full in every period
    builder.add_rows(
        1, np.zeros(len(col), dtype=np.int64), col, 1.0, -np.inf, demand - programme_t
    )


def read_periods(pm: PeriodModel, raw: RawSolution) -> tuple[list[RawSolution], Any]:
    """The multi-period solution read block by block: one RawSolution per period
    (its flows, shortfalls and paths; its objective the period's flow cost), the
    annual flows, shortfalls and paths summed into ``raw``, and the stock at the end
    of each period, a (stocking hubs, periods) array."""
    values = raw.values
    parts: list[RawSolution] = []
    if values is None:  # no solution: no flows in any period either
        parts = [
            RawSolution(raw.status, None, None, None, raw.runtime_s, raw.solver)
            for _ in pm.blocks
        ]
        return parts, np.zeros(pm.stock_cols.shape)
    built = pm.built
    for block in pm.blocks:
        f = block.data
        view = replace(
            built,
            flow=f.flow,
            unmet=f.unmet,
            path_legs=np.column_stack([f.path_in, f.path_out]),
            path_cols=f.path_cols,
            leg_objective=f.coef,
        )
        cost = float(block.cost_values @ values[block.cost_cols])
        part = RawSolution(raw.status, cost, None, None, raw.runtime_s, raw.solver)
        _read_values(view, part, values)
        parts.append(part)
    raw.flow_t = np.sum([p.flow_t for p in parts], axis=0)
    raw.unmet_t = np.sum([p.unmet_t for p in parts], axis=0)
    raw.open_level = parts[0].open_level
    paths: dict[tuple[int, int], float] = {}
    for part in parts:
        for key, tonnes in part.path_t.items():
            paths[key] = paths.get(key, 0.0) + tonnes
    raw.path_t = paths
    stock = np.maximum(values[pm.stock_cols], 0.0) if pm.stock_cols.size else None
    if stock is None:
        stock = np.zeros(pm.stock_cols.shape)
    stock[stock < NOISE_T] = 0.0
    return parts, stock


def _pool_apart(builder: Builder, linking: str, plain: bool = False) -> bool:
    """Whether the linking rows stay in a pool apart (lazy linking): with ``linking``
    "lazy", and "auto" from :data:`LAZY_LINKING_MIN_ROWS` rows on (from
    :data:`PLAIN_LAZY_MIN_ROWS` on a model of the plain shape)."""
    least = LAZY_LINKING_MIN_ROWS
    if plain:
        least = min(least, PLAIN_LAZY_MIN_ROWS)
    return linking == "lazy" or (linking == "auto" and builder.pool.n_rows >= least)


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
    blocks: list[FlowBlock]
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
    closed_all = np.all([closed_levels(net, levels) for net in networks], axis=0)
    builder = Builder()
    level_index = np.flatnonzero(~closed_all)
    open_ = np.full(len(levels.hub), -1, dtype=np.int64)
    open_[level_index] = builder.add_cols("open", level_index, upper=1.0, integer=True)
    blocks = [
        add_flow_block(builder, net, options, open_, levels, f"_s{s}")
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
    add_hub_rows(builder, options, open_, levels)
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


#: Weight of a tonne left unmet in the tie-break: above any path's (at most 8), so
#: that a market is served rather than left short when both cost the same.
UNMET_WEIGHT = 10.0


def canonical_weights(network: Network, built: BuiltModel) -> np.ndarray:
    """The tie-break's weight of every column: a fixed function of ids, so that
    equally cheap alternatives resolve the same way whatever the order of the rows
    and in every model of the same network (the baseline, a forced hub).

    A leg from ``a`` to ``b`` weighs ``(1 + u) (2 - v)``, from the positions of the
    ids in sorted order (every node id of the network in one list of ``n``):
    ``u = (rank(a) + k) / n`` with ``k`` in [0, 1) ordering the legs of ``a`` by
    (corridor, mode), and ``v = sqrt((rank(b) + 1) / (n + 1))`` (the root keeps
    sums of products from coinciding). Least weight prefers the first origin,
    corridor and mode in id order, and the product pairs the first origins with the
    first markets when two origins could swap markets at the same cost. A path
    column weighs its two legs; an unmet tonne :data:`UNMET_WEIGHT`; level columns
    (fixed) nothing.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.model import ModelOptions, build, canonical_weights
    >>> built = build(hubopt.datasets.tiny(), ModelOptions())
    >>> weights = canonical_weights(hubopt.datasets.tiny(), built)
    >>> bool((weights[built.flow] >= 1).all() and (weights[built.flow] < 4).all())
    True
    """
    legs = table(network, "legs")
    ids = sorted(
        node
        for name in ("origins", "hubs", "destinations")
        for node in table(network, name)["id"]
    )
    rank = {node: pos for pos, node in enumerate(ids)}
    corridors = {c: pos for pos, c in enumerate(sorted(set(legs["corridor"])))}
    modes = {m: pos for pos, m in enumerate(sorted(set(legs["mode"])))}
    n = len(ids)
    leg_weight = np.empty(len(legs))
    for pos, (a, b, corridor, mode) in enumerate(
        zip(
            legs["origin"],
            legs["destination"],
            legs["corridor"],
            legs["mode"],
            strict=True,
        )
    ):
        within = (corridors[corridor] + modes[mode] / len(modes)) / len(corridors)
        u = (rank[a] + within) / n
        v = np.sqrt((rank[b] + 1) / (n + 1))
        leg_weight[pos] = (1 + u) * (2 - v)
    weights = np.zeros(built.arrays.n_cols)
    has = built.flow >= 0
    weights[built.flow[has]] = leg_weight[has]
    if len(built.path_cols):
        weights[built.path_cols] = leg_weight[built.path_legs].sum(axis=1)
    weights[built.unmet[built.unmet >= 0]] = UNMET_WEIGHT
    return weights


def settle(
    network: Network,
    options: ModelOptions,
    raw: RawSolution,
    *,
    deadline: Deadline | None = None,
    threads: int | None = None,
    marginal: bool = True,
) -> dict[str, np.ndarray] | None:
    """The tie-break and the marginal values of a solution, in one LP with its hub
    decisions fixed.

    The LP (the one whose duals are the marginal values) is solved, then re-solved
    over its optimal face (found from its duals, see
    :func:`hubopt.highs.solve_face`) for the least :func:`canonical_weights`. The
    flows, shortfalls and paths of ``raw`` are replaced by that point, so that
    equally cheap alternatives (two origins at the same cost) always resolve the
    same way; its objective becomes the LP's optimum when that is lower (a solution
    stopped before proving optimality). Solved with HiGHS whatever solved the MILP,
    with ``threads`` and the time left of ``deadline`` (at least 1 s); ``raw`` is
    left as it was when the LP has no optimal solution.

    Returns
    -------
    dict or None
        The marginal values (see :func:`marginal_values`) when ``marginal``.
    """
    built = build(
        network, options, fixed_levels=raw.open_level, fixed_flow_t=raw.flow_t
    )
    stage = Deadline(None) if deadline is None else deadline.stage(at_least=1.0)
    weights = canonical_weights(network, built)
    lp, dual, values = highs.solve_face(built.arrays, stage, threads, weights)
    if values is None or dual is None:
        return None
    _read_values(built, raw, values)
    if lp.interrupted:
        raw.interrupted = True
    if raw.objective is None or lp.objective < raw.objective:
        raw.objective = lp.objective
        raw.gap = relative_gap(raw.objective, raw.best_bound)
    return _marginal_of(network, built, raw.open_level, dual) if marginal else None


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
    open hub, >= 0; NaN at hubs not open), ``"demand"`` per market (cost of one more
    tonne of demand) and ``"capacities"`` per row of the capacities table (value of
    one more tonne of that capacity, >= 0). Solved with HiGHS, whatever solved the
    MILP, with ``threads`` (those of the MILP's solve, so HiGHS keeps its thread
    scheduler) and the time left of ``deadline`` (the solve's; at least 1 s). None
    when the LP has no optimal solution (it always has one when the MILP solution is
    feasible, given the time).

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
    return _marginal_of(network, built, open_level, dual)


def _marginal_of(
    network: Network, built: BuiltModel, open_level: np.ndarray, dual: np.ndarray
) -> dict[str, np.ndarray]:
    """The marginal values per origin, hub and market from the fixed-hub LP's row
    duals."""
    hubs = table(network, "hubs")
    levels = built.levels
    out = {
        "supply": np.zeros(len(table(network, "origins"))),
        "capacity": np.full(len(hubs), np.nan),
        "demand": np.full(len(table(network, "destinations")), np.nan),
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
    out["capacities"] = np.zeros(len(table(network, "capacities")))
    for c, row in built.rows.get("capacities", {}).items():
        out["capacities"][c] = -dual[row]
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
    lagrangian: bool | None = None,
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
    strategy_used, warm = "", None
    if built.hub_problem is not None and arrays.pool.n_rows and lagrangian is not False:
        # a large model of the plain shape: Lagrangian bound, incumbent and fixings,
        # unless (lagrangian None) the probe of its root shows a cheap strong LP
        found = None
        if lagrangian is None:
            stopped: list[bool] = []
            found = strategy.probe(
                arrays, built.hub_problem, deadline, threads, stopped
            )
            if stopped:
                return interrupted(label, deadline.start)
        if found is None or strategy.use_lagrangian(found.settled):
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
            strategy_used = "lagrangian"
        else:
            strategy_used, warm = "lazy", found.lp
        if found is not None:
            seed = found.rows if seed is None else np.union1d(seed, found.rows)
            if msg:
                print(
                    f"strategy: weak LP {found.weak_bound:.10g} in "
                    f"{found.weak_lp_s:.2f} s, linking rounds to "
                    f"{found.strong_bound:.10g} in {found.rounds_s:.2f} s "
                    f"({'settled' if found.settled else 'not settled'}, "
                    f"{len(found.rows)} rows, {found.fractional_levels} fractional "
                    f"levels): {strategy_used}",
                    flush=True,
                )
        stage = deadline.stage(at_least=1.0)
    elif built.hub_problem is not None and arrays.pool.n_rows:
        strategy_used = "lazy"  # the Lagrangian method turned off by the caller
    start = None
    if built.sources is not None:  # single sourcing: a first solution, repaired
        try:
            start = _repair.start(
                arrays,
                built.sources,
                deadline.stage(share=REPAIR_SHARE, at_least=REPAIR_MIN_S),
                threads,
            )
        except KeyboardInterrupt:  # Ctrl-C before the MIP: as in the lazy rounds
            return interrupted(label, deadline.start)
        stage = deadline.stage(at_least=1.0)
    if name == "highs":
        incumbent = None if reduction is None else reduction.values
        incumbent = incumbent if start is None else start.values
        solution, values = highs.solve(
            arrays,
            stage,
            mip_gap,
            threads,
            msg,
            incumbent=incumbent,
            seed=seed,
            warm=warm,
        )
    else:
        if built.arrays.pool.n_rows and not built.has_pulp_problem:
            # lazy linking for CBC and PuLP solvers: pick the rows with HiGHS's LP
            stopped: list[bool] = []
            selected = highs.select_pool_rows(
                arrays, stage, threads, msg, stopped, seed
            )
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
    solution, values = _repair.better_of(solution, values, start)
    solution.runtime_s = deadline.elapsed_s()
    solution.strategy = strategy_used
    if values is not None:
        solution.values = values
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
    used = path_values > NOISE_T
    path_t = {
        (int(leg_in), int(leg_out)): float(v)
        for (leg_in, leg_out), v in zip(
            built.path_legs[used].tolist(), path_values[used].tolist(), strict=True
        )
    }
    np.add.at(flow, built.path_legs[used, 1], path_values[used])
    flow[np.abs(flow) < NOISE_T] = 0.0
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
