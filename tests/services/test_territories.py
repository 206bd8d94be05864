"""Every indicator says which territory it is counted in, and the report shows it."""

from models.user import Role
from services.indicators.catalogue import indicator_list
from services.indicators.territories import TERRITORY_CAVEAT, indicator_territory, territory_basis, territory_note
from services.periods import Scope
from tests.factories import make_user


def test_every_indicator_of_the_catalogue_has_its_territory(db):
    coordinator = make_user(Role.COORDINATION)
    keys = [info.key for info in indicator_list(actor=coordinator)]
    assert keys
    assert [k for k in keys if not indicator_territory(k)] == []


def test_orientations_and_placements_are_counted_in_different_places_and_say_so():
    assert territory_basis("oriented") == "exploitation" and territory_basis("placed") == "structure"
    occitanie = Scope(region_code="76")
    assert TERRITORY_CAVEAT in territory_note("oriented", occitanie)
    assert TERRITORY_CAVEAT in territory_note("placed", occitanie)
    assert TERRITORY_CAVEAT not in territory_note("placed", Scope())
    assert TERRITORY_CAVEAT not in territory_note("coverage", occitanie)
    assert territory_note("unknown", occitanie) == ""
