"""What one user types reaches another user's screen as text: no Markdown, no HTML, no link."""

import re

from models.user import Role
from tests.factories import make_signalement, make_structure, make_user
from tests.pages.helpers import open_page

BEACON = "![x](http://host.example/beacon.png) [clic](http://host.example) <img src=x> **gras** :red[rouge]"


def _markdown_sources(at) -> list[str]:
    """The source of every element Streamlit renders as Markdown."""
    kinds = (at.markdown, at.title, at.header, at.subheader, at.caption, at.error, at.warning, at.info, at.success)
    return [str(e.value) for kind in kinds for e in kind]


# Each piece of BEACON that Markdown would act on, when not escaped by a backslash.
LIVE = re.compile(r"(?<!\\)(\]\(http|<img|\*\*gras|:red\[)")


def _assert_inert(at) -> None:
    for source in _markdown_sources(at):
        assert not LIVE.search(source), source


def test_measures_detail_typed_by_a_partner_is_plain_text_for_the_coordination(sqlite_db):
    partner = make_user(Role.PARTENAIRE, display_name="Éducatrice [nuit](http://host.example)")
    made = make_signalement(partner, actions_detail=BEACON)
    coordination = make_user(Role.COORDINATION)
    at = open_page(coordination, "signalements")
    at.session_state["signalements_selected"] = made.id
    at.run()
    assert not at.exception
    assert BEACON in [t.value for t in at.text]
    _assert_inert(at)


def test_structure_fields_are_plain_text_on_its_card(sqlite_db):
    structure = make_structure(
        name="Foyer **gras** ![x](http://host.example/b.png)",
        commune="<img src=x>",
        email="contact@exemple.fr",
        phone="02 99 00 00 00",
    )
    at = open_page(make_user(Role.COORDINATION), "structure")
    at.selectbox(key="structure_choice").set_value(structure.id)
    at.run()
    assert not at.exception
    _assert_inert(at)
    assert any("Foyer" in s for s in _markdown_sources(at))


def test_md_escapes_every_markdown_and_html_sign():
    from ui.text import md

    assert md("![x](http://h/b.png)") == r"\!\[x\]\(http\:\/\/h\/b\.png\)"
    assert md("<b>a</b>\n# titre") == r"\<b\>a\<\/b\> \# titre"
    assert md(None) == ""
