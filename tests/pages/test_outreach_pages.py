"""The detection-circuit pages with data: a partner logs outreach, a refusal keeps what was typed, the origin
shows on the request, a referrer's receipt and status list."""

from core.clock import paris_today
from core.formatting import fr_date
from models.base import utcnow
from models.user import Role
from services.outreach.sessions import OutreachData, outreach_create, outreach_list, platform_add, referral_link
from services.referrers.requests import on_call_phone_set, referral_list
from tests.factories import make_request, make_structure, make_user
from tests.pages.helpers import open_page, texts
from ui.text import md


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_partner_logs_a_digital_session_and_a_refusal_keeps_the_form(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    platform = platform_add(actor=coordinator, name="Site A")
    partner = make_user(Role.PARTENAIRE)
    at = open_page(partner, "outreach")
    at.radio(key="outreach_kind").set_value("numerique")
    at.selectbox(key="outreach_departement").set_value("93")
    at.text_input(key="outreach_count_ads_spotted").input("20")
    at.text_input(key="outreach_count_ads_presumed_minors").input("2")
    _button(at, "Enregistrer la maraude").click().run()
    assert not at.exception, at.exception
    assert "Plateformes : choisissez au moins une plateforme" in at.error[0].value
    assert outreach_list(actor=partner) == []
    assert at.text_input(key="outreach_count_ads_presumed_minors").value == "2"  # nothing typed is lost
    at.multiselect(key="outreach_platforms").set_value([platform.id])
    _button(at, "Enregistrer la maraude").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Maraude enregistrée." in texts(at)
    frame = at.dataframe[0].value
    assert list(frame["Lieu ou plateformes"]) == ["Site A"]
    assert list(frame["Annonces ou profils de personnes présumées mineures"]) == [2]
    assert "Équipe" not in frame.columns  # a partner sees only its own sessions


def test_the_request_record_shows_its_outreach_origin(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE, structure_id=make_structure(name="Équipe mobile").id)
    session = outreach_create(
        actor=partner,
        data=OutreachData(
            held_on=paris_today(),
            kind="rue",
            duration_minutes=60,
            team_size=2,
            departement_code="75",
            place_kind="gare",
            counts={"persons_met": 3, "persons_presumed_minors": 1},
        ),
    )
    request = make_request(coordinator, requester_kind="maraude", received_at=utcnow())
    other = make_request(coordinator)
    referral_link(actor=coordinator, session_id=session.id, child_code=request.code)
    at = open_page(coordinator, "requests")
    at.session_state["sollicitations_open_id"] = request.id
    at.run()
    assert not at.exception, at.exception
    origin = [i.value for i in at.info if "Origine" in i.value]
    shown = md(f"maraude de rue du {fr_date(paris_today())} (Équipe mobile)")  # escaped: typed by a partner
    assert origin == [f"**Origine** : repérage lors de la {shown}"]
    at.session_state["sollicitations_open_id"] = other.id
    at.run()
    assert not [i.value for i in at.info if "Origine" in i.value]


def test_referrer_receipt_and_status_list(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    on_call_phone_set(actor=coordinator, phone="01 99 00 12 34")
    referrer = make_user(Role.ORIENTEUR)
    at = open_page(referrer, "referrer_send")
    at.text_input(key="orienter_age").input("15")
    at.selectbox(key="orienter_sex").set_value("F")
    at.selectbox(key="orienter_departement").set_value("93")
    at.multiselect(key="orienter_forms").set_value(["sexuelle"])
    _button(at, "Envoyer la sollicitation").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    [sent] = referral_list(actor=referrer)
    assert f"Sollicitation n° **{sent.request_number}**" in at.success[0].value
    assert "01 99 00 12 34" in at.success[0].value
    frame = at.dataframe[0].value
    assert list(frame["N°"]) == [str(sent.request_number)] and list(frame["État"]) == ["Reçue"]
    assert "ANC-" not in texts(at)


def test_supervision_hours_typed_with_a_comma_are_saved_and_a_decimal_head_count_is_refused(sqlite_db):
    from services.outreach.staff import staff_protection

    partner = make_user(Role.PARTENAIRE)
    at = open_page(partner, "prevention")
    at.text_input(key="supervision_hours").input("1,5")
    at.text_input(key="supervision_participants").input("2,5")
    _button(at, "Enregistrer la séance").click().run()
    assert "Participants : nombre entier attendu" in at.error[0].value
    today = paris_today()
    assert staff_protection(actor=partner, start=today, end=today).supervision_sessions == 0
    at.text_input(key="supervision_hours").input("1,5")
    at.text_input(key="supervision_participants").input("3")
    _button(at, "Enregistrer la séance").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    protection = staff_protection(actor=partner, start=today, end=today)
    assert (protection.supervision_sessions, protection.participant_hours) == (1, 4.5)
