"""Model options, robust choices, Pareto frontiers, alternatives and sweeps, each on a
network whose optimum is worked out by hand in a comment, plus invariants on small
random networks."""

from __future__ import annotations

import warnings
from itertools import pairwise

import pytest

import hubopt
from hubopt.decisions import _closed_build_cost, fix_hubs, frontier_table

from ._small import network, random_network
from .conftest import programme_network


def _two_hubs(**hub_overrides):
    # O (100 t) -> H1 (cap 60) / H2 (cap 100), no fixed cost -> D (80 t).
    # O->H1 1, O->H2 3, H1->D 1, H2->D 1.
    return network(
        [("O", 100.0)],
        [("H1", 60.0, 0.0), ("H2", 100.0, 0.0)],
        [("D", 80.0)],
        [
            {"origin": "O", "destination": "H1", "cost_per_t": 1.0},
            {"origin": "O", "destination": "H2", "cost_per_t": 3.0},
            {"origin": "H1", "destination": "D", "cost_per_t": 1.0},
            {"origin": "H2", "destination": "D", "cost_per_t": 1.0},
        ],
    )


def _split_markets():
    # O (100 t); H1, H2 (cap 100, fixed 10 each); D1, D2 (30 t each).
    # O->H* 1; H1->D1 1, H1->D2 5; H2->D1 6, H2->D2 1.
    # both hubs: 20 + 30*2 + 30*2 = 140; H1 alone: 10 + 60 + 30*6 = 250;
    # H2 alone: 10 + 30*7 + 30*2 = 280.
    return network(
        [("O", 100.0)],
        [("H1", 100.0, 10.0), ("H2", 100.0, 10.0)],
        [("D1", 30.0), ("D2", 30.0)],
        [
            {"origin": "O", "destination": "H1", "cost_per_t": 1.0},
            {"origin": "O", "destination": "H2", "cost_per_t": 1.0},
            {"origin": "H1", "destination": "D1", "cost_per_t": 1.0},
            {"origin": "H1", "destination": "D2", "cost_per_t": 5.0},
            {"origin": "H2", "destination": "D1", "cost_per_t": 6.0},
            {"origin": "H2", "destination": "D2", "cost_per_t": 1.0},
        ],
    )


def test_single_sourcing_by_hand():
    net = _two_hubs()
    # split: 60 t via H1 at 2/t + 20 t via H2 at 4/t = 200
    assert hubopt.solve(net).objective == pytest.approx(200.0)
    # one source: H1 cannot take 80 t, so all via H2 at 4/t = 320
    result = hubopt.solve(net, single_sourcing=True)
    assert result.objective == pytest.approx(320.0)
    assert result.markets.loc[0, "serving_hubs"] == "H2"


def test_marginal_values_by_hand():
    result = hubopt.solve(_two_hubs())
    values = result.marginal_values.set_index(["kind", "id"])["value_per_t"]
    # one more tonne at full H1 saves 4 - 2 = 2; H2 has room; the next tonne of
    # demand goes via H2 at 4; supply is not scarce.
    assert values[("capacity", "H1")] == pytest.approx(2.0)
    assert values[("capacity", "H2")] == pytest.approx(0.0)
    assert values[("demand", "D")] == pytest.approx(4.0)
    assert values[("supply", "O")] == pytest.approx(0.0)
    assert hubopt.solve(_two_hubs(), marginal_values=False).marginal_values.empty


def test_min_throughput_share_by_hand():
    net = _split_markets()
    assert hubopt.solve(net).objective == pytest.approx(140.0)
    # each open hub must move >= 40 t of 60 t in all: only one hub can open -> H1
    result = hubopt.solve(net, min_throughput_share=0.4)
    assert result.objective == pytest.approx(250.0)
    assert result.open_hubs == ["H1"]


def test_budget_by_hand():
    net = _split_markets()
    assert hubopt.solve(net, budget=15).objective == pytest.approx(250.0)
    assert hubopt.solve(net, budget=20).objective == pytest.approx(140.0)


