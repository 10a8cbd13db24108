"""Sparse-array toolkit of the model: rows in CSR form, a model as numpy arrays, and
the builder that collects columns and rows family by family.

Nothing here knows the formulation; :mod:`hubopt.formulation` fills a :class:`Builder`,
the solver adapters (:mod:`hubopt.highs`, :mod:`hubopt.pulp_adapter`) read the
:class:`ModelArrays` it makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass
class CSRRows:
    """Rows in CSR form with their bounds: row ``r`` reads ``lower[r] <= sum_j
    value[j] x[index[j]] <= upper[r]`` over ``j`` in ``start[r]:start[r + 1]``."""

    lower: np.ndarray
    upper: np.ndarray
    start: np.ndarray  # int32, len(rows) + 1
    index: np.ndarray  # int32
    value: np.ndarray

    @classmethod
    def empty(cls) -> CSRRows:
        """No rows."""
        return cls(
            np.zeros(0),
            np.zeros(0),
            np.zeros(1, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )

    @property
    def n_rows(self) -> int:
        return len(self.lower)

    def joined(self, other: CSRRows) -> CSRRows:
        """These rows followed by ``other``'s."""
        return CSRRows(
            lower=np.concatenate([self.lower, other.lower]),
            upper=np.concatenate([self.upper, other.upper]),
            start=np.concatenate(
                [self.start[:-1], other.start + self.start[-1]]
            ).astype(np.int32),
            index=np.concatenate([self.index, other.index]).astype(np.int32),
            value=np.concatenate([self.value, other.value]),
        )

    def subset(self, rows: np.ndarray) -> CSRRows:
        """The rows numbered ``rows`` (ascending), as a block of their own."""
        rows = np.asarray(rows, dtype=np.int64)
        counts = self.start[rows + 1] - self.start[rows]
        start = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum(counts, out=start[1:])
        entries = np.repeat(self.start[rows] - start[:-1], counts) + np.arange(
            start[-1]
        )
        return CSRRows(
            lower=self.lower[rows],
            upper=self.upper[rows],
            start=start,
            index=self.index[entries],
            value=self.value[entries],
        )

    def on_columns(self, keep: np.ndarray) -> CSRRows:
        """These rows over only the columns marked True in ``keep`` (a bool per
        column), the columns numbered anew in their order; entries on other columns
        are dropped."""
        number = np.cumsum(keep) - 1
        kept = keep[self.index]
        count = np.bincount(self.entry_rows[kept], minlength=self.n_rows)
        start = np.zeros(self.n_rows + 1, dtype=np.int32)
        np.cumsum(count, out=start[1:])
        return CSRRows(
            lower=self.lower,
            upper=self.upper,
            start=start,
            index=number[self.index[kept]].astype(np.int32),
            value=self.value[kept],
        )

    @property
    def entry_rows(self) -> np.ndarray:
        """The row of each entry (aligned with ``index`` and ``value``)."""
        return np.repeat(np.arange(self.n_rows), np.diff(self.start))

    def activity(self, x: np.ndarray) -> np.ndarray:
        """``sum_j value[j] x[index[j]]`` per row."""
        return np.bincount(
            self.entry_rows, weights=self.value * x[self.index], minlength=self.n_rows
        )


