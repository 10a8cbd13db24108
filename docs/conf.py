"""Sphinx configuration for the hubopt documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` from the
root of a checkout (``pip install ".[docs]"`` first). The pages are Markdown read by
myst-parser; the API pages use autodoc with numpydoc.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # document the checkout, installed or not

project = "hubopt"
author = "the hubopt developers"
copyright = "2026, the hubopt developers"

try:
    from importlib.metadata import version as _version

    release = _version("hubopt")
except Exception:  # pragma: no cover - not installed
    release = "0.1.0"
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# myst: heading anchors so that links such as format.md#validation resolve.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc + numpydoc: the annotations carry the types; members are listed by autodoc.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# No network during the build: intersphinx has no mappings, so it never downloads.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "alabaster"
html_title = f"hubopt {release}"
html_static_path: list[str] = []

# Pages written by other parts of the project; each is listed in the user guide when
# its file exists, so the build never points at a page that has not landed yet.
OPTIONAL_PAGES = ["scenarios", "maps", "performance"]
PLACEHOLDER = "<!-- optional pages -->"


# Decided once, when the build starts, so a page landing mid-build cannot be listed
# without having been read.
PRESENT_PAGES = [name for name in OPTIONAL_PAGES if (HERE / f"{name}.md").is_file()]
exclude_patterns += [
    f"{name}.md" for name in OPTIONAL_PAGES if name not in PRESENT_PAGES
]


def _optional_pages(app, docname: str, source: list[str]) -> None:
    if docname == "index":
        source[0] = source[0].replace(PLACEHOLDER, "\n".join(PRESENT_PAGES))


def setup(app) -> dict[str, bool]:
    app.connect("source-read", _optional_pages)
    return {"parallel_read_safe": True}
