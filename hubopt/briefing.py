"""The briefing pack in one call: the solves it needs, then the pack.

:func:`brief` is the decision layer (:func:`analyse`: the direct baseline and, when
no hub opens, the best single hub from :func:`hubopt.decisions.comparisons`; every
candidate hub against the optimum from :func:`hubopt.breakeven.candidate_ranking`;
the break-even values of the main drivers from :func:`hubopt.break_even`) followed
by the presentation (:func:`hubopt.report.write_brief`), which never solves; with
``draws``, the uncertainty analysis (:func:`hubopt.uncertainty`) is solved here too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import solving
from .breakeven import BreakEven, break_even, candidate_ranking
from .decisions import comparisons
from .errors import HuboptError, ValidationError
from .outputs import check_target
from .parallel import map_tasks
from .periods import Periods
from .report import (
    PACK_FILES,
    PERIOD_PACK_FILES,
    UNCERTAINTY_FILES,
    check_paper,
    write_brief,
)
from .result import Result
from .uncertainty import uncertainty as monte_carlo

#: The break-even searches of a brief: (driver, low, high). Each driver is searched
#: from the network as given (x1) up and down, so that the change nearest to it is
#: found; a search whose interval has no solution is left out.
BRIEF_DRIVERS: tuple[tuple[str, float, float], ...] = (
    ("freight", 1.0, 3.0),
    ("freight", 0.5, 1.0),
    ("handling", 0.0, 1.0),
    ("handling", 1.0, 3.0),
    ("fixed_cost", 0.25, 1.0),
    ("fixed_cost", 1.0, 3.0),
    ("demand", 0.5, 1.0),
    ("demand", 1.0, 2.0),
)


#: The most candidate hubs a brief ranks (one solve each); with more, the ranking is
#: left out (run :func:`hubopt.breakeven.candidate_ranking` for it).
MAX_RANKED_HUBS = 40


@dataclass(frozen=True)
class Analysis:
    """The solves a brief shows besides its result.

    Attributes
    ----------
    baseline
        The direct baseline, or None.
    single_hub
        The best single hub when no hub opens, or None.
    ranking
        :func:`hubopt.breakeven.candidate_ranking`, or None.
    break_evens
        The break-even values found (a search without a solution is left out).
    interrupted
        Ctrl-C stopped the solves; what was solved by then is kept.
    """

    baseline: Result | None
    single_hub: Result | None
    ranking: pd.DataFrame | None
    break_evens: tuple[BreakEven, ...]
    interrupted: bool


def analyse(
    result: Result,
    *,
    drivers: Sequence[tuple[str, float, float]] = BRIEF_DRIVERS,
    tol: float = 0.01,
    progress: bool = False,
) -> Analysis:
    """Solve what a brief compares its result with.

    Parameters
    ----------
    result
        The solved result.
    drivers
        The break-even searches, (driver, low, high) each (:data:`BRIEF_DRIVERS`);
        () for none. The demand searches stop short of the supply.
    tol
        The break-even tolerance (:func:`hubopt.break_even`).
    progress
        Draw progress bars on stderr (:func:`hubopt.parallel.map_tasks`).

    Returns
    -------
    Analysis
        Its ranking is None with more than :data:`MAX_RANKED_HUBS` candidate hubs
        (one solve each). For a multi-period result the direct baseline and the
        best single hub are solved on the annual model (one period, no stock:
        :func:`hubopt.decisions.comparisons` has no periods), and the ranking
        and break-even values are left out (their solves would be annual too, and
        measured against a multi-period optimum).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.briefing import analyse
    >>> found = analyse(hubopt.solve(hubopt.datasets.tiny()), drivers=())
    >>> found.ranking["hub_id"].tolist(), found.interrupted
    (['H2', 'H1', 'H3'], False)
    """
    baseline, single_hub, interrupted = comparisons(result)
    if (
        interrupted
        or result.status not in ("optimal", "feasible")
        or result.periods is not None
    ):
        return Analysis(baseline, single_hub, None, (), interrupted)
    ranking: pd.DataFrame | None = None
    edges: list[BreakEven] = []
    try:
        candidates = int((result.network.hubs["status"] != "closed").sum())
        if candidates <= MAX_RANKED_HUBS:
            ranking = candidate_ranking(result, progress=progress)
        searches = [(result, *_bounded(result, d)) for d in drivers]
        searches = [task for task in searches if task[2] < task[3]]
        found = map_tasks(
            _search,
            [(*task, tol) for task in searches],
            executor="serial",
            progress=progress,
            label="break-even values",
        )
        edges = [edge for edge in found if edge is not None]
    except KeyboardInterrupt:
        interrupted = True
    return Analysis(baseline, single_hub, ranking, tuple(edges), interrupted)


def _bounded(
    result: Result, search: tuple[str, float, float]
) -> tuple[str, float, float]:
    """A search with its demand multiplier kept below the supply of the markets that
    must be served in full (those with neither an unmet penalty nor an alternative
    supplier: the others may be left short, so more demand stays feasible)."""
    driver, low, high = search
    if driver == "demand":
        network = result.network
        dests = network.destinations
        must = pd.Series(True, index=dests.index)
        for column in ("unmet_penalty_per_t", "alternative_cost_per_t"):
            if column in dests:
                must &= dests[column].isna()
        firm_t = float(dests.loc[must, "demand_t"].sum())
        if firm_t > 0:
            high = min(high, 0.999 * network.total_supply_t / firm_t)
    return driver, float(low), float(high)


def _search(
    result: Result, driver: str, low: float, high: float, tol: float
) -> BreakEven | None:
    """One break-even search with the result's options; None without a solution
    somewhere in the interval."""
    options = result.options.replace(min_hubs=None, max_hubs=None, msg=False)
    try:
        return break_even(
            result.network, driver, low=low, high=high, tol=tol, options=options
        )
    except HuboptError:
        return None


def brief(
    result: Result,
    out_dir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    title: str | None = None,
    author: str | None = None,
    paper: str = "a4",
    drivers: Sequence[tuple[str, float, float]] = BRIEF_DRIVERS,
    uncertainty: Any = None,
    draws: int = 0,
    seed: int = 0,
    ranges: Any = None,
    progress: bool = False,
    periods: Periods | None = None,
    **options: Any,
) -> Path:
    """Solve the comparisons a brief shows and write the briefing pack.

    Parameters
    ----------
    result
        The solved result.
    out_dir
        The output folder.
    overwrite
        Replace the files of an earlier pack there.
    title
        The brief's heading.
    author
        The author or organisation printed under the title.
    paper
        "a4" (default) or "letter": the print style's page size.
    drivers
        The break-even searches (:data:`BRIEF_DRIVERS`); () for none.
    uncertainty
        An uncertainty analysis (:func:`hubopt.uncertainty`, or see
        :class:`hubopt.report.UncertaintySummary`): its headline replaces the
        single-figure one; its tornado and saving distribution are charted.
    draws
        Without ``uncertainty``: run :func:`hubopt.uncertainty` with this many
        draws (and ``seed``, ``ranges``, the result's options) for it; 0 for none.
    seed
        The draws' seed.
    ranges
        The uncertainty table of the draws (default: the bundled network's).
    progress
        Draw progress bars on stderr while the comparisons solve.
    periods
        Brief the multi-period model (:class:`hubopt.periods.Periods`): the
        result's network is solved over these periods with the result's options
        (unless the result was solved with them already), and the pack gains the
        stock chart of the opened hubs, the cover chart of the worst-served market
        and the per-period tables. A result solved with periods is briefed so
        without this. The direct baseline and best single hub are then of the
        annual model; the ranking and break-even values are left out (see
        :func:`analyse`); the brief says so. A multi-period model without a
        solution raises (as :func:`hubopt.solve` does), before anything is
        written.
    **options
        Other options of :func:`hubopt.report.write_brief` (date, extent,
        guard_formulas).

    Returns
    -------
    pathlib.Path
        The path of ``brief.html``.

    Examples
    --------
    >>> import hubopt, tempfile
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     hubopt.brief(result, folder, overwrite=True, title="Tiny").name
    'brief.html'
    """
    check_paper(paper)
    names = PACK_FILES + UNCERTAINTY_FILES + PERIOD_PACK_FILES
    check_target(out_dir, overwrite=overwrite, names=names)  # before solving
    result = _over_periods(result, periods)
    found = analyse(result, drivers=drivers, progress=progress)
    if uncertainty is None and draws:
        uncertainty = monte_carlo(
            result.network,
            draws=draws,
            seed=seed,
            ranges=ranges,
            options=result.options,
            progress=progress,
        )
    return write_brief(
        result,
        out_dir,
        baseline=found.baseline,
        single_hub=found.single_hub,
        ranking=found.ranking,
        break_evens=found.break_evens,
        uncertainty=uncertainty,
        overwrite=overwrite,
        interrupted=found.interrupted,
        title=title,
        author=author,
        paper=paper,
        **options,
    )


def _over_periods(result: Result, periods: Periods | None) -> Result:
    """``result``, or its network solved over ``periods`` with its options."""
    if periods is None:
        return result
    if not isinstance(periods, Periods):
        msg = (
            f"periods must be a hubopt.periods.Periods, got {type(periods).__name__}; "
            "make one with Periods.from_frames(periods_table, period_values)"
        )
        raise ValidationError(msg)
    if result.periods is not None and result.periods.periods is periods:
        return result
    return solving.solve(result.network, result.options, periods=periods)