def test_alternatives_by_hand():
    runs = hubopt.alternatives(_split_markets(), k=5)
    # only three non-empty portfolios exist ({} cannot serve anything)
    assert [r.open_hubs for r in runs] == [["H1", "H2"], ["H1"], ["H2"]]
    assert [r.objective for r in runs] == pytest.approx([140.0, 250.0, 280.0])
    assert [r.cost_gap_to_best for r in runs] == pytest.approx([0, 110 / 140, 1.0])
    # differing in two hubs from {H1, H2} leaves only {}, which is infeasible
    assert len(hubopt.alternatives(_split_markets(), k=5, min_difference=2)) == 1


def test_pareto_by_hand():
    # D (10 t) served directly by three legs: cost 1 / 2 / 4 per t with
    # 1000 / 500 / 0 kg CO2 per t. eps = 10, 5, 0 t CO2 -> cost 10, 20, 40.
    net = network(
        [("O", 10.0)],
        [("H", 100.0, 0.0)],
        [("D", 10.0)],
        [
            {
                "origin": "O",
                "destination": "D",
                "mode": m,
                "cost_per_t": c,
                "co2_kg_per_t": e,
            }
            # three modes hubopt knows (a leg names one); their figures are given
            for m, c, e in (("sea", 1, 1000), ("rail", 2, 500), ("road", 4, 0))
        ],
    )
    points = hubopt.pareto(net, points=3, executor="serial", progress=False)
    table = frontier_table(points)
    assert table["total_cost"].tolist() == pytest.approx([10, 20, 40])
    assert table["co2_t"].tolist() == pytest.approx([10, 5, 0], abs=1e-5)
    assert table["cost_per_t_co2_saved"].iloc[1:].tolist() == pytest.approx([2, 4])


def _robust_case():
    # O -> HA / HB (uncapacitated, fixed 50 each, inbound free); HA->D1 1, HA->D2 10,
    # HB->D1 10, HB->D2 1; at most one hub. Demand 10 + 10, changed per scenario:
    #   d1_grows (D1 = 30): HA 50+30+100 = 180, HB 50+300+10 = 360
    #   d2_grows (D2 = 20): HA 50+10+200 = 260, HB 50+100+20 = 170
    # worst regret: HA 90, HB 180 -> minmax regret picks HA;
    # expected with p = (0.2, 0.8): HA 244, HB 208 -> picks HB.
    net = network(
        [("O", 100.0)],
        [("HA", float("nan"), 50.0), ("HB", float("nan"), 50.0)],
        [("D1", 10.0), ("D2", 10.0)],
        [
            {"origin": "O", "destination": "HA", "cost_per_t": 0.0},
            {"origin": "O", "destination": "HB", "cost_per_t": 0.0},
            {"origin": "HA", "destination": "D1", "cost_per_t": 1.0},
            {"origin": "HA", "destination": "D2", "cost_per_t": 10.0},
            {"origin": "HB", "destination": "D1", "cost_per_t": 10.0},
            {"origin": "HB", "destination": "D2", "cost_per_t": 1.0},
        ],
    )
    scenarios = [
        hubopt.Scenario("d1_grows", demand_changes={"D1": 3.0}, probability=0.2),
        hubopt.Scenario("d2_grows", demand_changes={"D2": 2.0}, probability=0.8),
    ]
    return net, scenarios


def test_robust_minmax_regret_by_hand():
    net, scenarios = _robust_case()
    choice = hubopt.robust(
        net, scenarios, max_hubs=1, executor="serial", progress=False
    )
    assert choice.hubs == {"HA": "base"}
    assert choice.table["own_cost"].tolist() == pytest.approx([180, 170])
    assert choice.table["robust_cost"].tolist() == pytest.approx([180, 260])
    assert choice.max_regret == pytest.approx(90)
    assert choice.objective == pytest.approx(90)


