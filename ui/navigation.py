"""The pages of the app, declared as data: which script, which title, which roles may open it."""

from __future__ import annotations

from dataclasses import dataclass

from models.user import Role

C, P, F = Role.COORDINATION.value, Role.PARTENAIRE.value, Role.FINANCEUR.value
ALL = frozenset({C, P, F})


@dataclass(frozen=True)
class PageSpec:
    """A page: `url` is both its address and its script's name under pages/.

    They must match: a freshly started server runs `pages/<url>.py` directly for a first request to
    `/<url>`, before any session has declared the navigation (the script's guard then asks to log in).
    """

    key: str
    url: str
    title: str
    icon: str
    roles: frozenset[str]
    section: str

    @property
    def script(self) -> str:
        return f"pages/{self.url}.py"


PAGES: list[PageSpec] = [
    PageSpec("home", "accueil", "Accueil", ":material/home:", ALL, "Général"),
    # --- directory, conventions, référentiel, coverage ---
    PageSpec("directory", "annuaire", "Annuaire", ":material/menu_book:", frozenset({C, P}), "Réseau"),
    PageSpec("structure", "structure", "Fiche structure", ":material/home_work:", frozenset({C, P}), "Réseau"),
    PageSpec("coverage", "couverture", "Couverture", ":material/map:", frozenset({C}), "Réseau"),
    PageSpec("conventions", "conventions", "Conventions départementales", ":material/handshake:", frozenset({C}),
             "Réseau"),
    PageSpec("standards", "referentiel", "Référentiel", ":material/checklist:", frozenset({C, P}), "Réseau"),
    # --- training ---
    PageSpec("trainings", "formations", "Sessions de formation", ":material/school:", frozenset({C}), "Formation"),
    PageSpec("training_plan", "plan-formation", "Catalogue et plan", ":material/menu_book:", frozenset({C}), "Formation"),
    PageSpec("training_indicators", "indicateurs-formation", "Indicateurs formation", ":material/bar_chart:",
             frozenset({C, F}), "Formation"),
    PageSpec("team_trainings", "formations-equipe", "Formations de l'équipe", ":material/school:", frozenset({P}),
             "Formation"),
    PageSpec("accounts", "comptes", "Comptes", ":material/manage_accounts:", frozenset({C}), "Administration"),
    PageSpec("audit", "journal", "Journal d'audit", ":material/history:", frozenset({C}), "Administration"),
    # --- weekly figures ---
    PageSpec("weekly_entry", "chiffres", "Chiffres de la semaine", ":material/edit_note:", frozenset({C, P}),
             "Chiffres hebdomadaires"),
    PageSpec("weekly_charts", "chiffres-evolution", "Évolution des chiffres", ":material/show_chart:",
             frozenset({C, P}), "Chiffres hebdomadaires"),
    PageSpec("weekly_import", "chiffres-import", "Import de chiffres", ":material/upload_file:", frozenset({C, P}),
             "Chiffres hebdomadaires"),
    PageSpec("weekly_board", "completude", "Complétude des chiffres", ":material/fact_check:", frozenset({C}),
             "Chiffres hebdomadaires"),
    PageSpec("weekly_elements", "chiffres-elements", "Éléments de saisie", ":material/tune:", frozenset({C}),
             "Chiffres hebdomadaires"),
]

PAGE_BY_KEY = {page.key: page for page in PAGES}


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role sees in its menu, in menu order."""
    return [page for page in PAGES if role in page.roles]
