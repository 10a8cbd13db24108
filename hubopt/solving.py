"""Solving a network: options in, an honest :class:`~hubopt.result.Result` out."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from . import model
from .deadline import Deadline
from .errors import InfeasibleError, SolverError, ValidationError
from .network import Network
from .result import Result

#: Relative MIP gap at which a solve counts as proven optimal, unless the caller says.
DEFAULT_MIP_GAP = 1e-7

#: Most solver threads accepted. A fixed cap rather than a multiple of
#: ``os.cpu_count()``: a script or scenario file valid on one machine stays valid on
#: another (containers often report the host's cores). HiGHS's parallel MIP gains
#: little beyond a few threads; 256 costs about 1.5 s of thread start-up on a tiny
#: network, while 100000 aborts HiGHS (exit 134) or hangs.
MAX_THREADS = 256

#: Largest objective term accepted for the carbon price: price x the largest
#: co2_kg_per_t / 1000 x the network's total supply, in currency. The data
#: validation refuses any number above 1e15 (:data:`hubopt.network.MAX_ABS_VALUE`);
#: at that size a double no longer resolves a unit of currency, and from 1e20 HiGHS
#: reads a cost as infinite. Past it a solve reports "optimal" with hubs open at
#: 0 t (costs that no longer register beside the carbon term) or no solution.
MAX_CARBON_TERM = 1e15


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: the model options and the solver settings.

    Parameters
    ----------
    max_hubs, min_hubs
        Bounds on the number of hubs opened.
    carbon_price_per_t_co2
        Price of CO2 added to the objective: finite, >= 0, and :func:`solve` refuses
        one whose carbon cost (price x largest co2_kg_per_t / 1000 x total supply)
        exceeds :data:`MAX_CARBON_TERM`.
    solver
        "highs" (default) or "cbc"; :func:`solve` also accepts a PuLP solver object.
    time_limit_s
        Wall-clock limit for the solver: a positive, finite number of seconds.
    mip_gap
        Relative gap at which the solver may stop and call the result optimal, in
        [0, 1).
    threads
        Solver threads, 1 to :data:`MAX_THREADS`.
    msg
        Show the solver's log.
    single_sourcing, min_throughput_share, budget, max_co2_t, exclude_portfolios,
    min_difference
        Model options, see :class:`hubopt.model.ModelOptions`.
    marginal_values
        Also solve the LP with the hub decisions fixed and keep its duals in
        :attr:`hubopt.Result.marginal_values`.
    linking
        How the per-leg linking rows enter the model: "auto", "all", "lazy" or
        "none", see :class:`hubopt.model.ModelOptions`.

    Examples
    --------
    >>> import hubopt
    >>> options = hubopt.SolveOptions(max_hubs=1, time_limit_s=30)
    >>> options.model_options().max_hubs
    1
    >>> hubopt.SolveOptions(mip_gap=2.0)
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: mip_gap must be in [0, 1), got 2.0
    """

    max_hubs: int | None = None
    min_hubs: int | None = None
    carbon_price_per_t_co2: float | None = None
    solver: str = "highs"
    time_limit_s: float | None = None
    mip_gap: float | None = None
    threads: int | None = None
    msg: bool = False
    single_sourcing: bool = False
    min_throughput_share: float | None = None
    budget: float | None = None
    max_co2_t: float | None = None
    exclude_portfolios: tuple[tuple[str, ...], ...] = ()
    min_difference: int = 1
    marginal_values: bool = True
    linking: str = "auto"

    def __post_init__(self) -> None:
        if isinstance(self.solver, str) and self.solver.lower() not in ("highs", "cbc"):
            msg = f"solver must be 'highs', 'cbc' or a pulp solver, got {self.solver!r}"
            raise ValidationError(msg)
        limit = self.time_limit_s
        if limit is not None and not (
            _is_number(limit) and math.isfinite(limit) and limit > 0
        ):
            msg = (
                "time_limit_s must be a positive, finite number of seconds (e.g. 60, "
                f"without quotes), got {limit!r}"
            )
            raise ValidationError(msg)
        if self.mip_gap is not None and not (
            _is_number(self.mip_gap) and 0 <= self.mip_gap < 1
        ):
            msg = f"mip_gap must be in [0, 1), got {self.mip_gap!r}"
            raise ValidationError(msg)
        threads = self.threads
        if threads is not None and not (
            isinstance(threads, int | np.integer)
            and not isinstance(threads, bool)
            and 1 <= threads <= MAX_THREADS
        ):
            msg = (
                f"threads must be a whole number from 1 to {MAX_THREADS}, got "
                f"{threads!r}"
            )
            raise ValidationError(msg)
        if not isinstance(self.msg, bool | np.bool_):
            msg = f"msg must be true or false, got {self.msg!r}"
            raise ValidationError(msg)
        self.model_options()  # checks the model options now, not at the solve

    def model_options(self) -> model.ModelOptions:
        """The part of the options that shapes the model.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.SolveOptions(budget=500.0).model_options().budget
        500.0
        """
        return model.ModelOptions(
            max_hubs=self.max_hubs,
            min_hubs=self.min_hubs,
            carbon_price_per_t_co2=self.carbon_price_per_t_co2,
            single_sourcing=self.single_sourcing,
            min_throughput_share=self.min_throughput_share,
            budget=self.budget,
            max_co2_t=self.max_co2_t,
            exclude_portfolios=self.exclude_portfolios,
            min_difference=self.min_difference,
            linking=self.linking,
        )


