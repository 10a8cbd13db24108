"""The briefing pack in one call: the solves it needs, then the pack.

:func:`brief` is the decision layer (:func:`analyse`: the direct baseline and, when
no hub opens, the best single hub from :func:`hubopt.decisions.comparisons`; every
candidate hub against the optimum from :func:`hubopt.breakeven.candidate_ranking`;
the break-even values of the main drivers from :func:`hubopt.break_even`) followed
by the presentation (:func:`hubopt.report.write_brief`), which never solves.
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
from .errors import HuboptError
from .outputs import check_target
from .parallel import map_tasks
from .periods import Periods
from .report import PACK_FILES, check_paper, write_brief
from .result import Result

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
        (one solve each).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.briefing import analyse
    >>> found = analyse(hubopt.solve(hubopt.datasets.tiny()), drivers=())
    >>> found.ranking["hub_id"].tolist(), found.interrupted
    (['H2', 'H1', 'H3'], False)
    """
    baseline, single_hub, interrupted = comparisons(result)
    if interrupted or result.status not in ("optimal", "feasible"):
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
        The hook for an uncertainty analysis (see
        :class:`hubopt.report.UncertaintySummary`): its headline replaces the
        single-figure one.
    progress
        Draw progress bars on stderr while the comparisons solve.
    periods
        Optional :class:`hubopt.periods.Periods`: a result solved without them is
        solved again over them, with its options, for the brief's main result
        (one solved with periods is kept as it is). The comparisons are solved on
        the annual model.
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
    check_target(out_dir, overwrite=overwrite, names=PACK_FILES)  # before solving
    if periods is not None and result.periods is None:
        result = solving.solve(result.network, result.options, periods=periods)
    found = analyse(result, drivers=drivers, progress=progress)
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
