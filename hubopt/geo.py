"""Geography: CRS handling, distances, the sea graph, routes and leg attributes.

This module owns every coordinate-reference-system decision in hubopt: node coordinates
inside a :class:`~hubopt.network.Network` are always WGS84 longitude/latitude
(EPSG:4326), and anything else is converted here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ValidationError

WGS84 = "EPSG:4326"


def points_to_lonlat(frame: pd.DataFrame, table: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of a GeoDataFrame's point geometries in EPSG:4326.

    Parameters
    ----------
    frame
        A GeoDataFrame whose active geometry holds points, in any CRS.
    table
        The table's name, used in error messages.

    Returns
    -------
    lon, lat
        Two float arrays, one value per row.

    Raises
    ------
    ValidationError
        When the frame has no CRS, or a geometry is missing or not a point.
    """
    if frame.crs is None:
        msg = (
            f"table '{table}': the GeoDataFrame has no CRS; set one with "
            "gdf.set_crs('EPSG:4326') (or the CRS the coordinates are in)"
        )
        raise ValidationError(msg)
    geoms = frame.geometry
    if not geoms.crs.equals(WGS84):
        geoms = geoms.to_crs(WGS84)
    problems = []
    for pos, geom in enumerate(geoms):
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            kind = "missing" if geom is None or geom.is_empty else geom.geom_type
            problems.append(
                f"table '{table}', row {pos}, column 'geometry': expected a point, "
                f"got {kind}"
            )
    if problems:
        raise ValidationError(problems)
    return np.asarray(geoms.x, dtype=float), np.asarray(geoms.y, dtype=float)
