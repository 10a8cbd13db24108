"""The sparse-array toolkit: CSR rows, the builder's COO blocks, ragged groups."""

from __future__ import annotations

import numpy as np

from hubopt._arrays import Builder, CSRRows, Ragged


def test_csr_rows_subset_and_activity():
    rows = CSRRows(
        lower=np.array([-np.inf, 1.0, 0.0]),
        upper=np.array([2.0, 1.0, np.inf]),
        start=np.array([0, 2, 2, 5], dtype=np.int32),  # the middle row is empty
        index=np.array([0, 1, 0, 1, 2], dtype=np.int32),
        value=np.array([1.0, -2.0, 3.0, 1.0, 1.0]),
    )
    x = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(rows.activity(x), [1 - 4, 0, 3 + 2 + 4])
    last = rows.subset(np.array([0, 2]))
    assert last.n_rows == 2
    np.testing.assert_allclose(last.activity(x), [-3, 9])
    np.testing.assert_array_equal(last.start, [0, 2, 5])
    assert CSRRows.empty().joined(last).n_rows == 2
    # only columns 0 and 2 kept: column 2 becomes 1, column 1's entries go
    kept = rows.on_columns(np.array([True, False, True]))
    np.testing.assert_array_equal(kept.start, [0, 1, 1, 3])
    np.testing.assert_array_equal(kept.index, [0, 0, 1])
    np.testing.assert_allclose(kept.activity(np.array([1.0, 4.0])), [1, 0, 3 + 4])


def test_builder_keeps_entry_order_drops_zeros_and_the_pool_apart():
    b = Builder()
    x = b.add_cols("x", np.arange(3))
    y = b.add_cols("y", np.arange(1), upper=1.0, integer=True)
    b.cost(x, [1.0, 2.0, 0.0])
    b.cost(x[:1], 1.0)  # summed with the first
    b.add_rows(2, np.array([0, 0, 1]), np.array([x[1], x[0], x[2]]), 1.0, -np.inf, 5.0)
    b.add_rows(1, np.zeros(2, int), np.array([x[0], y[0]]), [1.0, 0.0], 0.0, 0.0)
    b.add_rows(
        1,
        np.zeros(2, int),
        np.array([x[2], y[0]]),
        [1.0, -4.0],
        -np.inf,
        0.0,
        lazy=True,
    )
    apart = b.finish(pool_apart=True)
    np.testing.assert_allclose(apart.col_cost, [2.0, 2.0, 0.0, 0.0])
    assert apart.col_integer.tolist() == [False, False, False, True]
    np.testing.assert_array_equal(apart.start, [0, 2, 3, 4])
    np.testing.assert_array_equal(apart.index, [1, 0, 2, 0])  # the zero is dropped
    assert apart.pool.n_rows == 1
    assert [(name, first) for name, first, _ in apart.segments] == [("x", 0), ("y", 3)]
    joined = b.finish()
    assert joined.n_rows == 4 and joined.pool.n_rows == 0
    np.testing.assert_array_equal(joined.index[-2:], [2, 3])


def test_ragged_groups_expand_in_order():
    groups = Ragged.of(np.array([1, 0, 1, 1]), np.array([10, 11, 12, 13]), 3)
    assert groups.count.tolist() == [1, 3, 0]
    member, pos = groups.expand(np.array([1, 2, 0]))
    assert member.tolist() == [0, 0, 0, 2]
    assert groups.items[pos].tolist() == [10, 12, 13, 11]
