"""Département map geometry, built offline from the SVG map of pygal-maps-fr.

The package ``pygal-maps-fr`` ships ``fr.departments.svg``: one ``<g>`` per
département, whose class holds the code (``z2A``, ``z75``, ``z971`` ...).
Besides the metropolitan map it holds an enlarged copy of Paris and the
petite couronne (group ``paris-petite-couronne``) and insets for the overseas
départements (group ``dom-com``, which also holds Saint-Pierre-et-Miquelon,
not a département, dropped here).

Only the SVG file is read (through ``importlib.resources``); the package's
``maps`` module, which needs pygal, is never imported. Paths are parsed here,
curves flattened, transforms applied, and the result is simplified to integer
coordinates and returned as GeoJSON-like features.

Coordinates are SVG user units measured from the bottom-left corner of the
SVG view box (``y = view box bottom - y_svg``), so that north is up as in
GeoJSON and every coordinate is a positive integer; draw them with an identity
projection reflecting y (``reflectY``). Exterior rings are counter-clockwise,
holes clockwise.

Borders shared by neighbouring shapes are simplified once (see
``core.topology``), so neighbours stay glued together. The tolerance suits
a map shown some 600 to 900 pixels wide (the view box is 2000 units wide): the
drawing stays within about a pixel of the source. The map is also available as
TopoJSON, where each shared border is stored once; charts embed that form.
"""

from __future__ import annotations

import functools
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from importlib import resources

from core.topology import IntPoint, Point, build_topology, encode_arcs, signed_area

SVG_PACKAGE = "pygal_maps_fr"
SVG_FILE = "fr.departments.svg"

PARIS_INSET_GROUP = "paris-petite-couronne"
PARIS_INSET = "paris"
EXCLUDED_CODES = frozenset({"975"})  # Saint-Pierre-et-Miquelon
TOPOJSON_OBJECT = "departements"

# Douglas-Peucker tolerance, in SVG units (the map is 2000 units wide).
_SIMPLIFY_TOLERANCE = 3.0
# Points of neighbouring shapes closer than this are the same border point.
_SNAP_DISTANCE = 0.2
# Curves are flattened into segments at most this long (control polygon).
_CURVE_SEGMENT_LENGTH = 6.0
_MAX_CURVE_SEGMENTS = 8

_SVG_NS = "{http://www.w3.org/2000/svg}"
_CODE_CLASS = re.compile(r"^z(\d{2,3}|2[AB])$")

# Affine matrix (a, b, c, d, e, f) as in SVG: x' = a*x + c*y + e, y' = b*x + d*y + f
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


# --------------------------------------------------------------------------
# Transforms
# --------------------------------------------------------------------------


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """Return the matrix applying ``n`` first, then ``m``."""
    a1, b1, c1, d1, e1, f1 = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a1 * a2 + c1 * b2,
        b1 * a2 + d1 * b2,
        a1 * c2 + c1 * d2,
        b1 * c2 + d1 * d2,
        a1 * e2 + c1 * f2 + e1,
        b1 * e2 + d1 * f2 + f1,
    )


def _apply(m: Matrix, point: Point) -> Point:
    a, b, c, d, e, f = m
    x, y = point
    return (a * x + c * y + e, b * x + d * y + f)


_TRANSFORM_ITEM = re.compile(r"\s*,?\s*([a-zA-Z]+)\s*\(([^)]*)\)")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)


def parse_transform(text: str | None) -> Matrix:
    """Parse an SVG ``transform`` attribute into an affine matrix."""
    matrix = IDENTITY
    if not text:
        return matrix
    for name, raw_args in _TRANSFORM_ITEM.findall(text):
        args = [float(v) for v in _NUMBER_RE.findall(raw_args)]
        if name == "translate":
            tx, ty = (args + [0.0])[:2]
            step: Matrix = (1.0, 0.0, 0.0, 1.0, tx, ty)
        elif name == "scale":
            sx = args[0]
            sy = args[1] if len(args) > 1 else sx
            step = (sx, 0.0, 0.0, sy, 0.0, 0.0)
        elif name == "matrix":
            if len(args) != 6:
                raise ValueError(f"Invalid matrix transform: {text!r}")
            step = (args[0], args[1], args[2], args[3], args[4], args[5])
        elif name == "rotate":
            angle = math.radians(args[0])
            cos, sin = math.cos(angle), math.sin(angle)
            step = (cos, sin, -sin, cos, 0.0, 0.0)
            if len(args) == 3:
                cx, cy = args[1], args[2]
                step = _multiply(
                    _multiply((1.0, 0.0, 0.0, 1.0, cx, cy), step),
                    (1.0, 0.0, 0.0, 1.0, -cx, -cy),
                )
        else:
            raise ValueError(f"Unsupported transform {name!r} in {text!r}")
        matrix = _multiply(matrix, step)
    return matrix


