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
