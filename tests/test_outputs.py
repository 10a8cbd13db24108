"""Output folders: only inside --out, all-or-nothing, never over the input or a
file hubopt did not write; safe file names for scenario names."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import hubopt
from hubopt import outputs
from hubopt.cli import main

TINY = hubopt.datasets.path("tiny")


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder, by relative path, with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.glob(f".{folder.name}.hubopt-*"))


# ---------------------------------------------------------------- file names
@pytest.mark.parametrize(
    "name",
    [
        "../../x",
        "/etc/passwd",
        "..",
        ".",
        "a/../../b",
        "C:\\x",
        "con",
        "NUL.txt",
        ".hidden",
        "x" * 150,
        "Red Sea\x7f",
        "tab\tname",
        "é" * 60,
        "a b",
        "",
    ],
)
def test_file_names_never_name_a_path(name):
    mapped = outputs.file_names([name])[name]
    assert mapped and "/" not in mapped and "\\" not in mapped
    assert not mapped.startswith(".")
    assert len(mapped.encode()) <= 100
    assert mapped.split(".")[0].upper() not in outputs._RESERVED


def test_file_names_keep_plain_names_and_separate_the_others():
    names = ["base", "dry_year", "Закрытие", "Red Sea/Suez", "Red Sea_Suez", "A", "a"]
    mapped = outputs.file_names(names)
    assert mapped["base"] == "base"
    assert mapped["dry_year"] == "dry_year"
    assert mapped["Закрытие"] == "Закрытие"
    assert mapped["Red Sea/Suez"].startswith("Red_Sea_Suez-")
    assert mapped["Red Sea/Suez"] != mapped["Red Sea_Suez"]
    assert mapped["A"] != "A" and mapped["a"] != "a"  # same but for case
    assert len({v.casefold() for v in mapped.values()}) == len(names)
    assert outputs.file_names(names) == mapped  # the same every time


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("nul\x00byte", "control character"),
        ("x" * 201, "at most 200"),
        ("  ", "non-empty"),
    ],
)
def test_scenario_names_refused_up_front(name, match):
    with pytest.raises(hubopt.ValidationError, match=match):
        hubopt.Scenario(name)


def test_scenario_file_with_a_nul_name_fails_before_solving(tmp_path):
    file = tmp_path / "s.toml"
    file.write_text('[[scenario]]\nname = "a\\u0000b"\n', encoding="utf-8")
    with pytest.raises(hubopt.ValidationError, match="control character"):
        hubopt.read_scenarios(file)


# ---------------------------------------------------------------- where files go
def test_hostile_scenario_names_write_only_inside_out(tmp_path, capsys):
    work = tmp_path / "work"
    net = work / "net"
    hubopt.write_network(hubopt.datasets.tiny(), net)
    out = work / "out"
    names = ["base", "../../escape", "..", str(tmp_path / "abs"), "../net", "maps"]
    lines = [f'network = "{net}"']
    for name in names:
        lines += [
            "[[scenario]]",
            f"name = {json.dumps(name)}",
            "freight_multiplier = 1.1",
        ]
    (work / "s.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _tree(tmp_path)
    assert (
        main(["compare", str(work / "s.toml"), "--out", str(out), "--workers", "1"])
        == 0
    )
    after = _tree(tmp_path)
    changed = {k for k in after if before.get(k) != after[k]} | set(before) - set(after)
    assert changed and all(k.startswith("work/out/") for k in changed), changed
    table = (out / "comparison.csv").read_text(encoding="utf-8")
    for folder in (out / "scenarios").iterdir():
        assert folder.name in table and (folder / "summary.json").exists()
    assert len(list((out / "scenarios").iterdir())) == len(names)
    assert _siblings(out) == []


def test_out_may_not_be_or_hold_the_input(tmp_path, capsys):
    net = tmp_path / "net"
    hubopt.write_network(hubopt.datasets.tiny(), net)
    before = _tree(net)
    for out in (net, tmp_path):
        for command in ("solve", "brief"):
            code = main([command, str(net), "--out", str(out), "--overwrite"])
            assert code == 2
            assert "hubopt never writes where its input is" in capsys.readouterr().err
    assert _tree(net) == before
    assert main(["solve", str(net), "--out", str(net / "results")]) == 0  # inside: fine
    assert {
        k: v for k, v in _tree(net).items() if not k.startswith("results")
    } == before


def test_overwrite_replaces_only_what_hubopt_wrote(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", str(TINY), "--out", str(out), "--max-hubs", "1"]) == 0
    (out / "notes.txt").write_text("mine")
    assert main(["solve", str(TINY), "--out", str(out), "--overwrite"]) == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "summary.json").read_text())["hubs_opened"] == ["H1", "H2"]
    # a later kind of output replaces the earlier set as a whole
    assert main(["brief", str(TINY), "--out", str(out), "--overwrite"]) == 0
    assert (out / "brief.html").exists() and (out / "notes.txt").read_text() == "mine"


def test_a_file_hubopt_did_not_write_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "hubs.csv").write_text("my own table\n")
    for extra in ([], ["--overwrite"]):
        assert main(["solve", str(TINY), "--out", str(out), *extra]) == 2
        err = capsys.readouterr().err
        assert "hubopt did not write it" in err, err
    assert sorted(p.name for p in out.iterdir()) == ["hubs.csv"]
    assert (out / "hubs.csv").read_text() == "my own table\n"


def test_a_failed_run_leaves_no_output_folder(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["brief", str(TINY), "--out", str(out), "--max-hubs", "0"]) == 3
    assert not out.exists() and _siblings(out) == []


# ---------------------------------------------------------------- all or nothing
@pytest.fixture
def old_pack(tmp_path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "pack"
    assert main(["brief", str(TINY), "--out", str(out), "--max-hubs", "1"]) == 0
    return out, _tree(out)


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError(errno.ENOSPC, "full")])
def test_a_failure_while_writing_leaves_the_old_set(
    old_pack, monkeypatch, capsys, error
):
    out, before = old_pack
    import hubopt.result

    real = hubopt.result.write_text_atomic
    calls = []

    def failing(text, file, overwrite=True):
        calls.append(file)
        if Path(file).name == "summary.json":
            raise error
        return real(text, file, overwrite)

    monkeypatch.setattr(hubopt.result, "write_text_atomic", failing)
    code = main(["brief", str(TINY), "--out", str(out), "--overwrite"])
    assert calls
    assert code == (130 if error is KeyboardInterrupt else 2)
    err = capsys.readouterr().err
    if error is not KeyboardInterrupt:
        assert "the disk is full" in err and "nothing there was changed" in err
    assert _tree(out) == before
    assert _siblings(out) == []


def test_read_only_target_is_a_clear_error(tmp_path, capsys):
    code = main(["solve", str(TINY), "--out", "/proc/hubopt-out"])
    assert code == 2
    err = capsys.readouterr().err
    assert "could not write the results to '/proc/hubopt-out'" in err
    assert "Traceback" not in err


def test_disk_full_from_the_library_is_an_output_error(tmp_path, monkeypatch):
    import hubopt.result

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hubopt.result, "write_text_atomic", full)
    with pytest.raises(hubopt.OutputError, match="the disk is full"):
        hubopt.solve(hubopt.datasets.tiny()).write(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


_KILL_MID_SWAP = """
import os, sys
import hubopt, hubopt.outputs as o
real_replace, real_swap, moved = os.replace, o._swap, []
def replace(a, b):
    real_replace(a, b)
    if swapping:
        moved.append(b)
        if len(moved) == 3:
            os._exit(9)
