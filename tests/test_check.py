"""The independent checker: one check per constraint family, in the registry's order,
and each catches its own violation."""

from __future__ import annotations

import pytest

import hubopt
from hubopt import check, formulation

from .test_capacities import caps, corridor_network, two_market_network


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


def test_a_violated_capacity_row_is_caught():
    net = corridor_network(caps(("north_cap", 60.0, "", "north", "")))
    result = hubopt.solve(net)  # 60 t north
    tighter = net.replace(capacities=caps(("north_cap", 50.0, "", "north", "")))
    problems = check.check_solution(tighter, result)
    assert (
        "capacity north_cap (corridor north): 60.000 t on its legs, more than its "
        "capacity_t 50.000 t"
    ) in problems
    # on a waypoint of the route, and on a route step's mode
    for row in (("t", 10.0, "AKTAU", "", ""), ("t", 10.0, "", "", "caspian_ferry")):
        problems = check.check_solution(net.replace(capacities=caps(row)), result)
        assert any(
            "60.000 t on its legs, more than its capacity_t 10" in p for p in problems
        )


def test_a_violated_programme_row_is_caught():
    net = two_market_network(10.0, 2.5)
    result = hubopt.solve(net)  # 50 t delivered, B lost to its alternative
    problems = check.check_solution(net, _with_options(result, programme_t=80.0))
    assert problems == ["50.000 t delivered, less than programme_t=80.000 t"]


def test_a_lost_market_must_be_contestable_and_priced_in_the_objective():
    net = two_market_network(10.0, 2.5)
    result = hubopt.solve(net)
    dests = net.destinations.drop(columns="alternative_cost_per_t")
    problems = check.check_solution(net.replace(destinations=dests), result)
    assert any(
        "market B: short by 50.000 t but it has no unmet_penalty_per_t nor "
        "alternative_cost_per_t" in p
        for p in problems
    )
    dearer = net.destinations.assign(alternative_cost_per_t=[10.0, 3.5])
    problems = check.check_solution(net.replace(destinations=dearer), result)
    assert any(p.startswith("objective: the result reports 275") for p in problems)
