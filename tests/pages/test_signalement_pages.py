"""The signalement pages with data: declaring, the board, another structure, the funder's view."""

from dataclasses import replace
from datetime import timedelta

from core.formatting import PARIS
from models.base import utcnow
from models.user import Role
from services.signalements import declarations as svc
from services.signalements import reads
from tests.factories import make_signalement, make_user
from tests.pages.helpers import open_page, texts

FACTS = "Un homme adulte attend l'enfant devant le portail et l'appelle par son surnom."


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _walk(node):
    """Every element under `node`, in the order the page draws them."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


def _fill_declaration(at, *, facts, severity=None, category=None):
    at.datetime_input(key="signalements_occurred_0").set_value(
        (utcnow() - timedelta(minutes=30)).astimezone(PARIS).replace(tzinfo=None, second=0, microsecond=0)
    )
    if category:
        at.selectbox(key="signalements_category_0").set_value(category)
    if severity:
        at.radio(key="signalements_severity_0").set_value(severity)
    at.text_area(key="signalements_facts_0").input(facts)


def test_partner_declares_and_the_coordination_board_shows_it_first(sqlite_db):
    partner = make_user(Role.PARTENAIRE)
    make_signalement(replace(partner, is_system=True), now=utcnow() - timedelta(hours=2))  # worrying, pending
    at = open_page(partner, "signalements")
    _fill_declaration(at, facts=FACTS, severity="danger_immediat", category="approche")
    _button(at, "Déclarer à la coordination").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Signalement transmis à la coordination" in at.success[0].value
    assert [b.label for b in at.download_button] == ["Télécharger la confirmation écrite (à imprimer)"]
    # The message, then the confirmation to download, and only then the next, empty, form.
    order = [getattr(node, "key", None) for node in _walk(at.main)]
    receipt, download = order.index("signalements_receipt"), order.index(at.download_button[0].key)
    assert receipt < download < order.index("signalements_declare_1")
    assert at.text_area(key="signalements_facts_1").value == ""
    _button(at, "Fermer").click()
    at.run()
    assert not at.download_button and not at.success  # closed: the empty form alone
    coordination = make_user(Role.COORDINATION)
    board = open_page(coordination, "signalements")
    assert not board.exception
    first_card = next(m.value for m in board.markdown if "SIG-" in m.value)
    assert "Danger immédiat" in first_card
    assert "Prise en compte attendue dans" in texts(board)
    _button(board, "Prendre en compte").click()
    board.run()
    newest = reads.signalement_list(actor=coordination).rows[0]
    events = reads.signalement_get(actor=coordination, signalement_id=newest.id).events
    assert [(e.kind, e.author_name) for e in events] == [
        ("declaration", partner.display_name),
        ("prise_en_compte", coordination.display_name),
    ]


def test_refused_declaration_keeps_what_was_typed(sqlite_db):
    at = open_page(make_user(Role.PARTENAIRE), "signalements")
    _fill_declaration(at, facts="Trop court")
    at.text_input(key="signalements_child_0").input("E-404")
    _button(at, "Déclarer à la coordination").click()
    at.run()
    errors = "\n".join(e.value for e in at.error)
    for message in (svc.CATEGORY_REQUIRED, svc.SEVERITY_REQUIRED, svc.FACTS_REQUIRED, svc.CHILD_NOT_IN_STRUCTURE):
        assert message in errors
    assert at.text_area(key="signalements_facts_0").value == "Trop court"
    assert at.text_input(key="signalements_child_0").value == "E-404"
    assert "Aucun nom ici" in texts(at)


def test_overdue_signalement_stands_out_on_the_board(sqlite_db):
    partner = make_user(Role.PARTENAIRE)
    make_signalement(replace(partner, is_system=True), now=utcnow() - timedelta(hours=30))
    make_signalement(partner, severity="information")
    board = open_page(make_user(Role.COORDINATION), "signalements")
    cards = [m.value for m in board.markdown if "SIG-" in m.value]
    assert "En retard" in cards[0] and "Préoccupant" in cards[0]
    assert "En retard de" in texts(board)


def test_partner_sees_only_its_structure(sqlite_db):
    mine, theirs = make_user(Role.PARTENAIRE), make_user(Role.PARTENAIRE)
    other = make_signalement(theirs)
    own = make_signalement(mine)
    at = open_page(mine, "signalements")
    table = at.dataframe[0].value
    assert list(table["Référence"]) == [own.reference]
    assert other.reference not in texts(at)


def test_funder_indicators_hide_small_counts(sqlite_db):
    partner = make_user(Role.PARTENAIRE)
    for _ in range(2):
        make_signalement(partner)
    at = open_page(make_user(Role.FINANCEUR), "signalement_indicators")
    assert not at.exception and not at.error
    assert "< 5" in texts(at) or any("< 5" in str(df.value.values) for df in at.dataframe)


def test_deadlines_typed_with_a_decimal_comma_are_saved(sqlite_db):
    from services.signalements.circuit import signalement_deadline_hours

    board = open_page(make_user(Role.COORDINATION), "signalements")
    pass_hours = signalement_deadline_hours()["danger_immediat"][1]
    board.text_input(key="signalements_ack_danger_immediat").input("1,5")
    next(b for b in board.button if b.label == "Enregistrer les délais").click().run()
    assert not board.exception and not board.error, [e.value for e in board.error]
    assert signalement_deadline_hours()["danger_immediat"] == (1.5, pass_hours)
    assert board.text_input(key="signalements_ack_danger_immediat").value == "1,5"