# --------------------------------------------------------------------------
# Path data
# --------------------------------------------------------------------------

_PATH_TOKEN = re.compile(rf"([MmLlHhVvCcSsQqTtZzAa])|({_NUMBER})")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "Z": 0}


def _tokenize(d: str) -> Iterator[str | float]:
    position = 0
    for match in _PATH_TOKEN.finditer(d):
        gap = d[position : match.start()]
        if gap.strip(" \t\r\n,"):
            raise ValueError(f"Unexpected path data {gap!r}")
        position = match.end()
        command, number = match.groups()
        yield command if command else float(number)
    if d[position:].strip(" \t\r\n,"):
        raise ValueError(f"Unexpected path data {d[position:]!r}")


def _curve_steps(*points: Point) -> int:
    length = sum(math.dist(p, q) for p, q in zip(points, points[1:]))
    return max(1, min(_MAX_CURVE_SEGMENTS, math.ceil(length / _CURVE_SEGMENT_LENGTH)))


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point) -> list[Point]:
    steps = _curve_steps(p0, p1, p2, p3)
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out


def _quadratic(p0: Point, p1: Point, p2: Point) -> list[Point]:
    steps = _curve_steps(p0, p1, p2)
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1],
            )
        )
    return out


def parse_path(d: str) -> list[list[Point]]:
    """Parse SVG path data into subpaths of absolute points.

    Supports M L H V C S Q T Z in absolute and relative form; curves are
    flattened into a few points. Each subpath is returned as a list of points
    (not explicitly closed).

    >>> parse_path("m 10,10 l 5,0 0,5 z M 0,0 H 3 V 3 h -3 Z")
    [[(10.0, 10.0), (15.0, 10.0), (15.0, 15.0)], [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0), (0.0, 3.0)]]
    """
    subpaths: list[list[Point]] = []
    current: list[Point] = []
    x = y = 0.0
    start = (0.0, 0.0)
    last_control: Point | None = None  # reflected by S (cubic) or T (quadratic)
    last_kind = ""
    command = ""
    args: list[float] = []

    def flush() -> None:
        nonlocal current
        if len(current) > 1:
            subpaths.append(current)
        current = []

    def run(cmd: str, values: list[float]) -> None:
        nonlocal x, y, start, last_control, last_kind, command
        relative = cmd.islower()
        upper = cmd.upper()
        ox, oy = (x, y) if relative else (0.0, 0.0)
        kind = ""
        control: Point | None = None
        if upper not in ("M", "Z") and not current:
            # A drawing command right after Z starts a new subpath there.
            current.append((x, y))
        if upper == "M":
            flush()
            x, y = ox + values[0], oy + values[1]
            start = (x, y)
            current.append((x, y))
            # Further coordinate pairs after a moveto are implicit linetos.
            command = "l" if relative else "L"
        elif upper == "L":
            x, y = ox + values[0], oy + values[1]
            current.append((x, y))
        elif upper == "H":
            x = ox + values[0]
            current.append((x, y))
        elif upper == "V":
            y = oy + values[0]
            current.append((x, y))
        elif upper in ("C", "S"):
            if upper == "C":
                c1 = (ox + values[0], oy + values[1])
                rest = values[2:]
            else:
                if last_kind == "cubic" and last_control is not None:
                    c1 = (2 * x - last_control[0], 2 * y - last_control[1])
                else:
                    c1 = (x, y)
                rest = values
            c2 = (ox + rest[0], oy + rest[1])
            end = (ox + rest[2], oy + rest[3])
            current.extend(_cubic((x, y), c1, c2, end))
            x, y = end
            kind, control = "cubic", c2
        elif upper in ("Q", "T"):
            if upper == "Q":
                c1 = (ox + values[0], oy + values[1])
                end = (ox + values[2], oy + values[3])
            else:
                if last_kind == "quadratic" and last_control is not None:
                    c1 = (2 * x - last_control[0], 2 * y - last_control[1])
                else:
                    c1 = (x, y)
                end = (ox + values[0], oy + values[1])
            current.extend(_quadratic((x, y), c1, end))
            x, y = end
            kind, control = "quadratic", c1
        elif upper == "Z":
            flush()
            x, y = start
        last_kind, last_control = kind, control

    for token in _tokenize(d):
        if isinstance(token, str):
            if token in "Aa":
                raise ValueError("Arc commands are not supported")
            if args:
                raise ValueError(f"Incomplete arguments before {token!r}")
            command = token
            if command in "Zz":
                run(command, [])
            continue
        if not command or command in "Zz":
            raise ValueError("Path data must start with a command")
        args.append(token)
        if len(args) == _ARITY[command.upper()]:
            values, args = args, []
            run(command, values)
    if args:
        raise ValueError("Incomplete path data")
    flush()
    return subpaths