def test_robust_expected_by_hand():
    net, scenarios = _robust_case()
    choice = hubopt.robust(
        net,
        scenarios,
        criterion="expected",
        max_hubs=1,
        executor="serial",
        progress=False,
    )
    assert choice.hubs == {"HB": "base"}
    assert choice.objective == pytest.approx(208)
    assert choice.table["robust_cost"].tolist() == pytest.approx([360, 170])
    # explicit probabilities override the scenarios' own
    equal = hubopt.robust(
        net,
        scenarios,
        criterion="expected",
        probabilities=[1, 1],
        max_hubs=1,
        executor="serial",
        progress=False,
    )
    # equal weights: HA (180+260)/2 = 220, HB (360+170)/2 = 265
    assert equal.hubs == {"HA": "base"}


def test_robust_errors():
    net, scenarios = _robust_case()
    with pytest.raises(hubopt.ValidationError, match="criterion"):
        hubopt.robust(net, scenarios, criterion="best", progress=False)
    with pytest.raises(hubopt.ValidationError, match="probabilities"):
        hubopt.robust(net, scenarios, probabilities=[1], progress=False)
    with pytest.raises(hubopt.ValidationError, match="at least one"):
        hubopt.robust(net, [], progress=False)


def test_sweep_reports_break_even():
    # the budget buys no hub below 10, H1 (the cheaper alone, 250) from 10, both
    # hubs (140) from 20: the hub set changes between 15 and 20
    s = hubopt.sweep(
        _split_markets(),
        "budget",
        [5, 10, 15, 20, 25],
        executor="serial",
        progress=False,
    )
    assert s.table["hubs_opened"].tolist() == ["", "H1", "H1", "H1;H2", "H1;H2"]
    assert s.table["status"].iloc[0] == "infeasible"
    assert s.changes[["value_before", "value_after"]].values.tolist() == [[15, 20]]
    f = hubopt.sweep(
        _split_markets(),
        "freight_multiplier",
        [1, 2],
        executor="serial",
        progress=False,
    )
    # freight x2: both hubs 20 + 2*120 = 260
    assert f.table["total_cost"].tolist() == pytest.approx([140, 260])
    with pytest.raises(hubopt.ValidationError, match="unknown parameter"):
        hubopt.sweep(_split_markets(), "colour", [1])
    with pytest.raises(hubopt.ValidationError, match="budget"):
        hubopt.sweep(_split_markets(), "budget", [-1], progress=False)


def test_option_errors():
    net = _split_markets()
    with pytest.raises(hubopt.ValidationError, match="min_throughput_share"):
        hubopt.solve(net, min_throughput_share=1.5)
    with pytest.raises(hubopt.ValidationError, match="budget"):
        hubopt.solve(net, budget=-1)
    with pytest.raises(hubopt.ValidationError, match="min_difference"):
        hubopt.solve(net, min_difference=0)
    with pytest.raises(hubopt.ValidationError, match="points"):
        hubopt.pareto(net, points=1)
    with pytest.raises(hubopt.ValidationError, match="objectives"):
        hubopt.pareto(net, objectives=("cost", "time"))
    with pytest.raises(hubopt.ValidationError, match="k must"):
        hubopt.alternatives(net, k=0)


# ----------------------------------------------------------------------------------
# invariants on small random networks
# ----------------------------------------------------------------------------------
SEEDS = range(3)


def _cost(net, **options):
    result = hubopt.solve(net, raise_on_failure=False, marginal_values=False, **options)
    return result.objective if result.status == "optimal" else float("inf")


@pytest.mark.parametrize("seed", SEEDS)
def test_invariants_on_random_networks(seed):
    net = random_network(seed)
    base = _cost(net)
    assert base < float("inf")
    # closing a hub never lowers the cost
    for hub in net.hubs["id"]:
        closed = hubopt.Scenario("c", close_hubs=[hub]).apply(net)
        assert _cost(closed) >= base - 1e-6
    # closing a leg never lowers it
    legs = net.legs
    assert _cost(net.replace(legs=legs.drop(index=[0]))) >= base - 1e-6
    # raising max_hubs never raises it
    costs = [_cost(net, max_hubs=m) for m in range(1, 5)]
    assert all(b <= a + 1e-6 for a, b in pairwise(costs))
    # raising a capacity never raises it
    hubs = net.hubs
    hubs.loc[0, "capacity_t"] *= 2
    assert _cost(net.replace(hubs=hubs)) <= base + 1e-6
    # single sourcing never lowers it
    assert _cost(net, single_sourcing=True) >= base - 1e-6


