"""Shared-border topology for polygon rings.

Neighbouring shapes of a map repeat their common borders. Cutting every ring
into arcs at the points where shapes meet lets each border be simplified once,
so that neighbours stay glued together after simplification, and lets a
TopoJSON encoding store each border once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]
IntPoint = tuple[int, int]


class _Snapper:
    """Give the same id to points closer than ``eps`` (first one seen wins)."""

    def __init__(self, eps: float) -> None:
        self.eps = eps
        self.points: list[Point] = []
        self._cells: dict[tuple[int, int], list[int]] = defaultdict(list)

    def id_of(self, point: Point) -> int:
        cx, cy = math.floor(point[0] / self.eps), math.floor(point[1] / self.eps)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for candidate in self._cells.get((cx + dx, cy + dy), ()):
                    if math.dist(self.points[candidate], point) <= self.eps:
                        return candidate
        self.points.append(point)
        self._cells[(cx, cy)].append(len(self.points) - 1)
        return len(self.points) - 1


def _perpendicular_distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.dist(p, a)
    return abs(dy * (p[0] - a[0]) - dx * (p[1] - a[1])) / math.hypot(dx, dy)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker simplification of a polyline, keeping both ends.

    A closed polyline (first point equal to the last) works too: its farthest
    point from the ends is kept first.
    """
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _perpendicular_distance(points[i], points[first], points[last])
            if distance > best:
                best, index = distance, i
        if index != -1 and best > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, kept in zip(points, keep) if kept]


def signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Shoelace area of a closed ring; positive when counter-clockwise (y up)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        total += x1 * y2 - x2 * y1
    return total / 2


@dataclass
class Topology:
    """Simplified integer arcs, and every input ring as a list of arc references.

    A reference ``i >= 0`` follows arc ``i`` forwards, ``~i`` (that is
    ``-i - 1``) follows it backwards, as in TopoJSON. A ring that vanished
    through simplification has no references.
    """

    arcs: list[list[IntPoint]]
    rings: list[list[int]]

    def ring_coordinates(self, refs: Sequence[int]) -> list[IntPoint]:
        """The closed ring drawn by these arc references, without repeated points."""
        out: list[IntPoint] = []
        for ref in refs:
            arc = self.arcs[ref] if ref >= 0 else self.arcs[~ref][::-1]
            for point in arc:
                if not out or out[-1] != point:
                    out.append(point)
        if out and out[0] != out[-1]:
            out.append(out[0])
        return out


def _dedupe_cycle(ids: list[int]) -> list[int]:
    out: list[int] = []
    for i in ids:
        if not out or out[-1] != i:
            out.append(i)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def _rotated_to_min(ids: list[int]) -> tuple[int, ...]:
    start = ids.index(min(ids))
    return tuple(ids[start:] + ids[:start] + [ids[start]])


def build_topology(rings: Sequence[Sequence[Point]], *, tolerance: float, snap: float) -> Topology:
    """Cut rings into shared arcs, simplify each arc once and round it.

    ``rings`` are open or closed point lists. Points closer than ``snap`` are
    taken as the same point; arcs are simplified with ``tolerance``.
    """
    snapper = _Snapper(snap)
    id_rings = [_dedupe_cycle([snapper.id_of(p) for p in ring]) for ring in rings]

    # A point is a junction when the rings through it do not all come from and
    # go to the same neighbours: that is where shared borders start and end.
    neighbours: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for ids in id_rings:
        count = len(ids)
        if count < 3:
            continue
        for i, point in enumerate(ids):
            before, after = ids[i - 1], ids[(i + 1) % count]
            neighbours[point].add((min(before, after), max(before, after)))
    junctions = {point for point, pairs in neighbours.items() if len(pairs) > 1}

    arc_index: dict[tuple[int, ...], int] = {}
    id_arcs: list[tuple[int, ...]] = []

    def reference(arc: tuple[int, ...], reverse_key: tuple[int, ...]) -> int:
        if arc in arc_index:
            return arc_index[arc]
        if reverse_key in arc_index:
            return ~arc_index[reverse_key]
        arc_index[arc] = len(id_arcs)
        id_arcs.append(arc)
        return arc_index[arc]

    ring_refs: list[list[int]] = []
    for ids in id_rings:
        if len(ids) < 3:
            ring_refs.append([])
            continue
        cuts = [i for i, point in enumerate(ids) if point in junctions]
        if not cuts:
            forward = _rotated_to_min(ids)
            ring_refs.append([reference(forward, _rotated_to_min(ids[::-1]))])
            continue
        rotated = ids[cuts[0] :] + ids[: cuts[0]]
        positions = [i for i, point in enumerate(rotated) if point in junctions] + [len(rotated)]
        refs = []
        closed = rotated + [rotated[0]]
        for start, end in zip(positions, positions[1:]):
            arc = tuple(closed[start : end + 1])
            refs.append(reference(arc, arc[::-1]))
        ring_refs.append(refs)

    arcs: list[list[IntPoint]] = []
    for arc in id_arcs:
        simplified = simplify([snapper.points[i] for i in arc], tolerance)
        rounded: list[IntPoint] = []
        for x, y in simplified:
            snapped: IntPoint = (round(x), round(y))
            if not rounded or rounded[-1] != snapped:
                rounded.append(snapped)
        if len(rounded) == 1:
            rounded.append(rounded[0])
        arcs.append(rounded)

    topology = Topology(arcs=arcs, rings=[])
    for refs in ring_refs:
        coordinates = topology.ring_coordinates(refs) if refs else []
        drawable = len(coordinates) >= 4 and signed_area(coordinates) != 0
        topology.rings.append(refs if drawable else [])
    return topology


def encode_arcs(arcs: Sequence[Sequence[IntPoint]]) -> list[list[list[int]]]:
    """Delta-encode integer arcs as in a quantized TopoJSON topology."""
    encoded = []
    for arc in arcs:
        previous = (0, 0)
        out = []
        for x, y in arc:
            out.append([x - previous[0], y - previous[1]])
            previous = (x, y)
        encoded.append(out)
    return encoded


def decode_arcs(encoded: Sequence[Sequence[Sequence[int]]]) -> list[list[IntPoint]]:
    """Inverse of :func:`encode_arcs`."""
    arcs = []
    for arc in encoded:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x, y))
        arcs.append(points)
    return arcs
