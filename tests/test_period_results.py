"""What a multi-period result shows: the per-period tables it writes, maps of one
period, and the brief's stock and cover charts. Small networks checked by hand (the
two-period store network of tests/test_periods.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import period_charts, solving
from hubopt.errors import ValidationError
from hubopt.maps import static_map
from hubopt.report import PERIOD_NOTE, period_note, period_sentence
from hubopt.webmap import interactive_map

from .conftest import solved
from .test_periods import LATE_IS_DEAR, _periods, _store_network, _values

#: Two half-years: one day of the store network's demand is 50 / 182.5 t.
HALVES = (182.5, 182.5)


@pytest.fixture(scope="module")
def stored():
    """H stores 50 t at harvest for the lean period (in at 2 per t, 10 when lean),
    with a 20 % loss in stock: 62.5 t in stock at the end of harvest."""
    periods = _periods(days=HALVES, values=LATE_IS_DEAR)
    return solved(_store_network(loss=0.2), periods=periods)


def _gids(ax) -> list[str]:
    return [a.get_gid() for a in ax.get_children() if a.get_gid()]


# -- tables ----------------------------------------------------------------------------
def test_stock_balance_rows_by_hand(stored):
    balance = stored.periods.stock_balance
    assert balance.columns.tolist() == [
        "hub_id",
        "period",
        "opening_t",
        "in_t",
        "out_t",
        "loss_t",
        "closing_t",
        "silo_t",
    ]
    rows = balance.set_index("period")
    # harvest: 112.5 t in, 50 t out, 62.5 t kept; lean: 12.5 t lost, 50 t out
    assert rows.loc["harvest", ["opening_t", "in_t", "out_t", "loss_t"]].tolist() == (
        pytest.approx([0.0, 112.5, 50.0, 0.0])
    )
    assert rows.loc["lean", ["opening_t", "in_t", "out_t", "loss_t"]].tolist() == (
        pytest.approx([62.5, 0.0, 50.0, 12.5])
    )
    assert rows["closing_t"].tolist() == pytest.approx([62.5, 0.0])
    assert rows["silo_t"].tolist() == [80.0, 80.0]
    balance_row = (
        balance["opening_t"]
        - balance["loss_t"]
        + balance["in_t"]
        - balance["out_t"]
        - balance["closing_t"]
    )
    assert balance_row.abs().max() < 1e-9
    # a cyclic year: each period opens with the stock the one before closed with
    assert rows.loc["harvest", "opening_t"] == rows.loc["lean", "closing_t"]
    peak = stored.periods.peak_stock
    assert peak[["hub_id", "period"]].values.tolist() == [["H", "harvest"]]


def test_markets_in_a_period_count_tonnes_from_stock(stored):
    lean = stored.periods.result("lean").markets.set_index("destination")
    # 50 t reach D out of stock in the lean period: no path of that period
    assert lean.loc["D", "served_t"] == pytest.approx(50.0)
    assert lean.loc["D", "via_hubs_t"] == pytest.approx(50.0)
    assert lean.loc["D", "outcome"] == "served"
    assert np.isnan(lean.loc["D", "landed_cost_per_t"])
    cover = stored.periods.cover.set_index("period")
    # 62.5 t at the end of harvest over 50 / 182.5 t a day; none at the end of lean
    assert cover.loc["harvest", "cover_days"] == pytest.approx(62.5 * 182.5 / 50)
    assert cover.loc["lean", "cover_days"] == pytest.approx(0.0)


def test_write_adds_the_period_tables(stored, tmp_path):
    folder = stored.write(tmp_path / "out")
    names = {"period_flows.csv", "stock.csv", "cover.csv"}
    manifest = json.loads((folder / ".hubopt.json").read_text())
    assert names <= set(manifest["entries"])
    period_flows = pd.read_csv(folder / "period_flows.csv")
    assert period_flows["period"].unique().tolist() == ["harvest", "lean"]
    # the annual table keeps its meaning: each leg's tonnes sum the periods
    annual = stored.flows.set_index("leg")["tonnes"]
    by_leg = stored.periods.flows.groupby("leg")["tonnes"].sum()
    assert by_leg.to_dict() == pytest.approx(annual.to_dict())
    assert pd.read_csv(folder / "flows.csv")["tonnes"].tolist() == [112, 100]
    stock = pd.read_csv(folder / "stock.csv")  # whole tonnes, as every table
    assert stock["closing_t"].tolist() == [62, 0]
    cover = pd.read_csv(folder / "cover.csv")
    assert cover["cover_days"].tolist() == [228.1, 0.0]  # one decimal


def test_write_without_periods_has_no_period_tables(tiny, tmp_path):
    folder = solving.solve(tiny).write(tmp_path / "out")
    assert not (folder / "stock.csv").exists()


# -- maps ------------------------------------------------------------------------------
def test_static_map_of_one_period(stored):
    ax = static_map(stored, extent=None, period="lean", dpi=50).axes[0]
    flows = [g for g in _gids(ax) if g.startswith("flow:")]
    assert flows == ["flow:H>D"]  # nothing moves from O to H when lean
    assert ax.get_title(loc="left") == "network, period lean: 1 hub opened"
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("Period lean: hubs H base (0 t in)") for t in texts)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "flow of 50 t in lean" in legend
    harvest = static_map(stored, extent=None, period="harvest", dpi=50).axes[0]
    texts = " ".join(t.get_text() for t in harvest.texts)
    assert "62 t in stock at the end" in texts
    year = static_map(stored, extent=None, dpi=50).axes[0]
    assert sorted(g for g in _gids(year) if g.startswith("flow:")) == [
        "flow:H>D",
        "flow:O>H",
    ]


def test_a_map_of_a_period_that_is_not_there_is_named(stored, tiny):
    with pytest.raises(ValidationError, match="period 'may' is not a period"):
        static_map(stored, extent=None, period="may")
    with pytest.raises(ValidationError, match="known: harvest, lean"):
        interactive_map(stored, extent=None, period="may")
    with pytest.raises(ValidationError, match="this result has no periods"):
        static_map(solving.solve(tiny), extent=None, period="lean")


def test_interactive_map_of_one_period(stored):
    page = interactive_map(stored, extent=None, period="lean").get_root().render()
    assert "network, period lean: 1 hub opened" in page
    assert "Period lean: hubs H base" in page
    assert "handling cost in lean" in page


# -- charts and the brief -----------------------------------------------------------
def test_period_charts(stored, tmp_path):
    fig = period_charts.stock_chart(stored, tmp_path / "stock.png", dpi=50)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "H: silo 80 t"
    assert [b.get_height() for b in ax.patches] == pytest.approx([62.5, 0.0])
    assert ax.lines[0].get_ydata()[0] == 80.0  # the silo
    fig = period_charts.cover_chart(stored, tmp_path / "cover.png", dpi=50)
    ax = fig.axes[0]
    assert "D (the worst-served market)" in ax.get_title(loc="left")
    assert [b.get_height() for b in ax.patches] == pytest.approx([228.125, 0.0])
    assert not ax.lines  # no reserve asked for
    assert (tmp_path / "stock.png").stat().st_size > 0


def test_cover_chart_draws_the_reserve(tmp_path):
    periods = _periods(days=HALVES, values=LATE_IS_DEAR)
    result = solving.solve(_store_network(), periods=periods, reserve_days=20)
    ax = period_charts.cover_chart(result, dpi=50).axes[0]
    assert ax.lines[0].get_ydata()[0] == 20.0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "reserve: 20 days"
    # the lean period ends with the 20 days the reserve asks for
    assert ax.patches[1].get_height() == pytest.approx(20.0)


def test_period_charts_need_periods(tiny, tmp_path):
    result = solving.solve(tiny)
    with pytest.raises(ValidationError, match="has no periods"):
        period_charts.stock_chart(result)
    with pytest.raises(ValidationError, match="market 'X' is not in"):
        period_charts.cover_chart(solving.solve(tiny, periods=_periods()), market="X")


def test_period_sentence(stored):
    assert period_sentence(stored) == (
        "Stock at H peaks at 62 t in harvest (silo 80 t); the worst-served market, "
        "D, has 0.0 days of cover in its worst month, lean."
    )


def test_brief_with_periods_has_both_charts_and_the_sentence(tmp_path):
    net = _store_network()
    annual = solving.solve(net)
    page = hubopt.brief(
        annual,
        tmp_path / "pack",
        extent=None,
        drivers=(),
        periods=_periods(days=HALVES, values=LATE_IS_DEAR),
    )
    text = page.read_text()
    for name in ("stock", "cover"):
        assert (page.parent / f"{name}.png").is_file()
        assert f"id='{name}-chart'" in text
    assert (page.parent / "stock.csv").is_file()
    assert "Stock at H peaks at 50 t in harvest (silo 80 t)" in text
    assert "the worst-served market, D, has" in text
    assert "No candidate ranking or break-even values" in text
    assert "stock.png" in text  # the footer lists the pack's files
    # tables not computed are left out, not written as a header alone, and an
    # earlier annual pack's are not left behind
    for name in ("candidate_ranking.csv", "break_even.csv"):
        assert not (page.parent / name).exists()
    again = hubopt.brief(annual, tmp_path / "annual", extent=None, drivers=())
    assert (again.parent / "candidate_ranking.csv").is_file()
    hubopt.brief(
        annual,
        tmp_path / "annual",
        extent=None,
        drivers=(),
        periods=_periods(days=HALVES, values=LATE_IS_DEAR),
        overwrite=True,
    )
    assert not (again.parent / "candidate_ranking.csv").exists()


def test_brief_without_periods_has_no_charts(tiny, tmp_path):
    page = hubopt.brief(solving.solve(tiny), tmp_path / "pack", drivers=())
    assert not (page.parent / "stock.png").exists()
    assert "Seasons" not in page.read_text()


def test_brief_periods_must_be_periods(tiny, tmp_path):
    with pytest.raises(ValidationError, match=r"periods must be a hubopt\.periods"):
        hubopt.brief(solving.solve(tiny), tmp_path / "pack", periods=[("a", 1)])


def test_the_period_note_says_what_is_annual(stored, tiny):
    annual = solving.solve(tiny)
    note = period_note(stored, {"baseline": annual, "ranking": None})
    assert note.startswith(PERIOD_NOTE)
    assert "The direct baseline is solved on the annual model" in note
    assert "No candidate ranking or break-even values" in note
    # a comparison solved over the periods is not called annual
    assert "annual model" not in period_note(stored, {"baseline": stored, "ranking": 1})


def test_the_worst_served_market_is_one_the_plan_serves():
    # D's shortfall costs 0.5 per t, less than any route: the plan serves nothing
    result = solving.solve(_store_network(penalty=0.5), periods=_periods())
    assert result.periods.worst_month["destination"].tolist() == ["D"]
    assert result.periods.worst_served.empty
    assert "worst-served" not in period_sentence(result)
    ax = period_charts.cover_chart(result, dpi=50).axes[0]
    assert ax.get_title(loc="left") == "Days of cover: the plan serves no market"


def test_brief_over_periods_without_a_solution_raises_and_writes_nothing(tmp_path):
    shut = _values(
        ("legs", "H->D", "available", "harvest", 0.0),
        ("legs", "H->D", "available", "lean", 0.0),
    )
    with pytest.raises(hubopt.errors.InfeasibleError):
        hubopt.brief(
            solving.solve(_store_network()),
            tmp_path / "pack",
            drivers=(),
            periods=_periods(values=shut),
        )
    assert not (tmp_path / "pack").exists()


def test_period_charts_draw_ids_from_data_literally(tmp_path):
    # mathtext would fail on "$\\frac$": ids and names are drawn as they are
    periods = _periods(ids=("$\\frac$", "lean"), values=None)
    result = solving.solve(_store_network(), periods=periods)
    period_charts.stock_chart(result, tmp_path / "stock.png", dpi=30)
    period_charts.cover_chart(result, tmp_path / "cover.png", dpi=30)
    static_map(result, tmp_path / "map.png", extent=None, period="$\\frac$", dpi=30)
    assert (tmp_path / "cover.png").stat().st_size > 0
