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
