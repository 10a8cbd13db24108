"""Decisions under data uncertainty: ranges on cost figures, Latin-hypercube draws,
one solve per draw, and how likely each hub portfolio is to be the right one.

The ranges live in an uncertainty table (``uncertainty.csv`` beside a network's
tables; see ``docs/uncertainty.md``), one row per uncertain figure or set of figures:
``table``, ``id`` (a row id, or a glob pattern such as ``HUB_*->*``), ``column``,
``distribution`` (triangular, uniform, lognormal), ``low``, ``mode``, ``high``,
``scale`` (``value``: the figures themselves; ``factor``: multipliers of each
matched figure above ``above``), ``group`` (rows of one group move together: they
share one draw) and ``source``.

Only cost figures carry ranges (they change the objective and nothing else), so
each draw re-uses one built model: the objective is affine in the figures, its
change per range row is found once (two builds per row), and a draw updates the
costs of a HiGHS model kept in memory and solves again from the previous draw's
solution.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import math
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _validate, datasets, highs, model, outputs, parallel, solving
from ._solution import relative_gap
from ._tables import rounded
from .breakeven import break_even
from .decisions import fix_hubs
from .errors import ValidationError
from .formulation import hub_levels, leg_objective, shortfall_price
from .network import Network
from .options import SolveOptions
from .result import Result

#: The cost columns a range may sit on: table -> columns.
UNCERTAIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "origins": ("cost_per_t",),
    "hubs": ("handling_cost_per_t", "fixed_cost"),
    "hub_levels": ("fixed_cost",),
    "destinations": ("unmet_penalty_per_t", "alternative_cost_per_t"),
    "legs": ("cost_per_t",),
}
DISTRIBUTIONS = ("triangular", "uniform", "lognormal")
SCALES = ("value", "factor")
#: The quantiles reported.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: A lognormal range's low and high are these quantiles.
LOGNORMAL_TAILS = (0.05, 0.95)
#: Draws solved per task: the unit of work sent to a worker and written out.
CHUNK_DRAWS = 25
#: The file of a network's ranges.
RANGES_FILE = "uncertainty.csv"


# -- ranges ----------------------------------------------------------------------------
def read_ranges(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read and check an uncertainty table.

    Parameters
    ----------
    source
        A CSV file, a folder holding ``uncertainty.csv``, or a DataFrame.

    Returns
    -------
    pandas.DataFrame
        The table with every optional column filled.

    Raises
    ------
    ValidationError
        Listing every problem, each with the row, column and value.

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt.uncertainty import read_ranges
    >>> read_ranges(pd.DataFrame({"table": ["legs"], "id": ["H1->*"],
    ...     "column": ["cost_per_t"], "low": [1.0], "high": [2.0],
    ...     "scale": ["factor"], "distribution": ["uniform"], "source": ["x"]}))[
    ...     ["id", "distribution", "scale", "group"]].values.tolist()
    [['H1->*', 'uniform', 'factor', '']]
    >>> read_ranges(pd.DataFrame({"table": ["legs"], "id": ["*"],
    ...     "column": ["distance_km"], "low": [1.0], "high": [2.0],
    ...     "distribution": ["uniform"], "source": ["x"]}))
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: 1 problem in the network:
      - table 'uncertainty', row 1 (legs * distance_km), column 'column': ...
    """
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        path = Path(source)
        if path.is_dir():
            path = path / RANGES_FILE
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            msg = f"uncertainty table {path}: cannot be read ({exc})"
            raise ValidationError(msg) from exc
    return _checked(frame)


def _checked(frame: pd.DataFrame) -> pd.DataFrame:
    spec = _validate.UNCERTAINTY_SPEC
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        msg = (
            f"table 'uncertainty': missing column(s) {missing}; it needs "
            f"{list(spec.required)} (see docs/uncertainty.md)"
        )
        raise ValidationError(msg)
    frame = frame.reset_index(drop=True)
    for column, default in spec.defaults.items():
        if column not in frame.columns:
            frame[column] = default
    problems: list[str] = []
    for column in ("table", "id", "column", "distribution", "scale", "group"):
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    frame["distribution"] = frame["distribution"].replace("", "triangular").str.lower()
    frame["scale"] = frame["scale"].replace("", "value").str.lower()
    for column in spec.numeric:
        text = frame[column]
        if not pd.api.types.is_numeric_dtype(text):
            text = text.astype(object).map(
                lambda v: None if pd.isna(v) or not str(v).strip() else v
            )
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() & text.notna()
        for pos in np.flatnonzero(bad.to_numpy()):
            problems.append(
                f"table 'uncertainty', {_label(frame, pos)}, column '{column}': "
                f"{frame[column].iloc[pos]!r} is not a number"
            )
        frame[column] = values.astype(float)
    frame["above"] = frame["above"].fillna(0.0)
    for pos in range(len(frame)):
        problems.extend(_row_problems(frame, pos))
    if problems:
        raise ValidationError(problems)
    return frame


def _label(frame: pd.DataFrame, pos: int) -> str:
    row = frame.iloc[pos]
    return f"row {pos + 1} ({row['table']} {row['id']} {row['column']})"


def _row_problems(frame: pd.DataFrame, pos: int) -> list[str]:
    row = frame.iloc[pos]
    where = f"table 'uncertainty', {_label(frame, pos)}"
    out = []
    if row["table"] not in UNCERTAIN_COLUMNS:
        out.append(
            f"{where}, column 'table': {row['table']!r} is not a table with cost "
            f"figures; use one of {list(UNCERTAIN_COLUMNS)}"
        )
    elif row["column"] not in UNCERTAIN_COLUMNS[row["table"]]:
        out.append(
            f"{where}, column 'column': {row['column']!r} cannot carry a range; "
            f"only cost figures can (in '{row['table']}': "
            f"{list(UNCERTAIN_COLUMNS[row['table']])})"
        )
    if not row["id"]:
        out.append(f"{where}, column 'id': empty; give a row id or a pattern ('*')")
    if not str(row["source"]).strip():
        out.append(f"{where}, column 'source': empty; say where the range comes from")
    if row["distribution"] not in DISTRIBUTIONS:
        out.append(
            f"{where}, column 'distribution': {row['distribution']!r} is not known; "
            f"use one of {list(DISTRIBUTIONS)}"
        )
    if row["scale"] not in SCALES:
        out.append(
            f"{where}, column 'scale': {row['scale']!r} is not known; use 'value' "
            "(the figures) or 'factor' (multipliers)"
        )
    low, mode, high = row["low"], row["mode"], row["high"]
    for column in ("low", "high", "mode", "above"):
        value = row[column]
        if column in ("low", "high") and np.isnan(value):
            out.append(f"{where}, column '{column}': missing; give a number")
        elif not np.isnan(value) and value < 0:
            out.append(
                f"{where}, column '{column}': {value:g} is negative; costs and "
                "factors are at least 0"
            )
    if np.isnan(low) or np.isnan(high):
        return out
    if not low <= high:
        out.append(f"{where}, column 'high': {high:g} is below low {low:g}")
    if row["distribution"] == "triangular":
        if np.isnan(mode):
            out.append(
                f"{where}, column 'mode': missing; a triangular range needs low, "
                "mode and high (or use distribution 'uniform')"
            )
        elif not low <= mode <= high:
            out.append(
                f"{where}, column 'mode': {mode:g} is outside [{low:g}, {high:g}]"
            )
    if row["distribution"] == "lognormal" and not 0 < low < high:
        out.append(
            f"{where}, column 'low': a lognormal range needs 0 < low < high (its 5 % "
            f"and 95 % quantiles), got {low:g} and {high:g}"
        )
    return out


def ranges_of(network_path: str | Path | None) -> pd.DataFrame:
    """The uncertainty table beside a network's tables (the bundled network's by
    default).

    Raises
    ------
    ValidationError
        When the network has no ``uncertainty.csv``.
    """
    if network_path is None:
        folder = datasets.path("morocco_kazakhstan")
    else:
        folder = Path(network_path)
        if not folder.exists() and str(network_path) in datasets.list():
            folder = datasets.path(str(network_path))
    file = folder / RANGES_FILE if folder.is_dir() else folder.parent / RANGES_FILE
    if not file.exists():
        msg = (
            f"no uncertainty table at {file}; write one (see docs/uncertainty.md) "
            "or pass its path with --ranges"
        )
        raise ValidationError(msg)
    return read_ranges(file)


