"""Label placement for the static maps: each label starts beside its symbol on the
free side, then a deterministic repel pushes label boxes apart and off the symbols,
and a label pushed far from its symbol gets a leader line.

Everything is computed in display pixels once the figure's layout is fixed, so the
boxes are the ones matplotlib draws (measured with the renderer, not guessed from
the font size). No random numbers: the same map places its labels the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.text import Annotation

#: Text properties for text from data: drawn as it is, never mathtext or TeX.
LITERAL = {"usetex": False, "parse_math": False}

#: Sides tried for a label's first position, in order of preference: right, upper
#: right, lower right, left, upper left, lower left, above, below. (dx, dy) is the
#: direction from the symbol; the box is put just outside the symbol that way.
_SIDES = (
    (1, 0),
    (1, 1),
    (1, -1),
    (-1, 0),
    (-1, 1),
    (-1, -1),
    (0, 1),
    (0, -1),
)
#: Rings of first positions, in points beyond the symbol's edge.
_GAPS_PT = (2.0, 9.0, 18.0, 30.0)
#: A label whose box ends farther than this from its symbol's edge gets a leader line.
LEADER_PT = 5.0
_OUTSIDE = 1e12


def halo(width: float = 2.5) -> list[Any]:
    """A white outline that keeps text readable over lines and land."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


@dataclass
class _Label:
    x: float
    y: float
    text: str
    radius_pt: float
    weight: float
    group: str | None
    style: dict[str, Any] = field(default_factory=dict)


class Labeller:
    """Collects labels and symbols to keep clear of, then places every label at once
    (:meth:`place`), after everything else on the axes is drawn.

    ``frame`` is (lon_min, lat_min, lon_max, lat_max): labels of points outside it
    are left out.
    """

    def __init__(self, ax: Axes, frame: tuple[float, float, float, float]) -> None:
        self.ax = ax
        self.frame = frame
        self.marks: list[tuple[float, float, float]] = []
        self.labels: list[_Label] = []

    def _inside(self, x: float, y: float) -> bool:
        lon0, lat0, lon1, lat1 = self.frame
        return lon0 <= x <= lon1 and lat0 <= y <= lat1

    def block(self, xs: Any, ys: Any, radius_pt: float = 5.0) -> None:
        """Keep labels off symbols of about ``radius_pt`` at these points."""
        for x, y in zip(xs, ys, strict=True):
            self.marks.append((float(x), float(y), float(radius_pt)))

    def add(
        self,
        x: float,
        y: float,
        text: str,
        *,
        radius_pt: float = 4.0,
        weight: float = 1.0,
        group: str | None = None,
        **style: Any,
    ) -> None:
        """A label for the symbol of about ``radius_pt`` at (x, y). ``weight``: how
        firmly it keeps its place when two labels push each other (an origin or an
        opened hub moves less than a market). ``group``: labels of one group whose
        symbols crowd together are set as a callout column (see :func:`repel`).
        ``style``: matplotlib text properties (``fontsize``, ``color``, ``gid``...)."""
        if self._inside(float(x), float(y)):
            self.labels.append(
                _Label(float(x), float(y), text, float(radius_pt), weight, group, style)
            )

    def place(self, avoid: Sequence[Any] = ()) -> list[Annotation]:
        """Draw every label: first positions, then the repel, then leader lines.

        ``avoid``: artists (a legend, a colour bar's axes, a scale bar) whose boxes no
        label may cover. Returns the annotations in the order they were added.
        """
        ax = self.ax
        fig = ax.figure
        if not self.labels:
            return []
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
        ax.apply_aspect()
        renderer = (
            fig.canvas.get_renderer()
            if hasattr(fig.canvas, "get_renderer")
            else fig._get_renderer()  # a canvas without one (FigureCanvasBase)
        )
        px = fig.dpi / 72.0
        anchors = ax.transData.transform([(lab.x, lab.y) for lab in self.labels])
        sizes = np.array([_measure(ax, lab, renderer) for lab in self.labels])
        radii = np.array([lab.radius_pt * px for lab in self.labels])
        obstacles = [
            (sx - r * px, sy - r * px, sx + r * px, sy + r * px)
            for (sx, sy), (_, _, r) in zip(
                ax.transData.transform([(m[0], m[1]) for m in self.marks])
                if self.marks
                else np.zeros((0, 2)),
                self.marks,
                strict=True,
            )
        ]
        for artist in avoid:
            # an axes (a colour bar's) with its tick labels and label
            box = (
                artist.get_tightbbox(renderer)
                if hasattr(artist, "get_tightbbox") and hasattr(artist, "xaxis")
                else artist.get_window_extent(renderer)
            )
            obstacles.append((box.x0, box.y0, box.x1, box.y1))
        bounds = ax.bbox
        lower_left = repel(
            anchors,
            sizes,
            radii,
            np.array(obstacles, dtype=float).reshape(-1, 4),
            (bounds.x0 + 2, bounds.y0 + 2, bounds.x1 - 2, bounds.y1 - 2),
            np.array([lab.weight for lab in self.labels]),
            groups=[lab.group for lab in self.labels],
            gap=px,
        )
        out = []
        for lab, (sx, sy), (w, h), (x0, y0), r in zip(
            self.labels, anchors, sizes, lower_left, radii, strict=True
        ):
            far = _distance_to_box(sx, sy, x0, y0, w, h) > r + LEADER_PT * px
            style = dict(lab.style)
            out.append(
                ax.annotate(
                    lab.text,
                    (lab.x, lab.y),
                    xytext=((x0 - sx) / px, (y0 - sy) / px),
                    textcoords="offset points",
                    ha="left",
                    va="bottom",
                    fontsize=style.pop("fontsize", 6.5),
                    color=style.pop("color", "#222222"),
                    path_effects=halo(),
                    zorder=style.pop("zorder", 8),
                    in_layout=False,
                    annotation_clip=False,
                    arrowprops={
                        "arrowstyle": "-",
                        "color": "#555555",
                        "linewidth": 0.5,
                        "shrinkA": 1,
                        "shrinkB": r / px,
                        # from the point of the box nearest the symbol
                        "relpos": (
                            float(np.clip((sx - x0) / w, 0, 1)) if w else 0.5,
                            float(np.clip((sy - y0) / h, 0, 1)) if h else 0.5,
                        ),
                    }
                    if far
                    else None,
                    **LITERAL,
                    **style,
                )
            )
        return out


