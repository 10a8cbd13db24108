"""The briefing pack: files, figures against the direct baseline, the page, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyogrio
import pytest

import hubopt
from hubopt import decisions, report
from hubopt.cli import main

from .test_webmap import assert_offline


def _solved(network, **options):
    result = hubopt.solving.solve(network, **options)
    assert hubopt.check_solution(network, result) == []
    return result


@pytest.fixture(scope="module")
def mk():
    # the former fixed programme (2.5 Mt pro rata to imports, every market served),
    # so that every figure, the direct baseline's too, has flows behind it
    net = hubopt.datasets.morocco_kazakhstan()
    dests = net.destinations.drop(columns="alternative_cost_per_t")
    imports = dests["import_volume_t"].astype(float)
    dests["demand_t"] = (imports * 2_500_000 / imports.sum()).round()
    net = net.replace(destinations=dests)
    return {"free": _solved(net), "one_hub": _solved(net, min_hubs=1)}


@pytest.fixture(scope="module")
def pack(mk, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    page = hubopt.brief(mk["one_hub"], folder)
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
    for section in (
        "Key figures",
        "Hubs opened",
        "Markets",
        "Assumptions",
        "Data sources and licences",
        "Known gaps in the data",
    ):
        assert f"<h2>{section}</h2>" in text
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
