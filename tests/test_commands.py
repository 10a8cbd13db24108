"""Every command shown in README.md and docs/*.md runs as written.

The commands are the ``hubopt ...`` and ``python examples/...`` lines of the pages' code
blocks (``bash`` blocks and blocks without a language, and the ``$ `` lines of ``text``
and ``console`` blocks). Each runs from a temporary folder outside the checkout, with
``examples/`` resolved against the repository, and must exit 0 (or 2 where the page
shows the command failing with a ``hubopt:`` message) and write the outputs it names.
Files a page writes out in full (a TOML block whose first line is ``# NAME.toml``) are
put in the temporary folder first, so that the commands reading them run too.

Not run, and why (:data:`SKIPPED`): installing (``pip install``), the test suite and the
docs build themselves (``python -m pytest``, ``python -m sphinx``), and synopsis lines
with placeholders (``NETWORK``, ``DIR``, ``[...]``, ``path/to/...``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Commands that are shown but not run here: (pattern, why).
SKIPPED = (
    (r"^pip install\b", "installs hubopt: the test runs the checkout"),
    (r"^python -m pytest\b", "the test suite itself"),
    (r"^python -m sphinx\b", "the docs build: tests/test_docs.py runs it"),
    (r"\b[A-Z][A-Z_]*[A-Z]\b(?!=)|\[|path/to/", "a synopsis with placeholders"),
)
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_RUNNABLE = re.compile(r"^(\w+=\S+ )*(hubopt|python examples/)")


@dataclass(frozen=True)
class Command:
    page: str
    line: str  # as the page shows it
    expect: int  # the exit code


def _blocks(page: Path) -> list[tuple[str, str]]:
    return [
        (m.group(1).strip(), m.group(2))
        for m in _FENCE.finditer(page.read_text(encoding="utf-8"))
    ]


def _joined(lines: list[str]) -> list[str]:
    """The lines with each shell continuation (a trailing backslash) joined to the next."""
    out: list[str] = []
    carry = ""
    for raw in lines:
        if raw.rstrip().endswith("\\"):
            carry += raw.rstrip()[:-1].rstrip() + " "
            continue
        out.append(carry + (raw.strip() if carry else raw))
        carry = ""
    if carry:
        out.append(carry.rstrip())
    return out


def _commands(page: Path) -> tuple[list[Command], list[tuple[str, str]]]:
    """The runnable commands of a page, and the skipped ones with the reason."""
    run, skipped = [], []
    for lang, body in _blocks(page):
        if lang not in ("", "bash", "sh", "shell", "console", "text"):
            continue
        prompted = lang in ("text", "console")
        lines = _joined(body.splitlines())
        for pos, raw in enumerate(lines):
            text = raw.strip()
            if prompted:
                if not text.startswith("$ "):
                    continue
                text = text[2:]
            text = re.sub(r"\s+#.*$", "", text)  # a trailing comment
            for part in (p.strip() for p in text.split("&&")):
                why = next((w for pat, w in SKIPPED if re.search(pat, part)), None)
                if why is not None:
                    skipped.append((part, why))
                    continue
                if not _RUNNABLE.match(part):
                    continue
                # a page that shows the command failing shows "hubopt: ..." next
                shown = lines[pos + 1].strip() if pos + 1 < len(lines) else ""
                fails = prompted and shown.startswith("hubopt: ")
                run.append(Command(page.name, part, 2 if fails else 0))
    return run, skipped


def _all_commands() -> list[Command]:
    seen, out = set(), []
    for page in PAGES:
        for command in _commands(page)[0]:
            key = (command.line, command.expect)
            if key not in seen:  # the same command on two pages runs once
                seen.add(key)
                out.append(command)
    return out


def _page_files(folder: Path) -> None:
    """Files the pages write out in full (``# NAME.toml`` first line), into folder."""
    for page in PAGES:
        for lang, body in _blocks(page):
            first = body.splitlines()[0] if body.strip() else ""
            found = re.match(r"#\s*([\w.-]+\.toml)\b", first)
            if lang == "toml" and found:
                (folder / found.group(1)).write_text(body, encoding="utf-8")


def _argv(line: str, folder: Path) -> tuple[list[str], dict[str, str]]:
    """The command line as a list, with its env assignments, examples/ resolved
    against the checkout and an absolute /tmp/ output moved into ``folder``."""
    words = shlex.split(line)
    env = {}
    while words and re.match(r"^\w+=", words[0]):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    out = []
    for word in words:
        if word.startswith("examples/"):
            word = str(ROOT / word)
        elif word.startswith("/tmp/"):
            word = str(folder / word.removeprefix("/tmp/"))
        out.append(word)
    if out[0] == "hubopt":
        script = Path(sys.executable).with_name("hubopt")
        out[0:1] = (
            [str(script)]
            if script.is_file()
            else [
                sys.executable,
                "-c",
                "import sys; from hubopt.cli import main; sys.exit(main())",
            ]
        )
    elif out[0] == "python":
        out[0] = sys.executable
    return out, env


#: What a command writes, by its kind: the files to find in its output folder.
_OUTPUTS = {
    "brief": ("brief.html", "map.png", "interactive_map.html", "summary.json"),
    "solve": ("summary.json", "flows.csv"),
    "compare": ("comparison.csv", "scenarios"),
    "robust": ("robust.csv", "scenarios"),
}


def _expected_outputs(argv: list[str], line: str, folder: Path) -> list[Path]:
    """The outputs a command names, relative paths taken from ``folder``."""
    words = shlex.split(line)
    if "--out" in argv:
        out = folder / argv[argv.index("--out") + 1]
        kind = words[words.index("hubopt") + 1] if "hubopt" in words else ""
        return [out, *(out / name for name in _OUTPUTS.get(kind, ()))]
    if any(w.startswith("examples/") and w.endswith(".py") for w in words):
        script = next(i for i, w in enumerate(argv) if w.endswith(".py"))
        return [folder / argv[script + 1]] if len(argv) > script + 1 else []
    return []


def test_commands_are_found():
    lines = {c.line for c in _all_commands()}
    assert "hubopt brief --out hubopt-brief" in lines  # README's first command
    assert "hubopt robust examples/scenarios.toml --out rob" in lines
    assert "hubopt datasets" in lines
    skipped = {why for page in PAGES for _, why in _commands(page)[1]}
    assert "a synopsis with placeholders" in skipped
    assert any(
        line.startswith("pip install")
        for page in PAGES
        for line, _ in _commands(page)[1]
    )


def test_continued_lines_are_one_command():
    assert _joined(["hubopt brief --out pack \\", '    --title "A b"', "next"]) == [
        'hubopt brief --out pack --title "A b"',
        "next",
    ]


def test_synopsis_lines_are_skipped():
    for line in (
        "hubopt validate NETWORK",
        "hubopt brief [NETWORK] --out DIR [solve options]",
        "hubopt brief path/to/network --out pack/ --max-hubs 2 --overwrite",
    ):
        assert any(re.search(pat, line) for pat, _ in SKIPPED[3:]), line
    for line in (
        "MPLBACKEND=Agg python examples/quickstart.py /tmp/quickstart",
        "hubopt compare examples/scenarios.toml --out cmp",
    ):
        assert not any(re.search(pat, line) for pat, _ in SKIPPED), line


@pytest.mark.slow
def test_every_documented_command_runs(tmp_path: Path) -> None:
    folder = tmp_path / "work"  # outside the checkout
    folder.mkdir()
    _page_files(folder)
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    failures = []
    for command in _all_commands():
        argv, extra = _argv(command.line, folder)
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=folder,
            timeout=600,
        )
        if proc.returncode != command.expect:
            failures.append(
                f"{command.page}: `{command.line}` exited {proc.returncode}, expected "
                f"{command.expect}\n{proc.stderr[-2000:]}"
            )
            continue
        if command.expect == 0:
            missing = [
                str(p)
                for p in _expected_outputs(argv, command.line, folder)
                if not p.exists()
            ]
            if missing:
                failures.append(f"{command.page}: `{command.line}` wrote no {missing}")
    assert not failures, "\n\n".join(failures)
    assert not (ROOT / "cmp").exists() and not (ROOT / "rob").exists()


def test_pages_read_raw_show_no_doc_roles_and_their_links_resolve():
    # README.md is read raw on GitHub; these pages are read raw as often as built
    for page in (
        ROOT / "README.md",
        ROOT / "docs" / "getting-started.md",
        ROOT / "docs" / "scenarios.md",
    ):
        text = page.read_text(encoding="utf-8")
        assert "{doc}" not in text, page.name
        for target in re.findall(r"\]\(([^)#\s]+?)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name}: link {target}"
