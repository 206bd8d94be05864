from core.topology import (
    build_topology,
    decode_arcs,
    encode_arcs,
    signed_area,
    simplify,
)


def _square(x, y, size=10):
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size)]


def test_simplify_keeps_ends_and_drops_flat_points():
    line = [(0, 0), (1, 0.1), (2, -0.1), (3, 0), (3, 5)]
    assert simplify(line, 0.5) == [(0, 0), (3, 0), (3, 5)]
    assert simplify(line, 0.0) == line


def test_simplify_closed_polyline_keeps_a_shape():
    ring = _square(0, 0) + [(0, 0)]
    assert simplify(ring, 1.0) == ring


def test_signed_area_orientation():
    ring = _square(0, 0) + [(0, 0)]
    assert signed_area(ring) == 100
    assert signed_area(ring[::-1]) == -100


def test_adjacent_squares_share_one_arc():
    # Two squares side by side, the second one drawn clockwise, with points
    # of the common edge off by less than the snap distance.
    left = _square(0, 0)
    right = [(10.05, 0), (10.0, 10.02), (20, 10), (20, 0)]
    topology = build_topology([left, right], tolerance=0.5, snap=0.2)
    assert all(topology.rings)
    left_arcs = {r if r >= 0 else ~r for r in topology.rings[0]}
    right_arcs = {r if r >= 0 else ~r for r in topology.rings[1]}
    shared = left_arcs & right_arcs
    assert len(shared) == 1
    (arc,) = shared
    assert sorted(topology.arcs[arc]) == [(10, 0), (10, 10)]
    # Both rings are closed and keep their area.
    for refs, area in zip(topology.rings, (100, -100)):
        coordinates = topology.ring_coordinates(refs)
        assert coordinates[0] == coordinates[-1]
        assert signed_area(coordinates) == area


def test_enclave_ring_is_stored_once():
    outer = _square(0, 0, 30)
    enclave = _square(10, 10, 5)
    topology = build_topology([outer, enclave, enclave[::-1]], tolerance=0.5, snap=0.2)
    assert len(topology.arcs) == 2
    assert topology.rings[1] == [~topology.rings[2][0]] or topology.rings[1] == topology.rings[2]
    assert signed_area(topology.ring_coordinates(topology.rings[1])) == 25
    assert signed_area(topology.ring_coordinates(topology.rings[2])) == -25


def test_tiny_ring_vanishes():
    speck = [(0, 0), (0.3, 0), (0.3, 0.3)]
    topology = build_topology([_square(5, 5), speck], tolerance=0.5, snap=0.2)
    assert topology.rings[0]
    assert topology.rings[1] == []


def test_arc_delta_encoding_round_trip():
    arcs = [[(10, 20), (12, 18), (12, 25)], [(0, 0), (0, 0)]]
    encoded = encode_arcs(arcs)
    assert encoded[0] == [[10, 20], [2, -2], [0, 7]]
    assert decode_arcs(encoded) == arcs
