"""Reading configuration files safely: TOML only, paths resolved against the file.

Configuration and scenario files are read with :mod:`tomllib` (data only: no pickle, no
``eval``, no YAML tags, nothing that runs code). Paths written in a config file are
resolved relative to the folder of that file, not to the current working directory, so
the same file gives the same result wherever the command is started. A file whose
``[paths]`` table says ``confine = true`` may not point outside its own folder: a path
that escapes through ``..``, an absolute path elsewhere, or a symbolic link leading out
is refused with a :class:`~hubopt.errors.ValidationError`.

Other modules (e.g. :mod:`hubopt.scenarios`) load their TOML through :func:`load_toml`
and resolve the paths they read through :func:`resolve_path`, so every config file in
hubopt follows the same rules::

    config = load_toml("study/scenario.toml", table="scenario")
    network = resolve_path(config.file, config.data["network"], confine=config.confine,
                           key="network")
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ValidationError
from .io import decode_utf8

#: Largest config file read, in bytes; config files are small, a larger one is refused.
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ConfigFile:
    """A parsed TOML file and where it came from.

    Parameters
    ----------
    file
        The absolute, resolved path of the file.
    data
        The parsed TOML (plain dicts, lists, strings, numbers, booleans, dates).
    confine
        True when ``[paths] confine = true``: paths in the file must stay inside
        :attr:`folder`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hubopt.config import load_toml
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "study.toml").write_text('network = "data/net"\\n')
    >>> config = load_toml(folder / "study.toml")
    >>> config.data, config.confine
    ({'network': 'data/net'}, False)
    """

    file: Path
    data: dict[str, Any] = field(repr=False)
    confine: bool = False

    @property
    def folder(self) -> Path:
        """The folder relative paths are resolved against.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from hubopt.config import load_toml
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "study.toml").write_text('network = "net"')
        >>> load_toml(folder / "study.toml").folder == folder.resolve()
        True
        """
        return self.file.parent

    def path(self, value: Any, *, key: str = "path", must_exist: bool = False) -> Path:
        """Resolve a path written in this file; see :func:`resolve_path`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from hubopt.config import load_toml
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> text = 'network = "data/net"\\n[paths]\\nconfine = true\\n'
        >>> _ = (folder / "study.toml").write_text(text)
        >>> config = load_toml(folder / "study.toml")
        >>> config.path(config.data["network"]).relative_to(folder.resolve())
        PosixPath('data/net')
        >>> config.path("../elsewhere")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        hubopt.errors.ValidationError: config file '...study.toml', key 'path': \
