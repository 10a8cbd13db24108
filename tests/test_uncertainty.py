"""Monte Carlo over cost ranges: hand-worked probabilities, ranges checks,
determinism, serial = pool = Dask, correlation, re-use = rebuild, resume."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import hubopt
import hubopt.cli
import hubopt.model
from hubopt.errors import ValidationError
from hubopt.parallel import worker_context
from hubopt.uncertainty import _cells, draw, read_ranges, uncertainty

from . import _small


def two_hubs() -> hubopt.Network:
    """O -> A or B -> D (2 + 5 per t each way) or direct at 20 per t; hubs cost 50.

    Via A costs 100 (2 + x) + 50, via B 100 (2 + y) + 50: A is best when x < y.
    """
    return _small.network(
        [("O", 100.0)],
        [("A", 200.0, 50.0), ("B", 200.0, 50.0)],
        [("D", 100.0)],
        [
            {"origin": "O", "destination": "A", "cost_per_t": 2.0},
            {"origin": "O", "destination": "B", "cost_per_t": 2.0},
            {"origin": "A", "destination": "D", "cost_per_t": 5.0},
            {"origin": "B", "destination": "D", "cost_per_t": 5.0},
            {"origin": "O", "destination": "D", "cost_per_t": 20.0},
        ],
    )


def ranges(**extra) -> pd.DataFrame:
    """x = A->D ~ U(4, 6), y = B->D ~ U(4, 7): P(x < y) = 1/6 * int_4^6 (7 - x) dx
    = 4/6 = 0.667."""
    frame = pd.DataFrame(
        {
            "table": ["legs", "legs"],
            "id": ["A->D", "B->D"],
            "column": ["cost_per_t", "cost_per_t"],
            "distribution": ["uniform", "uniform"],
            "low": [4.0, 4.0],
            "high": [6.0, 7.0],
            "source": ["test", "test"],
        }
    )
    return frame.assign(**extra)


def run(**kwargs):
    kwargs.setdefault("executor", "serial")
    kwargs.setdefault("ranges", ranges())
    kwargs.setdefault("progress", False)
    return uncertainty(two_hubs(), **kwargs)


def test_probabilities_near_the_hand_worked_value():
    found = run(draws=300, seed=1, tornado=False)
    share = found.portfolios.set_index("portfolio")["probability"]
    assert share["A:base"] == pytest.approx(4 / 6, abs=0.03)
    assert share["B:base"] == pytest.approx(2 / 6, abs=0.03)
    assert found.hubs.set_index("hub_id")["probability"]["A"] == share["A:base"]
    # saving = 2000 - (100 (2 + min(x, y)) + 50); the direct cost never moves
    assert (found.draws["direct_cost"] == 2000.0).all()
    best = found.draws["total_cost"]
    assert np.allclose(found.draws["saving"], 2000.0 - best)
    regret = found.regret.set_index("portfolio")
    assert regret.loc["A:base", "regret_q05"] == pytest.approx(0.0)
    assert regret.loc["A:base", "regret_max"] <= 100 * (6 - 4) + 1e-6
    assert found.headline().startswith("A is the best single site in 6")


def test_reuse_gives_the_rebuilt_answers():
    # the rebuild path solves through solving.solve, which the tests' checker
    # verifies; the re-used model must agree with it draw by draw
    reused = run(draws=40, seed=5, tornado=False)
    rebuilt = run(draws=40, seed=5, tornado=False, reuse=False)
    pd.testing.assert_frame_equal(
        reused.draws.drop(columns="portfolio"), rebuilt.draws.drop(columns="portfolio")
    )
    assert reused.draws["portfolio"].tolist() == rebuilt.draws["portfolio"].tolist()
    assert np.allclose(
        reused.markets["landed_cost_per_t"], rebuilt.markets["landed_cost_per_t"]
    )


def test_deterministic_for_a_seed_and_different_for_another():
    first, again = run(draws=30, seed=7), run(draws=30, seed=7)
    for name, table in first.tables().items():
        pd.testing.assert_frame_equal(table, again.tables()[name], obj=name)
    other = run(draws=30, seed=8)
    assert not np.allclose(other.draws["value_1"], first.draws["value_1"])


def test_serial_equals_process_pool():
    serial = run(draws=60, seed=2, tornado=False)
    with ProcessPoolExecutor(2, mp_context=worker_context()) as pool:
        pooled = run(draws=60, seed=2, tornado=False, executor=pool)
    for name, table in serial.tables().items():
        pd.testing.assert_frame_equal(table, pooled.tables()[name], obj=name)


def test_serial_equals_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    serial = run(draws=60, seed=2, tornado=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run(draws=60, seed=2, tornado=False, executor=client)
    for name, table in serial.tables().items():
        pd.testing.assert_frame_equal(table, on_dask.tables()[name], obj=name)


def test_correlated_draws_move_together():
    grouped = read_ranges(ranges(group=["freight", "freight"]))
    values = draw(grouped, 200, seed=3)
    rho = stats.spearmanr(values[:, 0], values[:, 1]).statistic
    assert rho == pytest.approx(1.0)
    apart = draw(read_ranges(ranges()), 200, seed=3)
    assert abs(stats.spearmanr(apart[:, 0], apart[:, 1]).statistic) < 0.2
    # in one group A->D < B->D whenever the uniform is above 0: A is always best
    found = run(draws=50, seed=3, tornado=False, ranges=ranges(group=["f", "f"]))
    assert found.portfolios["portfolio"].tolist() == ["A:base"]


def test_latin_hypercube_covers_each_stratum_once():
    values = draw(read_ranges(ranges()), 10, seed=0)
    strata = np.floor((values[:, 0] - 4.0) / 2.0 * 10).astype(int)
    assert sorted(strata.tolist()) == list(range(10))


def test_factor_above_scales_only_the_part_above():
    frame = pd.DataFrame(
        {
            "table": ["legs"],
            "id": ["O->D"],
            "column": ["cost_per_t"],
            "distribution": ["uniform"],
            "low": [2.0],
            "high": [2.0],
            "scale": ["factor"],
            "above": [15.0],
            "source": ["test"],
        }
    )
    found = run(draws=3, seed=0, ranges=frame, tornado=False)
    # direct: 15 + 2 x (20 - 15) = 25 per t
    assert (found.draws["direct_cost"] == 2500.0).all()


def test_tornado_ranks_the_inputs_and_flags_decision_changes():
    table = run(draws=5, seed=0).tornado
    assert table["changes_decision"].tolist() == [True, True]
    # total = 100 (2 + min(x, y)) + 50: x over [4, 6] with y at 5.5 moves min(x, y)
    # by 1.5; y over [4, 7] with x at 5 by 1
    assert table["input"].iloc[0].startswith("row 1")
    assert table["cost_swing"].tolist() == pytest.approx([150.0, 100.0])
    # break-evens by bisection: x = A->D crosses y = 5.5 (the middle of B->D's
    # range), at position 0.75 of [4, 6]; y crosses x = 5, at position 1/3 of [4, 7]
    first, second = table.iloc[0], table.iloc[1]
    assert first["break_even_value"] == pytest.approx(5.5, abs=0.02)
    assert first["break_even_position"] == pytest.approx(0.75, abs=0.005)
    assert (first["portfolio_below"], first["portfolio_above"]) == ("A:base", "B:base")
    assert second["break_even_value"] == pytest.approx(5.0, abs=0.02)
    assert (second["portfolio_below"], second["portfolio_above"]) == (
        "B:base",
        "A:base",
    )


def test_writes_and_resumes(tmp_path, monkeypatch):
    out = tmp_path / "mc"
    whole = run(draws=60, seed=4, tornado=False, out=out)
    assert (out / "portfolios.csv").exists()
    draws = pd.read_csv(out / "draws.csv")
    assert len(draws) == 60
    # resume: every draw is found in the folder, no draw is solved again
    module = sys.modules["hubopt.uncertainty"]  # hubopt.uncertainty is the function

    def refuse(*args, **kwargs):
        msg = "a draw was solved again"
        raise AssertionError(msg)

    monkeypatch.setattr(module, "_solve_draws", refuse)
    monkeypatch.setattr(module, "_solve_fixed", refuse)
    again = run(draws=60, seed=4, tornado=False, out=out)
    assert (
        again.portfolios["portfolio"].tolist() == whole.portfolios["portfolio"].tolist()
    )


def test_cli_writes_the_tables(tmp_path):
    path = tmp_path / "ranges.csv"
    ranges().to_csv(path, index=False)
    net_dir = tmp_path / "net"
    hubopt.write_network(two_hubs(), net_dir)
    code = hubopt.cli.main(
        [
            "uncertainty",
            str(net_dir),
            "--draws",
            "20",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "out"),
            "--ranges",
            str(path),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    first = (tmp_path / "out" / "portfolios.csv").read_text()
    assert "A:base" in first


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"column": ["distance_km", "cost_per_t"]}, r"row 1 .*'column'.*only cost"),
        ({"table": ["ships", "legs"]}, r"row 1 .*'ships' is not a table"),
        ({"low": [5.0, 4.0], "high": [4.0, 7.0]}, r"row 1 .*'high': 4 is below"),
        ({"distribution": ["beta", "uniform"]}, r"'distribution': 'beta'"),
        ({"distribution": ["triangular", "uniform"]}, r"'mode': missing"),
        ({"source": ["", "x"]}, r"row 1 .*'source': empty"),
        ({"low": [-1.0, 4.0]}, r"'low': -1 is negative"),
        ({"scale": ["percent", "value"]}, r"'scale': 'percent'"),
        ({"distribution": ["lognormal", "uniform"], "low": [0.0, 4.0]}, r"0 < low"),
    ],
)
def test_bad_ranges_are_named(change, match):
    with pytest.raises(ValidationError, match=match):
        read_ranges(ranges(**change))


def test_unmatched_and_doubled_ranges_are_refused():
    with pytest.raises(ValidationError, match=r"'A->X' matches no row of 'legs'"):
        run(draws=2, ranges=ranges(id=["A->X", "B->D"]))
    with pytest.raises(ValidationError, match=r"already has a range \(row 1\)"):
        run(draws=2, ranges=ranges(id=["*->D", "B->D"]))
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['source'\]"):
        read_ranges(ranges().drop(columns="source"))


def test_bundled_ranges_match_the_bundled_network():
    file = Path(__file__).resolve().parents[1] / "data" / "morocco_kazakhstan"
    frame = read_ranges(file / "uncertainty.csv")
    assert frame["source"].str.len().min() > 50
    assert set(frame["group"]) == {
        "sea_freight",
        "hub_handling",
        "hub_capex",
        "kz_wheat_price",
    }
    network = hubopt.read_network(file)
    cells = _cells(network, frame, strict=True)
    on_legs = [c for c, t in zip(cells, frame["table"], strict=True) if t == "legs"]
    assert sum(len(c) for c in on_legs) == len(network.legs)  # every leg once
    # the land part ("above") of an origin leg is below its cost: a voyage is left
    legs = network.legs
    for hit, row in zip(cells, frame.itertuples(index=False), strict=True):
        if row.table == "legs" and row.above > 0:
            assert (legs["cost_per_t"].iloc[hit] > row.above).all(), row.id


def test_in_place_objective_equals_a_rebuilt_model():
    module = sys.modules["hubopt.uncertainty"]
    network = hubopt.read_network(
        Path(__file__).resolve().parents[1] / "data" / "morocco_kazakhstan"
    )
    frame = read_ranges(network_ranges())
    options = hubopt.SolveOptions()
    effects = module._effects(network, frame, options)
    cells = _cells(network, frame, strict=False)
    for q in draw(frame, 3, seed=11):
        drawn = module._drawn_network(network, frame, cells, q)
        built = hubopt.model.build(drawn, options.model)
        assert np.allclose(effects.cost(q), built.arrays.col_cost)
        assert np.allclose(effects.leg_cost(q), built.leg_objective)


def network_ranges() -> Path:
    return (
        Path(__file__).resolve().parents[1]
        / "data"
        / "morocco_kazakhstan"
        / "uncertainty.csv"
    )


def test_ctrl_c_keeps_the_draws_written_and_a_rerun_resumes(tmp_path, monkeypatch):
    module = sys.modules["hubopt.uncertainty"]
    real = module._solve_draws
    calls = []

    def stopped_after_one_batch(*args):
        calls.append(args[4][0])
        if args[4][0] >= 100:  # the second batch (4 chunks of 25 per batch)
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(module, "_solve_draws", stopped_after_one_batch)
    out = tmp_path / "mc"
    with pytest.raises(KeyboardInterrupt):
        run(draws=150, seed=9, tornado=False, out=out)
    kept = pd.read_csv(out / "draws.csv")
    assert kept["draw"].tolist() == list(range(100))
    monkeypatch.setattr(module, "_solve_draws", real)
    resumed = run(draws=150, seed=9, tornado=False, out=out)
    whole = run(draws=150, seed=9, tornado=False)
    assert resumed.draws["draw"].tolist() == list(range(150))
    assert resumed.portfolios["draws"].tolist() == whole.portfolios["draws"].tolist()
    assert np.allclose(
        resumed.draws["total_cost"], whole.draws["total_cost"], atol=0.005
    )


def tiny_ranges() -> pd.DataFrame:
    """Hub fixed costs x [0.2, 2] and the legs out of the hubs x [0.5, 1.5], one
    draw each (made-up ranges for a test): the tiny network's LP relaxation opens
    hubs in part, so the re-used model falls back to the MIP in some draws."""
    return pd.DataFrame(
        {
            "table": ["hubs", "legs"],
            "id": ["*", "H*->*"],
            "column": ["fixed_cost", "cost_per_t"],
            "distribution": ["uniform", "uniform"],
            "low": [0.2, 0.5],
            "high": [2.0, 1.5],
            "scale": ["factor", "factor"],
            "source": ["test", "test"],
        }
    )


@pytest.mark.parametrize("single_sourcing", [False, True])
def test_reuse_gives_the_rebuilt_answers_where_the_relaxation_is_fractional(
    tiny, single_sourcing
):
    module = sys.modules["hubopt.uncertainty"]
    kwargs = {
        "ranges": tiny_ranges(),
        "executor": "serial",
        "progress": False,
        "options": hubopt.SolveOptions(single_sourcing=single_sourcing),
    }
    reused = uncertainty(tiny, draws=16, seed=3, tornado=False, **kwargs)
    rebuilt = uncertainty(tiny, draws=16, seed=3, tornado=False, reuse=False, **kwargs)
    assert reused.draws["portfolio"].tolist() == rebuilt.draws["portfolio"].tolist()
    assert len(set(reused.draws["portfolio"])) > 1
    assert np.allclose(reused.draws["total_cost"], rebuilt.draws["total_cost"])
    assert np.allclose(
        reused.fixed["total_cost"], rebuilt.fixed["total_cost"], equal_nan=True
    )
    assert np.allclose(
        reused.markets["landed_cost_per_t"],
        rebuilt.markets["landed_cost_per_t"],
        equal_nan=True,
    )
    models = next(m for m in module._MODELS.values() if m.network is tiny and m.reuse)
    assert models.reused("optimum").mip_solves > 0  # the MIP fallback ran


def test_reused_lp_gets_the_time_limit_per_draw(tiny):
    # HiGHS counts an LP's time_limit over every run of one Highs object: the
    # re-used LP gets its run time so far plus the limit before each draw, so a
    # long batch does not run into the limit of one solve
    module = sys.modules["hubopt.uncertainty"]
    frame = read_ranges(tiny_ranges())
    options = hubopt.SolveOptions(time_limit_s=7.0)
    reused = module._Models(tiny, frame, options, True).reused("optimum")
    for q in draw(frame, 3, seed=2):
        spent = reused.lp.getRunTime()  # the runs before this draw's
        assert spent > 0.0
        reused.solve(reused.effects.cost(q))
        assert reused.lp.getOptionValue("time_limit")[1] == spent + 7.0


def test_reused_solutions_pass_the_checker(tiny):
    # the re-used model's solutions, read back as Results, satisfy every row
    module = sys.modules["hubopt.uncertainty"]
    frame = read_ranges(tiny_ranges())
    options = hubopt.SolveOptions()
    models = module._Models(tiny, frame, options, True)
    reused = models.reused("optimum")
    cells = _cells(tiny, frame, strict=False)
    for q in draw(frame, 8, seed=2):
        raw, _ = reused.solve(reused.effects.cost(q))
        drawn = module._drawn_network(tiny, frame, cells, q)
        result = hubopt.Result(
            drawn,
            raw,
            hubopt.model.hub_levels(drawn),
            reused.effects.leg_cost(q),
            options,
        )
        assert hubopt.check_solution(drawn, result) == []
        plain = hubopt.solve(drawn)
        assert raw.objective == pytest.approx(plain.objective, rel=1e-9)
        assert np.allclose(raw.flow_t, plain._raw.flow_t)  # the same tie-break


def test_reuse_gives_the_rebuilt_answers_on_the_bundled_network():
    network = hubopt.read_network(network_ranges().parent)
    kwargs = {"executor": "serial", "progress": False, "tornado": False}
    reused = uncertainty(network, draws=8, seed=4, **kwargs)
    rebuilt = uncertainty(network, draws=8, seed=4, reuse=False, **kwargs)
    assert reused.draws["portfolio"].tolist() == rebuilt.draws["portfolio"].tolist()
    assert np.allclose(reused.draws["total_cost"], rebuilt.draws["total_cost"])
    assert np.allclose(reused.draws["direct_cost"], rebuilt.draws["direct_cost"])
    assert np.allclose(reused.fixed["total_cost"], rebuilt.fixed["total_cost"])
    assert np.allclose(
        reused.markets["landed_cost_per_t"],
        rebuilt.markets["landed_cost_per_t"],
        equal_nan=True,
    )


def test_fixed_portfolio_objective_equals_a_rebuilt_model():
    module = sys.modules["hubopt.uncertainty"]
    network = hubopt.read_network(network_ranges().parent)
    frame = read_ranges(network_ranges())
    options = hubopt.SolveOptions()
    fixed = hubopt.decisions.fix_hubs(network, {"HUB_TANGER_MED": "M"})
    effects = module._effects(
        fixed, frame, options, module._parts(network, frame, options)
    )
    cells = _cells(fixed, frame, strict=False)
    for q in draw(frame, 2, seed=12):
        drawn = module._drawn_network(fixed, frame, cells, q)
        built = hubopt.model.build(drawn, options.model)
        assert np.allclose(effects.cost(q), built.arrays.col_cost)


def test_headline_names_the_likeliest_site_and_the_no_hub_share():
    found = run(draws=60, seed=1, tornado=False)
    text = found.headline()
    # the two-hub network: A is best in about 2/3 of the draws, a hub always pays
    assert text.startswith("A is the best single site in ")
    assert "% of 60 draws" in text
    assert found.label("A:base+B:M") == "A + B (level M)"
    assert found.label("none") == "no hub"
    expensive = ranges(low=[40.0, 40.0], high=[60.0, 70.0])  # direct (20) wins
    none = run(draws=20, seed=1, tornado=False, ranges=expensive).headline()
    assert none == "no hub pays in 100 % of 20 draws"
