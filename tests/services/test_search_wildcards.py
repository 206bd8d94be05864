"""`%` and `_` typed in a search match only themselves."""

from models.user import Role
from services.directory import structure_listing as listing
from services.directory.structure_listing import StructureFilters
from services.path import requests
from tests.factories import make_request, make_structure, make_user


def test_request_code_search_treats_wildcards_as_text(db):
    coordinator = make_user(Role.COORDINATION)
    made = make_request(coordinator)
    make_request(coordinator)
    assert requests.request_board(actor=coordinator, code="%").total == 0
    assert requests.request_board(actor=coordinator, code="_").total == 0
    assert requests.request_board(actor=coordinator, code=made.code[2:]).total == 1


def test_directory_search_treats_wildcards_as_text(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Foyer Alpha")
    make_structure(name="Foyer 100% Bêta")
    make_structure(name="Maison_Gamma")

    def names(search):
        return sorted(
            r.name for r in listing.structure_list(actor=coordinator, filters=StructureFilters(search=search)).rows
        )

    assert names("%") == ["Foyer 100% Bêta"]
    assert names("_") == ["Maison_Gamma"]
    assert names("Foyer_") == []
    assert names("foyer") == ["Foyer 100% Bêta", "Foyer Alpha"]
