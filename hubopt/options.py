"""Options of a solve, composed: :class:`ModelOptions` (what the model is),
:class:`SolverSettings` (how the solver runs) and :class:`SolveOptions` (both, plus
the marginal values), all frozen dataclasses that check themselves.

The list of option names lives only in the dataclass fields: a flat keyword such as
``max_hubs`` or ``time_limit_s`` goes to the part whose fields name it, and every
module that needs the names (scenario files, sweeps, the CLI) asks
:meth:`SolveOptions.keywords`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from .errors import ValidationError

__all__ = [
    "DEFAULT_MIP_GAP",
    "LINKING_CHOICES",
    "MAX_THREADS",
    "ModelOptions",
    "SolveOptions",
    "SolverSettings",
]

#: The values of :attr:`ModelOptions.linking`.
LINKING_CHOICES = ("auto", "all", "lazy", "none")


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
        :data:`hubopt.model.LAZY_LINKING_MIN_ROWS` linking rows on, or from
        :data:`hubopt.model.PLAIN_LAZY_MIN_ROWS` on a model of the plain
        hub-location shape, else "all").
        The rows are valid inequalities, so every choice has the same optimum.
    single_sourcing
        Every market takes all its tonnes from one hub or one direct leg.
    min_throughput_share
        An open hub with a capacity moves at least this share of it, in [0, 1].
    min_throughput_t
        An open hub moves at least this many tonnes (any hub, with a capacity or
        not): an opened hub is a used hub. :func:`hubopt.alternatives` sets 1 t.
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
    programme_t
        A fixed programme: at least this many tonnes delivered in total, whatever
        the markets' alternative costs or unmet penalties (markets may then be
        served at a loss). None (the default): the model decides how much to
        deliver. At most the network's total supply and total demand.
    reserve_days
        Multi-period model only (:func:`hubopt.solve` with ``periods``): at the end
        of every period the hubs serving the ``reserve_markets`` (those with a leg
        into one of them) hold in their silos at least this many days of what those
        markets receive in the period (tonnes delivered / the period's days x
        reserve_days: days of their demand where they are served in full).
    reserve_markets
        The market ids the reserve is for; empty (the default): every market.
    min_period_share
        Multi-period model only: each market is served at least this share of its
        demand in every period, in [0, 1].
    cyclic_stock
        Multi-period model only: the year is cyclic, the stock before the first
        period is the stock at the end of the last (the default); False: the year
        starts with empty silos.

    Examples
    --------
    >>> from hubopt.options import ModelOptions
    >>> ModelOptions(max_hubs=2, single_sourcing=True).max_hubs
    2
    """

    max_hubs: int | None = None
    min_hubs: int | None = None
    carbon_price_per_t_co2: float | None = None
    linking: str = "auto"
    single_sourcing: bool = False
    min_throughput_share: float | None = None
    min_throughput_t: float | None = None
    budget: float | None = None
    max_co2_t: float | None = None
    exclude_portfolios: tuple[tuple[str, ...], ...] = ()
    min_difference: int = 1
    programme_t: float | None = None
    reserve_days: float | None = None
    reserve_markets: tuple[str, ...] = ()
    min_period_share: float | None = None
    cyclic_stock: bool = True

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
        if price is not None and not (
            _is_number(price) and np.isfinite(price) and price >= 0
        ):
            msg = f"carbon_price_per_t_co2 must be a finite number >= 0, got {price!r}"
            raise ValidationError(msg)
        share = self.min_throughput_share
        if share is not None and not (_is_number(share) and 0 <= share <= 1):
            msg = f"min_throughput_share must be a number in [0, 1], got {share!r}"
            raise ValidationError(msg)
        period_share = self.min_period_share
        if period_share is not None and not (
            _is_number(period_share) and 0 <= period_share <= 1
        ):
            msg = f"min_period_share must be a number in [0, 1], got {period_share!r}"
            raise ValidationError(msg)
        if not isinstance(self.cyclic_stock, bool):
            msg = f"cyclic_stock must be True or False, got {self.cyclic_stock!r}"
            raise ValidationError(msg)
        if isinstance(self.reserve_markets, str):
            object.__setattr__(self, "reserve_markets", (self.reserve_markets,))
        object.__setattr__(
            self, "reserve_markets", tuple(str(m) for m in self.reserve_markets)
        )
        for name in (
            "min_throughput_t",
            "budget",
            "max_co2_t",
            "programme_t",
            "reserve_days",
        ):
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


