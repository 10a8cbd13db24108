"""Every script in examples/ runs, with the Agg backend, writing only to tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def _tree(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if "__pycache__" not in p.parts
    }


def test_there_are_examples() -> None:
    names = {p.stem for p in SCRIPTS}
    assert {
        "quickstart",
        "morocco_kazakhstan_briefing",
        "disruption_robust_choice",
        "cost_co2_frontier",
        "own_ports_geodataframe",
        "orlib_instances",
        "seasons_reserve",
    } <= names


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    out = tmp_path / "out"
    before = _tree(EXAMPLES)
    proc = subprocess.run(
        [sys.executable, str(script), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 0, (
        f"{script.name} failed\nstdout:\n{proc.stdout[-3000:]}\n"
        f"stderr:\n{proc.stderr[-5000:]}"
    )
    assert proc.stdout.strip(), f"{script.name} printed nothing"
    assert out.is_dir() and any(out.iterdir()), f"{script.name} wrote no outputs"
    assert _tree(EXAMPLES) == before, f"{script.name} wrote into examples/"


def test_scripts_document_how_to_run_them() -> None:
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        assert text.startswith('"""'), f"{script.name} needs a module docstring"
        assert f"examples/{script.name}" in text, f"{script.name}: say how to run it"