'../elsewhere' leads outside ...
        """
        return resolve_path(
            self.file, value, confine=self.confine, key=key, must_exist=must_exist
        )


def load_toml(path: str | os.PathLike[str], *, label: str = "config") -> ConfigFile:
    """Read a TOML file safely.

    Parameters
    ----------
    path
        The file.
    label
        What the file is, for messages (e.g. "scenario").

    Returns
    -------
    ConfigFile
        The parsed data, the resolved file path, and whether paths are confined
        (``[paths] confine = true``; false by default).

    Raises
    ------
    ValidationError
        The file is missing, a folder, unreadable, too large, not UTF-8, not valid
        TOML (line and column named), or its ``[paths] confine`` is not true/false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> text = 'network = "net"\\n[paths]\\nconfine = true\\n'
    >>> _ = (folder / "run.toml").write_text(text)
    >>> config = load_toml(folder / "run.toml")
    >>> config.confine, config.path(config.data["network"]) == folder.resolve() / "net"
    (True, True)
    """
    file = Path(path)
    where = f"{label} file '{file}'"
    if not file.exists():
        msg = f"{where}: does not exist"
        raise ValidationError(msg)
    if file.is_dir():
        msg = f"{where}: is a folder, expected a TOML file"
        raise ValidationError(msg)
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            # a FIFO or a device would block the read (or never end): refuse it
            # from its stat, without opening it
            msg = (
                f"{where}: not a regular file (a named pipe, socket or device); "
                "give the path of a TOML file"
            )
            raise ValidationError(msg)
        size = info.st_size
        if size > MAX_CONFIG_BYTES:
            msg = (
                f"{where}: the file is {size / 1e6:.1f} MB, larger than the "
                f"{MAX_CONFIG_BYTES / 1e6:.0f} MB limit for config files; is it the "
                "right file?"
            )
            raise ValidationError(msg)
        with open(file, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except PermissionError:
        msg = f"{where}: permission denied; make the file readable"
        raise ValidationError(msg) from None
    except OSError as exc:
        msg = f"{where}: cannot be read ({exc.strerror or exc})"
        raise ValidationError(msg) from None
    if len(raw) > MAX_CONFIG_BYTES:
        msg = f"{where}: larger than the {MAX_CONFIG_BYTES / 1e6:.0f} MB limit"
        raise ValidationError(msg)
    if b"\x00" in raw:
        msg = f"{where}: contains NUL bytes; this is not a text TOML file"
        raise ValidationError(msg)
    text = decode_utf8(raw, where)
    if not text.strip():
        msg = f"{where}: the file is empty"
        raise ValidationError(msg)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{where}: not valid TOML ({exc})"
        raise ValidationError(msg) from None
    confine = False
    paths = data.get("paths", {})
    if not isinstance(paths, dict):
        msg = f"{where}, key 'paths': expected a table [paths], got {paths!r}"
        raise ValidationError(msg)
    if "confine" in paths:
        confine = paths["confine"]
        if not isinstance(confine, bool):
            msg = (
                f"{where}, key 'paths.confine': {confine!r} is not true or false "
                "(write confine = true without quotes)"
            )
            raise ValidationError(msg)
    return ConfigFile(file=file.resolve(), data=data, confine=confine)


def resolve_path(
    config_file: str | os.PathLike[str],
    value: Any,
    *,
    confine: bool = False,
    key: str = "path",
    must_exist: bool = False,
) -> Path:
    """Resolve a path written in a config file, relative to that file's folder.

    Parameters
    ----------
    config_file
        The config file the path was read from.
    value
        The path as written (a string). ``~`` is not expanded and environment
        variables are not substituted: the file means what it says.
    confine
        Refuse a path that ends up outside the config file's folder: through ``..``,
        as an absolute path elsewhere, or through a symbolic link.
    key
        The key the value came from, for messages.
    must_exist
        Refuse a path that does not exist.

    Returns
    -------
    pathlib.Path
        The absolute, resolved path.

    Raises
    ------
    ValidationError
        The value is not a non-empty string, holds a NUL byte, escapes the folder when
        confined, or does not exist when it must.

    Examples
    --------
    >>> resolve_path("/study/run.toml", "data/net") == Path("/study/data/net")
    True
    >>> resolve_path("/study/run.toml", "../secret", confine=True)
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: config file '/study/run.toml', key 'path': \
'../secret' leads outside the folder '/study' ([paths] confine = true); keep the file \
inside it
    """
    config_file = Path(config_file)
    where = f"config file '{config_file}', key '{key}'"
    if not isinstance(value, str) or not value.strip():
        msg = f"{where}: expected a non-empty path as a string, got {value!r}"
        raise ValidationError(msg)
    if "\x00" in value:
        msg = f"{where}: the path {value!r} contains a NUL character"
        raise ValidationError(msg)
    folder = config_file.resolve().parent
    target = (folder / value).resolve()
    if confine and not target.is_relative_to(folder):
        msg = (
            f"{where}: {value!r} leads outside the folder '{folder}' "
            "([paths] confine = true); keep the file inside it"
        )
        raise ValidationError(msg)
    if must_exist and not target.exists():
        msg = f"{where}: {value!r} does not exist (looked for '{target}')"
        raise ValidationError(msg)
    return target