def swap(*args):
    global swapping
    swapping = True
    real_swap(*args)
swapping = False
o.os.replace, o._swap = replace, swap
hubopt.solve(hubopt.datasets.tiny()).write(sys.argv[1], overwrite=True)
"""


def test_a_swap_cut_short_by_a_kill_is_completed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    hubopt.solve(hubopt.datasets.tiny(), max_hubs=1).write(out)
    code = subprocess.run(
        [sys.executable, "-c", _KILL_MID_SWAP, str(out)], check=False
    ).returncode
    assert code == 9
    assert _siblings(out)  # the journal waits beside it
    outputs.check_target(out, overwrite=True)  # any next run completes the swap
    assert _siblings(out) == []
    manifest = json.loads((out / outputs.MANIFEST).read_text())["entries"]
    assert (
        sorted(p.name for p in out.iterdir() if p.name != outputs.MANIFEST) == manifest
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["hubs_opened"] == ["H1", "H2"]  # the new set, whole


def test_ctrl_c_after_the_mip_keeps_what_was_found(tmp_path, monkeypatch, capsys):
    from hubopt import model

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    # the tie-break LP with the hubs fixed, which also gives the marginal values
    monkeypatch.setattr(model, "settle", interrupted)
    out = tmp_path / "out"
    assert main(["solve", str(TINY), "--out", str(out)]) == 130
    run = json.loads((out / "run.json").read_text())
    assert run["interrupted"] is True
    assert (out / "flows.csv").exists()
    assert "what was found is in" in capsys.readouterr().err


def test_ctrl_c_during_the_comparisons_writes_the_brief_marked(
    tmp_path, monkeypatch, capsys
):
    from hubopt import decisions

    def interrupted(_result):
        raise KeyboardInterrupt

    monkeypatch.setattr(decisions, "direct_baseline", interrupted)
    out = tmp_path / "out"
    assert main(["brief", str(TINY), "--out", str(out)]) == 130
    page = (out / "brief.html").read_text(encoding="utf-8")
    assert "The run was interrupted (Ctrl-C)" in page
    assert "what was found is in" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_sigint_at_any_moment_leaves_a_whole_set(tmp_path):
    """Ctrl-C sent to `hubopt brief --overwrite` at several moments: the folder holds
    the old pack or the new one, whole, and nothing beside it."""
    out = tmp_path / "pack"
    assert main(["brief", str(TINY), "--out", str(out), "--max-hubs", "1"]) == 0
    old = _tree(out)
    script = textwrap.dedent(
        """
        import sys
        from hubopt.cli import main
        print("ready", flush=True)
        sys.exit(main(sys.argv[1:]))
        """
    )
    seen = set()
    start = time.monotonic()
    assert main(["brief", str(TINY), "--out", str(tmp_path / "timed")]) == 0
    took = time.monotonic() - start
    for share in (0.0, 0.3, 0.6, 0.9, 1.2, 3.0):
        delay = share * took
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                "brief",
                str(TINY),
                "--out",
                str(out),
                "--overwrite",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        proc.stdout.readline()
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
        now = _tree(out)
        assert _siblings(out) == []
        if now == old:
            seen.add("old")
            continue
        seen.add("new")
        manifest = json.loads(now[outputs.MANIFEST])["entries"]
        assert sorted(n for n in now if n != outputs.MANIFEST) == sorted(manifest)
        summary = json.loads(now["summary.json"])
        hubs = pd.read_csv(out / "hubs.csv")
        assert sorted(hubs.loc[hubs["open"], "hub_id"]) == summary["hubs_opened"]
        assert "brief.html" in now and "results.gpkg" in now
        assert (
            main(
                [
                    "brief",
                    str(TINY),
                    "--out",
                    str(out),
                    "--max-hubs",
                    "1",
                    "--overwrite",
                ]
            )
            == 0
        )
        old = _tree(out)
    assert seen == {"old", "new"}