# --------------------------------------------------------------------------
# Rings and polygons
# --------------------------------------------------------------------------


def _contains(ring: list[IntPoint], point: Point) -> bool:
    """Even-odd ray casting point-in-ring test."""
    px, py = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > py) != (y2 > py):
            cross_x = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
            if px < cross_x:
                inside = not inside
    return inside


def _interior_probe(ring: list[IntPoint]) -> Point:
    """A point slightly inside the ring, next to its first edge."""
    area = signed_area(ring)
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        length = math.hypot(x2 - x1, y2 - y1)
        if length == 0:
            continue
        # Left normal for a counter-clockwise ring points inwards.
        nx, ny = -(y2 - y1) / length, (x2 - x1) / length
        if area < 0:
            nx, ny = -nx, -ny
        probe = ((x1 + x2) / 2 + nx * 0.01, (y1 + y2) / 2 + ny * 0.01)
        if _contains(ring, probe):
            return probe
    return (float(ring[0][0]), float(ring[0][1]))


def _polygons(rings: list[list[IntPoint]]) -> list[list[tuple[int, bool]]]:
    """Group closed rings into polygons: a ring inside an odd number of others is a hole.

    Returns, for every polygon, its rings as (index, must be reversed) pairs,
    exterior first: exteriors end up counter-clockwise, holes clockwise.
    """
    probes = [_interior_probe(ring) for ring in rings]
    containers = [
        [j for j, other in enumerate(rings) if j != i and _contains(other, probes[i])] for i in range(len(rings))
    ]
    polygons: dict[int, list[tuple[int, bool]]] = {}
    holes: list[tuple[int, int]] = []
    for i, ring in enumerate(rings):
        if len(containers[i]) % 2 == 0:
            polygons[i] = [(i, signed_area(ring) < 0)]
        else:
            # The hole belongs to its smallest container.
            parent = min(containers[i], key=lambda j: abs(signed_area(rings[j])))
            holes.append((parent, i))
    for parent, i in holes:
        if parent in polygons:
            polygons[parent].append((i, signed_area(rings[i]) > 0))
    return list(polygons.values())


# --------------------------------------------------------------------------
# SVG document
# --------------------------------------------------------------------------


def _svg_bytes() -> bytes:
    return resources.files(SVG_PACKAGE).joinpath(SVG_FILE).read_bytes()


def _departement_code(element: ET.Element) -> str | None:
    for name in element.get("class", "").split():
        match = _CODE_CLASS.match(name)
        if match:
            return match.group(1)
    return None


def _walk(
    element: ET.Element, matrix: Matrix, code: str | None, inset: str | None
) -> Iterator[tuple[str, str | None, Matrix, str]]:
    """Yield (code, inset, matrix, path data) for every département path."""
    matrix = _multiply(matrix, parse_transform(element.get("transform")))
    code = _departement_code(element) or code
    if element.get("id") == PARIS_INSET_GROUP:
        inset = PARIS_INSET
    if element.tag == f"{_SVG_NS}path" and code is not None:
        yield code, inset, matrix, element.get("d", "")
    for child in element:
        yield from _walk(child, matrix, code, inset)


def _view_box_bottom(root: ET.Element) -> float:
    view_box = [float(v) for v in _NUMBER_RE.findall(root.get("viewBox", ""))]
    if len(view_box) != 4:
        raise ValueError("The SVG map has no usable viewBox")
    return view_box[1] + view_box[3]