def _measure(ax: Axes, label: _Label, renderer: Any) -> tuple[float, float]:
    """The label's box in display pixels, as matplotlib draws it."""
    style = {k: v for k, v in label.style.items() if k not in ("gid", "zorder")}
    style.setdefault("fontsize", 6.5)
    probe = ax.text(0, 0, label.text, ha="left", va="bottom", **LITERAL, **style)
    box = probe.get_window_extent(renderer)
    probe.remove()
    return float(box.width), float(box.height)


def _distance_to_box(x: float, y: float, x0: float, y0: float, w: float, h: float):
    dx = max(x0 - x, 0.0, x - (x0 + w))
    dy = max(y0 - y, 0.0, y - (y0 + h))
    return float(np.hypot(dx, dy))


def _overlap_area(box: np.ndarray, others: np.ndarray) -> float:
    """Total overlap of one box (x0, y0, x1, y1) with rows of others."""
    if len(others) == 0:
        return 0.0
    w = np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])
    h = np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])
    return float((np.clip(w, 0, None) * np.clip(h, 0, None)).sum())


def _box_clash(box: np.ndarray, others: np.ndarray, fixed: np.ndarray) -> float:
    return _overlap_area(box, others) + _overlap_area(box, fixed)


def _outside(box: np.ndarray, bounds: tuple[float, float, float, float]) -> bool:
    return bool(
        box[0] < bounds[0]
        or box[1] < bounds[1]
        or box[2] > bounds[2]
        or box[3] > bounds[3]
    )


def _first_positions(
    anchors: np.ndarray,
    sizes: np.ndarray,
    radii: np.ndarray,
    fixed: np.ndarray,
    bounds: tuple[float, float, float, float],
    gap: float,
    preset: dict[int, np.ndarray],
) -> np.ndarray:
    """Greedy first positions, in order: for each label the first side and ring
    that overlaps nothing placed so far (labels, symbols, ``fixed`` boxes), stays
    inside ``bounds`` and lies nearer its own symbol than any other, else the side
    with the least overlap. Labels in ``preset`` (a callout column) keep theirs."""
    out = np.zeros((len(anchors), 2))
    placed: list[np.ndarray] = []
    for i, pos in preset.items():
        out[i] = pos
        placed.append(np.array([*pos, *(pos + sizes[i])]))
    for i, ((ax_, ay), (w, h), r) in enumerate(zip(anchors, sizes, radii, strict=True)):
        if i in preset:
            continue
        others_xy = np.delete(anchors, i, axis=0)
        others_r = np.delete(radii, i)
        best: tuple[float, float, float] | None = None
        for ring in _GAPS_PT:
            d = r + ring * gap
            for dx, dy in _SIDES:
                diagonal = 0.7 if dx and dy else 1.0
                x0 = (
                    ax_ + dx * d * diagonal - (w if dx < 0 else w / 2 if dx == 0 else 0)
                )
                y0 = ay + dy * d * diagonal - (h if dy < 0 else h / 2 if dy == 0 else 0)
                box = np.array([x0, y0, x0 + w, y0 + h])
                clash = _box_clash(box, np.array(placed).reshape(-1, 4), fixed)
                if _outside(box, bounds):
                    clash += _OUTSIDE
                own = _distance_to_box(ax_, ay, x0, y0, w, h) - r
                if len(others_xy):
                    nearest = min(
                        _distance_to_box(ox, oy, x0, y0, w, h) - orad
                        for (ox, oy), orad in zip(others_xy, others_r, strict=True)
                    )
                    if nearest < own:  # reads as another symbol's label
                        clash += w * h
                if best is None or clash < best[0] - 1e-9:
                    best = (clash, x0, y0)
                if clash == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        out[i] = best[1:]
        placed.append(np.array([best[1], best[2], best[1] + w, best[2] + h]))
    return out


