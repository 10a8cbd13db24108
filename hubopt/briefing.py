"""The briefing pack in one call: the comparisons it needs, then the pack.

:func:`brief` is the decision layer (:func:`hubopt.decisions.comparisons`: the direct
baseline and, when no hub opens, the best single hub) followed by the presentation
(:func:`hubopt.report.write_brief`), which never solves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .decisions import comparisons
from .outputs import check_target
from .report import PACK_FILES, write_brief
from .result import Result


def brief(
    result: Result,
    out_dir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
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
    **options
        Options of :func:`hubopt.report.write_brief` (title, extent,
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
    ...     hubopt.brief(result, folder, overwrite=True).name
    'brief.html'
    """
    check_target(out_dir, overwrite=overwrite, names=PACK_FILES)  # before solving
    baseline, single_hub, interrupted = comparisons(result)
    return write_brief(
        result,
        out_dir,
        baseline=baseline,
        single_hub=single_hub,
        overwrite=overwrite,
        interrupted=interrupted,
        **options,
    )
