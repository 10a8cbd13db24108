"""hubopt.brief: the comparisons (decision layer), then the pack (presentation)."""

from __future__ import annotations

import pytest

import hubopt
from hubopt import decisions, report


def test_brief_solves_the_comparisons_and_writes_the_pack(tmp_path, monkeypatch):
    net = hubopt.datasets.morocco_kazakhstan()
    result = hubopt.solve(net)
    seen = []
    real = decisions.comparisons
    monkeypatch.setattr(
        "hubopt.briefing.comparisons", lambda r: seen.append(r) or real(r)
    )
    page = hubopt.brief(result, tmp_path / "pack")
    assert seen == [result]
    assert page.name == "brief.html" and page.is_file()
    assert {p.name for p in page.parent.iterdir()} >= set(report.PACK_FILES)


def test_brief_refuses_an_earlier_pack_before_solving(tmp_path, monkeypatch):
    result = hubopt.solve(hubopt.datasets.tiny())
    hubopt.brief(result, tmp_path / "pack")

    def no_solve(_result):
        msg = "solved before refusing"
        raise AssertionError(msg)

    monkeypatch.setattr("hubopt.briefing.comparisons", no_solve)
    with pytest.raises(hubopt.ValidationError, match="pass overwrite=True"):
        hubopt.brief(result, tmp_path / "pack")
