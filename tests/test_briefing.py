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
    opened = result.hubs[result.hubs["open"]]
    assert len(opened) == 1  # the bundled answer: one hub wins a market
    found = briefing.analyse(result)
    # a hub opens: the baseline is solved again with every hub closed, and the
    # best single hub is the optimum itself (not solved again)
    assert found.baseline is not result and not found.baseline.hubs["open"].any()
    assert found.single_hub is None and not found.interrupted
    assert found.ranking["rank"].notna().sum() == 8  # 11 hubs, 3 closed by status
    # every market may buy elsewhere, so demand beyond the supply stays feasible and
    # the demand searches run too (not capped at the supply's 13 % of the imports)
    drivers = [e.driver for e in found.break_evens]
    assert drivers == [d for d, *_ in briefing.BRIEF_DRIVERS]
    portfolio = tuple(zip(opened["hub_id"], opened["level"], strict=True))
    changes = [e for e in found.break_evens if e.changes]
    # dearer freight, handling or fixed costs close the hub: its margin is thin
    assert {e.driver for e in changes} >= {"freight"}
    for edge in changes:
        if edge.value > 1:
            assert edge.portfolio_below == portfolio and edge.portfolio_above == ()
        else:  # less volume on offer: the hub no longer pays
            assert edge.driver == "demand"
            assert edge.portfolio_below == () and edge.portfolio_above == portfolio


def test_analyse_keeps_what_was_solved_when_interrupted(monkeypatch):
    result = hubopt.solving.solve(hubopt.datasets.tiny())

    def stop(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("hubopt.briefing.candidate_ranking", stop)
    found = briefing.analyse(result)
    assert found.interrupted and found.ranking is None and found.break_evens == ()