@pytest.mark.parametrize("seed", range(2))
def test_robust_regret_no_worse_than_any_scenario_optimum(seed):
    net = random_network(seed)
    scenarios = [
        hubopt.Scenario("base"),
        hubopt.Scenario("busy", demand_multiplier=1.3),
        hubopt.Scenario("no_h0", close_hubs=["H0"]),
    ]
    choice = hubopt.robust(
        net, scenarios, executor="serial", progress=False, marginal_values=False
    )
    own = {s: choice.own_results[s].objective for s in choice.table.index}
    for name in choice.table.index:
        hubs = dict(
            choice.own_results[name].hubs.query("open")[["hub_id", "level"]].values
        )
        worst = 0.0
        for s in scenarios:
            applied = s.apply(net)
            result = hubopt.solve(
                fix_hubs(applied, hubs), raise_on_failure=False, marginal_values=False
            )
            cost = result.objective if result.status == "optimal" else float("inf")
            worst = max(worst, cost - own[s.name])
        assert choice.max_regret <= worst + 1e-6


@pytest.mark.parametrize("seed", SEEDS)
def test_pareto_points_not_dominated(seed):
    net = random_network(seed)
    points = hubopt.pareto(net, points=4, executor="serial", progress=False)
    pairs = [(p.costs.total, p.co2_t) for p in points]
    for i, (c, e) in enumerate(pairs):
        for j, (c2, e2) in enumerate(pairs):
            if i != j:
                assert not (c2 <= c + 1e-6 and e2 <= e + 1e-6), (pairs, i, j)
    assert [p.check() for p in points] == [[]] * len(points)


def test_checker_catches_violated_options():
    net = _two_hubs()
    result = hubopt.solve(net)
    result.options = result.options.replace(single_sourcing=True)
    assert any("single_sourcing" in p for p in result.check())
    result.options = result.options.replace(
        max_co2_t=None, exclude_portfolios=[["H1", "H2"]]
    )
    # a budget no solve accepts (options check themselves): tamper the frozen record
    object.__setattr__(result.options.model, "budget", -1.0)
    problems = result.check()
    assert any("excluded portfolio" in p for p in problems)
    assert any("exceeds the budget" in p for p in problems)


def test_robust_pays_for_a_built_hub_that_a_scenario_closes(tiny):
    # Two equally likely scenarios: as is, and H1 closed by a disruption. A hub is
    # built once, so H1's fixed cost (100) counts in both. Expected cost per choice:
    #   {H1,H2}:    0.5 * 1140 + 0.5 * (1460 + 100)        = 1350
    #   {H1,H2,H3}: 0.5 * 1170 + 0.5 * (1210 + 300)        = 1340  <- best
    #   {H2,H3}:    0.5 * 1410 + 0.5 * 1410                = 1410
    #   {H2}:       1460; {H1,H3} cannot serve D2 when H1 is closed.
    # (1210 is H2+H3's variable cost: 1410 - 150 - 50.)
    scenarios = [
        hubopt.Scenario("base"),
        hubopt.Scenario("no_H1", close_hubs=("H1",)),
    ]
    choice = hubopt.robust(
        tiny,
        scenarios,
        criterion="expected",
        probabilities=[0.5, 0.5],
        executor="serial",
    )
    assert choice.hubs == {"H1": "base", "H2": "base", "H3": "base"}
    assert choice.objective == pytest.approx(1340)
    table = choice.table
    assert table.loc["no_H1", "robust_cost"] == pytest.approx(1510)
    assert table.loc["no_H1", "regret"] == pytest.approx(100)
    assert table.loc["base", "regret"] == pytest.approx(30)


# -- the two-stage solution goes through the status handling and the checker --------
def _robust_runs():
    return [hubopt.Scenario("base"), hubopt.Scenario("no H2", close_hubs=["H2"])]


