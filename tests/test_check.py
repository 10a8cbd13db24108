"""The independent checker: one check per constraint family, in the registry's order,
and each catches its own violation."""

from __future__ import annotations

import pytest

import hubopt
from hubopt import check, formulation


def test_checks_follow_the_formulation_registry():
    assert [name for name, _ in check.CHECKS] == [f.name for f in formulation.FAMILIES]


@pytest.fixture(scope="module")
def solved():
    net = hubopt.datasets.tiny()
    return net, hubopt.solve(net)  # H1 and H2 open, 1140


def _with_options(result, **options):
    result.options = result.options.replace(**options)  # frozen: a changed copy
    return result


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_hubs": 1}, "2 hubs open, more than max_hubs=1"),
        ({"min_hubs": 3}, "2 hubs open, fewer than min_hubs=3"),
        ({"budget": 10.0}, "exceeds the budget"),
        ({"min_throughput_share": 1.0}, "less than min_throughput_share=1"),
        ({"exclude_portfolios": [["H1", "H2"]]}, "differ from the excluded portfolio"),
    ],
)
def test_each_option_family_is_checked(solved, options, message):
    net, result = solved
    kept = result.options
    try:
        problems = check.check_solution(net, _with_options(result, **options))
    finally:
        result.options = kept
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        ("origins", {"supply_t": 1.0}, "more than its supply"),
        ("destinations", {"demand_t": 1.0}, "more than demand"),
        ("hubs", {"capacity_t": 1.0}, "exceeds capacity"),
        ("hubs", {"status": "closed"}, "status 'closed' but it is used or opened"),
        ("hubs", {"fixed_cost": 1.0}, "result says fixed cost"),
    ],
)
def test_each_network_family_is_checked(solved, table, change, message):
    net, result = solved
    frame = getattr(net, table)
    for column, value in change.items():
        frame[column] = value
    problems = check.check_solution(net.replace(**{table: frame}), result)
    assert any(message in p for p in problems), problems


def test_a_shut_hub_that_moves_tonnes_is_caught(solved):
    net, result = solved
    hubs = result._tables["hubs"].copy()
    result._tables["hubs"] = hubs.assign(open=False)
    try:
        problems = check.check_solution(net, result)
    finally:
        result._tables["hubs"] = hubs
    assert any("pass through a hub that is not open" in p for p in problems)
