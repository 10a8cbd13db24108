"""Holmberg, Rönnqvist and Yuan single-source capacitated facility location instances
as hub networks.

K. Holmberg, M. Rönnqvist and D. Yuan, "An exact algorithm for the capacitated facility
location problems with single sourcing", European Journal of Operational Research 113
(1999) 544-559: the instances p1-p71. The mapping is the OR-Library one
(:func:`hubopt.orlib.facility_network`): one origin with supply equal to total demand
and free legs to every site, each site a hub (fixed cost, capacity), each customer a
destination, a leg from every site to every customer at cost per tonne
``c_ij / demand_j``. Solve with ``single_sourcing=True`` for the published optima.

The format, whitespace-separated numbers (line breaks carry no meaning)::

    m n                                  number of sites, number of customers
    capacity_i fixed_cost_i              m times, one per site
    demand_1 ... demand_n
    c_i1 ... c_in                        m times: site i serving ALL of customer j

The data end at the first NUL byte: some of the distributed files are padded with NULs
(and a few stray bytes after them) to a disk-block boundary.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from .errors import ValidationError
from .network import Network
from .orlib import facility_network

_FIX = "see the format in the hubopt.holmberg docstring"


def read_holmberg(path: str | os.PathLike[str]) -> Network:
    """Read a Holmberg ``p*`` file as a hub network.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    Network

    Raises
    ------
    ValidationError
        The file cannot be read or is not in the format; every problem is listed with
        its line and value.

    Examples
    --------
    A made-up instance with 2 sites and 3 customers (the real ones are in
    ``benchmarks/holmberg/`` of a checkout):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import hubopt
    >>> from hubopt.holmberg import read_holmberg
    >>> text = "2 3\\n50 10\\n60 20\\n30 30 40\\n30 30 80\\n90 90 40\\n"
    >>> file = Path(tempfile.mkdtemp()) / "p_tiny"
    >>> _ = file.write_text(text)
    >>> net = read_holmberg(file)
    >>> net
    Network('p_tiny': 1 origins, 2 hubs, 3 destinations, 8 legs)

    Both sites open (fixed 10 + 20). Split, W1 (50 t) serves C1 and 20 t of C2, W2
    the other 10 t of C2 and C3: 30 + 20 + 30 + 40. Single-sourced, W1 holds one
    customer and W2 at most 60 t, so W1 takes C3 (80) and W2 C1 and C2 (90 each):

    >>> hubopt.solve(net).objective
    150.0
    >>> hubopt.solve(net, single_sourcing=True).objective
    290.0
    """
    path = Path(path)
    tokens, lines = _tokens(path)
    problems: list[str] = []
    where = f"Holmberg file '{path}'"
    if len(tokens) < 2:
        msg = f"{where}: empty or no 'm n' header on line 1; {_FIX}"
        raise ValidationError(msg)
    m = _count(where, tokens[0], lines[0], "the number of sites m", problems)
    n = _count(where, tokens[1], lines[1], "the number of customers n", problems)
    if problems:
        raise ValidationError(problems)
    expected = 2 + 2 * m + n + m * n
    if len(tokens) != expected:
        if len(tokens) < expected:
            problems.append(
                f"{where}: ends on line {lines[-1]} after {len(tokens) - 2} numbers; "
                f"m={m} sites and n={n} customers need {expected - 2} "
                f"(2m + n + m*n); {_FIX}"
            )
        else:
            problems.append(
                f"{where}: {len(tokens) - expected} number(s) beyond the "
                f"{expected - 2} that m={m} and n={n} need, from line "
                f"{lines[expected]} ('{tokens[expected]}'); remove them or fix the "
                "header"
            )
    values = np.full(min(len(tokens), expected), np.nan)
    for k in range(2, len(values)):
        values[k] = _number(where, tokens[k], lines[k], _role(k, m, n), problems)
    if problems:
        raise ValidationError(problems)
    head = values[2 : 2 + 2 * m]
    rest = values[2 + 2 * m :]
    return facility_network(
        path.name,
        capacity=head[0::2],
        fixed_cost=head[1::2],
        demand=rest[:n],
        cost=rest[n:].reshape(m, n),
    )


def _tokens(path: Path) -> tuple[list[str], list[int]]:
    """The whitespace-separated words before the first NUL, with their line numbers."""
    try:
        raw = path.read_bytes().split(b"\x00", 1)[0]
        text = raw.decode("ascii")
    except OSError as exc:
        msg = f"Holmberg file '{path}': cannot be read ({exc})"
        raise ValidationError(msg) from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = (
            f"Holmberg file '{path}', line {line}: byte {raw[exc.start]:#04x} is not "
            f"plain ASCII; the format holds numbers only ({_FIX})"
        )
        raise ValidationError(msg) from None
    tokens: list[str] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        tokens += words
        lines += [number] * len(words)
    return tokens, lines


def _count(where: str, token: str, line: int, what: str, problems: list[str]) -> int:
    try:
        value = int(token)
    except ValueError:
        value = 0
    if value < 1:
        problems.append(
            f"{where}, line {line}: {what} is '{token}'; it must be a whole number of "
            f"1 or more ({_FIX})"
        )
    return value


def _number(where: str, token: str, line: int, what: str, problems: list[str]) -> float:
    try:
        value = float(token)
    except ValueError:
        problems.append(
            f"{where}, line {line}: {what} is '{token}', not a number; {_FIX}"
        )
        return math.nan
    if not math.isfinite(value) or value < 0:
        problems.append(
            f"{where}, line {line}: {what} is {token}; it must be a finite number, "
            "zero or more"
        )
    return value


def _role(k: int, m: int, n: int) -> str:
    """What the k-th number of the file is (for messages)."""
    k -= 2
    if k < 2 * m:
        return f"{'capacity' if k % 2 == 0 else 'fixed cost'} of site {k // 2 + 1}"
    k -= 2 * m
    if k < n:
        return f"demand of customer {k + 1}"
    k -= n
    return f"cost of site {k // n + 1} serving customer {k % n + 1}"
