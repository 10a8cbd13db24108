"""A real browser opens the briefing pack from disk with the network off.

Headless Chromium from Debian (installed by .ci/run) loads brief.html and the
interactive map over file://, with every network request sent to a closed local port
and every host name unresolvable. The screenshots must not be blank and the map's DOM
must hold the rendered Leaflet layers: hub and origin markers, market circles and flow
lines. Skipped only where Chromium is not installed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import hubopt
import hubopt.briefing
import hubopt.report
import hubopt.webmap

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# .ci/run installs Chromium, so on CI a missing browser is a failure, not a skip
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"
)

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # the network off: no proxy answers, no name resolves
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=8000",
)


def _chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None, "chromium is missing; .ci/run installs it"
    return subprocess.run(
        [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _render(page: Path, tmp_path: Path, size: str) -> tuple[np.ndarray, str]:
    """Screenshot and rendered DOM of a page, from one Chromium run."""
    import matplotlib.image

    shot = tmp_path / f"{page.stem}.png"
    run = _chromium(
        page,
        tmp_path / f"profile-{page.stem}",
        "--dump-dom",
        f"--screenshot={shot}",
        f"--window-size={size}",
        "--hide-scrollbars",
    )
    assert shot.is_file(), run.stderr[-2000:]
    return matplotlib.image.imread(shot)[..., :3], run.stdout


def _assert_not_blank(image: np.ndarray) -> None:
    assert image.std() > 0.05
    colours = np.unique((image.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    assert len(colours) > 100


class _Rendered(HTMLParser):
    """Class names of elements in the rendered DOM, ignoring <script> text."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "class" and value:
                self.classes.append((tag, set(value.split())))

    def count(self, *names: str, tag: str | None = None) -> int:
        return sum(
            set(names) <= classes and (tag is None or tag == t)
            for t, classes in self.classes
        )


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    network = hubopt.datasets.morocco_kazakhstan()
    result = hubopt.solving.solve(network, min_hubs=1)
    assert hubopt.check_solution(network, result) == []
    folder = tmp_path_factory.mktemp("browser-pack")
    found = hubopt.briefing.analyse(result)
    hubopt.report.write_brief(
        result,
        folder,
        baseline=found.baseline,
        single_hub=found.single_hub,
        ranking=found.ranking,
        break_evens=found.break_evens,
    )
    return folder, result, found


def test_interactive_map_renders_offline(pack, tmp_path):
    folder, result, _ = pack
    page = folder / "interactive_map.html"
    image, text = _render(page, tmp_path, "1280,900")
    _assert_not_blank(image)
    dom = _Rendered()
    dom.feed(text)
    assert dom.count("leaflet-container") == 1
    # hubs and origins are Leaflet markers (divIcons) in the marker pane
    assert dom.count("leaflet-marker-icon", "hubopt-hub") == len(result.hubs) == 11
    assert dom.count("leaflet-marker-icon", "hubopt-hub-open") == 1
    assert dom.count("leaflet-marker-icon", "hubopt-origin") == 3
    # markets and flows are SVG paths drawn by Leaflet
    assert dom.count("hubopt-market", "leaflet-interactive", tag="path") == 24
    assert dom.count("hubopt-flow", "leaflet-interactive", tag="path") == len(
        result.flows
    )
    # the Natural Earth countries are drawn (177 polygons) and the layer control is up
    assert dom.count("leaflet-interactive", tag="path") >= 177 + 24
    assert dom.count("leaflet-control-layers") == 1
    # the flows are visible: the flow colours appear in the screenshot
    pixels = (image.reshape(-1, 3) * 255).astype(int)
    purple = np.array([0x7B, 0x5E, 0xA7])
    # (the bundled answer has two flows: Kazakhstan -> Dakhla Atlantique -> Conakry)
    assert (np.abs(pixels - purple).sum(axis=1) < 60).sum() > 50


def test_brief_renders_offline(pack, tmp_path):
    folder, result, _ = pack
    page = folder / "brief.html"
    image, text = _render(page, tmp_path, "1100,1600")
    _assert_not_blank(image)
    assert 'id="headline"' in text
    assert f"Open {result.hubs[result.hubs['open']].iloc[0]['name']}" in text
    # the embedded map shows: the top 1600 px hold the land colour of the basemap
    pixels = (image.reshape(-1, 3) * 255).astype(int)
    land = np.array([0xF2, 0xEF, 0xE9])
    assert (np.abs(pixels - land).sum(axis=1) < 12).sum() > 10_000


@pytest.fixture(scope="module")
def free_analysis():
    """The bundled scenario as the README runs it (no hub pays), analysed once."""
    network = hubopt.datasets.morocco_kazakhstan()
    result = hubopt.solving.solve(network)
    return result, hubopt.briefing.analyse(result)


def _print_pdf(page: Path, tmp_path: Path) -> bytes:
    """brief.html printed to PDF by headless Chromium, with its print styles."""
    pdf = tmp_path / f"{page.parent.name}.pdf"
    run = _chromium(
        page,
        tmp_path / f"profile-pdf-{page.parent.name}",
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        "--print-to-pdf-no-header",
    )
    assert pdf.is_file(), run.stderr[-2000:]
    return pdf.read_bytes()


def _headings(html_text: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html_text, re.S)
    ]


