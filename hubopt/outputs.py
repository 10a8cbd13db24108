"""Output folders: written all-or-nothing, and only inside the folder the user named.

Every writer in hubopt (:meth:`hubopt.Result.write`, the briefing pack, ``compare`` and
``robust``) builds its files in a hidden temporary sibling of the target folder,
``.NAME.hubopt-PID-XXXXXXXX``, and moves them in only once every file is complete:

* a target that does not exist yet appears with one rename of the sibling;
* in an existing folder, the files hubopt wrote there before (listed in its manifest,
  ``.hubopt.json``) give way to the new set; every other file is left alone, and a
  file of the new set whose name is taken by a file hubopt did not write is refused,
  with ``overwrite`` or without;
* a failure or Ctrl-C while the files are written leaves the folder as it was and
  removes the sibling; a full disk or a read-only folder is an :class:`OutputError`;
* the swap itself (a few renames) runs with SIGINT and SIGTERM held back and keeps a
  journal in the sibling, so a process killed in the middle of it is completed by
  the next run that writes to the same folder.

Scenario names become file names through :func:`file_names`, never as they are.

>>> import tempfile
>>> from pathlib import Path
>>> target = Path(tempfile.mkdtemp()) / "out"
>>> with output_folder(target, overwrite=False) as staging:
...     _ = (staging / "a.txt").write_text("new")
>>> sorted(p.name for p in target.iterdir())
['.hubopt.json', 'a.txt']
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import OutputError, ValidationError

#: The manifest: which entries of a folder hubopt wrote.
MANIFEST = ".hubopt.json"
#: The journal of a swap in progress, kept in the temporary sibling.
_JOURNAL = ".hubopt-swap.json"
#: Where the entries of the earlier set wait during a swap, inside the sibling.
_OLD = ".hubopt-old"
#: The longest file name kept as it is, in UTF-8 bytes (file systems allow 255).
MAX_KEPT_BYTES = 100
#: Names Windows reserves whatever their extension.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(10)}
    | {f"LPT{i}" for i in range(10)}
)
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "a file name is too long",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
}


def file_names(names: Iterable[str]) -> dict[str, str]:
    """Distinct, safe file names for names from data (scenario names).

    A name made only of letters, digits, ``-``, ``_`` and ``.``, not starting with
    ``.``, of at most 100 bytes in UTF-8, not a name Windows reserves and not equal
    to another name but for case, is kept as it is. Any other has each other
    character replaced by ``_``, is cut to 40 characters and gets ``-`` and eight
    hexadecimal digits of its SHA-256 appended, so that no two names share a file
    and none can name a path (``/``, ``..``, an absolute path).

    Parameters
    ----------
    names
        The names, each a non-empty string.

    Returns
    -------
    dict
        Name -> file name (without extension).

    Examples
    --------
    >>> file_names(["base", "../../x", "Red Sea/Suez", "Bosporus", "bosporus"])
    ... # doctest: +NORMALIZE_WHITESPACE
    {'base': 'base', '../../x': '______x-9cdf6a50',
     'Red Sea/Suez': 'Red_Sea_Suez-2217959c', 'Bosporus': 'Bosporus-9706ded7',
     'bosporus': 'bosporus-d8330a3f'}
    """
    names = list(dict.fromkeys(names))
    folded: dict[str, int] = {}
    for name in names:
        key = unicodedata.normalize("NFC", name).casefold()
        folded[key] = folded.get(key, 0) + 1
    out = {}
    for name in names:
        key = unicodedata.normalize("NFC", name).casefold()
        if _keepable(name) and folded[key] == 1:
            out[name] = name
            continue
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        stem = "".join(c if _safe_char(c) and c != "." else "_" for c in name)
        out[name] = f"{stem[:40] or 'scenario'}-{digest[:8]}"
    return out


def _safe_char(char: str) -> bool:
    return char in "-_." or (char.isalnum() and unicodedata.category(char)[0] in "LN")


def _keepable(name: str) -> bool:
    return (
        bool(name)
        and name == unicodedata.normalize("NFC", name)
        and all(_safe_char(c) for c in name)
        and not name.startswith(".")
        and len(name.encode("utf-8")) <= MAX_KEPT_BYTES
        and name.split(".")[0].upper() not in _RESERVED
    )


def check_target(
    target: str | os.PathLike[str],
    *,
    overwrite: bool,
    inputs: Iterable[str | os.PathLike[str]] = (),
    names: Iterable[str] = (),
) -> Path:
    """Check an output folder before the work that fills it starts.

    Parameters
    ----------
    target
        The output folder.
    overwrite
        Whether the results of an earlier run there may be replaced.
    inputs
        Files and folders the run reads (the network, a scenario file): the target
        may not be one of them nor hold one (a folder inside an input folder is
        fine).
    names
        Entries the run will write, to refuse early a name taken by a file hubopt
        did not write.

    Returns
    -------
    pathlib.Path
        The target.

    Raises
    ------
    ValidationError
        The target is a file, is or holds an input, holds an earlier run's results
        and ``overwrite`` is False, or holds a file of one of ``names`` that hubopt
        did not write.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_target(folder, overwrite=False, inputs=[folder / "network"])
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: the output folder '...' holds the input '...'; \
hubopt never writes where its input is: choose another output folder
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        msg = f"'{target}' is a file, not a folder; choose another output folder"
        raise ValidationError(msg)
    here = _absolute(target)
    for item in inputs:
        path = _absolute(Path(item))
        if path == here or here in path.parents:
            what = "is" if path == here else "holds"
            msg = (
                f"the output folder '{target}' {what} the input '{item}'; hubopt never "
                "writes where its input is: choose another output folder"
            )
            raise ValidationError(msg)
    _recover(target)
    owned = _owned(target)
    if owned and not overwrite:
        msg = (
            f"'{target / sorted(owned)[0]}' exists; pass overwrite=True (--overwrite) "
            f"to replace the results of the earlier hubopt run in '{target}', or "
            "choose another output folder"
        )
        raise ValidationError(msg)
    _refuse_foreign(target, set(names), owned)
    return target