#: Relative MIP gap at which a solve counts as proven optimal, unless the caller says.
DEFAULT_MIP_GAP = 1e-7

#: Most solver threads accepted. A fixed cap rather than a multiple of
#: ``os.cpu_count()``: a script or scenario file valid on one machine stays valid on
#: another (containers often report the host's cores). HiGHS's parallel MIP gains
#: little beyond a few threads; 256 costs about 1.5 s of thread start-up on a tiny
#: network, while 100000 aborts HiGHS (exit 134) or hangs.
MAX_THREADS = 256


@dataclass(frozen=True)
class SolverSettings:
    """How the solver runs (not what it solves).

    Parameters
    ----------
    solver
        "highs" (default), "cbc" or a PuLP solver object (``pulp.HiGHS(...)``).
    time_limit_s
        Wall-clock limit for the whole solve: a positive, finite number of seconds.
        At the limit the best solution found comes back with status "feasible".
    mip_gap
        Relative gap at which the solver may stop and call the result optimal, in
        [0, 1); None for :data:`DEFAULT_MIP_GAP`.
    threads
        Solver threads, 1 to :data:`MAX_THREADS`.
    msg
        Show the solver's log.

    Examples
    --------
    >>> from hubopt.options import SolverSettings
    >>> SolverSettings(time_limit_s=30).effective_mip_gap
    1e-07
    >>> SolverSettings(mip_gap=2.0)
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: mip_gap must be in [0, 1), got 2.0
    """

    solver: Any = "highs"
    time_limit_s: float | None = None
    mip_gap: float | None = None
    threads: int | None = None
    msg: bool = False

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

    @property
    def effective_mip_gap(self) -> float:
        """The gap the solver gets: ``mip_gap``, else :data:`DEFAULT_MIP_GAP`."""
        return DEFAULT_MIP_GAP if self.mip_gap is None else self.mip_gap

    @property
    def solver_label(self) -> str:
        """The solver as recorded: its name, or a PuLP solver object's class name."""
        return (
            self.solver if isinstance(self.solver, str) else type(self.solver).__name__
        )


_MODEL_NAMES = frozenset(f.name for f in fields(ModelOptions))
_SETTINGS_NAMES = frozenset(f.name for f in fields(SolverSettings))


