"""The briefing pack: files, figures against the direct baseline, the page, the CLI."""

from __future__ import annotations

import html
import json
import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyogrio
import pytest

import hubopt
from hubopt import _format, decisions, report
from hubopt.breakeven import candidate_ranking
from hubopt.cli import main

from .conftest import programme_network
from .test_webmap import assert_offline


def _solved(network, **options):
    result = hubopt.solving.solve(network, **options)
    assert hubopt.check_solution(network, result) == []
    return result


@pytest.fixture(scope="module")
def mk():
    # the former fixed programme (2.5 Mt pro rata to imports, every market served),
    # so that every figure, the direct baseline's too, has flows behind it
    net = programme_network()
    return {"free": _solved(net), "one_hub": _solved(net, min_hubs=1)}


#: One break-even search keeps the pack quick; test_briefing runs the default set.
ONE_DRIVER = (("freight", 1.0, 3.0),)


@pytest.fixture(scope="module")
def pack(mk, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    page = hubopt.brief(
        mk["one_hub"],
        folder,
        drivers=ONE_DRIVER,
        title="Kazakh wheat <via> Morocco?",
        author="Ministry & Partners",
        date="2026-12-01",
    )
    return folder, page


def test_direct_baseline_closes_every_hub(mk):
    baseline = decisions.direct_baseline(mk["one_hub"])
    assert baseline is not None
    assert hubopt.check_solution(baseline.network, baseline) == []
    assert (baseline.network.hubs["status"] == "closed").all()
    assert not baseline.hubs["open"].any()
    assert set(baseline.flows["kind"]) == {"direct"}
    # the fixed programme opens no hub, so its optimum is the direct baseline
    assert baseline.objective == pytest.approx(mk["free"].objective, rel=1e-9)


def test_direct_baseline_missing_when_markets_need_hubs():
    result = _solved(hubopt.datasets.tiny())
    assert decisions.direct_baseline(result) is None
    figures = report.key_figures(result, None)
    assert math.isnan(figures["saving_per_t"])
    assert "no direct-only baseline" in report.headline(figures, False)


def test_key_figures_against_the_baseline(mk):
    result = mk["one_hub"]
    baseline = decisions.direct_baseline(result)
    figures = report.key_figures(result, baseline)
    delivered = result.markets["served_t"].sum()
    assert figures["hubs_opened_count"] == 1
    hub = result.hubs[result.hubs["open"]].iloc[0]
    assert figures["hubs_opened"].startswith(f"{hub['name']} ({hub['level']}, ")
    assert figures["delivered_t"] == pytest.approx(2_500_000)
    assert figures["cost_per_t"] == pytest.approx(result.costs.total / delivered)
    assert figures["baseline_cost_per_t"] == pytest.approx(
        baseline.costs.total / delivered
    )
    assert figures["saving_total"] == pytest.approx(
        baseline.costs.total - result.costs.total
    )
    # a hub forced open by min_hubs costs more than shipping direct
    assert figures["saving_per_t"] < 0
    assert figures["saving_per_t"] == pytest.approx(
        figures["baseline_cost_per_t"] - figures["cost_per_t"]
    )
    assert figures["co2_t"] == pytest.approx(result.flows["co2_t"].sum())
    assert figures["currency"] == "USD"
    text = report.headline(figures, True)
    assert "more than" in text and hub["name"] in text


def test_headline_when_no_hub_pays(mk):
    figures = report.key_figures(mk["free"], decisions.direct_baseline(mk["free"]))
    assert figures["saving_per_t"] == pytest.approx(0, abs=1e-9)
    assert report.headline(figures, True).startswith("No hub pays for itself")


def test_market_table(mk):
    result = mk["one_hub"]
    table = report.market_table(result, decisions.direct_baseline(result))
    assert len(table) == 24
    hub = result.hubs[result.hubs["open"]].iloc[0]["name"]
    via_hub = table[table["served_via"].str.contains(hub, regex=False)]
    assert len(via_hub) >= 1
    assert table["saving_per_t"].notna().all()
    assert np.allclose(
        table["saving_per_t"],
        table["baseline_landed_cost_per_t"] - table["landed_cost_per_t"],
    )
    # solver tonnes: equal to the demand up to floating-point noise (1e-11 here)
    assert np.allclose(table["served_t"], table["demand_t"], rtol=1e-9, atol=1e-6)
    assert table["transit_days"].notna().all()
    assert table["co2_t"].sum() == pytest.approx(result.flows["co2_t"].sum())


def test_pack_files(pack, mk):
    folder, page = pack
    assert page == folder / "brief.html"
    for name in report.PACK_FILES:
        assert (folder / name).is_file(), name
        assert (folder / name).stat().st_size > 0, name
    assert json.loads((folder / "summary.json").read_text())["status"] == "optimal"
    figures = pd.read_csv(folder / "key_figures.csv")
    assert figures.loc[0, "hubs_opened_count"] == 1
    markets = pd.read_csv(folder / "market_comparison.csv")
    assert len(markets) == 24 and "baseline_landed_cost_per_t" in markets
    layers = dict(pyogrio.list_layers(folder / "results.gpkg"))
    assert set(layers) == {"origins", "hubs", "markets", "flows"}
    flows = pyogrio.read_dataframe(folder / "results.gpkg", layer="flows")
    assert len(flows) == len(mk["one_hub"].flows)
    assert flows.geometry.geom_type.isin(["LineString", "MultiLineString"]).all()
    assert (folder / "map.pdf").read_bytes().startswith(b"%PDF")
    assert_offline((folder / "interactive_map.html").read_text(encoding="utf-8"))


def test_brief_page(pack, mk):
    _, page = pack
    hub = mk["one_hub"].hubs[mk["one_hub"].hubs["open"]].iloc[0]
    text = page.read_text(encoding="utf-8")
    assert_offline(text)
    assert '<img class="map"' in text and "data:image/png;base64," in text
    assert f"Open {hub['name']} ({hub['level']}, " in text
    baseline = pd.read_csv(pack[0] / "key_figures.csv").loc[0, "baseline_cost_per_t"]
    assert f"USD&nbsp;{baseline:,.2f}" in text  # the direct baseline per tonne
    for section in ("Key figures", "Hubs opened", "Markets", "Map"):
        assert f"<h2>{section}</h2>" in text
    for section in (
        "Assumptions",
        "Data sources and licences",
        "Known gaps in the data",
    ):
        assert f"<h3>{section}</h3>" in text
    for source in ("World Port Index", "GeoNames", "CC BY 4.0", "Natural Earth"):
        assert source in text
    assert "Leaflet 1.9.4, BSD 2-Clause" in text
    assert "Senegal (Dakar)" in text and "Egypt (Alexandria)" in text
    assert "every hub closed" in text


def test_brief_refuses_to_overwrite(pack, mk):
    folder, _ = pack
    with pytest.raises(hubopt.ValidationError, match="pass overwrite=True"):
        report.write_brief(mk["one_hub"], folder)
    file = folder / "brief.html"
    with pytest.raises(hubopt.ValidationError, match="is a file, not a folder"):
        report.write_brief(mk["one_hub"], file)


def test_cli_brief_on_tiny(tmp_path, capsys):
    tiny = str(hubopt.datasets.path("tiny"))
    out = tmp_path / "pack"
    assert main(["brief", tiny, "--out", str(out), "--max-hubs", "2"]) == 0
    assert "briefing pack written" in capsys.readouterr().out
    text = (out / "brief.html").read_text(encoding="utf-8")
    assert "No direct baseline" in text
    assert "made up" in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["options"]["max_hubs"] == 2
    assert main(["brief", tiny, "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["brief", tiny, "--out", str(out / "brief.html")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_brief_page_heading_meta_and_caveat(pack, mk):
    _, page = pack
    text = page.read_text(encoding="utf-8")
    # title and author escaped; the date and the data version under them
    assert "<h1>Kazakh wheat &lt;via&gt; Morocco?</h1>" in text
    meta = text[text.index('id="meta"') :].split("</div>")[0]
    assert "Ministry &amp; Partners" in meta and "2026-12-01" in meta
    version = report.data_version(mk["one_hub"].network)
    assert version.startswith("morocco_kazakhstan, tables ")
    assert f"hubopt {hubopt.__version__}" in version and html.escape(version) in meta
    # the caveat sits beside the headline, before the map, with the share in it
    caveat = report.cost_confidence(mk["one_hub"].network)
    assert caveat["weak"] / caveat["total"] > 0.9
    assert (
        text.index('id="headline"')
        < text.index('id="caveat"')
        < text.index("<h2>Map</h2>")
    )
    assert f"{_format.percent(caveat['share'])} of the cost figures" in text
    # plain status in the body; the solver's own words only in the footer
    assert "The solver proved this is the cheapest plan (gap 0 %)." in text
    body = text.split('id="footer"')[0]
    assert "solver highs" not in body and "proven optimal" not in body
    assert "status optimal (proven)" in text.split('id="footer"')[1]
    assert "@page{size:A4;" in text


def test_brief_page_ranking_corridors_break_even(pack, mk):
    folder, page = pack
    text = page.read_text(encoding="utf-8")
    assert "<h2>Where: every candidate port</h2>" in text and "id='ranking'" in text
    ranking = pd.read_csv(folder / "candidate_ranking.csv")
    assert len(ranking) == len(mk["one_hub"].hubs) == 11
    closed = ranking[ranking["status"] == "closed"]
    assert len(closed) == 3 and closed.index.min() == 8  # listed after the ranked
    assert ranking["rank"].dropna().tolist() == list(range(1, 9))
    # the forced hub of the result is its own best: 0 extra; per tonne through the
    # hub is the extra cost over the hub's own tonnes, not over all 2.5 Mt
    tanger = ranking.set_index("hub_id").loc["HUB_TANGER_MED"]
    assert tanger["extra_cost_per_t_through_hub"] == pytest.approx(
        tanger["extra_cost"] / tanger["throughput_t"], abs=0.01
    )
    assert "closed by status:</i> an oil port" in text
    unused = (ranking["status"] != "closed") & (ranking["throughput_t"] < 1e-6)
    assert ("not used even if built" in text) == bool(unused.any())
    assert "id='near-tie'" in text and "within USD" in text
    # the corridor mix, from the flows and the waypoints' countries
    assert "100 % (2.50 Mt) through Novorossiysk (Russia)." in text
    assert "Transit countries (beyond the origin&#x27;s): Russia 100 %." in text
    mix = pd.read_csv(folder / "corridor_mix.csv")
    assert set(mix["kind"]) == {"export corridor", "transit country"}
    assert "Kazakhstan" not in set(mix["country"])  # the origins' own country
    # the break-even of the one driver searched
    edges = pd.read_csv(folder / "break_even.csv")
    assert edges["driver"].tolist() == ["freight"]
    # (the data's freight no longer moves the answer below x3: then one line says so)
    value = edges.loc[0, "break_even_value"]
    if np.isnan(value):
        assert "No change of hubs for freight x1.00 to x3.00." in text
    else:
        assert 1 < value <= 3 and html.escape(edges.loc[0, "sentence"]) in text


def test_pack_csvs_are_rounded(pack):
    folder, _ = pack
    for name in (
        "market_comparison.csv",
        "key_figures.csv",
        "candidate_ranking.csv",
        "corridor_mix.csv",
        "break_even.csv",
    ):
        raw = (folder / name).read_text(encoding="utf-8")
        # no float noise: at most seven decimals (lon/lat), no exponent
        assert not re.search(r"\d\.\d{8,}", raw), name
        assert not re.search(r"\de[+-]\d", raw), name
    markets = pd.read_csv(folder / "market_comparison.csv")
    assert (markets["served_t"] == markets["served_t"].round()).all()
    assert (markets["landed_cost_per_t"] == markets["landed_cost_per_t"].round(2)).all()


def test_no_hub_brief_says_the_same_co2_and_unchanged(mk, tmp_path):
    result = mk["free"]
    baseline, forced, _ = decisions.comparisons(result)
    table = report.market_table(result, baseline)
    # the optimum opens no hub: it is its own baseline, every market unchanged
    assert (table["routing"] == "unchanged").all()
    assert (table["saving_per_t"] == 0).all()
    page = report.write_brief(
        result, tmp_path / "pack", baseline=baseline, single_hub=forced
    )
    text = page.read_text(encoding="utf-8")
    assert "the same CO2 as the baseline" in text
    assert "0&nbsp;t CO2" not in text and "0 t CO2" not in text
    assert "listed as left out above" not in text
    assert "listed as left out in data/README.md" in text
    # the single hub's cost per tonne through the hub, not only spread over the
    # 2.5 Mt, and its capacity and use
    single = text[text.index("id='single-hub'") :].split("</span>")[0]
    extra = forced.costs.total - result.costs.total
    hub = forced.hubs[forced.hubs["open"]].iloc[0]
    spread = _format.cost_per_t(forced) - _format.cost_per_t(result)
    assert f"{_format.money(spread, 'USD')} per tonne over all 2.50 Mt" in single
    through = _format.money(extra / hub["throughput_t"], "USD")
    assert f"{through} per tonne through the hub" in single
    assert f"capacity {_format.tonnes(hub['capacity_t'])}" in single
    assert f"{_format.percent(hub['utilisation'])} used" in single
    # one CO2 figure, printed one way in the page and on the command line
    co2 = _format.co2(report.key_figures(result, baseline)["co2_t"])
    assert co2 in report.short_answer(result, baseline, forced)
    assert co2.replace(" ", "&nbsp;") in text
    # no market listed as "saving" anything; no ranking or break-even handed in
    assert ">unchanged<" in text
    assert "id='ranking'" not in text and "id='break-even'" not in text
    assert "@page{size:A4;" in text


def test_market_saving_only_where_the_routing_changed(mk):
    result = mk["one_hub"]
    baseline = decisions.direct_baseline(result)
    table = report.market_table(result, baseline)
    hub = result.hubs[result.hubs["open"]].iloc[0]["name"]
    via_hub = table["served_via"].str.contains(hub, regex=False)
    assert (table.loc[via_hub, "routing"] == "changed").all()
    unchanged = table["routing"] == "unchanged"
    assert unchanged.any()
    assert (table.loc[unchanged, "saving_per_t"] == 0).all()
    assert (
        table.loc[unchanged, "landed_cost_per_t"]
        == table.loc[unchanged, "baseline_landed_cost_per_t"]
    ).all()


def test_status_sentences_in_plain_words():
    feasible = SimpleNamespace(status="feasible", gap=0.034)
    assert report.status_sentence(feasible) == (
        "Best plan found in the time allowed; it could be up to 3.4 % above the "
        "cheapest."
    )
    unknown = SimpleNamespace(status="feasible", gap=None)
    assert "how far it is from the cheapest is not known" in report.status_sentence(
        unknown
    )
    assert report.status_sentence(SimpleNamespace(status="infeasible", gap=None)) == (
        "The solver found no plan (infeasible)."
    )


def test_paper_and_uncertainty_hook(tmp_path):
    result = hubopt.solving.solve(hubopt.datasets.tiny())
    with pytest.raises(hubopt.ValidationError, match="paper must be 'a4' or 'letter'"):
        report.write_brief(result, tmp_path / "bad", paper="A3")
    with pytest.raises(hubopt.ValidationError, match="paper must be 'a4' or 'letter'"):
        hubopt.brief(result, tmp_path / "bad", paper="legal", drivers=())
    assert not (tmp_path / "bad").exists()
    summary = SimpleNamespace(headline="In 78 % of 500 draws West port is opened.")
    page = report.write_brief(
        result, tmp_path / "letter", paper="Letter", uncertainty=summary
    )
    text = page.read_text(encoding="utf-8")
    assert "@page{size:letter;" in text
    headline = text[text.index('id="headline"') :].split("</p>")[0]
    assert (
        "<span id='uncertainty'>In 78 % of 500 draws West port is opened.</span>"
        in (headline)
    )
    assert "Open West port" in headline  # the single figures move under it
    page = report.write_brief(
        result, tmp_path / "text", uncertainty="Probabilities: none yet."
    )
    assert "Probabilities: none yet." in page.read_text(encoding="utf-8")


def test_cli_brief_title_author_paper(tmp_path, capsys):
    tiny = str(hubopt.datasets.path("tiny"))
    out = tmp_path / "pack"
    argv = ["brief", tiny, "--out", str(out), "--title", "Tiny <hub> study"]
    argv += ["--author", "Port Authority", "--paper", "LETTER"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "The solver proved this is the cheapest plan" in captured.out
    assert "ranking the candidate hubs" in captured.err  # the progress bar
    text = (out / "brief.html").read_text(encoding="utf-8")
    assert "<h1>Tiny &lt;hub&gt; study</h1>" in text and "Port Authority" in text
    assert "@page{size:letter;" in text
    with pytest.raises(SystemExit) as stop:
        main(["brief", tiny, "--out", str(tmp_path / "p2"), "--paper", "a5"])
    assert stop.value.code == 2
    assert "invalid choice: 'a5'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def contested():
    """The bundled network as it ships: contestable demand, one hub wins Guinea."""
    result = _solved(hubopt.datasets.morocco_kazakhstan())
    return result, decisions.direct_baseline(result)


def test_contestable_key_figures_show_tonnes_won_and_lost(contested):
    result, baseline = contested
    figures = report.key_figures(result, baseline)
    assert figures["contestable"]
    won = result.markets["served_t"] > 1e-6
    assert figures["markets_won_count"] == won.sum() >= 1
    assert figures["markets_count"] == len(result.markets)
    assert figures["lost_t"] == pytest.approx(
        result.markets["lost_to_alternative_t"].sum()
    )
    assert figures["baseline_delivered_t"] == pytest.approx(
        baseline.markets["served_t"].sum()
    )
    page = report._figures_html(figures, "USD", report._components(result))
    labels = re.findall(r"<tr><td>(.*?)</td>", page)
    # what does not apply is left out; what applies is there
    assert "direct baseline (no hub) per tonne" not in labels
    assert "saving per tonne against the baseline" not in labels
    for label in ("tonnes won", "markets won", "bought from alternative suppliers"):
        assert label in labels
    assert f"{figures['markets_won_count']} of {len(result.markets)}" in page
    # every cost component under its plain label, no column name
    assert "alternative_purchase" not in page and "_" not in "".join(labels)
    assert (
        "&nbsp;&nbsp;of which bought from the markets&#x27; alternative suppliers"
        in labels
    )
    for name in report._components(result):
        assert name in report.COST_LABELS


def test_contestable_market_table_lists_lost_markets_in_one_sentence(contested):
    result, baseline = contested
    markets = report.market_table(result, baseline)
    assert set(markets["outcome"]) <= {"won", "partly won", "lost to alternative"}
    page = report._markets_html(markets, "USD")
    lost = markets[markets["outcome"] == "lost to alternative"]
    won = markets[markets["outcome"] != "lost to alternative"]
    # one row per market won; the lost ones in a sentence with their tonnes
    assert page.count("<tr>") == 1 + len(won)
    sentence = page[page.index("id='markets-lost'") :]
    assert f"({len(lost)} markets, " in sentence
    total = report._fmt_t(lost["demand_t"].sum())
    assert f"{total} a year" in sentence
    for name, demand in lost[["name", "demand_t"]].to_numpy():
        assert f"{html.escape(name)} {report._fmt_t(demand)}" in sentence
    assert "unmet" not in page.lower()
    # a market the direct routes lose is "bought elsewhere" there, not a dash
    assert "bought elsewhere" in page


def test_contestable_short_answer_and_headline_read_right(contested):
    result, baseline = contested
    text = report.short_answer(result, baseline)
    assert "vs - " not in text and "vs –" not in text
    assert "unmet" not in text
    lines = text.splitlines()
    figures = report.key_figures(result, baseline)
    assert lines[1].startswith(
        f"  won {_format.tonnes(figures['delivered_t'])} of "
        f"{_format.tonnes(figures['demand_t'])} ("
        f"{figures['markets_won_count']} of {figures['markets_count']} markets)"
    )
    assert "bought from the markets' alternative suppliers" in lines[1]
    assert "Direct routes alone would win " in lines[0]
    assert "((" not in lines[0] and "))" not in lines[0]


def test_contestable_ranking_says_a_port_wins_no_market(contested):
    result, _ = contested
    ranking = candidate_ranking(result)
    page = report._ranking_html(ranking, result, "USD")
    unused = (ranking["status"] != "closed") & (ranking["throughput_t"] < 1e-6)
    assert unused.any()
    assert "none: wins no market even if built" in page
    assert "not used even if built" not in page
    # candidates that win nothing at the same cost share one row, every name in it
    assert page.count("none: wins no market even if built") <= unused.sum()
    for name in ranking.loc[unused, "name"]:
        assert html.escape(name) in page


def test_ranking_folds_candidates_that_win_nothing_at_the_same_cost():
    ranking = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "hub_id": ["A", "B", "C", "D"],
            "name": ["Alpha", "Beta", "Gamma", "Delta"],
            "status": "candidate",
            "status_reason": "",
            "level": "S",
            "capacity_t": 100.0,
            "throughput_t": [80.0, 0.0, 0.0, 0.0],
            "utilisation": [0.8, 0.0, 0.0, 0.0],
            "extra_cost": [0.0, 50.0, 50.0, 70.0],
            "extra_cost_per_t_through_hub": [
                0.0,
                float("nan"),
                float("nan"),
                float("nan"),
            ],
            "extra_cost_per_t_delivered": [
                0.0,
                float("nan"),
                float("nan"),
                float("nan"),
            ],
            "markets_served": ["M1", "", "", ""],
            "solve_status": "optimal",
        }
    )
    page = report._ranking_html(ranking, hubopt.solve(hubopt.datasets.tiny()), "USD")
    rows = page.split("<tr")[2:]  # after the header
    assert len(rows) == 3  # Beta and Gamma cost the same and win nothing: one row
    assert ">2–3<" in rows[1] and "Beta, Gamma" in rows[1]
    assert ">4<" in rows[2] and "Delta" in rows[2]
