"""Static and comparison maps: layers asserted on artists, images non-blank, text
from data drawn literally. The interactive map is tested in tests/test_webmap.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
from shapely.geometry import LineString

import hubopt
from hubopt import maps

from . import _hostile
from .conftest import solved

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tiny_one_hub():
    return solved(hubopt.datasets.tiny(), max_hubs=1)


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3]


def _gids(ax) -> list[str]:
    return [a.get_gid() for a in ax.get_children() if a.get_gid()]


def test_static_map_layers_on_tiny(tiny_result):
    fig = maps.static_map(tiny_result, extent=None, figsize=(6, 5))
    ax = fig.axes[0]
    gids = _gids(ax)
    flows = tiny_result.flows
    assert sum(g.startswith("flow:") for g in gids) == len(flows)
    for layer in ("origins", "hubs_open", "hubs_candidate", "markets", "source_line"):
        assert layer in gids
    opened = next(a for a in ax.collections if a.get_gid() == "hubs_open")
    assert len(opened.get_offsets()) == int(tiny_result.hubs["open"].sum()) == 2
    markets = next(a for a in ax.collections if a.get_gid() == "markets")
    assert len(markets.get_offsets()) == 3
    # marker area grows with demand
    demand = tiny_result.markets["demand_t"].to_numpy()
    assert np.argmax(markets.get_sizes()) == np.argmax(demand)
    # line width grows with tonnes
    lines = {a.get_gid(): a.get_linewidth() for a in ax.lines if a.get_gid()}
    biggest = flows.loc[flows["tonnes"].idxmax()]
    smallest = flows.loc[flows["tonnes"].idxmin()]
    assert (
        lines[f"flow:{biggest['from']}>{biggest['to']}"]
        > lines[f"flow:{smallest['from']}>{smallest['to']}"]
    )
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "origin" in texts and "hub to market" in texts
    assert any(t.startswith("flow of") for t in texts)
    assert ax.get_title(loc="left") == "tiny: 2 hubs opened"
    source = next(a for a in ax.texts if a.get_gid() == "source_line").get_text()
    assert "Natural Earth" in source and "hubopt" in source and "highs" in source
    # graticule labels in degrees
    assert any("°" in t.get_text() for t in ax.get_xticklabels())
    # a colour bar for landed cost
    assert any("Landed cost" in a.get_xlabel() for a in ax.child_axes)
    pixels = _pixels(fig)
    assert pixels.std() > 20
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50


def test_static_map_default_extent_and_bundled_scenario(mk_result, tmp_path):
    path = tmp_path / "map.png"
    fig = maps.static_map(mk_result, path, dpi=60)
    ax = fig.axes[0]
    assert ax.get_xlim() == (maps.DEFAULT_EXTENT[0], maps.DEFAULT_EXTENT[2])
    assert ax.get_ylim() == (maps.DEFAULT_EXTENT[1], maps.DEFAULT_EXTENT[3])
    labels = [t.get_text() for t in ax.texts]
    hub = mk_result.hubs[mk_result.hubs["open"]].iloc[0]
    assert any(t.startswith(f"{hub['name']} ({hub['level']}, ") for t in labels)
    assert "Egypt" in labels
    image = matplotlib.image.imread(path)
    assert image.shape[0] > 200 and image[..., :3].std() > 0.05


def test_static_map_formats_and_dpi(tiny_result, tmp_path):
    from PIL import Image

    fig = maps.static_map(
        tiny_result, tmp_path / "m.png", extent=None, figsize=(5, 4), labels=False
    )
    with Image.open(tmp_path / "m.png") as image:
        assert round(image.info["dpi"][0]) == 300
        assert image.size[0] > 5 * 300 * 0.6
    # the same suffix rule static_map applies to its path
    maps._save(fig, tmp_path / "m.pdf", 300)
    maps._save(fig, tmp_path / "m.svg", 300)
    assert (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    assert b"<svg" in (tmp_path / "m.svg").read_bytes()[:2000]


def test_static_map_into_given_axes_and_hub_colours(tiny_result):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    out = maps.static_map(tiny_result, ax=ax, extent=None, colour_markets_by="hub")
    assert out is fig
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "served via H1" in texts and "served via H1;H2" in texts


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"colour_markets_by": "size"}, "colour_markets_by must be"),
        ({"extent": (0, 0, 1)}, "extent must be four numbers"),
        ({"extent": (10, 0, 5, 20)}, "empty or off the globe"),
        ({"path": "map.jpg"}, r"use a \.png, \.svg or \.pdf"),
    ],
)
def test_static_map_errors(tiny_result, kwargs, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(hubopt.ValidationError, match=match):
        maps.static_map(tiny_result, **kwargs)


def test_split_antimeridian():
    parts = maps.split_antimeridian(np.array([[170.0, 0.0], [-170.0, 10.0]]))
    assert len(parts) == 2
    assert parts[0][-1].tolist() == [180.0, 5.0]
    assert parts[1][0].tolist() == [-180.0, 5.0]
    assert all(np.all(np.abs(p[:, 0]) <= 180) for p in parts)
    westward = maps.split_antimeridian(np.array([[-175.0, 0.0], [175.0, 0.0]]))
    assert [p[:, 0].tolist() for p in westward] == [[-175.0, -180.0], [180.0, 175.0]]
    same = maps.split_antimeridian(np.array([[10.0, 0.0], [20.0, 1.0]]))
    assert len(same) == 1


def test_routes_across_the_antimeridian_are_drawn_in_pieces():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    frame = maps._Frame(-180, -60, 180, 60)
    line = LineString([(160, 10), (179, 12), (-179, 13), (-160, 15)])
    artists = maps._draw_path(ax, line, frame, color="k")
    assert len(artists) == 2
    for artist in artists:
        assert np.all(np.abs(artist.get_xdata()) <= 180)


def test_compare_flows_and_comparison_map(tiny_result, tiny_one_hub):
    table = maps.compare_flows(tiny_result, tiny_one_hub)
    assert set(table["change"]) == {"appears", "vanishes", "changes", "same"}
    vanished = table[table["change"] == "vanishes"]
    assert (vanished["tonnes_after"] == 0).all()
    assert (vanished["tonnes_before"] > 0).all()
    appeared = table[table["change"] == "appears"]
    assert (appeared["tonnes_before"] == 0).all()
    assert np.allclose(
        table["change_t"], table["tonnes_after"] - table["tonnes_before"]
    )
    assert table.geometry.notna().all()
    fig = maps.comparison_map(
        tiny_result, tiny_one_hub, labels=("free", "one hub"), extent=None
    )
    ax = fig.axes[0]
    gids = _gids(ax)
    for change in ("appears", "vanishes", "changes"):
        expected = int((table["change"] == change).sum())
        assert sum(g.startswith(f"{change}:") for g in gids) == expected
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("only in free" in t for t in texts)
    assert any("only in one hub" in t for t in texts)
    assert "hub closed in one hub" in texts
    vanish_line = next(a for a in ax.lines if (a.get_gid() or "").startswith("vanish"))
    assert vanish_line.get_linestyle() == "--"
    assert _pixels(fig).std() > 20


# ------------------------------------------------------------------------------------
# text from data: hostile names (tests/_hostile.py) stay text
# ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_results():
    network = _hostile.network()
    return solved(network), solved(network, max_hubs=1)


def _all_texts(fig) -> list:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text()]


def test_static_and_comparison_maps_draw_names_literally(hostile_results, tmp_path):
    result, one_hub = hostile_results
    fig = maps.static_map(result, tmp_path / "map.png", extent=None, dpi=60)
    texts = _all_texts(fig)
    shown = "\n".join(t.get_text() for t in texts)
    opened = [_hostile.HUB_NAMES[h] for h in ("H1", "H2")]  # H3 stays shut
    for name in (*opened, _hostile.NETWORK_NAME):
        assert name in shown
    for name in _hostile.MARKET_NAMES.values():
        assert any(t.get_text() == name for t in texts)
    # every text that may hold data is drawn as it is, never as mathtext or TeX
    for text in texts:
        if any(c in text.get_text() for c in "$_^\\{"):
            assert not text.get_parse_math() and not text.get_usetex(), text
    fig = maps.static_map(result, extent=None, colour_markets_by="hub")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"served via {_hostile.HUB_IDS['H1']}" in legend
    fig.savefig(tmp_path / "map.svg")  # hub ids reach the SVG as element ids
    svg = ET.parse(tmp_path / "map.svg")
    ids = {e.get("id") for e in svg.iter()}
    assert f"flow:O1>{_hostile.HUB_IDS['H1']}" in ids
    assert not any(e.tag.endswith("script") for e in svg.iter())

    fig = maps.comparison_map(
        result,
        one_hub,
        tmp_path / "compare.png",
        labels=("$a$", "b_$^x$ \\frac{}"),
        extent=None,
        dpi=60,
    )
    texts = _all_texts(fig)
    assert fig.axes[0].get_title(loc="left") == "$a$ → b_$^x$ \\frac{}"
    assert any(t.get_text() == "flow only in $a$ (3)" for t in texts)
    for text in texts:
        if "$" in text.get_text():
            assert not text.get_parse_math() and not text.get_usetex(), text
