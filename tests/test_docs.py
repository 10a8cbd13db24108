"""The Sphinx documentation builds with warnings as errors.

Skipped only when sphinx (or numpydoc / myst-parser) is not installed; the ``docs`` and
``test`` extras install them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

pytest.importorskip("sphinx")
pytest.importorskip("numpydoc")
pytest.importorskip("myst_parser")


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-j",
            "auto",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-5000:] or proc.stdout[-5000:]
    for page in (
        "index",
        "getting-started",
        "what-decides",
        "faq",
        "licence",
        "format",
        "model",
    ):
        assert (out / f"{page}.html").is_file(), page
    api = sorted(p.stem for p in (out / "api").glob("*.html"))
    assert "network" in api
    assert "solving" in api


def test_every_public_module_has_an_api_page() -> None:
    modules = {
        p.stem
        for p in (ROOT / "hubopt").glob("*.py")
        if not p.stem.startswith("_") and p.stem != "__main__"
    }
    pages = {p.stem for p in (DOCS / "api").glob("*.rst")} - {"index"}
    missing = sorted(modules - pages)
    assert not missing, f"add docs/api/<module>.rst for {missing}"
    stale = sorted(pages - modules)
    assert not stale, f"docs/api pages for modules that do not exist: {stale}"


def test_pages_in_the_user_guide_exist() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in (
        "getting-started",
        "format",
        "model",
        "geography",
        "what-decides",
        "data",
        "faq",
    ):
        assert page in index
        assert (DOCS / f"{page}.md").is_file()