@pytest.mark.slow  # 10 to 15 s a case: the pack's maps, then Chromium
@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("case", ["no_hub", "one_hub"])
def test_brief_prints_as_a_two_page_note(case, paper, pack, free_analysis, tmp_path):
    if case == "no_hub":
        result, found = free_analysis
    else:
        result, found = pack[1], pack[2]
    folder = tmp_path / f"{case}-{paper}"
    page = hubopt.report.write_brief(
        result,
        folder,
        baseline=found.baseline,
        single_hub=found.single_hub,
        ranking=found.ranking,
        break_evens=found.break_evens,
        title="Kazakh wheat through a Moroccan hub?",
        author="Ministry of Agriculture, Trade Policy Unit",
        paper=paper,
    )
    text = page.read_text(encoding="utf-8")
    size = {"a4": "A4", "letter": "letter"}[paper]
    assert f"@page{{size:{size};" in text
    # what keeps a heading off a page's foot, and a figure or table whole
    assert "h2{" in text and "break-after:avoid" in text
    assert ".keep{break-inside:avoid" in text
    data = _print_pdf(page, tmp_path)
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", data))
    assert 1 <= pages <= 2, f"{pages} pages on {paper}"
    try:
        import pypdf
    except ImportError:  # the CSS rules above and the page count then
        return
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages
    headings = set(_headings(text))
    texts = [p.extract_text() or "" for p in reader.pages]
    for number, page_text in enumerate(texts[:-1], start=1):
        lines = [line.strip() for line in page_text.splitlines() if line.strip()]
        assert lines, f"page {number} is empty"
        assert lines[-1] not in headings, f"page {number} ends with {lines[-1]!r}"
    # no near-empty last page: it holds more than a few lines
    assert pages == 1 or len(texts[-1].split()) > 80


#: Appended to the saved page by the test, not by hubopt: opens the tooltip of every
#: node and flow (Leaflet builds tooltips only when shown) and, once any image has
#: failed to load, records on <body> whether script from the data ran.
_PROBE = """<script>
for (var key in window) {
  var layer = window[key];
  if (layer && typeof layer.openTooltip === "function" && layer.getTooltip
      && layer.getTooltip() && !(layer instanceof L.GeoJSON)) { layer.openTooltip(); }
}
setTimeout(function () {
  document.body.setAttribute("data-pwned", String(window.__pwned !== undefined));
}, 2000);
</script>
"""

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}


class _Dom(HTMLParser):
    """Tags and attributes of the rendered DOM, the text of each tooltip, of the
    title box and of each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, list[str]] = {"tooltip": [], "title": [], "script": []}
        self._open: list[tuple[str, str | None]] = []  # tag, text kind collected

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in _VOID:
            return
        classes = set((attributes.get("class") or "").split())
        kind = (
            "tooltip"
            if "leaflet-tooltip" in classes
            else "title"
            if "hubopt-title" in classes
            else "script"
            if tag == "script"
            else None
        )
        if kind is not None:
            self.texts[kind].append("")
        self._open.append((tag, kind))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        kinds = {kind for _, kind in self._open if kind is not None}
        for kind in kinds:
            self.texts[kind][-1] += data


def test_names_from_data_run_no_script_in_the_map(tmp_path):
    """Hostile names, ids, corridor and network name (tests/_hostile.py) show as
    text in the tooltips and the title; none runs, injects an element or blanks the
    map."""
    from . import _hostile

    network = _hostile.network()
    result = hubopt.solving.solve(network)
    assert hubopt.check_solution(network, result) == []
    page = tmp_path / "interactive_map.html"
    hubopt.webmap.interactive_map(result, page, extent=None)
    text = page.read_text(encoding="utf-8")
    assert text.rstrip().endswith("</html>")
    page.write_text(text.rstrip()[: -len("</html>")] + _PROBE + "</html>\n", "utf-8")

    image, rendered = _render(page, tmp_path, "1000,800")
    _assert_not_blank(image)
    dom = _Dom()
    dom.feed(rendered)
    body = [attrs for tag, attrs in dom.elements if tag == "body"]
    assert body[0].get("data-pwned") == "false"  # the probe ran, no injected script
    # nothing from the names became an element or an event handler
    assert not any(tag == "img" for tag, _ in dom.elements)
    assert not any(name.startswith("on") for _, attrs in dom.elements for name in attrs)
    assert "window.__pwned=1" not in [s.strip() for s in dom.texts["script"]]
    # the map is drawn: every marker, circle and flow, and all tooltips open
    classes = _Rendered()
    classes.feed(rendered)
    assert classes.count("leaflet-marker-icon", "hubopt-hub") == 3
    assert classes.count("leaflet-marker-icon", "hubopt-origin") == 2
    assert classes.count("hubopt-market", "leaflet-interactive", tag="path") == 3
    assert classes.count("hubopt-flow", "leaflet-interactive", tag="path") == len(
        result.flows
    )
    # each tooltip shows its name or flow as plain text, exactly
    flows = [
        f"{f} → {t}: {q:,.0f} t"
        for f, t, q in result.flows[["from", "to", "tonnes"]].to_numpy()
    ]
    assert sorted(s.strip() for s in dom.texts["tooltip"]) == sorted(
        _hostile.NAMES + flows
    )
    # the title box holds the network's name as text, not as a Jinja template
    (title,) = dom.texts["title"]
    assert title.startswith(f"{_hostile.NETWORK_NAME}: 2 hubs opened")
    assert _hostile.HUB_NAMES["H1"] in title and "49" not in title