def _clusters(anchors: np.ndarray, members: list[int], reach: float) -> list[list[int]]:
    """Groups of ``members`` whose symbols are chained within ``reach`` pixels."""
    left = list(members)
    out = []
    while left:
        group = [left.pop(0)]
        grew = True
        while grew:
            grew = False
            for j in list(left):
                if any(np.hypot(*(anchors[j] - anchors[k])) < reach for k in group):
                    group.append(j)
                    left.remove(j)
                    grew = True
        out.append(sorted(group))
    return out


def _column(
    cluster: list[int],
    anchors: np.ndarray,
    sizes: np.ndarray,
    radii: np.ndarray,
    fixed: np.ndarray,
    bounds: tuple[float, float, float, float],
    gap: float,
) -> dict[int, np.ndarray]:
    """A callout column for a crowded cluster: the labels stacked top to bottom in
    the order of their symbols, beside the cluster on the side (left or right) and at
    the height where they cover the fewest symbols and obstacles."""
    order = sorted(cluster, key=lambda i: (-anchors[i, 1], anchors[i, 0], i))
    heights = sizes[order, 1] + 2 * gap
    total = float(heights.sum())
    xs = anchors[cluster, 0]
    centre_y = float(anchors[cluster, 1].mean())
    best: tuple[float, dict[int, np.ndarray]] | None = None
    step = float(np.median(heights))
    for side in (-1, 1):
        edge = (
            float((xs - radii[cluster]).min()) - 12 * gap
            if side < 0
            else float((xs + radii[cluster]).max()) + 12 * gap
        )
        widths = sizes[order, 0]
        x0s = edge - widths if side < 0 else np.full(len(order), edge)
        shift = max(bounds[0] - float(x0s.min()), 0.0) - max(
            float((x0s + widths).max()) - bounds[2], 0.0
        )
        x0s = x0s + shift
        for k in range(0, 41):
            dy = (k + 1) // 2 * step * (1 if k % 2 else -1)
            top = min(centre_y + total / 2 + dy, bounds[3])
            top = max(top, bounds[1] + total)
            tops = top - np.concatenate([[0.0], np.cumsum(heights)[:-1]])
            y0s = tops - heights + gap
            boxes = np.column_stack([x0s, y0s, x0s + widths, y0s + sizes[order, 1]])
            score = sum(_overlap_area(b, fixed) for b in boxes)
            score += abs(dy) * 0.5 + abs(shift) * 4
            if best is None or score < best[0] - 1e-9:
                best = (score, {i: boxes[n, :2] for n, i in enumerate(order)})
    assert best is not None
    return best[1]


