"""hubopt.brief: the comparisons (decision layer), then the pack (presentation)."""

from __future__ import annotations

import pytest

import hubopt
from hubopt import briefing, decisions, report


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


def test_analyse_runs_the_ranking_and_the_break_even_searches():
    result = hubopt.solving.solve(hubopt.datasets.morocco_kazakhstan())
    found = briefing.analyse(result)
    assert found.baseline is result  # no hub opens: its own baseline
    assert found.single_hub is not None and not found.interrupted
    assert found.ranking["rank"].notna().sum() == 8  # 11 hubs, 3 closed by status
    assert len(found.break_evens) == len(briefing.BRIEF_DRIVERS)
    changes = {e.driver: e for e in found.break_evens if e.changes}
    # freight up (about x1.6) and handling down (about x0.38) open Tanger Med
    assert set(changes) == {"freight", "handling"}
    assert 1.5 < changes["freight"].value < 1.7
    assert 0.3 < changes["handling"].value < 0.45
    assert changes["freight"].portfolio_above == (("HUB_TANGER_MED", "S"),)
    # the demand search stops short of the supply
    demand_up = [e for e in found.break_evens if e.driver == "demand" and e.low == 1]
    net = result.network
    assert demand_up[0].high <= min(2.0, net.total_supply_t / net.total_demand_t)


def test_analyse_keeps_what_was_solved_when_interrupted(monkeypatch):
    result = hubopt.solving.solve(hubopt.datasets.tiny())

    def stop(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("hubopt.briefing.candidate_ranking", stop)
    found = briefing.analyse(result)
    assert found.interrupted and found.ranking is None and found.break_evens == ()