@pytest.mark.parametrize("criterion", ["minmax_regret", "expected"])
def test_two_stage_solution_is_checked_per_scenario(tiny, criterion):
    choice = hubopt.robust(
        tiny, _robust_runs(), criterion=criterion, executor="serial", progress=False
    )
    assert set(choice.two_stage_results) == {"base", "no H2"}
    for name, result in choice.two_stage_results.items():
        assert result.status == "optimal"
        assert hubopt.check_solution(result.network, result) == [], name
        assert sorted(result.open_hubs) == sorted(
            h for h in choice.hubs if name == "base" or h != "H2"
        )
    if criterion == "expected":  # the flows are each scenario's best for the hubs
        for name, result in choice.two_stage_results.items():
            assert result.objective == pytest.approx(choice.results[name].objective)
        # the expected cost: a chosen hub a scenario closes is paid for there too
        weights = choice.table["probability"]
        expected = sum(
            weights[name]
            * (result.objective + _closed_build_cost(result.network, choice.hubs))
            for name, result in choice.two_stage_results.items()
        )
        assert choice.objective == pytest.approx(expected)


def test_a_tampered_two_stage_solution_fails_the_check(tiny):
    choice = hubopt.robust(tiny, _robust_runs(), executor="serial", progress=False)
    result = choice.two_stage_results["no H2"]
    result._raw.flow_t = result._raw.flow_t * 2.0  # twice the tonnes on every leg
    result._tables.clear()
    problems = hubopt.check_solution(result.network, result)
    assert any("more than its supply" in p for p in problems), problems


def _two_stage_returns(monkeypatch, raw):
    real_run = hubopt.solving.run

    def run(built, settings, deadline):
        if len(built.flow) == 0:  # the two-stage model: its flows are in blocks
            return raw
        return real_run(built, settings, deadline)

    monkeypatch.setattr(hubopt.solving, "run", run)


def test_a_time_limited_two_stage_solve_says_so(tiny, monkeypatch):
    stopped = hubopt.model.RawSolution(
        "no_solution", None, None, None, 1.0, "highs", message="Time limit reached"
    )
    _two_stage_returns(monkeypatch, stopped)
    with pytest.raises(
        hubopt.SolverError,
        match=r"stopped without a solution \(Time limit reached\); give it more time",
    ):
        hubopt.robust(tiny, _robust_runs(), executor="serial", progress=False)


def test_an_interrupted_two_stage_solve_says_so(tiny, monkeypatch):
    from hubopt._solution import interrupted

    _two_stage_returns(monkeypatch, interrupted("highs"))
    with pytest.raises(hubopt.SolverError, match=r"interrupted \(Ctrl-C\)"):
        hubopt.robust(tiny, _robust_runs(), executor="serial", progress=False)


def test_an_infeasible_two_stage_model_names_the_robust_model(tiny, monkeypatch):
    infeasible = hubopt.model.RawSolution("infeasible", None, None, None, 0, "highs")
    _two_stage_returns(monkeypatch, infeasible)
    with pytest.raises(
        hubopt.InfeasibleError,
        match=r"the robust model has no solution \(infeasible\): no hub choice serves",
    ):
        hubopt.robust(tiny, _robust_runs(), executor="serial", progress=False)


def _idle_hub():
    # O (100 t) -> D (100 t) directly at 1/t. Hub HA (fixed 5) routes at 1 + 1 = 2/t,
    # dearer than direct: built, it carries nothing. Hub HB (fixed 20) routes at
    # 0.4 + 0.5 = 0.9/t: 100 t through it cost 90 + 20 = 110.
    # min_hubs=1: HA idle 100 + 5 = 105; HA moving 1 t 99 + 2 + 5 = 106; HB 110.
    return network(
        [("O", 100.0)],
        [("HA", 1000.0, 5.0), ("HB", 1000.0, 20.0)],
        [("D", 100.0)],
        [
            {"origin": "O", "destination": "D", "cost_per_t": 1.0},
            {"origin": "O", "destination": "HA", "cost_per_t": 1.0},
            {"origin": "HA", "destination": "D", "cost_per_t": 1.0},
            {"origin": "O", "destination": "HB", "cost_per_t": 0.4},
            {"origin": "HB", "destination": "D", "cost_per_t": 0.5},
        ],
    )


