"""The brief states an uncertainty analysis's headline (issue 20: its probabilities
replace the single figures)."""

from __future__ import annotations

from hubopt import report


class _Method:
    def headline(self) -> str:
        return "no hub pays in 62 % of 500 draws"


class _Attribute:
    headline = "Tanger Med is the best single site in 40 % of draws"


def test_headline_method_attribute_or_string():
    assert report._uncertainty_headline(_Method()) == "no hub pays in 62 % of 500 draws"
    assert report._uncertainty_headline(_Attribute()).startswith("Tanger Med")
    assert report._uncertainty_headline("as given") == "as given"
    assert report._uncertainty_headline(None) is None


def test_brief_page_carries_the_headline(tiny_result, tmp_path):
    page = report.write_brief(tiny_result, tmp_path / "pack", uncertainty=_Method())
    text = page.read_text(encoding="utf-8")
    assert "id='uncertainty'>no hub pays in 62 % of 500 draws<" in text


def test_demand_break_even_is_searched_on_contestable_networks(tiny):
    from hubopt import briefing, solving

    dests = tiny.destinations.copy()
    dests["unmet_penalty_per_t"] = None
    dests["alternative_cost_per_t"] = 50.0
    contestable = solving.solve(tiny.replace(destinations=dests))
    # every market may buy elsewhere: ten times the demand stays feasible
    assert briefing._bounded(contestable, ("demand", 1.0, 10.0)) == (
        "demand",
        1.0,
        10.0,
    )
    firm = solving.solve(tiny)  # D1 and D3 must be served: capped by the supply
    _, _, high = briefing._bounded(firm, ("demand", 1.0, 10.0))
    assert high < 10.0


def test_brief_charts_the_tornado_and_the_saving_distribution(tmp_path):
    import base64

    from hubopt import solving
    from hubopt.uncertainty import uncertainty

    from .test_uncertainty import ranges, two_hubs

    network = two_hubs()
    found = uncertainty(
        network, draws=16, seed=3, ranges=ranges(), executor="serial", progress=False
    )
    assert found.tornado["changes_decision"].any()
    page = report.write_brief(
        solving.solve(network), tmp_path / "pack", uncertainty=found
    )
    text = page.read_text(encoding="utf-8")
    folder = page.parent
    for name, ident in (
        ("tornado.png", "tornado"),
        ("saving_distribution.png", "saving-distribution"),
    ):
        data = (folder / name).read_bytes()
        assert data.startswith(b"\x89PNG")
        assert 5_000 < len(data) < 2_000_000, name
        assert f"id='{ident}'" in text
        assert base64.b64encode(data).decode("ascii") in text  # the file, inlined
    assert (folder / "tornado.csv").exists()
    assert (folder / "saving_distribution.csv").exists()
    assert "id='how-sure'" in text and "16 draws" in text
    lines = report.uncertainty_break_even_lines(found.tornado, found.label)
    assert lines and all(" below " in line and " above" in line for line in lines)
    assert "id='uncertainty-break-even'" in text


def test_hubopt_brief_runs_the_draws(tiny, tmp_path):
    import hubopt

    from .test_uncertainty import tiny_ranges

    page = hubopt.brief(
        hubopt.solve(tiny),
        tmp_path / "pack",
        drivers=(),
        draws=8,
        seed=1,
        ranges=tiny_ranges(),
    )
    text = page.read_text(encoding="utf-8")
    assert "id='uncertainty'>" in text and "of 8 draws" in text
    assert (page.parent / "tornado.png").exists()
    # the tiny network cannot ship direct: no saving in any draw, no saving chart
    assert not (page.parent / "saving_distribution.png").exists()
    assert (page.parent / "saving_distribution.csv").exists()


def test_no_charts_without_an_analysis(tiny_result, tmp_path):
    page = report.write_brief(tiny_result, tmp_path / "pack", uncertainty=_Method())
    assert "id='how-sure'" not in page.read_text(encoding="utf-8")
    assert not (page.parent / "tornado.png").exists()


def test_charts_refuse_other_tables():
    import pandas as pd
    import pytest

    from hubopt import charts
    from hubopt.errors import ValidationError

    with pytest.raises(ValidationError, match=r"tornado table has no column"):
        charts.tornado_chart(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValidationError, match=r"regret table has no column"):
        charts.saving_chart(pd.DataFrame({"portfolio": ["a"]}))