def _absolute(path: Path) -> Path:
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def output_folder(
    target: str | os.PathLike[str],
    *,
    overwrite: bool,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Path]:
    """A temporary folder to write a set of outputs into, swapped into ``target``
    when the block ends without an error (see the module's description).

    Parameters
    ----------
    target
        The output folder; created (with its parents) when missing.
    overwrite
        Whether the files of an earlier hubopt run in ``target`` may be replaced.
    inputs
        As in :func:`check_target`.

    Yields
    ------
    pathlib.Path
        The temporary folder; write the whole set there.

    Raises
    ------
    ValidationError
        As in :func:`check_target`.
    OutputError
        The files could not be written (disk full, read-only folder, ...); the
        target is left as it was.
    """
    target = check_target(target, overwrite=overwrite, inputs=inputs)
    staging: Path | None = None
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(
                tempfile.mkdtemp(
                    prefix=f".{target.name}.hubopt-{os.getpid()}-", dir=target.parent
                )
            )
        except OSError as exc:
            raise OutputError(_message(exc, target)) from exc
        try:
            yield staging
            entries = sorted(p.name for p in staging.iterdir())
            _write_manifest(staging, entries)
        except OSError as exc:
            raise OutputError(_message(exc, target)) from exc
        _swap(staging, target, [*entries, MANIFEST])
    finally:
        if staging is not None:
            # a Ctrl-C during the clean-up (the old set is deleted here after a
            # swap) waits for it: no half-deleted sibling is left behind
            with _signals_held():
                shutil.rmtree(staging, ignore_errors=True)


def _message(exc: OSError, target: Path) -> str:
    reason = _REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename else ""
    return (
        f"could not write the results to '{target}': {reason}{where}; nothing there "
        "was changed. Free some space, or choose a folder you can write to"
    )


def _write_manifest(folder: Path, entries: list[str]) -> None:

    data = {"written_by": f"hubopt {__version__}", "entries": entries}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def _owned(target: Path) -> set[str]:
    """The entries of ``target`` that hubopt wrote, from its manifest."""
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        entries = data["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    safe = {
        e for e in entries if isinstance(e, str) and e and "/" not in e and e != ".."
    }
    return {e for e in safe if (target / e).exists() or (target / e).is_symlink()}


def _refuse_foreign(target: Path, names: set[str], owned: set[str]) -> None:
    taken = sorted(
        n
        for n in names - owned - {MANIFEST}
        if (target / n).exists() or (target / n).is_symlink()
    )
    if taken:
        msg = (
            f"'{target / taken[0]}' exists and hubopt did not write it (its "
            f"{MANIFEST} does not list it); hubopt replaces only its own files: move "
            "it away or choose another output folder"
        )
        raise ValidationError(msg)


def _swap(staging: Path, target: Path, entries: list[str]) -> None:
    """Move the new set from ``staging`` into ``target``, the old set out."""
    if not target.exists():
        try:
            os.rename(staging, target)
        except OSError as exc:
            raise OutputError(_message(exc, target)) from exc
        return
    owned = _owned(target)
    _refuse_foreign(target, set(entries), owned)
    journal = {"target": str(_absolute(target)), "old": sorted(owned), "new": entries}
    with _signals_held():
        try:
            (staging / _JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
            _move_in(staging, target, journal)
        except OSError as exc:
            _roll_back(staging, target, journal)
            raise OutputError(_message(exc, target)) from exc


def _move_in(staging: Path, target: Path, journal: dict[str, Any]) -> None:
    """The renames of a swap; each step is skipped when done, so that a swap cut
    short can be completed by running this again."""
    old = staging / _OLD
    old.mkdir(exist_ok=True)
    for name in journal["old"]:
        present = (target / name).exists() or (target / name).is_symlink()
        if present and not (old / name).exists():
            os.rename(target / name, old / name)
    for name in journal["new"]:
        if (staging / name).exists() or (staging / name).is_symlink():
            os.replace(staging / name, target / name)


def _roll_back(staging: Path, target: Path, journal: dict[str, Any]) -> None:
    """Undo a swap that failed part-way (best effort): the old set goes back."""
    old = staging / _OLD
    for name in journal["new"]:
        if name not in journal["old"] and (target / name).exists():
            with contextlib.suppress(OSError):
                os.replace(target / name, staging / name)
    for name in journal["old"]:
        if (old / name).exists():
            with contextlib.suppress(OSError):
                os.replace(old / name, target / name)
    with contextlib.suppress(OSError):
        (staging / _JOURNAL).unlink()


def _recover(target: Path) -> None:
    """Complete the swaps, and remove the temporary folders, that a killed run
    left beside ``target``."""
    pattern = f".{glob.escape(target.name)}.hubopt-*"
    for sibling in Path(target.parent).glob(pattern):
        pid = sibling.name[len(target.name) + 9 :].split("-")[0]
        if not sibling.is_dir() or not pid.isdigit() or _alive(int(pid)):
            continue
        journal_file = sibling / _JOURNAL
        with contextlib.suppress(OSError, ValueError, KeyError):
            journal = json.loads(journal_file.read_text(encoding="utf-8"))
            if Path(journal["target"]) == _absolute(target):
                _move_in(sibling, target, journal)
        shutil.rmtree(sibling, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM during a block; deliver them after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    kept = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        kept[sig] = signal.signal(sig, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in kept.items():
            signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])
