import sys

import pytest

from core import geo
from services.directory.reference_data import DEPARTEMENTS

ALL_CODES = {d.code for d in DEPARTEMENTS}
OVERSEAS_CODES = {d.code for d in DEPARTEMENTS if d.overseas}


@pytest.fixture(scope="module")
def features():
    return geo.departement_features()


def _main(features):
    return [f for f in features if f["properties"]["inset"] is None]


def _polygons(feature):
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon"
    return geometry["coordinates"]


def test_one_feature_per_departement(features):
    codes = [f["properties"]["code"] for f in _main(features)]
    assert len(codes) == 101
    assert set(codes) == ALL_CODES


def test_no_saint_pierre_et_miquelon(features):
    assert all(f["properties"]["code"] != "975" for f in features)
    assert all(f["properties"]["code"] != "20" for f in features)


def test_paris_inset(features):
    inset = [f for f in features if f["properties"]["inset"] == "paris"]
    assert sorted(f["properties"]["code"] for f in inset) == ["75", "92", "93", "94"]
    assert {f["properties"]["inset"] for f in features} == {None, "paris"}


def test_paris_inset_is_enlarged(features):
    def width(feature):
        xs = [x for ring in geo.iter_rings([feature]) for x, _ in ring]
        return max(xs) - min(xs)

    by_key = {(f["properties"]["code"], f["properties"]["inset"]): f for f in features}
    assert width(by_key[("75", "paris")]) > 5 * width(by_key[("75", None)])


def test_overseas_features(features):
    overseas = [f for f in _main(features) if f["properties"]["code"] in OVERSEAS_CODES]
    assert {f["properties"]["code"] for f in overseas} == OVERSEAS_CODES
    # Guadeloupe and Martinique come with their islands.
    by_code = {f["properties"]["code"]: f for f in overseas}
    assert by_code["971"]["geometry"]["type"] == "MultiPolygon"


def test_feature_shape(features):
    for feature in features:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == {"code", "inset"}
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_coordinates_are_integers_and_rings_closed(features):
    for feature in features:
        for polygon in _polygons(feature):
            assert polygon
            for ring in polygon:
                assert len(ring) >= 4
                assert ring[0] == ring[-1]
                for point in ring:
                    assert len(point) == 2
                    assert all(type(value) is int for value in point)


def test_ring_orientation(features):
    # Exterior rings counter-clockwise (north up), holes clockwise.
    def area(ring):
        return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2

    for feature in features:
        for polygon in _polygons(feature):
            assert area(polygon[0]) > 0
            assert all(area(hole) < 0 for hole in polygon[1:])


def test_enclave_des_papes_is_a_hole_in_drome(features):
    by_code = {f["properties"]["code"]: f for f in _main(features)}
    assert any(len(polygon) > 1 for polygon in _polygons(by_code["26"]))


def test_north_is_up(features):
    by_code = {f["properties"]["code"]: f for f in _main(features)}

    def mean_y(code):
        ys = [y for ring in geo.iter_rings([by_code[code]]) for _, y in ring]
        return sum(ys) / len(ys)

    # Nord is north of Pyrénées-Orientales; Finistère is west of Bas-Rhin.
    assert mean_y("59") > mean_y("66")
    xs_29 = [x for ring in geo.iter_rings([by_code["29"]]) for x, _ in ring]
    xs_67 = [x for ring in geo.iter_rings([by_code["67"]]) for x, _ in ring]
    assert max(xs_29) < min(xs_67)


