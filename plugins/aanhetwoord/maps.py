"""Maps: the neighbourhoods as SVG paths, drawn at build time from the register's GeoJSON.

No tiles and no map library: the outlines are projected equirectangularly, with longitude
scaled by cos(latitude) at the map's centre so a neighbourhood keeps its shape at Dutch
latitudes, and fitted into a fixed-width viewBox. Neighbourhoods without (usable) geometry
are left off the map; the list beside it names them all.

Every area carries a number, the same as beside its name in the list: a name rarely fits
inside an area on a phone, and a touch screen has no hover to show it. The number sits at the
point farthest from the area's edges (Shapely's polylabel), so it stays inside odd shapes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import Polygon
from shapely.ops import polylabel

from .catalogue import Term

WIDTH = 600.0
PADDING = 8.0

Ring = list[tuple[float, float]]  # (longitude, latitude), or (x, y) once projected
Outline = list[Ring]  # one polygon: its outer ring, then its holes


@dataclass(frozen=True)
class Shape:
    term: Term
    path: str  # SVG path data, in viewBox units
    number: int  # 1, 2, … in the order of the list beside the map
    label: tuple[float, float]  # where the number goes, in viewBox units

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

    @property
    def numbers(self) -> dict[str, int]:
        """Each neighbourhood's number on the map, by slug, for the list beside it."""
        return {shape.term.slug: shape.number for shape in self.shapes}


def outlines(geometry: object) -> list[Outline]:
    """The polygons of a GeoJSON Polygon or MultiPolygon; [] for anything else or anything broken."""
    if not isinstance(geometry, dict):
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else None
    if not isinstance(polygons, list):
        return []
    found: list[Outline] = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return []
        outline: Outline = []
        for ring in polygon:
            points = _ring(ring)
            if points is None:
                return []  # one broken ring spoils the outline: better no shape than a wrong one
            outline.append(points)
        found.append(outline)
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
    """The map of the neighbourhoods that have a geometry, numbered in the order given; None
    when none has one."""
    drawn = [(term, found) for term in terms if term.entry and (found := outlines(term.entry.geometry))]
    if not drawn:
        return None
    points = [point for _, found in drawn for outline in found for ring in outline for point in ring]
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

    shapes = []
    for number, (term, found) in enumerate(drawn, start=1):
        projected = [[[project(*point) for point in ring] for ring in outline] for outline in found]
        flat = [ring for outline in projected for ring in outline]
        shapes.append(Shape(term, _path(flat), number, _label_point(projected)))
    return Map(width, height, shapes)


def _label_point(polygons: list[Outline]) -> tuple[float, float]:
    """The point deepest inside the largest polygon, in viewBox units."""
    try:
        parts = [shapely.make_valid(Polygon(outline[0], outline[1:])) for outline in polygons]
        pieces = [
            piece
            for part in parts
            for piece in getattr(part, "geoms", [part])
            if isinstance(piece, Polygon) and piece.area > 0
        ]
        if pieces:
            point = polylabel(max(pieces, key=lambda piece: piece.area), tolerance=0.5)
            return (point.x, point.y)
    except (ShapelyError, ValueError):
        pass  # a shape Shapely cannot read still gets its number, in the middle of its box
    xs = [x for outline in polygons for ring in outline for x, _ in ring]
    ys = [y for outline in polygons for ring in outline for _, y in ring]
    return ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)


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
