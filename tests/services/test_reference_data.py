import dataclasses

import pytest

from services.directory.reference_data import (
    DEPARTEMENTS,
    OVERSEAS_REGION_CODES,
    REGIONS,
    Departement,
    departement_by_code,
    distance_km,
    region_by_code,
)

OVERSEAS_CODES = {"971", "972", "973", "974", "976"}


def test_counts():
    assert len(DEPARTEMENTS) == 101
    assert len(REGIONS) == 18
    assert len({d.code for d in DEPARTEMENTS}) == 101
    assert len({r.code for r in REGIONS}) == 18


def test_every_departement_region_exists():
    region_codes = {r.code for r in REGIONS}
    for departement in DEPARTEMENTS:
        assert departement.region_code in region_codes, departement


def test_every_region_has_departements():
    used = {d.region_code for d in DEPARTEMENTS}
    assert used == {r.code for r in REGIONS}


def test_overseas_departements():
    overseas = {d.code for d in DEPARTEMENTS if d.overseas}
    assert overseas == OVERSEAS_CODES
    overseas_regions = {d.region_code for d in DEPARTEMENTS if d.overseas}
    assert overseas_regions == set(OVERSEAS_REGION_CODES)
    assert len(overseas_regions) == 5
    assert all(not d.overseas for d in DEPARTEMENTS if d.region_code not in OVERSEAS_REGION_CODES)


def test_corsica_codes():
    codes = {d.code for d in DEPARTEMENTS}
    assert {"2A", "2B"} <= codes
    assert "20" not in codes
    assert departement_by_code("2A").region_code == "94"
    assert departement_by_code("2B").region_code == "94"


def test_code_format():
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert {d.code for d in DEPARTEMENTS} == metropolitan | OVERSEAS_CODES


def test_names_with_accents():
    assert departement_by_code("07").name == "Ardèche"
    assert departement_by_code("69").name == "Rhône"
    assert region_by_code("11").name == "Île-de-France"
    assert region_by_code("84").name == "Auvergne-Rhône-Alpes"
    assert region_by_code("01").name == "Guadeloupe"


def test_centroids_in_plausible_ranges():
    for departement in DEPARTEMENTS:
        if departement.overseas:
            assert -25 < departement.lat < 20
        else:
            # Metropolitan France, Corsica included.
            assert 41.3 < departement.lat < 51.1, departement
            assert -5.2 < departement.lon < 9.6, departement


def test_lookup_unknown_code():
    with pytest.raises(KeyError):
        departement_by_code("20")
    with pytest.raises(KeyError):
        departement_by_code("975")


def test_dataclasses_are_frozen():
    departement = departement_by_code("75")
    assert isinstance(departement, Departement)
    with pytest.raises(dataclasses.FrozenInstanceError):
        departement.name = "Lutèce"  # type: ignore[misc]


def test_distance_paris_marseille():
    assert distance_km("75", "13") == pytest.approx(660, abs=60)


def test_distance_properties():
    assert distance_km("75", "75") == 0.0
    assert distance_km("29", "67") == pytest.approx(distance_km("67", "29"))
    # Neighbouring départements are close, Paris and La Réunion are not.
    assert distance_km("75", "92") < 20
    assert distance_km("75", "974") > 9000