def _decode(topology):
    from core.topology import decode_arcs

    arcs = decode_arcs(topology["arcs"])

    def ring(refs):
        points = []
        for ref in refs:
            arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
            for point in arc:
                if not points or points[-1] != point:
                    points.append(point)
        return [list(p) for p in points]

    features = []
    for geometry in topology["objects"]["departements"]["geometries"]:
        if geometry["type"] == "Polygon":
            coordinates = [ring(r) for r in geometry["arcs"]]
        else:
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        features.append(
            {
                "type": "Feature",
                "properties": geometry["properties"],
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    return features


def test_topology_decodes_to_the_features(features):
    topology = geo.departement_topology()
    assert topology["type"] == "Topology"
    assert topology["transform"] == {"scale": [1, 1], "translate": [0, 0]}
    assert _decode(topology) == features


def test_topology_shares_borders():
    topology = geo.departement_topology()
    users = {}
    for geometry in topology["objects"]["departements"]["geometries"]:
        rings = geometry["arcs"] if geometry["type"] == "Polygon" else sum(geometry["arcs"], [])
        for ring in rings:
            for ref in ring:
                arc = ref if ref >= 0 else ~ref
                users.setdefault(arc, set()).add(geometry["properties"]["code"])
    shared = [arc for arc, codes in users.items() if len(codes) > 1]
    # Every inland border between two départements is one shared arc.
    assert len(shared) > 200
    assert all(index in users for index in range(len(topology["arcs"])))


def test_calls_return_independent_copies():
    first = geo.departement_features()
    first[0]["properties"]["code"] = "changed"
    assert geo.departement_features()[0]["properties"]["code"] != "changed"


def test_does_not_import_pygal_maps_module():
    geo.clear_cache()
    geo.departement_features()
    assert "pygal_maps_fr.maps" not in sys.modules
    assert "pygal" not in sys.modules


def test_parse_path_relative_commands_and_curves():
    subpaths = geo.parse_path("m 0,0 h 10 v 10 c 0,5 -10,5 -10,0 z m 20,0 l 5,0 0,5 z")
    assert len(subpaths) == 2
    first, second = subpaths
    assert first[:3] == [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]
    assert first[-1] == (0.0, 10.0)
    # The second subpath starts relative to the first one's start point.
    assert second == [(20.0, 0.0), (25.0, 0.0), (25.0, 5.0)]


def test_parse_path_smooth_and_quadratic_curves():
    (points,) = geo.parse_path("M0 0 C 0 10 10 10 10 0 S 20 -10 20 0 Q 25 5 30 0 T 40 0 Z")
    assert points[-1] == pytest.approx((40.0, 0.0))
    assert (10.0, 0.0) in points and (20.0, 0.0) in points and (30.0, 0.0) in points
    # The reflected control point of S bends the second arch downwards.
    between = [p for p in points if 10 < p[0] < 20]
    assert between and all(y < 0 for _, y in between)


def test_parse_path_exponent_numbers_and_implicit_separators():
    (points,) = geo.parse_path("M1e1,2E0l-.5.5 1e-1-1z")
    assert points[0] == (10.0, 2.0)
    assert points[1] == pytest.approx((9.5, 2.5))
    assert points[2] == pytest.approx((9.6, 1.5))


def test_parse_path_rejects_garbage():
    with pytest.raises(ValueError):
        geo.parse_path("M 0 0 L 1")
    with pytest.raises(ValueError):
        geo.parse_path("M 0 0 A 1 1 0 0 1 2 2")


def test_parse_transform():
    assert geo.parse_transform("translate(-42.9,96)") == (1.0, 0.0, 0.0, 1.0, -42.9, 96.0)
    matrix = geo.parse_transform("translate(10 20) scale(2)")
    assert geo._apply(matrix, (1.0, 1.0)) == (12.0, 22.0)


def test_coordinates_are_positive(features):
    for ring in geo.iter_rings(features):
        assert all(x >= 0 and y >= 0 for x, y in ring)


# --------------------------------------------------------------------------
# Coverage map chart
# --------------------------------------------------------------------------


def _values(codes=None):
    import pandas as pd

    codes = codes if codes is not None else sorted(ALL_CODES)
    count = len(codes)
    return pd.DataFrame(
        {
            "code": codes,
            "places": [i * 37 % 250 for i in range(count)],
            "taux": [(i % 10) / 10 for i in range(count)],
            "structure": [f"Maison d'accueil n°{i}" for i in range(count)],
        }
    )


def _chart(values=None):
    from ui.maps import coverage_map_chart

    return coverage_map_chart(
        _values() if values is None else values,
        measure="places",
        measure_label="Places disponibles",
        tooltip=[("places", "Places"), ("taux", "Taux d'occupation"), ("structure", "Structure")],
    )


def _is_lookup_table(dataset):
    return isinstance(dataset, list) and "departement_nom" in dataset[0]


def test_chart_spec_under_300_kb():
    spec = _chart().to_json()
    assert len(spec.encode("utf-8")) < 300_000


def test_chart_spec_structure():
    import json

    spec = json.loads(_chart().to_json())
    assert spec["projection"] == {"type": "identity", "reflectY": True}
    assert len(spec["layer"]) == 4
    base, coloured, _label, _overseas = spec["layer"]
    assert base["mark"]["type"] == "geoshape" and "fill" in base["mark"]
    assert coloured["encoding"]["color"]["title"] == "Places disponibles"
    titles = [t["title"] for t in coloured["encoding"]["tooltip"]]
    assert titles == ["Département", "Places", "Taux d'occupation", "Structure"]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    # The map is embedded once, as TopoJSON.
    assert spec["data"]["format"] == {"type": "topojson", "feature": "departements"}
    topology = spec["datasets"][spec["data"]["name"]]
    assert topology["type"] == "Topology"
    assert len(topology["objects"]["departements"]["geometries"]) == 105


def test_overseas_insets_are_labelled_and_uncovered_departements_have_their_own_colour():
    import json

    from ui.maps import UNCOVERED_COLOR

    values = _values(["75", "971"])
    values["covered"] = [1, 0]
    spec = json.loads(_chart(values).to_json())
    assert len(spec["layer"]) == 5
    uncovered = spec["layer"][2]
    assert uncovered["mark"]["fill"] == UNCOVERED_COLOR and "== 0" in json.dumps(uncovered["transform"])
    assert "!= 0" in json.dumps(spec["layer"][1]["transform"])
    labels = {row.get("label") for d in spec["datasets"].values() if isinstance(d, list) for row in d}
    assert {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"} <= labels


def test_coloured_by_coverage_the_legend_reads_oui_and_non_not_1_and_0():

    from ui.directory import integer_legend
    from ui.maps import COVERED_COLOR, UNCOVERED_COLOR, coverage_map_chart

    values = _values(["75", "971"])
    values["covered"] = [1, 0]
    values["covered_text"] = ["oui", "non"]
    chart = coverage_map_chart(
        values, measure="covered", measure_label="Département couvert", tooltip=[("covered_text", "Couvert")]
    )
    spec = integer_legend(chart.to_dict())
    colour = spec["layer"][1]["encoding"]["color"]
    assert colour["type"] == "nominal" and colour["title"] == "Département couvert"
    assert colour["scale"] == {"domain": ["oui", "non"], "range": [COVERED_COLOR, UNCOVERED_COLOR]}
    assert "format" not in colour["legend"]  # whole-number labels are for counts only
    rows = [row for d in spec["datasets"].values() if _is_lookup_table(d) for row in d]
    assert {(r["code"], r["couvert_texte"], r["champ_0"]) for r in rows if r.get("couvert_texte")} == {
        ("75", "oui", "oui"),
        ("971", "non", "non"),
    }
    counts = integer_legend(_chart().to_dict())["layer"][1]["encoding"]["color"]["legend"]
    assert counts["format"] == "d"


def test_chart_lookup_table_has_names_and_values():
    import json

    spec = json.loads(_chart(_values(["75", "2A"])).to_json())
    tables = [d for d in spec["datasets"].values() if _is_lookup_table(d)]
    assert len(tables) == 1
    by_code = {row["code"]: row for row in tables[0]}
    assert len(by_code) == 101
    assert by_code["2A"]["departement_nom"] == "Corse-du-Sud (2A)"
    assert by_code["75"]["mesure"] is not None
    assert by_code["13"]["mesure"] is None


def test_chart_rejects_bad_values():
    import pandas as pd

    with pytest.raises(ValueError, match="Unknown"):
        _chart(_values(["75", "20"]))
    with pytest.raises(ValueError, match="Several"):
        _chart(_values(["75", "75"]))
    with pytest.raises(ValueError, match="Missing"):
        _chart(pd.DataFrame({"code": ["75"], "places": [1]}))


def test_chart_tooltip_types_and_missing_values():
    import json

    import pandas as pd

    from ui.maps import coverage_map_chart

    values = pd.DataFrame(
        {
            "code": ["75", "971", "2B"],
            "places": [12, None, 3],
            "ouvert": [True, False, True],
            "maj": pd.to_datetime(["2025-01-31", "2025-02-01", None]),
        }
    )
    spec = json.loads(
        coverage_map_chart(
            values,
            measure="places",
            measure_label="Places",
            tooltip=[("ouvert", "Ouvert"), ("maj", "Mise à jour")],
        ).to_json()
    )
    coloured = spec["layer"][1]
    types = [t["type"] for t in coloured["encoding"]["tooltip"]]
    assert types == ["nominal", "nominal", "nominal"]
    table = next(d for d in spec["datasets"].values() if _is_lookup_table(d))
    by_code = {row["code"]: row for row in table}
    assert by_code["75"]["champ_0"] == "oui"
    assert by_code["971"]["champ_0"] == "non"
    assert by_code["971"]["mesure"] is None
    assert by_code["2B"]["champ_1"] == "non renseigné"
    assert by_code["75"]["champ_1"] == "31/01/2025"
    # Départements without a row have nothing to show.
    assert by_code["13"]["champ_0"] is None


def test_french_text():
    import datetime

    import numpy as np
    import pandas as pd

    from ui.maps import french_text

    assert french_text(1234) == "1\u00a0234"
    assert french_text(np.int64(5)) == "5"
    assert french_text(3.0) == "3"
    assert french_text(0.25) == "0,25"
    assert french_text(-1234.5) == "-1\u00a0234,5"
    assert french_text(False) == "non"
    assert french_text(np.bool_(True)) == "oui"
    assert french_text(float("nan")) == "non renseigné"
    assert french_text(pd.NA) == "non renseigné"
    assert french_text(pd.NaT) == "non renseigné"
    assert french_text(datetime.date(2024, 2, 1)) == "01/02/2024"
    assert french_text(pd.Timestamp("2025-01-31 10:00")) == "31/01/2025"
    assert french_text("Foyer Saint-Éloi") == "Foyer Saint-Éloi"