# -- matching rows to cells ------------------------------------------------------------
def _row_keys(frame: pd.DataFrame, table: str) -> tuple[np.ndarray, np.ndarray]:
    """The keys a pattern matches in ``table``: short ("O->D", "H:S") and long
    ("O->D@corridor")."""
    if table == "legs":
        short = frame["origin"].astype(str) + "->" + frame["destination"].astype(str)
        corridor = frame["corridor"].fillna("").astype(str)
        long = short + np.where(corridor != "", "@" + corridor, "")
        return short.to_numpy(), np.asarray(long)
    if table == "hub_levels":
        keys = (
            frame["hub_id"].astype(str) + ":" + frame["level"].astype(str)
        ).to_numpy()
        return keys, keys
    keys = frame["id"].astype(str).to_numpy()
    return keys, keys


def _cells(network: Network, ranges: pd.DataFrame, *, strict: bool) -> list[np.ndarray]:
    """Positions in its table of the rows each range matches. ``strict``: a range
    that matches nothing, or a figure under two ranges, is an error."""
    out, problems = [], []
    seen: dict[tuple[str, str, int], int] = {}
    for pos, row in enumerate(ranges.itertuples(index=False)):
        frame = network.table(row.table)
        short, long = _row_keys(frame, row.table)
        keys = long if "@" in row.id else short
        hit = _matching(keys, row.id)
        if row.column not in frame.columns:
            if strict:
                problems.append(
                    f"table 'uncertainty', {_label(ranges, pos)}, column 'column': "
                    f"table '{row.table}' has no column '{row.column}'; give the "
                    "figures first, then their range"
                )
            out.append(hit[:0])
            continue
        # a blank figure means "none" (no alternative, no penalty): not drawn
        known = frame[row.column].iloc[hit].notna().to_numpy()
        if strict and len(hit) and not known.any():
            problems.append(
                f"table 'uncertainty', {_label(ranges, pos)}, column 'id': the "
                f"rows {row.id!r} matches have no {row.column}; a blank figure "
                "cannot carry a range"
            )
        hit = hit[known]
        if strict and not len(hit) and not len(known):
            problems.append(
                f"table 'uncertainty', {_label(ranges, pos)}, column 'id': "
                f"{row.id!r} matches no row of '{row.table}'; check the id "
                "(legs: ORIGIN->DESTINATION or ORIGIN->DESTINATION@CORRIDOR, "
                "hub_levels: HUB:LEVEL; * matches anything)"
            )
        for cell in hit:
            first = seen.setdefault((row.table, row.column, int(cell)), pos)
            if strict and first != pos:
                problems.append(
                    f"table 'uncertainty', {_label(ranges, pos)}, column 'id': "
                    f"{row.table} row {keys[cell]} {row.column} already has a range "
                    f"(row {first + 1}); give each figure one range"
                )
                break
        out.append(hit)
    if problems:
        raise ValidationError(problems)
    return out


def _matching(keys: np.ndarray, pattern: str) -> np.ndarray:
    """Positions of the keys a glob pattern matches (case-sensitive)."""
    if not any(c in pattern for c in "*?["):
        return np.flatnonzero(keys == pattern)
    match = re.compile(fnmatch.translate(pattern)).match
    return np.flatnonzero([match(k) is not None for k in keys])


def _drawn_network(
    network: Network, ranges: pd.DataFrame, cells: list[np.ndarray], q: np.ndarray
) -> Network:
    """The network with each range's figures at the drawn value ``q``."""
    tables = dict(network._tables)
    copies: dict[str, pd.DataFrame] = {}
    for row, hit, value in zip(ranges.itertuples(index=False), cells, q, strict=True):
        if not len(hit):
            continue
        frame = copies.setdefault(row.table, tables[row.table].copy())
        column = frame.columns.get_loc(row.column)
        base = tables[row.table].iloc[hit, column].to_numpy(dtype=float)
        base = np.nan_to_num(base, nan=0.0)
        if row.scale == "factor":
            new = row.above + value * (base - row.above)
        else:
            new = np.full(len(hit), value)
        frame.iloc[hit, column] = new
    tables.update(copies)
    return Network(tables, network._corridors, network.name)


# -- distributions and draws -----------------------------------------------------------
def dimensions(ranges: pd.DataFrame) -> list[str]:
    """The independent inputs: one per group, one per range without a group."""
    names = []
    for pos, group in enumerate(ranges["group"]):
        name = group or f"row {pos + 1}: {ranges['table'].iloc[pos]} " + (
            f"{ranges['id'].iloc[pos]} {ranges['column'].iloc[pos]}"
        )
        if name not in names:
            names.append(name)
    return names


def _dimension_of(ranges: pd.DataFrame) -> np.ndarray:
    names = dimensions(ranges)
    out = []
    for pos, group in enumerate(ranges["group"]):
        name = group or f"row {pos + 1}: {ranges['table'].iloc[pos]} " + (
            f"{ranges['id'].iloc[pos]} {ranges['column'].iloc[pos]}"
        )
        out.append(names.index(name))
    return np.asarray(out, dtype=int)


def quantity(row: Any, u: np.ndarray) -> np.ndarray:
    """The value of one range at uniform draws ``u`` (its inverse CDF)."""
    from scipy import stats  # heavy (0.7 s): loaded when drawing, not on import

    low, high = float(row["low"]), float(row["high"])
    if row["distribution"] == "uniform" or high == low:
        return low + u * (high - low)
    if row["distribution"] == "triangular":
        c = (float(row["mode"]) - low) / (high - low)
        return stats.triang.ppf(u, c, loc=low, scale=high - low)
    z = stats.norm.ppf(LOGNORMAL_TAILS[1])
    mu = (math.log(low) + math.log(high)) / 2
    sigma = (math.log(high) - math.log(low)) / (2 * z)
    return np.exp(mu + sigma * stats.norm.ppf(u))


def central(row: Any) -> float:
    """A range's central value: its mode (triangular), midpoint (uniform) or
    median (lognormal)."""
    if row["distribution"] == "triangular":
        return float(row["mode"])
    if row["distribution"] == "uniform":
        return (float(row["low"]) + float(row["high"])) / 2
    return math.sqrt(float(row["low"]) * float(row["high"]))


def draw(ranges: pd.DataFrame, draws: int, seed: int) -> np.ndarray:
    """Latin-hypercube draws, one column per range: (draws, ranges).

    One uniform per dimension (:func:`dimensions`): the ranges of a group share it,
    so they move together (rank correlation 1); different dimensions are
    independent.
    """
    dims = _dimension_of(ranges)
    n_dims = int(dims.max()) + 1 if len(dims) else 0
    if draws < 1 or n_dims == 0:
        return np.zeros((max(draws, 0), len(ranges)))
    from scipy.stats import qmc  # heavy: loaded when drawing, not on import

    u = qmc.LatinHypercube(d=n_dims, seed=np.random.default_rng(seed)).random(draws)
    out = np.empty((draws, len(ranges)))
    for pos in range(len(ranges)):
        out[:, pos] = quantity(ranges.iloc[pos], u[:, dims[pos]])
    return out