@dataclass(frozen=True, init=False)
class SolveOptions:
    """How to solve: the model options, the solver settings and whether to compute
    marginal values.

    Built from its parts or from flat keywords, each routed to the part whose fields
    name it (:class:`ModelOptions` or :class:`SolverSettings`); an unknown keyword is
    a :class:`~hubopt.errors.ValidationError` that lists the known ones. Flat reads
    (``options.max_hubs``) reach into the parts too.

    Parameters
    ----------
    model
        A :class:`ModelOptions` (default: all defaults).
    settings
        A :class:`SolverSettings` (default: all defaults).
    marginal_values
        Also solve the LP with the hub decisions fixed and keep its duals in
        :attr:`hubopt.Result.marginal_values`.
    **flat
        Any field of :class:`ModelOptions` or :class:`SolverSettings`, applied on
        top of ``model`` / ``settings``.

    Examples
    --------
    >>> import hubopt
    >>> options = hubopt.SolveOptions(max_hubs=1, time_limit_s=30)
    >>> options.model.max_hubs, options.settings.time_limit_s, options.max_hubs
    (1, 30, 1)
    >>> options.replace(max_hubs=2).model.max_hubs
    2
    >>> hubopt.SolveOptions(mip_gap=2.0)
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: mip_gap must be in [0, 1), got 2.0
    """

    model: ModelOptions = field(default_factory=ModelOptions)
    settings: SolverSettings = field(default_factory=SolverSettings)
    marginal_values: bool = True

    def __init__(
        self,
        model: ModelOptions | None = None,
        settings: SolverSettings | None = None,
        marginal_values: bool = True,
        **flat: Any,
    ) -> None:
        unknown = set(flat) - _MODEL_NAMES - _SETTINGS_NAMES
        if unknown:
            msg = (
                f"unknown solve option(s) {sorted(unknown)}; known: "
                f"{sorted(self.keywords())}"
            )
            raise ValidationError(msg)
        if model is not None and not isinstance(model, ModelOptions):
            msg = f"model must be a ModelOptions, got {type(model).__name__}"
            raise ValidationError(msg)
        if settings is not None and not isinstance(settings, SolverSettings):
            msg = f"settings must be a SolverSettings, got {type(settings).__name__}"
            raise ValidationError(msg)
        # the settings first: a bad solver setting is reported before a model option
        settings_part = {k: v for k, v in flat.items() if k in _SETTINGS_NAMES}
        settings = replace(settings or SolverSettings(), **settings_part)
        model_part = {k: v for k, v in flat.items() if k in _MODEL_NAMES}
        if "exclude_portfolios" in model_part:
            model_part["exclude_portfolios"] = tuple(
                tuple(p) for p in model_part["exclude_portfolios"]
            )
        model = replace(model or ModelOptions(), **model_part)
        if not isinstance(marginal_values, bool | np.bool_):
            msg = f"marginal_values must be true or false, got {marginal_values!r}"
            raise ValidationError(msg)
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "settings", settings)
        object.__setattr__(self, "marginal_values", marginal_values)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: a flat read of a part's field
        parts = self.__dict__  # not self.model: safe while unpickling
        if name in _MODEL_NAMES and "model" in parts:
            return getattr(parts["model"], name)
        if name in _SETTINGS_NAMES and "settings" in parts:
            return getattr(parts["settings"], name)
        msg = f"{type(self).__name__!r} object has no attribute {name!r}"
        raise AttributeError(msg)

    @classmethod
    def keywords(cls) -> frozenset[str]:
        """The flat keyword names: every field of the parts and ``marginal_values``.

        Examples
        --------
        >>> from hubopt.options import SolveOptions
        >>> {"max_hubs", "time_limit_s", "marginal_values"} <= SolveOptions.keywords()
        True
        """
        return _MODEL_NAMES | _SETTINGS_NAMES | {"marginal_values"}

    @classmethod
    def from_keywords(cls, keywords: dict[str, Any]) -> SolveOptions:
        """The options of a dict of flat keywords (as :func:`hubopt.solve` takes)."""
        return cls(**keywords)

    def replace(self, **flat: Any) -> SolveOptions:
        """A copy with some flat keywords (or ``model`` / ``settings`` /
        ``marginal_values``) changed.

        Examples
        --------
        >>> from hubopt.options import SolveOptions
        >>> SolveOptions(max_hubs=1).replace(mip_gap=0.01).as_dict()["mip_gap"]
        0.01
        """
        model = flat.pop("model", self.model)
        settings = flat.pop("settings", self.settings)
        marginal = flat.pop("marginal_values", self.marginal_values)
        return SolveOptions(model, settings, marginal, **flat)

    def model_options(self) -> ModelOptions:
        """The part that shapes the model: an alias of :attr:`model`, kept for code
        written before the options were composed."""
        return self.model

    def as_dict(self) -> dict[str, Any]:
        """The flat, JSON-ready record of the options (summary.json's "options"):
        the model fields, the solver settings, then ``marginal_values``; a PuLP
        solver object by its class name, portfolios as lists.

        Examples
        --------
        >>> from hubopt.options import SolveOptions
        >>> record = SolveOptions(max_hubs=1).as_dict()
        >>> record["max_hubs"], record["solver"], record["marginal_values"]
        (1, 'highs', True)
        >>> SolveOptions(**record) == SolveOptions(max_hubs=1)
        True
        """
        flat = {f.name: getattr(self.model, f.name) for f in fields(self.model)}
        flat.update(
            {f.name: getattr(self.settings, f.name) for f in fields(self.settings)}
        )
        flat["marginal_values"] = self.marginal_values
        flat["solver"] = self.settings.solver_label
        flat["exclude_portfolios"] = [list(p) for p in self.model.exclude_portfolios]
        flat["reserve_markets"] = list(self.model.reserve_markets)
        return flat
