"""Maps: the neighbourhoods as SVG paths, drawn at build time from the register's GeoJSON.

No tiles and no map library: the outlines are projected equirectangularly, with longitude
scaled by cos(latitude) at the map's centre so a neighbourhood keeps its shape at Dutch
latitudes, and fitted into a fixed-width viewBox. Neighbourhoods without (usable) geometry
are left off the map; the list beside it names them all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .catalogue import Term

WIDTH = 600.0
PADDING = 8.0

Ring = list[tuple[float, float]]  # (longitude, latitude)


@dataclass(frozen=True)
class Shape:
    term: Term
    path: str  # SVG path data, in viewBox units

    @property
    def count(self) -> int:
        return len(self.term.stories)

    @property
    def quiet(self) -> bool:
        return not self.term.stories


@dataclass(frozen=True)
class Map:
    width: float
    height: float
    shapes: list[Shape]

    @property
    def view_box(self) -> str:
        return f"0 0 {_number(self.width)} {_number(self.height)}"


def rings(geometry: object) -> list[Ring]:
    """Every ring (outer and holes) of a GeoJSON Polygon or MultiPolygon; [] for anything else."""
    if not isinstance(geometry, dict):
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else None
    if not isinstance(polygons, list):
        return []
    found: list[Ring] = []
    for polygon in polygons:
        if not isinstance(polygon, list):
            return []
        for ring in polygon:
            points = _ring(ring)
            if points is None:
                return []  # one broken ring spoils the outline: better no shape than a wrong one
            found.append(points)
    return found


def _ring(ring: object) -> Ring | None:
    if not isinstance(ring, list) or len(ring) < 3:
        return None
    points: Ring = []
    for point in ring:
        if not (isinstance(point, list | tuple) and len(point) >= 2):
            return None
        lon, lat = point[0], point[1]
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat)
        ):
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return None
        points.append((float(lon), float(lat)))
    return points


def draw(terms: Iterable[Term], width: float = WIDTH) -> Map | None:
    """The map of the neighbourhoods that have a geometry; None when none has one."""
    outlines = [(term, found) for term in terms if term.entry and (found := rings(term.entry.geometry))]
    if not outlines:
        return None
    points = [point for _, found in outlines for ring in found for point in ring]
    lons = [lon for lon, _ in points]
    lats = [lat for _, lat in points]
    # One correction for the whole map: at the scale of a municipality it hardly varies.
    scale_x = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * scale_x
    span_y = max(lats) - min(lats)
    inner = width - 2 * PADDING
    unit = inner / max(span_x, span_y, 1e-9)
    height = span_y * unit + 2 * PADDING
    # Centre the drawing when the area is taller than wide.
    offset_x = PADDING + (inner - span_x * unit) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            offset_x + (lon - min(lons)) * scale_x * unit,
            PADDING + (max(lats) - lat) * unit,  # SVG's y runs down, latitude up
        )

    shapes = [
        Shape(term, _path([[project(*point) for point in ring] for ring in found]))
        for term, found in outlines
    ]
    return Map(width, height, shapes)


def _path(rings: Sequence[Sequence[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        # GeoJSON repeats the first point at the end; "Z" closes the ring instead.
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring = ring[:-1]
        coordinates = " ".join(f"{_number(x)},{_number(y)}" for x, y in ring)
        parts.append(f"M{coordinates}Z")
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