# -- the re-used model -----------------------------------------------------------------
@dataclass
class _Effects:
    """How one model's objective moves with the ranges: cost = c0 + q @ A - B for
    value ranges, c0 + (q - 1) * (B - above * A) for factors (per row)."""

    built: model.BuiltModel
    c0: np.ndarray
    plus_one: np.ndarray  # (ranges, cols): every matched figure + 1
    doubled: np.ndarray  # (ranges, cols): every matched figure x 2
    #: the same for the objective per tonne of each leg (landed costs)
    legs0: np.ndarray
    legs_plus_one: np.ndarray
    legs_doubled: np.ndarray
    #: per range: whether it is a factor, and its ``above``
    factor: np.ndarray
    above: np.ndarray

    def weights(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # factor rows: (q - 1) (B - above A); value rows: q A - B
        weight_a = np.where(self.factor, -(q - 1.0) * self.above, q)
        weight_b = np.where(self.factor, q - 1.0, -1.0)
        return weight_a, weight_b

    def cost(self, q: np.ndarray) -> np.ndarray:
        """The objective of every column at the drawn values ``q``."""
        a, b = self.weights(q)
        return self.c0 + a @ self.plus_one + b @ self.doubled

    def leg_cost(self, q: np.ndarray) -> np.ndarray:
        """The objective per tonne of every leg at the drawn values ``q``."""
        a, b = self.weights(q)
        return self.legs0 + a @ self.legs_plus_one + b @ self.legs_doubled


@dataclass
class _Parts:
    """How the parts of a network's objective move with each range: the objective
    per tonne of each leg, the fixed cost of each level (keyed by hub and level)
    and the shortfall price of each market, at the figures as given (``*0``) and
    their change with every matched figure + 1 and x 2 (one row per range).
    Shared by the models of the network with hubs fixed (same legs and markets,
    a subset of the levels)."""

    legs0: np.ndarray
    fixed0: dict[tuple[str, str], float]
    price0: np.ndarray
    legs: tuple[np.ndarray, np.ndarray]
    fixed: tuple[list[dict[tuple[str, str], float]], ...]
    price: tuple[np.ndarray, np.ndarray]


def _parts(network: Network, ranges: pd.DataFrame, options: SolveOptions) -> _Parts:
    """:class:`_Parts` of ``network``: two evaluations of the changed part per
    range (no model is built)."""
    carbon = options.carbon_price_per_t_co2
    legs0 = leg_objective(network, carbon)
    fixed0 = _fixed_by_level(network)
    price0 = shortfall_price(network)
    cells = _cells(network, ranges, strict=False)
    n = len(ranges)
    legs = (np.zeros((n, len(legs0))), np.zeros((n, len(legs0))))
    price = (np.zeros((n, len(price0))), np.zeros((n, len(price0))))
    fixed: tuple[list[dict[tuple[str, str], float]], ...] = (
        [{} for _ in range(n)],
        [{} for _ in range(n)],
    )
    for pos, row in enumerate(ranges.itertuples(index=False)):
        if not len(cells[pos]):
            continue
        base = network.table(row.table)[row.column].iloc[cells[pos]].to_numpy(float)
        for k, changed in enumerate((base + 1.0, base * 2.0)):
            shifted = _shifted(network, row, cells[pos], changed)
            if row.column != "fixed_cost" and row.table in ("legs", "origins", "hubs"):
                legs[k][pos] = leg_objective(shifted, carbon) - legs0
            if row.column == "fixed_cost":
                moved = _fixed_by_level(shifted)
                fixed[k][pos] = {
                    key: value - fixed0[key]
                    for key, value in moved.items()
                    if value != fixed0[key]
                }
            if row.table == "destinations":
                price[k][pos] = np.nan_to_num(shortfall_price(shifted) - price0)
    return _Parts(legs0, fixed0, price0, legs, fixed, price)


def _fixed_by_level(network: Network) -> dict[tuple[str, str], float]:
    levels = hub_levels(network)
    return {
        (str(h), str(lv)): float(c)
        for h, lv, c in zip(levels.hub, levels.level, levels.fixed_cost, strict=True)
    }


def _effects(
    network: Network,
    ranges: pd.DataFrame,
    options: SolveOptions,
    parts: _Parts | None = None,
) -> _Effects:
    """The model of ``network`` and how its objective moves with each range.

    The objective of every column is a sum of the network's per-leg objective
    (leg, origin and handling costs), its level fixed costs and its shortfall
    prices (:func:`_columns_cost`); each range's change is found on those
    (:class:`_Parts`, of ``network`` or, given, of the network it fixes hubs of).
    Where that sum does not give the model's objective (a formulation it does not
    know), each range's change comes from two builds of the model instead.
    """
    built = model.build(network, options.model)
    c0 = built.arrays.col_cost.copy()
    parts = parts or _parts(network, ranges, options)
    keys = list(zip(built.levels.hub, built.levels.level, strict=True))
    keys = [(str(h), str(lv)) for h, lv in keys]
    fixed0 = np.array([parts.fixed0.get(key, np.nan) for key in keys])
    legs0 = built.leg_objective.copy()
    by_parts = (
        len(legs0) == len(parts.legs0)
        and np.allclose(legs0, parts.legs0)
        and bool(np.isfinite(fixed0).all())
        and np.allclose(_columns_cost(built, legs0, fixed0, parts.price0), c0)
    )
    n = len(ranges)
    plus, doubled = np.zeros((n, len(c0))), np.zeros((n, len(c0)))
    legs_plus, legs_doubled = np.zeros((n, len(legs0))), np.zeros((n, len(legs0)))
    if by_parts:
        for k, (cost, per_leg) in enumerate(
            ((plus, legs_plus), (doubled, legs_doubled))
        ):
            for pos in range(n):
                fixed = np.array([parts.fixed[k][pos].get(key, 0.0) for key in keys])
                cost[pos] = _columns_cost(
                    built, parts.legs[k][pos], fixed, parts.price[k][pos]
                )
                per_leg[pos] = parts.legs[k][pos]
    else:
        cells = _cells(network, ranges, strict=False)
        for pos, row in enumerate(ranges.itertuples(index=False)):
            if not len(cells[pos]):
                continue
            base = network.table(row.table)[row.column].iloc[cells[pos]]
            base = base.to_numpy(float)
            for cost, per_leg, changed in (
                (plus, legs_plus, base + 1.0),
                (doubled, legs_doubled, base * 2.0),
            ):
                again = model.build(
                    _shifted(network, row, cells[pos], changed), options.model
                )
                cost[pos] = again.arrays.col_cost - c0
                per_leg[pos] = again.leg_objective - legs0
    factor = (ranges["scale"] == "factor").to_numpy()
    above = ranges["above"].to_numpy(dtype=float)
    return _Effects(
        built, c0, plus, doubled, legs0, legs_plus, legs_doubled, factor, above
    )


def _columns_cost(
    built: model.BuiltModel, legs: np.ndarray, fixed: np.ndarray, price: np.ndarray
) -> np.ndarray:
    """The objective of every column from the objective per tonne of each leg, the
    fixed cost of each level and the shortfall price of each market: a flow column
    costs its leg's, a path column its outbound leg's (its inbound leg's flow
    carries the rest), a level column its fixed cost, a shortfall its price."""
    out = np.zeros(built.arrays.n_cols)
    has = built.flow >= 0
    np.add.at(out, built.flow[has], legs[has])
    if len(built.path_cols):
        np.add.at(out, built.path_cols, legs[built.path_legs[:, 1]])
    can = built.open >= 0
    np.add.at(out, built.open[can], fixed[can])
    short = built.unmet >= 0
    np.add.at(out, built.unmet[short], np.nan_to_num(price[short]))
    return out


def _shifted(
    network: Network, row: Any, hit: np.ndarray, values: np.ndarray
) -> Network:
    tables = dict(network._tables)
    frame = tables[row.table].copy()
    frame.iloc[hit, frame.columns.get_loc(row.column)] = values
    tables[row.table] = frame
    return Network(tables, network._corridors, network.name)


class _ReusedModel:
    """One model kept in memory in HiGHS; each solve changes the costs a draw moves
    and starts from one basis kept for the purpose.

    Each draw first solves the LP relaxation, warm-started from the optimal basis
    of the network as given (found once): a few simplex iterations. When its level
    columns come out whole, that point is optimal for the MIP as well (the
    relaxation's optimum is a lower bound on the MIP's, reached by a MIP-feasible
    point), so no MIP is solved: on the bundled network this holds in every draw,
    and for a fixed portfolio or the direct baseline always. Otherwise the MIP is
    solved, in a second HiGHS kept for it, from the relaxation's point with its
    level columns rounded up when that is feasible. With ``settle``, the solution
    then gets the tie-break of a plain solve (:class:`_Settle`).

    Every draw starts from the same basis (not the previous draw's), so what a draw
    gives does not depend on the draws solved before it in the same process: the
    tables are identical to the last bit whichever worker solved which chunk.
    """

    def __init__(
        self,
        network: Network,
        effects: _Effects,
        options: SolveOptions,
        *,
        settle: bool,
    ) -> None:
        arrays = effects.built.arrays
        self.effects, self.settings = effects, options.settings
        self.lp = self._highs(relaxed=True)
        self.lp.run()  # at the figures as given: the basis every draw starts from
        basis = self.lp.getBasis()
        self.start = basis if basis.valid else None
        self.mip: Any = None  # the MIP, passed over when first needed
        # the columns whose cost some range moves: the only ones changed per draw
        moves = (effects.plus_one != 0).any(axis=0) | (effects.doubled != 0).any(axis=0)
        self.moved = np.flatnonzero(moves).astype(np.int32)
        self.integer = np.flatnonzero(arrays.col_integer)
        self.mip_solves = 0
        self.settle = (
            _Settle(network, effects.built, options.settings.threads)
            if settle
            else None
        )

    def _highs(self, *, relaxed: bool) -> Any:
        s = self.settings
        gap = None if relaxed else s.effective_mip_gap
        h = highs.new_highs(s.time_limit_s, gap, s.threads, False)
        highs.pass_model(h, self.effects.built.arrays, relaxed=relaxed)
        return h

    def solve(self, cost: np.ndarray) -> tuple[Any, np.ndarray | None]:
        """Solve at the objective ``cost`` (every column's): the status and, with a
        solution, the column values (flows and levels read into the status)."""
        lp = self.lp
        lp.changeColsCost(len(self.moved), self.moved, cost[self.moved])
        if self.start is not None:
            lp.setBasis(self.start)
        if self.settings.time_limit_s is not None:
            # the limit is per draw; HiGHS would count it over all the LP's draws
            highs.set_time_left(lp, float(self.settings.time_limit_s))
        raw, values = self._run(lp, is_mip=False)
        proven = raw.status == "optimal" and self._whole(values)
        if not proven and raw.status not in ("infeasible", "unbounded"):
            raw, values = self._solve_mip(cost, values)
        if values is None:
            return raw, None
        if self.settle is not None:
            basis = lp.getBasis() if proven else None
            values = self.settle(raw, cost, values, basis)
        model._read_values(self.effects.built, raw, values)
        return raw, values

    @staticmethod
    def _run(h: Any, *, is_mip: bool) -> tuple[Any, np.ndarray | None]:
        h.run()
        raw = highs._read_status(h, is_mip, False)
        if raw.status not in ("optimal", "feasible"):
            return raw, None
        return raw, np.asarray(h.getSolution().col_value, dtype=float)

    def _whole(self, values: np.ndarray | None) -> bool:
        if values is None:
            return False
        part = values[self.integer]
        return bool(np.abs(part - np.round(part)).max(initial=0.0) <= _WHOLE)

    def _solve_mip(
        self, cost: np.ndarray, relaxed: np.ndarray | None
    ) -> tuple[Any, np.ndarray | None]:
        if self.mip is None:
            self.mip = self._highs(relaxed=False)
        mip = self.mip
        mip.clearSolver()  # nothing kept from an earlier draw
        mip.changeColsCost(len(self.moved), self.moved, cost[self.moved])
        arrays = self.effects.built.arrays
        start = highs.rounded_start(arrays, np.zeros(0, dtype=int), relaxed)
        if start is not None:
            solution = highs._highspy().HighsSolution()
            solution.col_value = start.tolist()
            solution.value_valid = True
            mip.setSolution(solution)
        self.mip_solves += 1
        return self._run(mip, is_mip=True)


#: An LP relaxation's level columns within this of 0 or 1 count as whole.
_WHOLE = 1e-9


class _Settle:
    """The tie-break of a plain solve (:func:`hubopt.model.settle`), in place.

    The model's LP relaxation is kept in a HiGHS of its own. Per draw its integer
    columns (the hub levels; each market's sources under single sourcing) are
    fixed at the MIP's choice and it is solved at the draw's costs (from the
    relaxation's optimal basis when the relaxation gave the choice); then, as in
    :func:`hubopt.highs.solve_face`, every column with a nonzero reduced cost is
    fixed at its bound and every row with a nonzero dual made tight - the optimal
    face, exactly, by complementary slackness with any optimal dual - and the point
    of least :func:`hubopt.model.canonical_weights` on it is found. The LP with
    the integer columns fixed has the same feasible points as the one
    :func:`~hubopt.model.settle` builds (the rows that model leaves out only link
    flows to the fixed columns or bound those alone), so its face, and the
    least-weight point on
    it, are the same: the flows and landed costs of a plain solve.
    (:func:`~hubopt.model.settle` fixes the sources from the solution's flows,
    which are those of the MIP's source columns.) The objective
    becomes the LP's optimum when that is lower, as there.
    """

    def __init__(
        self, network: Network, built: model.BuiltModel, threads: int | None
    ) -> None:
        arrays = built.arrays
        self.arrays = arrays
        self.h = highs.new_highs(None, None, threads, False)
        highs.pass_model(self.h, arrays, relaxed=True)
        self.cols = np.arange(arrays.n_cols, dtype=np.int32)
        self.rows = np.arange(arrays.n_rows, dtype=np.int32)
        # the hub levels and, under single sourcing, each market's sources
        self.level_cols = np.flatnonzero(arrays.col_integer).astype(np.int32)
        self.free = arrays.col_lower < arrays.col_upper
        self.weights = np.where(self.free, model.canonical_weights(network, built), 0.0)

    def __call__(
        self, raw: Any, cost: np.ndarray, values: np.ndarray, basis: Any = None
    ) -> np.ndarray:
        """The tie-broken column values of a MIP solution ``values`` at ``cost``,
        starting from ``basis`` (the relaxation's optimal one when the relaxation
        gave ``values``; else from scratch, so that nothing carries over from an
        earlier draw); ``values`` itself when an LP stops short of optimal."""
        optimal = highs._highspy().HighsModelStatus.kOptimal
        a, h = self.arrays, self.h
        lower, upper = a.col_lower.copy(), a.col_upper.copy()
        chosen = np.round(values[self.level_cols])
        lower[self.level_cols] = upper[self.level_cols] = chosen
        h.changeColsBounds(len(self.cols), self.cols, lower, upper)
        h.changeRowsBounds(len(self.rows), self.rows, a.row_lower, a.row_upper)
        h.changeColsCost(len(self.cols), self.cols, cost)
        if basis is not None and basis.valid:
            h.setBasis(basis)
        else:
            h.clearSolver()
        h.run()
        if h.getModelStatus() != optimal:
            return values
        objective = float(h.getInfo().objective_function_value)
        solution = h.getSolution()
        dual = np.asarray(solution.row_dual, dtype=float)
        reduced = np.asarray(solution.col_dual, dtype=float)
        free = self.free & (lower < upper)
        lower, upper, row_lower, row_upper = highs.optimal_face(
            (lower, upper, a.row_lower, a.row_upper), cost, free, reduced, dual
        )
        h.changeColsBounds(len(self.cols), self.cols, lower, upper)
        h.changeRowsBounds(len(self.rows), self.rows, row_lower, row_upper)
        h.changeColsCost(len(self.cols), self.cols, np.where(free, self.weights, 0.0))
        h.run()
        if raw.objective is None or objective < raw.objective:
            raw.objective = objective
            raw.gap = relative_gap(raw.objective, raw.best_bound)
        if h.getModelStatus() != optimal:
            return np.asarray(solution.col_value, dtype=float)
        return np.asarray(h.getSolution().col_value, dtype=float)


@dataclass
class _Models:
    """The models one task solves: the optimum, the direct baseline ("none") and
    fixed portfolios, each built once per process and re-used for every draw."""

    network: Network
    ranges: pd.DataFrame
    options: SolveOptions
    reuse: bool

    def __post_init__(self) -> None:
        self._variants: dict[str, Network] = {}
        self._cells: dict[str, list[np.ndarray]] = {}
        self._reused: dict[str, _ReusedModel | None] = {}
        self._parts: _Parts | None = None

    def variant(self, name: str) -> Network:
        """The network of a model: "optimum", or a portfolio fixed."""
        if name not in self._variants:
            net = self.network
            if name != "optimum":
                net = fix_hubs(self.network, portfolio_levels(name))
            self._variants[name] = net
        return self._variants[name]

    def cells(self, name: str) -> list[np.ndarray]:
        """The cells of each range in the network of a model."""
        if name not in self._cells:
            self._cells[name] = _cells(self.variant(name), self.ranges, strict=False)
        return self._cells[name]

    def reused(self, name: str) -> _ReusedModel | None:
        """The model kept in memory for ``name``; None where it cannot be re-used
        (another solver than HiGHS, lazy rows) or ``reuse`` is off."""
        if name in self._reused:
            return self._reused[name]
        found = None
        if self.reuse and self.options.settings.solver == "highs":
            if self._parts is None:
                self._parts = _parts(self.network, self.ranges, self.options)
            net = self.variant(name)
            effects = _effects(net, self.ranges, self.options, self._parts)
            if effects.built.arrays.pool.n_rows == 0:
                found = _ReusedModel(
                    net, effects, self.options, settle=name == "optimum"
                )
        self._reused[name] = found
        return found

    def solve(self, name: str, q: np.ndarray, *, full: bool = True) -> Any:
        """Model ``name`` at the drawn values ``q``: its :class:`_Outcome`
        (``full``) or its objective; None without a solution."""
        net = self.variant(name)
        reused = self.reused(name)
        if reused is None:  # rebuild and solve
            drawn = _drawn_network(net, self.ranges, self.cells(name), q)
            result = solving.solve(drawn, self.options, raise_on_failure=False)
            if result.status not in ("optimal", "feasible"):
                return None
            if not full:
                return result.objective
            return _outcome(
                net,
                result._raw,
                result._levels.hub,
                result._levels.level,
                result._coef,
                lambda: result,
            )
        raw, _ = reused.solve(reused.effects.cost(q))
        if raw.status not in ("optimal", "feasible"):
            return None
        if not full:
            return raw.objective
        raw.values = None
        levels = reused.effects.built.levels

        def as_result() -> Result:  # only for models with path variables
            drawn = _drawn_network(net, self.ranges, self.cells(name), q)
            coef = leg_objective(drawn, self.options.carbon_price_per_t_co2)
            return Result(drawn, raw, hub_levels(drawn), coef, self.options)

        coef = reused.effects.leg_cost(q)
        return _outcome(net, raw, levels.hub, levels.level, coef, as_result)


@dataclass
class _Outcome:
    """What a draw keeps of a solution."""

    objective: float
    portfolio: str
    landed_cost_per_t: np.ndarray  # per destination, in table order


def _outcome(
    network: Network,
    raw: Any,
    level_hub: np.ndarray,
    level_name: np.ndarray,
    coef: np.ndarray,
    as_result: Any,
) -> _Outcome:
    """The portfolio and the landed cost per market of a solution, as
    :attr:`Result.markets` has them (computed here without its tables; through
    ``as_result()`` when the model has path variables)."""
    opened = np.flatnonzero(np.asarray(raw.open_level) > 0.5)
    pairs = sorted(zip(level_hub[opened], level_name[opened], strict=True))
    portfolio = "+".join(f"{h}:{lv}" for h, lv in pairs) or "none"
    if raw.path_t:
        markets = as_result().markets
        landed = markets["landed_cost_per_t"].to_numpy(dtype=float)
        return _Outcome(raw.objective, portfolio, landed)
    return _Outcome(raw.objective, portfolio, _landed(network, raw.flow_t, coef))


def _landed(network: Network, flow_t: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Landed cost per tonne per market: each market's direct tonnes at their
    leg's cost, and its tonnes through a hub at the outbound leg's cost plus the
    hub's mean inbound cost per tonne (inbound tonnes shared in proportion, as in
    :attr:`Result.paths`); NaN where nothing arrives."""
    layout = _layout(network)
    hub_in, hub_out, market = layout
    n_hubs = len(network._tables["hubs"])
    n_markets = len(network._tables["destinations"])
    flow = np.where(flow_t > _EPS, flow_t, 0.0)
    inbound = hub_in >= 0
    tonnes_in = np.bincount(hub_in[inbound], flow[inbound], minlength=n_hubs)
    cost_in = np.bincount(
        hub_in[inbound], flow[inbound] * coef[inbound], minlength=n_hubs
    )
    mean_in = np.divide(
        cost_in, tonnes_in, out=np.zeros(n_hubs), where=tonnes_in > _EPS
    )
    into = market >= 0
    unit = coef + np.where(hub_out >= 0, mean_in[np.maximum(hub_out, 0)], 0.0)
    served = np.bincount(market[into], flow[into], minlength=n_markets)
    cost = np.bincount(market[into], (flow * unit)[into], minlength=n_markets)
    return np.divide(cost, served, out=np.full(n_markets, np.nan), where=served > _EPS)


_EPS = 1e-9
_LAYOUTS: dict[int, tuple[Network, tuple[np.ndarray, ...]]] = {}


def _layout(network: Network) -> tuple[np.ndarray, ...]:
    """Per leg: the position of the hub it enters and of the hub it leaves, and
    of the market it reaches (-1 for none); cached per network."""
    found = _LAYOUTS.get(id(network))
    if found is not None and found[0] is network:
        return found[1]
    legs = network._tables["legs"]
    hubs = {h: k for k, h in enumerate(network._tables["hubs"]["id"])}
    markets = {d: k for k, d in enumerate(network._tables["destinations"]["id"])}
    hub_in = legs["destination"].map(hubs).fillna(-1).to_numpy(dtype=np.int64)
    hub_out = legs["origin"].map(hubs).fillna(-1).to_numpy(dtype=np.int64)
    market = legs["destination"].map(markets).fillna(-1).to_numpy(dtype=np.int64)
    _LAYOUTS[id(network)] = (network, (hub_in, hub_out, market))
    while len(_LAYOUTS) > 16:
        _LAYOUTS.pop(next(iter(_LAYOUTS)))
    return hub_in, hub_out, market


def portfolio_name(result: Result) -> str:
    """A portfolio as text: "HUB_A:S+HUB_B:M", or "none"."""
    hubs = result.hubs
    opened = hubs[hubs["open"]].sort_values("hub_id")
    if not len(opened):
        return "none"
    return "+".join(
        f"{h}:{lv}" for h, lv in zip(opened["hub_id"], opened["level"], strict=True)
    )


def portfolio_levels(name: str) -> dict[str, str]:
    """The hub -> level dict of a portfolio name ({} for "none")."""
    if name == "none":
        return {}
    return dict(part.rsplit(":", 1) for part in name.split("+"))


# -- tasks -----------------------------------------------------------------------------
_MODELS: dict[tuple[Any, bool], _Models] = {}


def _models(
    network: Network,
    ranges: pd.DataFrame,
    options: SolveOptions,
    reuse: bool,
    run: str = "",
) -> _Models:
    """The models of a run in this process, kept for its next tasks. ``run`` (the
    run's fingerprint of network, ranges, draws and seed) names them: a worker
    meets a new copy of the network in every batch and keeps its models."""
    key = (run or id(network), reuse)
    found = _MODELS.get(key)
    if (
        found is None
        or (not run and found.network is not network)
        or found.options != options
        or not found.ranges.equals(ranges)
    ):
        found = _MODELS[key] = _Models(network, ranges, options, reuse)
        while len(_MODELS) > 4:
            _MODELS.pop(next(iter(_MODELS)))
    return found


def _solve_draws(
    network: Network,
    ranges: pd.DataFrame,
    options: SolveOptions,
    reuse: bool,
    draw_ids: list[int],
    values: np.ndarray,
    run: str = "",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The optimum and the direct baseline of each draw: draw rows, market rows."""
    models = _models(network, ranges, options, reuse, run)
    rows, markets = [], []
    for draw_id, q in zip(draw_ids, values, strict=True):
        best = models.solve("optimum", q)
        direct = models.solve("none", q, full=False)
        total = best.objective if best is not None else np.nan
        direct_cost = direct if direct is not None else np.nan
        rows.append(
            {
                "draw": draw_id,
                "portfolio": best.portfolio if best is not None else "",
                "total_cost": total,
                "direct_cost": direct_cost,
                "saving": direct_cost - total,
            }
        )
        if best is not None:
            ids = network._tables["destinations"]["id"]
            for dest, cost in zip(ids, best.landed_cost_per_t, strict=True):
                markets.append(
                    {"draw": draw_id, "destination": dest, "landed_cost_per_t": cost}
                )
    return rows, markets


def _solve_fixed(
    network: Network,
    ranges: pd.DataFrame,
    options: SolveOptions,
    reuse: bool,
    portfolio: str,
    draw_ids: list[int],
    values: np.ndarray,
    run: str = "",
) -> list[dict[str, Any]]:
    """The cost of each draw with ``portfolio`` fixed."""
    models = _models(network, ranges, options, reuse, run)
    out = []
    for draw_id, q in zip(draw_ids, values, strict=True):
        fixed = models.solve(portfolio, q, full=False)
        out.append(
            {
                "draw": draw_id,
                "portfolio": portfolio,
                "total_cost": fixed if fixed is not None else np.nan,
            }
        )
    return out


# -- the run ---------------------------------------------------------------------------
@dataclass
class UncertaintyResult:
    """What :func:`uncertainty` found; every table is a DataFrame (see
    ``docs/uncertainty.md``).

    Attributes
    ----------
    draws
        One row per draw: its optimal portfolio, total cost, direct-baseline cost,
        saving, and the drawn value of each range (``value_1``, ...).
    markets
        One row per draw and market: landed cost per tonne in the optimum.
    fixed
        One row per draw and candidate portfolio: its cost with the portfolio fixed
        and the regret (that cost minus the draw's optimum).
    ranges
        The uncertainty table used.
    seed, reuse
        As given.
    """

    draws: pd.DataFrame
    markets: pd.DataFrame
    fixed: pd.DataFrame
    ranges: pd.DataFrame
    seed: int
    reuse: bool = True
    tornado: pd.DataFrame | None = None

    @property
    def portfolios(self) -> pd.DataFrame:
        """Each portfolio that is optimal in some draw, with the share of draws."""
        solved = self.draws[self.draws["portfolio"] != ""]
        counts = solved["portfolio"].value_counts()
        out = pd.DataFrame(
            {
                "portfolio": counts.index,
                "draws": counts.to_numpy(),
                "probability": counts.to_numpy() / max(len(solved), 1),
            }
        )
        return out.sort_values(["draws", "portfolio"], ascending=[False, True])

    @property
    def hubs(self) -> pd.DataFrame:
        """Each candidate hub and the share of draws whose optimum opens it."""
        solved = self.draws[self.draws["portfolio"] != ""]
        ids = self.candidates
        shares = [
            float(np.mean([hub in portfolio_levels(p) for p in solved["portfolio"]]))
            if len(solved)
            else np.nan
            for hub in ids
        ]
        out = pd.DataFrame({"hub_id": ids, "probability": shares})
        return out.sort_values(["probability", "hub_id"], ascending=[False, True])

    candidates: tuple[str, ...] = ()
    #: hub id -> name, for :meth:`headline`
    hub_names: dict[str, str] = field(default_factory=dict)

    @property
    def costs(self) -> pd.DataFrame:
        """Quantiles of total cost, direct-baseline cost and saving."""
        rows = []
        for name in ("total_cost", "direct_cost", "saving"):
            rows.append({"quantity": name, **_quantiles(self.draws[name], "cost")})
        return pd.DataFrame(rows)

    @property
    def landed(self) -> pd.DataFrame:
        """Quantiles of landed cost per tonne, per market."""
        rows = []
        for dest, part in self.markets.groupby("destination", sort=True):
            q = _quantiles(part["landed_cost_per_t"], "landed_cost_per_t")
            rows.append({"destination": dest, **q})
        return pd.DataFrame(rows)

    @property
    def regret(self) -> pd.DataFrame:
        """Per candidate portfolio fixed now: how often it is optimal, its regret
        (cost above each draw's optimum) and its saving against the direct
        baseline."""
        probability = self.portfolios.set_index("portfolio")["probability"]
        best = self.draws.set_index("draw")
        rows = []
        for name, part in self.fixed.groupby("portfolio", sort=False):
            part = part.set_index("draw")
            regret = part["total_cost"] - best.loc[part.index, "total_cost"]
            saving = best.loc[part.index, "direct_cost"] - part["total_cost"]
            rows.append(
                {
                    "portfolio": name,
                    "probability": float(probability.get(name, 0.0)),
                    "regret_mean": float(regret.mean()),
                    **_quantiles(regret, "regret"),
                    "regret_max": float(regret.max()),
                    **_quantiles(saving, "saving"),
                }
            )
        return pd.DataFrame(rows)

    def headline(self) -> str:
        """The headline with its probability, one sentence for a briefing: the
        likeliest hub portfolio (a "single site" when it opens one hub) and the
        share of draws in which no hub pays, the likelier first.

        Examples
        --------
        "no hub pays in 76 % of 200 draws; Dakhla Atlantique (level S) is the best
        single site in 24 %"
        """
        table = self.portfolios
        if not len(table):
            return "no draw was solved"
        n = int(table["draws"].sum())
        share = dict(zip(table["portfolio"], table["probability"], strict=True))
        parts = []
        if "none" in share:
            parts.append(("no hub pays", share.pop("none")))
        best = next(iter(share), None)  # portfolios come likeliest first
        if best is not None:
            kind = "single site" if len(portfolio_levels(best)) == 1 else "portfolio"
            parts.append((f"{self.label(best)} is the best {kind}", share.pop(best)))
        parts.sort(key=lambda part: -part[1])
        text = f"{parts[0][0]} in {100 * parts[0][1]:.0f} % of {n} draws"
        if len(parts) > 1:
            text += f"; {parts[1][0]} in {100 * parts[1][1]:.0f} %"
        if share:
            text += (
                f"; {len(share)} other portfolio{'s' if len(share) > 1 else ''} in "
                f"{100 * sum(share.values()):.0f} %"
            )
        return text

    def label(self, portfolio: str) -> str:
        """A portfolio in words: its hubs' names, with the level where a hub has
        several ("Dakhla Atlantique (level S)"); "no hub" for "none"."""
        if portfolio == "none":
            return "no hub"
        return " + ".join(
            self.hub_names.get(hub, hub)
            + ("" if level == "base" else f" (level {level})")
            for hub, level in portfolio_levels(portfolio).items()
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written by :meth:`write`, by file stem."""
        out = {
            "draws": self.draws,
            "draw_markets": self.markets,
            "draw_fixed": self.fixed,
            "portfolios": self.portfolios,
            "hubs": self.hubs,
            "costs": self.costs,
            "landed_costs": self.landed,
            "regret": self.regret,
            "ranges": self.ranges,
        }
        if self.tornado is not None:
            out["tornado"] = self.tornado
        return out

    def write(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Write every table as CSV (rounded) with the run's settings, all or
        nothing, into ``folder``."""
        meta = {"seed": self.seed, "reuse": self.reuse, "headline": self.headline()}
        with outputs.output_folder(folder, overwrite=overwrite) as staging:
            for stem, table in self.tables().items():
                rounded(table).to_csv(staging / f"{stem}.csv", index=False)
            (staging / "uncertainty.json").write_text(
                json.dumps({**meta, **_progress_meta(self)}, indent=1) + "\n"
            )
        return Path(folder)


def _progress_meta(result: UncertaintyResult) -> dict[str, Any]:
    return getattr(result, "_meta", {})


def _quantiles(values: pd.Series, prefix: str) -> dict[str, float]:
    values = pd.to_numeric(values, errors="coerce").dropna()
    if not len(values):
        return {f"{prefix}_q{round(q * 100):02d}": np.nan for q in QUANTILES}
    found = np.quantile(values.to_numpy(dtype=float), QUANTILES)
    return {
        f"{prefix}_q{round(q * 100):02d}": float(v)
        for q, v in zip(QUANTILES, found, strict=True)
    }


def _fingerprint(network: Network, ranges: pd.DataFrame, draws: int, seed: int) -> str:
    digest = hashlib.sha256()
    digest.update(ranges.to_csv(index=False).encode())
    for name in ("origins", "hubs", "hub_levels", "destinations"):
        digest.update(network.table(name).to_csv(index=False).encode())
    legs = network.legs.drop(columns="geometry", errors="ignore")
    digest.update(legs.to_csv(index=False).encode())
    digest.update(f"{draws}:{seed}".encode())
    return digest.hexdigest()[:16]


def uncertainty(
    network: Network,
    draws: int = 200,
    seed: int = 0,
    executor: Any = None,
    *,
    ranges: pd.DataFrame | str | Path | None = None,
    options: SolveOptions | None = None,
    reuse: bool = True,
    max_portfolios: int = 6,
    tornado: bool = True,
    out: str | Path | None = None,
    overwrite: bool = False,
    progress: bool = True,
    max_workers: int | None = None,
) -> UncertaintyResult:
    """Monte Carlo over the uncertain cost figures: which hubs are right how often.

    Parameters
    ----------
    network
        A validated network.
    draws
        Latin-hypercube draws over the ranges.
    seed
        The draws' seed; the same seed gives the same tables whatever executor.
    executor
        As for :func:`hubopt.parallel.map_tasks`: None (local process pool),
        "serial", an Executor or a ``dask.distributed.Client``.
    ranges
        The uncertainty table (DataFrame or CSV path); by default the
        ``uncertainty.csv`` of the bundled network.
    options
        Solve options for every draw.
    reuse
        Re-use one built model per process, changing its costs per draw (the
        default); False rebuilds and solves each draw from scratch.
    max_portfolios
        The most frequent optimal portfolios (and "none") whose regret is found.
    tornado
        Also swing each input alone across its range (:func:`tornado_table`).
    out
        A folder to write the tables to as draws finish; an earlier run there with
        the same network, ranges, draws and seed is resumed.
    overwrite
        Whether an earlier, different run in ``out`` may be replaced.
    progress
        A progress bar on stderr.
    max_workers
        Processes of the default pool.

    Returns
    -------
    UncertaintyResult
    """
    if not isinstance(network, Network):
        msg = f"uncertainty() needs a hubopt.Network, got {type(network).__name__}"
        raise ValidationError(msg)
    if not isinstance(draws, int) or draws < 1:
        msg = f"draws must be a whole number of at least 1, got {draws!r}"
        raise ValidationError(msg)
    frame = ranges_of(None) if ranges is None else read_ranges(ranges)
    _cells(network, frame, strict=True)
    options = options or SolveOptions()
    values = draw(frame, draws, seed)
    fingerprint = _fingerprint(network, frame, draws, seed)
    done = _resumed(out, fingerprint) if out is not None else None
    rows = done["draws"].to_dict("records") if done else []
    market_rows = done["draw_markets"].to_dict("records") if done else []
    fixed_rows = done["draw_fixed"].to_dict("records") if done else []
    state = _Run(network, frame, options, reuse, values, seed, fingerprint, out)
    state.overwrite = overwrite or bool(done)
    todo = sorted(set(range(draws)) - {int(r["draw"]) for r in rows})
    state.rows, state.market_rows, state.fixed_rows = rows, market_rows, fixed_rows
    if executor is None and not multiprocessing.current_process().daemon:
        # two chunks here, timed: the first pays for building the models, the
        # second is what a chunk costs; the pool starts only if it pays
        probe, todo = todo[: 2 * CHUNK_DRAWS], todo[2 * CHUNK_DRAWS :]
        times = []
        for part in (probe[:CHUNK_DRAWS], probe[CHUNK_DRAWS:]):
            start = time.perf_counter()
            _optimum_draws(state, part, "serial", False, max_workers)
            times.append(time.perf_counter() - start)
        workers = max_workers or os.cpu_count() or 1
        chunks = -(-len(todo) // CHUNK_DRAWS)
        if not parallel.pool_pays(times[1], chunks, workers, setup_s=times[0]):
            executor = "serial"
    with _run_executor(executor, max_workers, len(todo)) as executor:
        _optimum_draws(state, todo, executor, progress, max_workers)
        _regret_draws(state, max_portfolios, executor, progress, max_workers)
    if tornado:
        state.tornado = tornado_table(network, frame, options)
    state.save()
    return state.result()


def chunk_size(draws: int, max_workers: int | None, executor: Any = None) -> int:
    """Draws per task: :data:`CHUNK_DRAWS` (always, run "serial"), or fewer so that
    each worker gets at least four tasks (a few costly draws would otherwise leave
    a worker idle while another solves the last chunk).

    Examples
    --------
    >>> from hubopt.uncertainty import chunk_size
    >>> chunk_size(1000, 2), chunk_size(60, 2), chunk_size(3, 2)
    (25, 8, 1)
    >>> chunk_size(60, 2, "serial")
    25
    """
    if isinstance(executor, str) and executor == "serial":
        return CHUNK_DRAWS
    workers = max_workers or os.cpu_count() or 1
    return max(1, min(CHUNK_DRAWS, -(-draws // (4 * workers))))


def _optimum_draws(
    state: _Run,
    todo: list[int],
    executor: Any,
    progress: bool,
    max_workers: int | None,
) -> None:
    """Solve the optimum and the direct baseline of the draws ``todo``, in chunks
    of :data:`CHUNK_DRAWS`. With a folder to write to, a batch of chunks (two per
    worker) at a time, each batch written out as it finishes; without, in one
    batch (the network is sent to the workers once, and no worker waits for the
    others between batches)."""
    total = len(state.values)
    size = chunk_size(len(todo), max_workers, executor)
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    if state.out is None:
        step = max(len(chunks), 1)
        bar = None
    else:
        step = max(1, max_workers or 2) * 2
        bar = parallel._Progress(total, "draws", sys.stderr) if progress else None
    if bar:
        bar.done = total - len(todo)
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        for found, markets in parallel.map_tasks(
            _solve_draws,
            [state.task(ids) for ids in batch],
            executor=executor,
            progress=progress and bar is None,
            label="draws",
            max_workers=max_workers,
        ):
            state.rows.extend(found)
            state.market_rows.extend(markets)
        if bar:
            bar.done += sum(len(ids) for ids in batch) - 1
            bar.step()
        state.save()
    if bar:
        bar.close()


def _regret_draws(
    state: _Run,
    max_portfolios: int,
    executor: Any,
    progress: bool,
    max_workers: int | None,
) -> None:
    """Solve every draw with each of the most frequent optimal portfolios (and
    "none") fixed, in chunks of :data:`CHUNK_DRAWS`."""
    found = state.result()
    chosen = ["none", *[p for p in found.portfolios["portfolio"] if p != "none"]]
    chosen = chosen[: max_portfolios + 1]
    have = {(int(r["draw"]), r["portfolio"]) for r in state.fixed_rows}
    tasks = []
    for name in chosen:
        ids = [i for i in range(len(state.values)) if (i, name) not in have]
        size = chunk_size(len(ids), max_workers, executor)
        for i in range(0, len(ids), size):
            tasks.append(state.task(ids[i : i + size], name))
    for rows in parallel.map_tasks(
        _solve_fixed,
        tasks,
        executor=executor,
        progress=progress,
        label="regret",
        max_workers=max_workers,
    ):
        state.fixed_rows.extend(rows)
    state.fixed_rows[:] = [r for r in state.fixed_rows if r["portfolio"] in chosen]


@contextlib.contextmanager
def _run_executor(executor: Any, max_workers: int | None, draws: int) -> Iterator[Any]:
    """The executor of a run: the one given; else, where
    :func:`hubopt.parallel.map_tasks` would start a process pool per batch, one
    pool for the whole run, so that each worker keeps the models it built
    (:func:`_models`) from batch to batch; "serial" for one worker or for
    ``draws`` (those left to solve) that fit in one chunk."""
    if executor is not None or multiprocessing.current_process().daemon:
        yield executor
        return
    workers = max_workers or os.cpu_count() or 1
    if workers <= 1 or draws <= CHUNK_DRAWS:
        yield "serial"
        return
    pool = ProcessPoolExecutor(workers, mp_context=parallel.worker_context())
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


class _Run:
    """The rows found so far, written to ``out`` after each batch."""

    def __init__(self, network, frame, options, reuse, values, seed, fingerprint, out):
        self.network, self.frame, self.options = network, frame, options
        self.reuse, self.values, self.seed = reuse, values, seed
        self.fingerprint, self.out = fingerprint, out
        self.overwrite = False
        self.tornado: pd.DataFrame | None = None
        self.rows: list[dict[str, Any]] = []
        self.market_rows: list[dict[str, Any]] = []
        self.fixed_rows: list[dict[str, Any]] = []

    def task(self, ids: list[int], portfolio: str | None = None) -> tuple[Any, ...]:
        """The arguments of :func:`_solve_draws` for the draws ``ids``, or of
        :func:`_solve_fixed` with ``portfolio``."""
        head = (self.network, self.frame, self.options, self.reuse)
        tail = (ids, self.values[ids], self.fingerprint)
        return (*head, *tail) if portfolio is None else (*head, portfolio, *tail)

    def result(self) -> UncertaintyResult:
        draws = pd.DataFrame(
            self.rows,
            columns=["draw", "portfolio", "total_cost", "direct_cost", "saving"],
        )
        draws = draws.sort_values("draw").reset_index(drop=True)
        draws["portfolio"] = draws["portfolio"].fillna("")
        for pos in range(self.values.shape[1]):
            draws[f"value_{pos + 1}"] = self.values[draws["draw"].to_numpy(int), pos]
        markets = pd.DataFrame(
            self.market_rows, columns=["draw", "destination", "landed_cost_per_t"]
        ).sort_values(["draw", "destination"], kind="stable")
        fixed = pd.DataFrame(
            self.fixed_rows, columns=["draw", "portfolio", "total_cost"]
        )
        if len(fixed):
            best = draws.set_index("draw")["total_cost"]
            fixed["regret"] = (
                fixed["total_cost"].to_numpy() - best.loc[fixed["draw"]].to_numpy()
            )
            order = {p: k for k, p in enumerate(dict.fromkeys(fixed["portfolio"]))}
            fixed = (
                fixed.assign(_o=fixed["portfolio"].map(order))
                .sort_values(["_o", "draw"])
                .drop(columns="_o")
            )
        else:
            fixed["regret"] = []
        hubs = self.network.hubs
        candidates = tuple(hubs.loc[hubs["status"] != "closed", "id"])
        names = hubs["name"] if "name" in hubs else hubs["id"]
        hub_names = dict(zip(hubs["id"].astype(str), names.astype(str), strict=True))
        result = UncertaintyResult(
            draws.reset_index(drop=True),
            markets.reset_index(drop=True),
            fixed.reset_index(drop=True),
            self.frame,
            self.seed,
            self.reuse,
            self.tornado,
            candidates,
            hub_names,
        )
        result._meta = {  # type: ignore[attr-defined]
            "fingerprint": self.fingerprint,
            "draws_planned": int(self.values.shape[0]),
            "draws_done": len(draws),
        }
        return result

    def save(self) -> None:
        if self.out is None:
            return
        self.result().write(self.out, overwrite=self.overwrite)
        self.overwrite = True


def _resumed(out: str | Path, fingerprint: str) -> dict[str, pd.DataFrame] | None:
    """The draws an earlier run with the same fingerprint left in ``out``."""
    folder = Path(out)
    try:
        meta = json.loads((folder / "uncertainty.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("fingerprint") != fingerprint:
        return None
    try:
        tables = {
            name: pd.read_csv(
                folder / f"{name}.csv", keep_default_na=False, na_values=[""]
            )
            for name in ("draws", "draw_markets", "draw_fixed")
        }
    except (OSError, ValueError, pd.errors.EmptyDataError):
        return None
    tables["draws"]["portfolio"] = tables["draws"]["portfolio"].fillna("")
    return tables


def tornado_table(
    network: Network,
    ranges: pd.DataFrame,
    options: SolveOptions | None = None,
    *,
    tol: float = 0.005,
) -> pd.DataFrame:
    """One-at-a-time swings and break-evens.

    Each input (a group, or a range without one) goes to its low and to its high
    end, every other input staying at its central value (:func:`central`); the
    inputs are ranked by how much the total cost moves. Where the optimal
    portfolio differs between the two ends, :func:`hubopt.breakeven.break_even`
    finds by bisection with the solver where it changes, as a position along the
    input's range (0 = low, 1 = high; within ``tol``) and as the value of the
    input's first range there.

    Returns
    -------
    pandas.DataFrame
        input, portfolio_low, portfolio_high, total_cost_central (every input
        central), total_cost_low, total_cost_high, saving_low, saving_high,
        cost_swing, changes_decision,
        break_even_position, break_even_value, portfolio_below, portfolio_above;
        the inputs that change the decision first, then by cost swing.
    """
    options = options or SolveOptions()
    frame = read_ranges(ranges)
    cells = _cells(network, frame, strict=True)
    dims = _dimension_of(frame)
    centre = np.array([central(frame.iloc[pos]) for pos in range(len(frame))])
    middle = _end(_drawn_network(network, frame, cells, centre), options)
    rows = []
    for k, name in enumerate(dimensions(frame)):
        driver = _Swing(frame, cells, dims == k, centre)
        ends = {
            end: _end(driver(network, t), options)
            for end, t in (("low", 0.0), ("high", 1.0))
        }
        row = {
            "input": name,
            "portfolio_low": ends["low"][0],
            "portfolio_high": ends["high"][0],
            "total_cost_central": middle[1],
            "total_cost_low": ends["low"][1],
            "total_cost_high": ends["high"][1],
            "saving_low": ends["low"][2],
            "saving_high": ends["high"][2],
            "cost_swing": abs(ends["high"][1] - ends["low"][1]),
            "changes_decision": ends["low"][0] != ends["high"][0],
            "break_even_position": np.nan,
            "break_even_value": np.nan,
            "portfolio_below": "",
            "portfolio_above": "",
        }
        if row["changes_decision"]:
            edge = break_even(
                network, driver, low=0.0, high=1.0, tol=tol, options=options
            )
            if edge.value is not None:
                first = frame.loc[dims == k].iloc[0]
                row["break_even_position"] = edge.value
                row["break_even_value"] = float(
                    first["low"] + edge.value * (first["high"] - first["low"])
                )
                row["portfolio_below"] = _pairs_name(edge.portfolio_below)
                row["portfolio_above"] = _pairs_name(edge.portfolio_above)
        rows.append(row)
    table = pd.DataFrame(rows)
    if not len(table):
        return table
    return table.sort_values(
        ["changes_decision", "cost_swing", "input"], ascending=[False, False, True]
    ).reset_index(drop=True)


class _Swing:
    """A break-even driver: the network with one input at position ``t`` of its
    range (each of its ranges at low + t (high - low)), the others central."""

    def __init__(
        self,
        frame: pd.DataFrame,
        cells: list[np.ndarray],
        mine: np.ndarray,
        centre: np.ndarray,
    ) -> None:
        self.frame, self.cells, self.mine, self.centre = frame, cells, mine, centre
        self.__name__ = "swing"

    def __call__(self, network: Network, t: float) -> Network:
        q = self.centre.copy()
        low = self.frame["low"].to_numpy(dtype=float)
        high = self.frame["high"].to_numpy(dtype=float)
        q[self.mine] = low[self.mine] + t * (high[self.mine] - low[self.mine])
        return _drawn_network(network, self.frame, self.cells, q)


def _end(network: Network, options: SolveOptions) -> tuple[str, float, float]:
    """Portfolio, total cost and saving against the direct baseline."""
    best = solving.solve(network, options, raise_on_failure=False)
    direct = solving.solve(fix_hubs(network, {}), options, raise_on_failure=False)
    ok = best.status in ("optimal", "feasible")
    total = best.objective if ok else np.nan
    direct_cost = (
        direct.objective if direct.status in ("optimal", "feasible") else np.nan
    )
    return (portfolio_name(best) if ok else "", total, direct_cost - total)


def _pairs_name(pairs: tuple[tuple[str, str], ...]) -> str:
    """A break-even portfolio ((hub, level) pairs) as :func:`portfolio_name`."""
    if not pairs:
        return "none"
    return "+".join(f"{hub}:{level}" for hub, level in sorted(pairs))
