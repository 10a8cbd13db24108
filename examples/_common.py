"""Shared by the example scripts: where to write their outputs.

Every example takes an output folder as its first command-line argument; without one
it writes to a fresh temporary folder. Examples never write into the checkout.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def output_folder(name: str) -> Path:
    """The folder given on the command line, or a new temporary one.

    Parameters
    ----------
    name
        A short label, used as the prefix of the temporary folder.

    Returns
    -------
    pathlib.Path
        An existing folder.
    """
    if len(sys.argv) > 1:
        out = Path(sys.argv[1])
    else:
        out = Path(tempfile.mkdtemp(prefix=f"hubopt-{name}-"))
    out.mkdir(parents=True, exist_ok=True)
    return out