@dataclass
class ModelArrays:
    """A model as numpy arrays: columns, and rows in CSR form with their bounds.

    Row ``r`` reads ``row_lower[r] <= sum_j value[j] x[index[j]] <= row_upper[r]``
    over ``j`` in ``start[r]:start[r + 1]``; a row is never ranged (one side is
    infinite, or both are equal).
    """

    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    col_integer: np.ndarray  # bool
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray  # int32, len(rows) + 1
    index: np.ndarray  # int32
    value: np.ndarray
    #: (name, first column, keys) per family of columns, in column order; the
    #: names and keys of the PuLP variables when the model is handed to PuLP
    segments: list[tuple[str, int, np.ndarray]]
    name: str = "hubopt"
    #: valid inequalities kept out of the rows (lazy linking), added on demand
    pool: CSRRows = field(default_factory=CSRRows.empty)

    @property
    def n_cols(self) -> int:
        return len(self.col_cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    @property
    def rows(self) -> CSRRows:
        """The model's rows (the pool not included)."""
        return CSRRows(
            self.row_lower, self.row_upper, self.start, self.index, self.value
        )

    def with_pool_rows(self, selected: np.ndarray) -> ModelArrays:
        """These arrays with the pool rows numbered ``selected`` appended to the
        rows, and no pool."""
        rows = self.rows.joined(self.pool.subset(np.sort(selected)))
        return replace(
            self,
            row_lower=rows.lower,
            row_upper=rows.upper,
            start=rows.start,
            index=rows.index,
            value=rows.value,
            pool=CSRRows.empty(),
        )


class Builder:
    """Collects columns and rows (COO blocks) and makes :class:`ModelArrays`.

    Rows added with ``lazy=True`` (valid inequalities the model is correct without)
    go to a separate pool, numbered from 0 on their own, so the numbers of the model's
    rows do not depend on how the pool is used; :meth:`finish` appends the pool to
    the rows or keeps it apart.
    """

    def __init__(self) -> None:
        self.n_cols = 0
        self.rows = RowCollector()
        self.pool = RowCollector()
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._integer: list[np.ndarray] = []
        self._cost_cols: list[np.ndarray] = []
        self._cost_values: list[np.ndarray] = []
        self.segments: list[tuple[str, int, np.ndarray]] = []

    def add_cols(
        self,
        name: str,
        keys: Any,
        *,
        lower: Any = 0.0,
        upper: Any = np.inf,
        integer: bool = False,
    ) -> np.ndarray:
        """Add one column per key; returns their column numbers."""
        keys = np.asarray(keys)
        n = len(keys)
        self.segments.append((name, self.n_cols, keys))
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)))
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)))
        self._integer.append(np.full(n, integer, dtype=bool))
        cols = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.n_cols += n
        return cols

    def cost(self, cols: np.ndarray, values: Any) -> None:
        """Add objective coefficients (summed where a column appears twice)."""
        cols = np.asarray(cols, dtype=np.int64)
        self._cost_cols.append(cols)
        self._cost_values.append(
            np.broadcast_to(np.asarray(values, dtype=float), cols.shape)
        )

    def add_rows(
        self,
        n: int,
        rows: np.ndarray,
        cols: np.ndarray,
        values: Any,
        lower: Any,
        upper: Any,
        *,
        lazy: bool = False,
    ) -> np.ndarray:
        """Add ``n`` rows from entries (local row 0..n-1, column, value); returns
        the row numbers (in the pool with ``lazy``)."""
        target = self.pool if lazy else self.rows
        cols = np.asarray(cols, dtype=np.int64)
        target._rows.append(np.asarray(rows, dtype=np.int64) + target.n_rows)
        target._cols.append(cols)
        target._values.append(
            np.broadcast_to(np.asarray(values, dtype=float), cols.shape)
        )
        target._row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)))
        target._row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)))
        out = np.arange(target.n_rows, target.n_rows + n, dtype=np.int64)
        target.n_rows += n
        return out

    def add_linking(
        self,
        owner_cols: np.ndarray,
        group: np.ndarray,
        group_cols: Ragged,
        group_values: np.ndarray,
        lower: Any,
        upper: Any,
        *,
        lazy: bool = False,
    ) -> np.ndarray:
        """One row per owner: ``x_owner + sum_{c in group} v c``, where each owner
        names a group (a hub) whose columns are ``group_cols``; ``group_values`` is
        the coefficient per owner, repeated over its group's columns."""
        n = len(owner_cols)
        member, pos = group_cols.expand(group)
        rows = np.concatenate([np.arange(n), member])
        cols = np.concatenate([owner_cols, group_cols.items[pos]])
        values = np.concatenate([np.ones(n), np.asarray(group_values)[member]])
        return self.add_rows(n, rows, cols, values, lower, upper, lazy=lazy)

    def finish(self, name: str = "hubopt", pool_apart: bool = False) -> ModelArrays:
        """The columns, and the rows as CSR (entries kept in the order added; a row
        never names a column twice). The pool is appended to the rows, or with
        ``pool_apart`` kept apart as :attr:`ModelArrays.pool`."""
        cost = np.zeros(self.n_cols)
        if self._cost_cols:
            np.add.at(
                cost,
                concat(self._cost_cols, np.int64),
                concat(self._cost_values, float),
            )
        rows = self.rows.csr()
        pool = self.pool.csr()
        if not pool_apart:
            rows, pool = rows.joined(pool), CSRRows.empty()
        return ModelArrays(
            col_cost=cost,
            col_lower=concat(self._lower, float),
            col_upper=concat(self._upper, float),
            col_integer=concat(self._integer, bool),
            row_lower=rows.lower,
            row_upper=rows.upper,
            start=rows.start,
            index=rows.index,
            value=rows.value,
            segments=self.segments,
            name=name,
            pool=pool,
        )


def concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """The parts joined into one array of ``dtype`` (empty without parts)."""
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


class RowCollector:
    """Rows as COO blocks, numbered from 0 (the rows and the pool of
    :class:`Builder`)."""

    def __init__(self) -> None:
        self.n_rows = 0
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._values: list[np.ndarray] = []
        self._row_lower: list[np.ndarray] = []
        self._row_upper: list[np.ndarray] = []

    def csr(self) -> CSRRows:
        """The collected rows as CSR."""
        rows = concat(self._rows, np.int64)
        cols = concat(self._cols, np.int32)
        values = concat(self._values, float)
        nonzero = values != 0
        rows, cols, values = rows[nonzero], cols[nonzero], values[nonzero]
        order = np.argsort(rows, kind="stable")
        start = np.zeros(self.n_rows + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=self.n_rows), out=start[1:])
        return CSRRows(
            lower=concat(self._row_lower, float),
            upper=concat(self._row_upper, float),
            start=start,
            index=cols[order],
            value=values[order],
        )


@dataclass
class Ragged:
    """Groups of items as one flat array: group g holds ``items[start[g]:end]``."""

    items: np.ndarray
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, group: np.ndarray, items: np.ndarray, n_groups: int) -> Ragged:
        """Items grouped by ``group`` (a group number per item, order kept)."""
        order = np.argsort(group, kind="stable")
        count = np.bincount(group, minlength=n_groups)
        start = np.zeros(n_groups, dtype=np.int64)
        np.cumsum(count[:-1], out=start[1:])
        return cls(np.asarray(items)[order], start, count)

    def expand(self, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each entry of ``group``, every item of that group: (entry number,
        position in ``items``) pairs, entries in order, items in group order."""
        counts = self.count[group]
        member = np.repeat(np.arange(len(group)), counts)
        first = np.repeat(self.start[group], counts)
        offset = np.arange(len(member)) - np.repeat(np.cumsum(counts) - counts, counts)
        return member, first + offset


def pool_rows_of(pool: CSRRows, cols: np.ndarray) -> np.ndarray:
    """The pool rows that link the flow columns ``cols`` (their coefficient 1)."""
    mine = np.zeros(int(pool.index.max()) + 1 if len(pool.index) else 0, dtype=bool)
    mine[cols[cols < len(mine)]] = True
    owner = (pool.value == 1.0) & mine[pool.index]
    return np.unique(pool.entry_rows[owner])