def test_min_throughput_t_by_hand():
    net = _idle_hub()
    idle = hubopt.solve(net, min_hubs=1)
    assert idle.open_hubs == ["HA"]
    assert idle.objective == pytest.approx(105.0)
    assert idle.hubs.set_index("hub_id").loc["HA", "throughput_t"] == 0.0
    used = hubopt.solve(net, min_hubs=1, min_throughput_t=1.0)
    assert used.open_hubs == ["HA"]
    assert used.objective == pytest.approx(106.0)
    assert used.hubs.set_index("hub_id").loc["HA", "throughput_t"] == pytest.approx(1.0)
    with pytest.raises(
        hubopt.ValidationError, match="min_throughput_t must be a finite"
    ):
        hubopt.solve(net, min_throughput_t=-1.0)


def test_alternatives_never_return_an_idle_hub():
    net = _idle_hub()
    with pytest.warns(
        UserWarning, match=r"skipped 2 portfolio\(s\) .* HA \(HA\); HA\+HB \(HA\)"
    ):
        runs = hubopt.alternatives(net, k=5, min_hubs=1)
    assert [r.open_hubs for r in runs] == [["HB"]]
    assert runs[0].objective == pytest.approx(110.0)
    for r in runs:
        hubs = r.hubs
        assert (hubs.loc[hubs["open"], "throughput_t"] > 1.0).all()
    # asked for: idle hubs allowed, the old behaviour
    loose = hubopt.alternatives(net, k=5, min_hubs=1, min_throughput_t=None)
    assert loose[0].open_hubs == ["HA"]


def test_alternatives_all_idle_is_an_error():
    net = _idle_hub()
    with (
        pytest.raises(hubopt.InfeasibleError, match="moves only the required minimum"),
        pytest.warns(UserWarning),
    ):
        hubopt.alternatives(
            net, k=1, min_hubs=1, max_hubs=1, exclude_portfolios=[["HB"]]
        )


def test_alternatives_bundled_min_hubs_open_only_used_hubs():
    # the former fixed programme: every market served, so several hubs can be used
    net = programme_network()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # portfolios skipped as idle
        runs = hubopt.alternatives(net, k=3, min_hubs=1)
    assert runs and runs[0].open_hubs == ["HUB_DAKHLA_ATLANTIQUE"]
    portfolios = [tuple(r.open_hubs) for r in runs]
    assert len(set(portfolios)) == len(portfolios)  # distinct in what they open
    for r in runs:
        hubs = r.hubs
        assert (hubs.loc[hubs["open"], "throughput_t"] > 1000.0).all()


def test_a_forced_hub_may_move_nothing_unless_asked():
    net = _idle_hub()
    forced = hubopt.Scenario("HA forced", open_hubs=["HA"]).apply(net)
    result = hubopt.solve(forced)
    assert result.open_hubs == ["HA"]  # built and paid for, as asked ...
    assert result.hubs.set_index("hub_id").loc["HA", "throughput_t"] == 0.0  # ... idle
    used = hubopt.solve(forced, min_throughput_t=10.0)
    assert used.hubs.set_index("hub_id").loc["HA", "throughput_t"] == pytest.approx(
        10.0
    )
    fixed = hubopt.solve(fix_hubs(net, {"HA": "base"}))
    assert fixed.hubs.set_index("hub_id").loc["HA", "throughput_t"] == 0.0


def test_sweep_and_robust_csv_are_rounded(tmp_path):
    net = _split_markets()
    s = hubopt.sweep(
        net, "freight_multiplier", [1.0, 1.37], executor="serial", progress=False
    )
    rows = s.write_csv(tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].split(",")[:3] == ["value", "hubs_opened", "total_cost"]
    cost = float(rows[2].split(",")[2])
    assert cost == round(s.table["total_cost"].iloc[1], 2)
    choice = hubopt.robust(
        net,
        [hubopt.Scenario("a"), hubopt.Scenario("b", freight_multiplier=1.37)],
        executor="serial",
        progress=False,
    )
    text = choice.write_csv(tmp_path / "r.csv").read_text(encoding="utf-8")
    assert text.startswith("scenario,probability,")
    assert ",0.5," in text