def repel(
    anchors: np.ndarray,
    sizes: np.ndarray,
    radii: np.ndarray,
    obstacles: np.ndarray,
    bounds: tuple[float, float, float, float],
    weights: np.ndarray,
    *,
    groups: list[str | None] | None = None,
    gap: float = 1.0,
    iterations: int = 400,
) -> np.ndarray:
    """Lower-left corners of label boxes that overlap neither each other nor the
    symbols and ``obstacles``, as far as pushing can get them.

    Labels of one group (say the candidate ports) whose symbols crowd together (four
    or more chained within three line heights) are set as a callout column beside
    the cluster, in the order of their symbols, and stay there. Every other label
    starts at its first position beside its own symbol (see
    :func:`_first_positions`). Then, in each round, every pair of overlapping boxes is
    pushed apart along the axis where they overlap least, the lighter label (lower
    ``weight``) moving more, and every box overlapping a symbol or an obstacle is
    pushed off it the same way; boxes stay inside ``bounds``. It stops when nothing
    overlaps or after ``iterations`` rounds. Deterministic: ties go by order.

    Parameters
    ----------
    anchors
        (n, 2) symbol positions in pixels.
    sizes
        (n, 2) label widths and heights in pixels.
    radii
        (n,) symbol radii in pixels; each label keeps off every symbol.
    obstacles
        (m, 4) boxes (x0, y0, x1, y1) no label may cover.
    bounds
        (x0, y0, x1, y1) the labels stay inside.
    weights
        (n,) how firmly each label keeps its place.
    groups
        A group name per label (None: no group) for the callout columns.
    gap
        Pixels per point: the clearance kept between boxes is one point.

    Returns
    -------
    numpy.ndarray
        (n, 2) lower-left corners.

    Examples
    --------
    >>> import numpy as np
    >>> pos = repel(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[20, 8], [20, 8]]),
    ...             np.array([2.0, 2.0]), np.zeros((0, 4)), (-100, -100, 100, 100),
    ...             np.ones(2))
    >>> (a0, a1), (b0, b1) = pos
    >>> bool(a0 + 20 <= b0 or b0 + 20 <= a0 or a1 + 8 <= b1 or b1 + 8 <= a1)
    True
    """
    anchors = np.asarray(anchors, dtype=float).reshape(-1, 2)
    sizes = np.asarray(sizes, dtype=float).reshape(-1, 2)
    radii = np.asarray(radii, dtype=float).reshape(-1)
    weights = np.asarray(weights, dtype=float).reshape(-1).copy()
    symbols = np.column_stack([anchors - radii[:, None], anchors + radii[:, None]])
    fixed = np.vstack(
        [symbols.reshape(-1, 4), np.asarray(obstacles, float).reshape(-1, 4)]
    )
    preset: dict[int, np.ndarray] = {}
    names = groups if groups is not None else [None] * len(anchors)
    if len(anchors):
        reach = 3 * float(np.median(sizes[:, 1]))
        for name in sorted({g for g in names if g is not None}):
            members = [i for i, g in enumerate(names) if g == name]
            for cluster in _clusters(anchors, members, reach):
                if len(cluster) >= 4:
                    preset.update(
                        _column(cluster, anchors, sizes, radii, fixed, bounds, gap)
                    )
    pos = _first_positions(anchors, sizes, radii, fixed, bounds, gap, preset)
    still = np.zeros(len(pos), dtype=bool)
    still[list(preset)] = True
    weights[still] = 1e9
    clear = gap
    bx0, by0, bx1, by1 = bounds
    for _ in range(iterations):
        delta = np.zeros_like(pos)
        moved = False
        lo, hi = pos, pos + sizes
        # label against label: push along the axis of least overlap
        ox = np.minimum(hi[:, None, 0], hi[None, :, 0]) - np.maximum(
            lo[:, None, 0], lo[None, :, 0]
        )
        oy = np.minimum(hi[:, None, 1], hi[None, :, 1]) - np.maximum(
            lo[:, None, 1], lo[None, :, 1]
        )
        hit = (ox + clear > 0) & (oy + clear > 0)
        np.fill_diagonal(hit, False)
        hit &= ~(still[:, None] & still[None, :])
        centre = pos + sizes / 2
        for i, j in zip(*np.nonzero(np.triu(hit)), strict=True):
            moved = True
            share_i = weights[j] / (weights[i] + weights[j])
            if ox[i, j] < oy[i, j]:
                axis, amount = 0, ox[i, j] + clear
            else:
                axis, amount = 1, oy[i, j] + clear
            side = np.sign(centre[i, axis] - centre[j, axis]) or (
                1.0 if i > j else -1.0
            )
            delta[i, axis] += side * amount * share_i
            delta[j, axis] -= side * amount * (1 - share_i)
        # label against symbols and obstacles: the label moves
        if len(fixed):
            fx = np.minimum(hi[:, None, 0], fixed[None, :, 2]) - np.maximum(
                lo[:, None, 0], fixed[None, :, 0]
            )
            fy = np.minimum(hi[:, None, 1], fixed[None, :, 3]) - np.maximum(
                lo[:, None, 1], fixed[None, :, 1]
            )
            touching = (fx > 0) & (fy > 0) & ~still[:, None]
            for i, k in zip(*np.nonzero(touching), strict=True):
                moved = True
                fc = (fixed[k, :2] + fixed[k, 2:]) / 2
                if fx[i, k] < fy[i, k]:
                    axis, amount = 0, fx[i, k] + clear
                else:
                    axis, amount = 1, fy[i, k] + clear
                side = np.sign(centre[i, axis] - fc[axis]) or 1.0
                delta[i, axis] += side * amount * 0.5
        if not moved:
            break
        pos = pos + delta
        pos[:, 0] = np.clip(pos[:, 0], bx0, np.maximum(bx1 - sizes[:, 0], bx0))
        pos[:, 1] = np.clip(pos[:, 1], by0, np.maximum(by1 - sizes[:, 1], by0))
    return pos
