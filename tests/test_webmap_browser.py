"""The interactive map's permanent labels as Chromium draws them: after the
decluttering no two visible labels overlap, and the important ones stay visible.
Skipped where Chromium is missing and ``CI`` is unset, like tests/test_browser.py."""

from __future__ import annotations

import html
import json
import os
import re

import pytest

import hubopt
from hubopt import webmap

from .conftest import solved
from .test_browser import CHROMIUM, _chromium

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed",
)

#: Appended to the saved page by the test, not by hubopt: once the map has settled,
#: writes every label's class, visibility and box into the page as JSON.
_PROBE = """
<script>
setTimeout(function () {
  var out = [];
  document.querySelectorAll('.leaflet-tooltip.hubopt-label').forEach(function (el) {
    var r = el.getBoundingClientRect();
    out.push([el.className, el.style.visibility, el.textContent,
              r.left, r.top, r.right, r.bottom]);
  });
  var pre = document.createElement('pre');
  pre.id = 'hubopt-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 2000);
</script>
"""


def _labels(page, tmp_path) -> list[list]:
    page.write_text(page.read_text(encoding="utf-8") + _PROBE, encoding="utf-8")
    run = _chromium(page, tmp_path / "profile", "--dump-dom", "--window-size=1400,1000")
    found = re.search(r'<pre id="hubopt-probe">(.*?)</pre>', run.stdout, re.S)
    assert found, run.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def test_visible_labels_do_not_overlap(tmp_path):
    result = solved(hubopt.datasets.morocco_kazakhstan())
    page = tmp_path / "map.html"
    webmap.interactive_map(result, page, fallback_hub="HUB_DAKHLA_ATLANTIQUE")
    labels = _labels(page, tmp_path)
    network = result.network
    assert len(labels) == len(network.hubs) + len(network.destinations) + len(
        network.origins
    )
    shown = [lab for lab in labels if lab[1] != "hidden"]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            apart = a[5] <= b[3] or b[5] <= a[3] or a[6] <= b[4] or b[6] <= a[4]
            assert apart, (a[2], b[2])
    texts = {lab[2] for lab in shown}
    # the fallback and every origin keep their label at the first zoom
    assert "Dakhla Atlantique: best single hub if one must be built" in texts
    for name in network.origins["name"]:
        assert name in texts
    assert len(shown) >= len(labels) // 2