def solve(
    network: Network,
    *,
    max_hubs: int | None = None,
    min_hubs: int | None = None,
    carbon_price_per_t_co2: float | None = None,
    solver: Any = "highs",
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    msg: bool = False,
    raise_on_failure: bool = True,
    single_sourcing: bool = False,
    min_throughput_share: float | None = None,
    budget: float | None = None,
    max_co2_t: float | None = None,
    exclude_portfolios: Any = (),
    min_difference: int = 1,
    marginal_values: bool = True,
    linking: str = "auto",
) -> Result:
    """Choose hubs and route flows at least total cost.

    Parameters
    ----------
    network
        A validated :class:`~hubopt.network.Network`; every leg needs cost_per_t
        (see :func:`hubopt.with_leg_attributes`).
    max_hubs, min_hubs
        Bounds on the number of hubs opened.
    carbon_price_per_t_co2
        Price per tonne of CO2 added to the objective (legs need co2_kg_per_t).
    solver
        "highs" (default), "cbc" or a ``pulp.LpSolver`` instance.
    time_limit_s
        Solver time limit in seconds. At the limit the best solution found comes back
        with status "feasible" and its gap.
    mip_gap
        Relative gap tolerance; default 1e-7.
    threads
        Solver threads.
    msg
        Print the solver's log.
    raise_on_failure
        Raise :class:`InfeasibleError` or :class:`SolverError` when there is no
        solution (the default); with False return the Result with its status.
    single_sourcing
        Serve every market from exactly one hub or one direct leg.
    min_throughput_share
        An open hub with a capacity must move at least this share of it.
    budget
        Cap on the total annual fixed cost of the opened hub levels.
    max_co2_t
        Cap on the total CO2 of the flows, in tonnes.
    exclude_portfolios
        Sets of hub ids the set of opened hubs must differ from, each by at least
        ``min_difference`` hubs (no-good cuts; see :func:`hubopt.alternatives`).
    min_difference
        See ``exclude_portfolios``.
    marginal_values
        Compute :attr:`Result.marginal_values` from the LP with the hub decisions
        fixed (one extra LP solve with HiGHS).
    linking
        How the per-leg linking rows ``x_l <= D_d y_h`` that make the LP bound strong
        enter the model: "auto" (default; "lazy" for large models, "all" otherwise),
        "all", "lazy" (added to the LP relaxation as it violates them, before the
        MIP) or "none" (the weaker textbook model). Every choice gives the same
        optimum; see :class:`hubopt.model.ModelOptions` and ``docs/model.md``.

    Returns
    -------
    Result

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
    """
    if not isinstance(network, Network):
        msg_ = (
            f"solve() needs a hubopt.Network, got {type(network).__name__}; build one "
            "with hubopt.read_network(path) or Network.from_frames(...)"
        )
        raise ValidationError(msg_)
    solver_name = solver if isinstance(solver, str) else "highs"
    options = SolveOptions(
        max_hubs=max_hubs,
        min_hubs=min_hubs,
        carbon_price_per_t_co2=carbon_price_per_t_co2,
        solver=solver_name,
        time_limit_s=time_limit_s,
        mip_gap=mip_gap,
        threads=threads,
        msg=msg,
        single_sourcing=single_sourcing,
        min_throughput_share=min_throughput_share,
        budget=budget,
        max_co2_t=max_co2_t,
        exclude_portfolios=tuple(tuple(p) for p in exclude_portfolios),
        min_difference=min_difference,
        marginal_values=marginal_values,
        linking=linking,
    )
    _check_against_network(network, options)
    built = model.build(network, options.model_options())
    deadline = Deadline(time_limit_s)  # shared by the MILP and the marginal-value LP
    raw = model.run(
        built,
        solver=solver,
        deadline=deadline,
        mip_gap=DEFAULT_MIP_GAP if mip_gap is None else mip_gap,
        threads=threads,
        msg=msg,
    )
    recorded = asdict(options)
    if not isinstance(solver, str):
        recorded["solver"] = type(solver).__name__
    recorded["exclude_portfolios"] = [list(p) for p in options.exclude_portfolios]
    marginal = None
    if (
        marginal_values
        and raw.status in ("optimal", "feasible")
        and not raw.interrupted  # Ctrl-C means stop: no second solve
    ):
        try:
            marginal = model.marginal_values(
                network,
                options.model_options(),
                raw.open_level,
                raw.flow_t,
                deadline=deadline,
                threads=threads,
            )
        except KeyboardInterrupt:  # Ctrl-C after the MIP: keep what was found
            raw.interrupted = True
            raw.message = (
                raw.message + "; " if raw.message else ""
            ) + "interrupted before the marginal values were computed"
    result = Result(
        network,
        raw,
        built.levels,
        built.leg_objective,
        recorded,
        built.build_s,
        marginal=marginal,
    )
    if raise_on_failure and raw.status in ("infeasible", "unbounded"):
        msg_ = (
            f"the network '{network.name}' has no feasible solution ({raw.status}). "
            "Check that supply covers the demand of markets without "
            "unmet_penalty_per_t, that every such market has a leg to an open-able hub "
            "or a direct leg, and that capacities, max_hubs and forced-closed hubs "
            "leave room; hubopt.explain_infeasible(network) says what blocks it"
        )
        raise InfeasibleError(msg_)
    if raise_on_failure and raw.status == "no_solution":
        msg_ = (
            f"the solver stopped without a solution ({raw.message or 'limit reached'});"
            " give it more time (time_limit_s) or a looser mip_gap"
        )
        raise SolverError(msg_)
    return result


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


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
