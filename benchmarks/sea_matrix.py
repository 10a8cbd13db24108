"""Benchmark: a 50 x 500 port sea-distance matrix, hubopt vs one searoute call per pair.

hubopt answers the whole matrix with one multi-source Dijkstra run over the sea graph
(:func:`hubopt.geo.sea_distances`). The baseline is ``searoute.searoute`` called once
per pair, which runs a bidirectional Dijkstra on a networkx graph each time. Calling it
25,000 times would take minutes, so the baseline time is measured on a seeded sample of
pairs and extrapolated per pair; the deviations are measured on the same sample.

Both sides include the legs from each port to the network (``append_orig_dest=True``
for searoute, which snaps to the nearest node; hubopt joins the nearest point of the
nearest lane segment, so it is often shorter) and close the same passage (the Arctic
Northwest Passage, searoute's default). searoute measures with a haversine on a sphere
of radius 6,371.0088 km; hubopt with geodesics on the WGS84 ellipsoid.

Run ``python benchmarks/sea_matrix.py`` (add ``--quick`` for a 10 x 50 smoke run).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from importlib import resources
from typing import Any

import numpy as np

SEED = 20261128
TARGET_RATIO = 100.0
TARGET_MEDIAN_PCT = 1.0
TARGET_MAX_PCT = 3.0


def _ports() -> tuple[np.ndarray, list[str]]:
    """All ports bundled with searoute: lon/lat and names."""
    text = resources.files("searoute.data").joinpath("ports.geojson").read_text()
    features = json.loads(text)["features"]
    coords = np.array([f["geometry"]["coordinates"] for f in features], dtype=float)
    names = [
        f"{f['properties'].get('name', '?')} ({f['properties'].get('port', '')})"
        for f in features
    ]
    return coords, names


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Time the matrix and the per-pair baseline; compare distances.

    Parameters
    ----------
    quick
        A 10 x 50 matrix and 40 sampled baseline pairs instead of 50 x 500 and 300.

    Returns
    -------
    list of dict
        One record per figure with keys case, figure, unit, baseline, ratio, target,
        met.
    """
    import searoute

    from hubopt import geo

    n_from, n_to, n_sample = (10, 50, 40) if quick else (50, 500, 300)
    coords, names = _ports()
    rng = np.random.default_rng(SEED)
    chosen = rng.choice(len(coords), size=n_from + n_to, replace=False)
    src, dst = coords[chosen[:n_from]], coords[chosen[n_from:]]

    # hubopt: build the graph once (reported), then time the matrix query
    start = time.perf_counter()
    geo._sea_graph()
    geo._open_graph(geo._closed_passages(()))
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    matrix = geo.sea_distances(src, dst)
    matrix_s = time.perf_counter() - start

    # baseline: searoute per pair on a seeded sample (graph built before timing)
    searoute.searoute(src[0].tolist(), dst[0].tolist())
    pairs = [
        (int(i), int(j))
        for i, j in zip(
            rng.integers(0, n_from, n_sample),
            rng.integers(0, n_to, n_sample),
            strict=True,
        )
    ]
    reference = np.full(len(pairs), np.nan)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, (i, j) in enumerate(pairs):
            feature = searoute.searoute(
                src[i].tolist(), dst[j].tolist(), append_orig_dest=True
            )
            reference[k] = feature.properties["length"]
    per_pair_s = (time.perf_counter() - start) / len(pairs)
    baseline_s = per_pair_s * n_from * n_to

    ours = np.array([matrix[i, j] for i, j in pairs])
    ok = np.isfinite(ours) & np.isfinite(reference) & (reference > 0)
    deviation = np.abs(ours[ok] - reference[ok]) / reference[ok] * 100.0
    median_pct = float(np.median(deviation))
    max_pct = float(deviation.max())
    # hubopt snaps to the nearest point of a lane segment, searoute to the nearest node
    # (planar lon/lat KD-tree): hubopt is expected to be shorter, rarely longer.
    signed = (ours[ok] - reference[ok]) / reference[ok] * 100.0
    longer_max = float(max(signed.max(), 0.0))
    shorter_big = int((signed < -TARGET_MAX_PCT).sum())

    # Where do large gaps come from? (a) hubopt's distance between the nodes searoute
    # snaps to (its planar lon/lat KD-tree), plus the same port-to-node geodesics: the
    # gap left is the pure graph/geodesic difference; (b) pairs whose ports both lie
    # within 25 km of the network, where the choice of node hardly matters.
    from searoute.searoute import get_graphs

    marnet, _ = get_graphs()
    _, snap_src = geo.snap_to_sea(src)
    _, snap_dst = geo.snap_to_sea(dst)
    same_snap = np.full(len(pairs), np.nan)
    for k, (i, j) in enumerate(pairs):
        node_a = np.array(marnet.kdtree.query(tuple(src[i])), dtype=float)
        node_b = np.array(marnet.kdtree.query(tuple(dst[j])), dtype=float)
        same_snap[k] = (
            geo.sea_distances([node_a], [node_b])[0, 0]
            + geo.great_circle_km([src[i]], [node_a])[0, 0]
            + geo.great_circle_km([dst[j]], [node_b])[0, 0]
        )
    same_dev = np.abs(same_snap[ok] - reference[ok]) / reference[ok] * 100.0
    near = np.array([max(snap_src[i], snap_dst[j]) for i, j in pairs])[ok] <= 25.0
    near_max = float(deviation[near].max()) if near.any() else float("nan")
    worst = np.argsort(-deviation)[:3]
    valid_pairs = [p for p, good in zip(pairs, ok, strict=True) if good]
    worst_text = []
    for w in worst:
        i, j = valid_pairs[w]
        snap_a, snap_b = snap_src[i : i + 1], snap_dst[j : j + 1]
        worst_text.append(
            f"{names[chosen[i]]} -> {names[chosen[n_from + j]]}: hubopt "
            f"{ours[ok][w]:.0f} km, searoute {reference[ok][w]:.0f} km "
            f"({deviation[w]:.2f} %); hubopt snaps {snap_a[0]:.0f} km / "
            f"{snap_b[0]:.0f} km"
        )

    shape = f"{n_from}x{n_to}"
    records = [
        {
            "case": f"sea_matrix {shape}: hubopt matrix vs searoute per pair",
            "figure": matrix_s,
            "unit": "s",
            "baseline": baseline_s,
            "ratio": baseline_s / matrix_s,
            "target": f">= {TARGET_RATIO:g}x faster",
            "met": baseline_s / matrix_s >= TARGET_RATIO,
        },
        {
            "case": f"sea_matrix {shape}: median deviation from searoute "
            f"({int(ok.sum())} sampled pairs)",
            "figure": median_pct,
            "unit": "%",
            "baseline": None,
            "ratio": None,
            "target": f"<= {TARGET_MEDIAN_PCT:g} %",
            "met": median_pct <= TARGET_MEDIAN_PCT,
        },
        {
            "case": f"sea_matrix {shape}: max deviation from searoute "
            f"({int(ok.sum())} sampled pairs)",
            "figure": max_pct,
            "unit": "%",
            "baseline": None,
            "ratio": None,
            "target": f"<= {TARGET_MAX_PCT:g} %",
            "met": max_pct <= TARGET_MAX_PCT,
        },
        {
            "case": f"sea_matrix {shape}: max excess, hubopt longer than searoute "
            f"({shorter_big} pairs are > {TARGET_MAX_PCT:g} % shorter)",
            "figure": longer_max,
            "unit": "%",
            "baseline": None,
            "ratio": None,
            "target": f"<= {TARGET_MAX_PCT:g} % (diagnostic)",
            "met": longer_max <= TARGET_MAX_PCT,
        },
        {
            "case": f"sea_matrix {shape}: max deviation when hubopt uses searoute's "
            "snap nodes",
            "figure": float(same_dev.max()),
            "unit": "%",
            "baseline": None,
            "ratio": None,
            "target": f"<= {TARGET_MAX_PCT:g} % (diagnostic)",
            "met": float(same_dev.max()) <= TARGET_MAX_PCT,
        },
        {
            "case": f"sea_matrix {shape}: max deviation, both ports within 25 km of "
            f"the network ({int(near.sum())} pairs)",
            "figure": near_max,
            "unit": "%",
            "baseline": None,
            "ratio": None,
            "target": f"<= {TARGET_MAX_PCT:g} % (diagnostic)",
            "met": near_max <= TARGET_MAX_PCT,
        },
    ]
    print(f"sea graph build (once per process): {build_s:.2f} s")
    print(
        f"hubopt {shape} matrix: {matrix_s * 1000:.1f} ms; searoute "
        f"{per_pair_s * 1000:.2f} ms per pair x {n_from * n_to} pairs = "
        f"{baseline_s:.1f} s (extrapolated from {len(pairs)} timed pairs)"
    )
    for record in records:
        ratio = "" if record["ratio"] is None else f" ({record['ratio']:.0f}x)"
        print(
            f"{record['case']}: {record['figure']:.4g} {record['unit']}{ratio} "
            f"target {record['target']}: {'met' if record['met'] else 'NOT met'}"
        )
    print(f"unreachable or failed pairs left out: {int((~ok).sum())}")
    print("largest deviations:")
    for line in worst_text:
        print("  " + line)
    return records


if __name__ == "__main__":
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # source checkout
    run(quick="--quick" in sys.argv[1:])