def _convert(svg: bytes) -> tuple[list[dict], dict]:
    """Return the GeoJSON features and the equivalent TopoJSON topology."""
    root = ET.fromstring(svg)
    # Flip y so that north is up, as in GeoJSON, keeping coordinates positive.
    flip: Matrix = (1.0, 0.0, 0.0, -1.0, 0.0, _view_box_bottom(root))
    raw_rings: list[list[Point]] = []
    ring_keys: list[tuple[str, str | None]] = []
    for code, inset, matrix, d in _walk(root, flip, None, None):
        if code in EXCLUDED_CODES:
            continue
        for subpath in parse_path(d):
            raw_rings.append([_apply(matrix, p) for p in subpath])
            ring_keys.append((code, inset))
    topology = build_topology(raw_rings, tolerance=_SIMPLIFY_TOLERANCE, snap=_SNAP_DISTANCE)

    rings_by_key: dict[tuple[str, str | None], list[list[int]]] = {}
    for key, refs in zip(ring_keys, topology.rings):
        rings_by_key.setdefault(key, [])
        if refs:
            rings_by_key[key].append(refs)

    features = []
    geometries = []
    for (code, inset), ring_refs in sorted(
        rings_by_key.items(), key=lambda item: (item[0][1] or "", _code_sort_key(item[0][0]))
    ):
        if not ring_refs:
            raise ValueError(f"No drawable shape for département {code}")
        coordinates = [topology.ring_coordinates(refs) for refs in ring_refs]
        polygons = _polygons(coordinates)
        geo_polygons = [[_ring_points(coordinates[i], reverse) for i, reverse in polygon] for polygon in polygons]
        topo_polygons = [[_ring_refs(ring_refs[i], reverse) for i, reverse in polygon] for polygon in polygons]
        properties = {"code": code, "inset": inset}
        if len(polygons) == 1:
            geometry = {"type": "Polygon", "coordinates": geo_polygons[0]}
            topo_geometry = {"type": "Polygon", "arcs": topo_polygons[0]}
        else:
            geometry = {"type": "MultiPolygon", "coordinates": geo_polygons}
            topo_geometry = {"type": "MultiPolygon", "arcs": topo_polygons}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
        geometries.append({**topo_geometry, "properties": dict(properties)})
    return features, _topojson(topology.arcs, geometries)


def _ring_points(ring: list[IntPoint], reverse: bool) -> list[list[int]]:
    return [list(p) for p in (ring[::-1] if reverse else ring)]


def _ring_refs(refs: list[int], reverse: bool) -> list[int]:
    return [~r for r in reversed(refs)] if reverse else list(refs)


def _topojson(arcs: list[list[IntPoint]], geometries: list[dict]) -> dict:
    """A quantized TopoJSON topology holding only the arcs in use."""
    used = sorted({r if r >= 0 else ~r for g in geometries for ring in _topo_rings(g) for r in ring})
    new_index = {old: new for new, old in enumerate(used)}
    for geometry in geometries:
        for ring in _topo_rings(geometry):
            ring[:] = [new_index[r] if r >= 0 else ~new_index[~r] for r in ring]
    return {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "objects": {TOPOJSON_OBJECT: {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": encode_arcs([arcs[i] for i in used]),
    }


def _topo_rings(geometry: dict) -> list[list[int]]:
    if geometry["type"] == "Polygon":
        return geometry["arcs"]
    return [ring for polygon in geometry["arcs"] for ring in polygon]


def _code_sort_key(code: str) -> tuple[int, str]:
    # "2A" and "2B" sort between "19" and "21", as in the official list.
    return (int(code.replace("A", "0").replace("B", "0")), code)


# --------------------------------------------------------------------------
# Caching and public API
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _conversion_json() -> tuple[str, str]:
    # The conversion takes a fraction of a second; keep its result as JSON
    # text so that every caller gets its own copy.
    features, topology = _convert(_svg_bytes())
    return (
        json.dumps(features, separators=(",", ":"), ensure_ascii=False),
        json.dumps(topology, separators=(",", ":"), ensure_ascii=False),
    )


def departement_features() -> list[dict]:
    """GeoJSON-like features of the département map.

    One feature per département (101, property ``inset`` None; overseas
    départements are drawn as insets placed near metropolitan France), plus
    an enlarged copy of 75, 92, 93 and 94 with ``inset == "paris"``.
    Coordinates are integers, y pointing north. Each call returns a fresh
    list, safe to modify.
    """
    return json.loads(_conversion_json()[0])


def departement_topology() -> dict:
    """The same map as a quantized TopoJSON topology (object ``departements``).

    Borders shared by neighbouring shapes are stored once and positions are
    delta-encoded, which makes it much smaller than the features: this is
    what charts embed. Each geometry has the properties ``code`` and
    ``inset`` of the features, and decodes to the same rings.
    """
    return json.loads(_conversion_json()[1])


def clear_cache() -> None:
    """Forget the cached conversion."""
    _conversion_json.cache_clear()


def iter_rings(features: Iterable[dict]) -> Iterator[list[list[int]]]:
    """Yield every ring of the given features."""
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            yield from polygon
