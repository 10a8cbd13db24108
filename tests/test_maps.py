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
from .conftest import programme_network, solved

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
        # a long name is drawn on two lines
        assert any(t.get_text().replace("\n", " ") == name for t in texts)
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


# ------------------------------------------------------------------------------------
# the ports as the subject, labels, scale bar, landlocked markets (issue 20)
# ------------------------------------------------------------------------------------
FALLBACK = "HUB_DAKHLA_ATLANTIQUE"


@pytest.fixture(scope="module")
def mk_no_hub():
    return solved(programme_network())


@pytest.fixture(scope="module")
def mk_no_hub_map(mk_no_hub):
    fig = maps.static_map(mk_no_hub, fallback_hub=FALLBACK)
    fig.canvas.draw()
    return fig


def _label_boxes(fig) -> dict:
    """The text box (not the leader line) of every placed label, by gid."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    return {
        t.get_gid(): Text.get_window_extent(t, renderer)
        for t in ax.texts
        if (t.get_gid() or "").startswith("label:")
    }


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0) * max(h, 0)


def test_every_port_is_labelled_and_drawn_by_status(mk_no_hub, mk_no_hub_map):
    ax = mk_no_hub_map.axes[0]
    hubs = mk_no_hub.hubs
    boxes = _label_boxes(mk_no_hub_map)
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    for hub_id, name, status in hubs[["hub_id", "name", "status"]].to_numpy():
        text = texts[f"label:hub:{hub_id}"]
        assert text.startswith(name)
        assert text.endswith("(closed)") == (status == "closed")
        assert f"label:hub:{hub_id}" in boxes
    assert texts[f"label:hub:{FALLBACK}"] == (
        "Dakhla Atlantique: best single hub\nif one must be built"
    )
    layers = {c.get_gid(): c for c in ax.collections if c.get_gid()}
    counts = {
        kind: len(layers[f"hubs_{kind}"].get_offsets())
        for kind in ("candidate", "closed", "fallback")
    }
    assert counts == {"candidate": 7, "closed": 3, "fallback": 1}
    assert "hubs_open" not in layers  # nothing opened, nothing drawn
    # three distinct symbols: marker shape and face colour differ
    paths = {k: layers[f"hubs_{k}"].get_paths()[0] for k in counts}
    assert len({len(p.vertices) for p in paths.values()}) == 3
    faces = {tuple(layers[f"hubs_{k}"].get_facecolor()[0]) for k in counts}
    assert len(faces) == 3
    # the ports are drawn above the market circles
    assert (
        min(layers[f"hubs_{k}"].get_zorder() for k in counts)
        > layers["markets"].get_zorder()
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == [
        "best single hub if one must be built",
        "candidate port, not opened",
        "port closed (status)",
    ]
    assert "hub opened (size: throughput)" not in legend
    assert "origin to hub" not in legend and "hub to market" not in legend


def test_labels_do_not_overlap_after_repel(mk_no_hub, mk_no_hub_map):
    boxes = _label_boxes(mk_no_hub_map)
    network = mk_no_hub.network
    assert len(boxes) == len(network.hubs) + len(network.destinations) + len(
        network.origins
    )
    items = sorted(boxes.items())
    for i, (gid_a, a) in enumerate(items):
        for gid_b, b in items[i + 1 :]:
            assert _overlap(a, b) < 1.0, (gid_a, gid_b)
    # and none runs under the legend, the colour bar or the scale bar
    renderer = mk_no_hub_map.canvas.get_renderer()
    ax = mk_no_hub_map.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    bar = [
        a.get_window_extent(renderer) for a in ax.patches if a.get_gid() == "scale_bar"
    ]
    for gid, box in items:
        assert _overlap(box, legend) == 0, gid
        assert all(_overlap(box, b) == 0 for b in bar), gid
    # the same map places its labels the same way (no randomness)
    again = maps.static_map(mk_no_hub, fallback_hub=FALLBACK)
    again.canvas.draw()
    assert {k: tuple(v.bounds) for k, v in _label_boxes(again).items()} == {
        k: tuple(v.bounds) for k, v in boxes.items()
    }


def test_every_origin_label_sits_next_to_its_symbol(mk_no_hub, mk_no_hub_map):
    ax = mk_no_hub_map.axes[0]
    boxes = _label_boxes(mk_no_hub_map)
    px = mk_no_hub_map.dpi / 72
    origins = mk_no_hub.network.origins
    points = ax.transData.transform(origins[["lon", "lat"]].to_numpy(dtype=float))

    def gap(box, point):
        dx = max(box.x0 - point[0], 0, point[0] - box.x1)
        dy = max(box.y0 - point[1], 0, point[1] - box.y1)
        return float(np.hypot(dx, dy))

    for k, origin_id in enumerate(origins["id"]):
        box = boxes[f"label:origin:{origin_id}"]
        own = gap(box, points[k])
        assert own < 12 * px, origin_id  # beside the triangle, no leader line
        others = [gap(box, p) for j, p in enumerate(points) if j != k]
        assert own <= min(others), origin_id


def test_scale_bar_and_north_arrow(mk_no_hub_map, tiny_result):
    ax = mk_no_hub_map.axes[0]
    segments = [p for p in ax.patches if p.get_gid() == "scale_bar"]
    assert len(segments) == 4
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    end = [t.get_text() for t in ax.texts if t.get_gid() == "scale_bar_label"][-1]
    assert end == "2,000 km"
    # 2,000 km on the ground: degrees of latitude at 111.32 km each
    length_lon = sum(p.get_width() for p in segments)
    stretch = np.cos(np.radians((maps.DEFAULT_EXTENT[1] + maps.DEFAULT_EXTENT[3]) / 2))
    assert length_lon * 111.32 * stretch == pytest.approx(2000, rel=1e-6)
    assert texts["scale_bar_note"] == "scale true north-south and along 12°N"
    assert texts["north_arrow_label"] == "N"
    assert any(a.get_gid() == "north_arrow" for a in ax.texts)
    # a small network gets a short bar
    fig = maps.static_map(tiny_result, extent=None)
    ends = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "scale_bar_label"]
    assert ends[-1] == "500 km"
    fig = maps.static_map(tiny_result, extent=None, scale_bar=False)
    assert not any(p.get_gid() == "scale_bar" for p in fig.axes[0].patches)


def test_landlocked_markets_get_an_asterisk_and_a_footnote(mk_no_hub_map, tiny_result):
    ax = mk_no_hub_map.axes[0]
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert texts["label:market:ET_DJIBOUTI"] == "Ethiopia*"
    assert texts["label:market:BF_LOME"] == "Burkina Faso*"
    assert texts["label:market:EG_ALEXANDRIA"] == "Egypt"
    note = texts["landlocked_note"].replace("\n", " ")
    assert note.startswith("* Landlocked market")
    assert "Ethiopia: served via Djibouti" in note
    assert "Burkina Faso: served via Lomé" in note
    fig = maps.static_map(tiny_result, extent=None)
    assert not any(t.get_gid() == "landlocked_note" for t in fig.axes[0].texts)


def test_landlocked_markets_reads_the_column(tiny):
    frames = {
        "destinations": tiny.destinations.assign(
            landlocked=["yes", "False", ""], name=["A (via Port X)", "B", "C"]
        )
    }
    result = hubopt.solve(tiny.replace(**frames))
    assert maps.landlocked_markets(result) == {"D1": "Port X"}


def test_fallback_hub_only_on_a_map_where_it_is_not_opened(tiny_result):
    kinds = maps.hub_kinds(tiny_result.hubs, "H1")  # H1 is opened: stays "open"
    assert kinds.tolist() == ["open", "open", "candidate"]
    kinds = maps.hub_kinds(tiny_result.hubs, "H3")
    assert kinds.tolist() == ["open", "open", "fallback"]
    fig = maps.static_map(tiny_result, extent=None, fallback_hub="H3")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "best single hub if one must be built" in legend
    assert "candidate port, not opened" not in legend
    assert "port closed (status)" not in legend


@pytest.mark.parametrize(
    ("hub", "match"),
    [
        ("H9", r"fallback_hub 'H9' is not in table 'hubs' \(ids: H1, H2, H3\)"),
        ("HUB_MOHAMMEDIA", "is closed by its status in table 'hubs'"),
    ],
)
def test_fallback_hub_errors(tiny_result, mk_no_hub, hub, match):
    result = tiny_result if hub == "H9" else mk_no_hub
    with pytest.raises(hubopt.ValidationError, match=match):
        maps.static_map(result, fallback_hub=hub)


def test_repel_separates_a_crowded_cluster_deterministically():
    from hubopt._labels import repel

    # twelve symbols within a few pixels, labels of different widths
    angles = np.arange(12) * 2.4
    anchors = np.column_stack([200 + 6 * np.cos(angles), 200 + 6 * np.sin(angles)])
    sizes = np.column_stack([30 + 5 * (np.arange(12) % 4), np.full(12, 9.0)])
    radii = np.full(12, 3.0)
    obstacles = np.array([[150.0, 150.0, 190.0, 170.0]])
    bounds = (0.0, 0.0, 400.0, 400.0)
    for groups in (None, ["ports"] * 12):
        pos = repel(
            anchors, sizes, radii, obstacles, bounds, np.ones(12), groups=groups
        )
        boxes = np.column_stack([pos, pos + sizes])
        for i in range(12):
            for j in range(i + 1, 12):
                w = min(boxes[i, 2], boxes[j, 2]) - max(boxes[i, 0], boxes[j, 0])
                h = min(boxes[i, 3], boxes[j, 3]) - max(boxes[i, 1], boxes[j, 1])
                assert w <= 1e-6 or h <= 1e-6, (groups, i, j)
            # off every symbol and the obstacle, inside the bounds
            for k in range(12):
                lo, hi = anchors[k] - 3, anchors[k] + 3
                assert (
                    boxes[i, 2] <= lo[0] + 1e-6
                    or boxes[i, 0] >= hi[0] - 1e-6
                    or boxes[i, 3] <= lo[1] + 1e-6
                    or boxes[i, 1] >= hi[1] - 1e-6
                )
            assert boxes[i, 0] >= 0 and boxes[i, 2] <= 400
        again = repel(
            anchors, sizes, radii, obstacles, bounds, np.ones(12), groups=groups
        )
        assert np.array_equal(pos, again)
    # a callout column keeps the order of the symbols from top to bottom
    order = np.argsort(-anchors[:, 1], kind="stable")
    assert np.all(np.diff(pos[order, 1]) < 0)


def test_labels_placed_on_any_axes_and_labels_off(tiny_result, mk_no_hub):
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()  # no Agg canvas, no layout engine
    maps.static_map(tiny_result, ax=ax, extent=None)
    assert sum((t.get_gid() or "").startswith("label:") for t in ax.texts) == 3 + 3 + 2
    fig = maps.static_map(mk_no_hub, labels=False, dpi=50)
    texts = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}
    assert not any(g.startswith("label:") for g in texts)
    assert texts["landlocked_note"].startswith("Landlocked market")
