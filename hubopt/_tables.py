"""Rounding of the tables hubopt writes: every figure to what it means.

One policy for every CSV (the Result's tables, the briefing pack, compare, robust,
sweeps, frontiers), chosen by column name so that the same figure is printed the same
way everywhere:

- tonnes (``tonnes``, ``*_t``, ``*_t_*`` such as ``co2_t``): whole tonnes;
- money (``*cost*``, ``*_per_t``, ``*saving*``, ``*penalty*``, ``*_usd``): cents;
- shares (``utilisation``, ``*share*``, ``probability``): 0.1 % (three decimals of a
  fraction);
- ``*_km``, ``*_days``: one decimal; ``*_kg_per_t``: two; ``lon``/``lat``: seven
  (about 1 cm), which removes float noise such as 41.650000000000006.

Columns that match nothing are left as they are. The figures kept in a
:class:`~hubopt.result.Result` are never rounded: this is for writing only.

>>> import pandas as pd
>>> from hubopt._tables import rounded
>>> df = pd.DataFrame({"served_t": [364143.00000000006], "cost_per_t": [4.571428],
...                    "utilisation": [0.166667], "lat": [41.650000000000006]})
>>> print(rounded(df).to_csv(index=False).strip())
served_t,cost_per_t,utilisation,lat
364143,4.57,0.167,41.65
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: (pattern on the lower-cased column name, decimals); the first match wins.
RULES: tuple[tuple[str, int], ...] = (
    (r"^(lon|lat|longitude|latitude)$", 7),
    (r"_kg_per_t$", 2),
    (r"(^|_)(share|utilisation|utilization|probability)($|_)", 3),
    (r"_pct$", 1),
    (r"(cost|saving|penalty|price|_usd|_per_t$|regret|objective)", 2),
    (r"(^tonnes$|_t$|_t_|^t_)", 0),
    (r"(_km$|_days$|_nm$)", 1),
)


def decimals_for(column: str) -> int | None:
    """The decimals :func:`rounded` uses for ``column`` (None: left as it is).

    Examples
    --------
    >>> [decimals_for(c) for c in ("demand_t", "landed_cost_per_t", "name", "co2_t")]
    [0, 2, None, 0]
    >>> decimals_for("co2_kg_per_t"), decimals_for("transit_days")
    (2, 1)
    """
    name = str(column).lower()
    for pattern, digits in RULES:
        if re.search(pattern, name):
            return digits
    return None


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with each float column rounded by :data:`RULES`.

    Whole-number columns (tonnes) become nullable integers, so they print as
    ``364143``, not ``364143.0``; a missing value stays empty. Columns that are not
    floats (names, flags, ids) are untouched.
    """
    out = table.copy()
    for column in out.columns:
        series = out[column]
        if not pd.api.types.is_float_dtype(series):
            continue
        digits = decimals_for(column)
        if digits is None:
            continue
        values = series.to_numpy(dtype=float)
        finite = np.isfinite(values)
        if digits == 0 and finite.any() and np.all(np.abs(values[finite]) < 2**53):
            whole = np.round(values) + 0.0  # + 0.0: no "-0"
            out[column] = pd.array(
                [int(v) if ok else pd.NA for v, ok in zip(whole, finite, strict=True)],
                dtype="Int64",
            )
        else:
            out[column] = np.round(values, digits) + 0.0
    return out
