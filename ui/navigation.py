"""The pages of the app, declared as data: which script, which title, which roles may open it."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from models.user import Role

C, P, F = Role.COORDINATION.value, Role.PARTENAIRE.value, Role.FINANCEUR.value
R = Role.ORIENTEUR.value
ALL = frozenset({C, P, F, R})


@dataclass(frozen=True)
class PageSpec:
    """A page: `url` is both its address and its script's name under pages/.

    They must match: a freshly started server runs `pages/<url>.py` directly for a first request to
    `/<url>`, before any session has declared the navigation (the script's guard then hands it to app.py).
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
    PageSpec("notifications", "notifications", "Notifications", ":material/notifications:", ALL, "Général"),
    # --- detection circuit ---
    PageSpec("outreach", "maraudes", "Maraudes", ":material/explore:", frozenset({C, P}), "Repérage"),
    PageSpec(
        "prevention", "prevention", "Prévention et supervision", ":material/diversity_3:", frozenset({C, P}), "Repérage"
    ),
    PageSpec("referrer_send", "orienter", "Orienter un enfant", ":material/send:", frozenset({R}), "Repérage"),
    PageSpec(
        "referrer_services",
        "services-orienteurs",
        "Services orienteurs",
        ":material/local_police:",
        frozenset({C}),
        "Repérage",
    ),
    # --- dashboards and annual report ---
    PageSpec("dashboard", "tableau-de-bord", "Tableau de bord", ":material/dashboard:", frozenset({C}), "Pilotage"),
    PageSpec("annual_report", "rapport-annuel", "Rapport annuel", ":material/summarize:", frozenset({C}), "Pilotage"),
    PageSpec(
        "funder_indicators",
        "indicateurs",
        "Indicateurs du réseau",
        ":material/monitoring:",
        frozenset({F}),
        "Indicateurs",
    ),
    # --- directory, conventions, référentiel, coverage ---
    PageSpec("directory", "annuaire", "Annuaire", ":material/menu_book:", frozenset({C, P}), "Réseau"),
    PageSpec("structure", "structure", "Fiche structure", ":material/home_work:", frozenset({C, P}), "Réseau"),
    PageSpec("coverage", "couverture", "Couverture", ":material/map:", frozenset({C}), "Réseau"),
    PageSpec(
        "conventions", "conventions", "Conventions départementales", ":material/handshake:", frozenset({C}), "Réseau"
    ),
    PageSpec("standards", "referentiel", "Référentiel", ":material/checklist:", frozenset({C, P}), "Réseau"),
    # --- child path ---
    PageSpec(
        "requests",
        "sollicitations",
        "Sollicitations",
        ":material/move_to_inbox:",
        frozenset({C}),
        "Parcours des enfants",
    ),
    PageSpec(
        "children", "enfants", "Enfants accueillis", ":material/child_care:", frozenset({P}), "Parcours des enfants"
    ),
    PageSpec(
        "path_indicators",
        "parcours",
        "Indicateurs du parcours",
        ":material/monitoring:",
        frozenset({C, F}),
        "Parcours des enfants",
    ),
    # --- training ---
    PageSpec("trainings", "formations", "Sessions de formation", ":material/school:", frozenset({C}), "Formation"),
    PageSpec(
        "training_plan", "plan-formation", "Catalogue et plan", ":material/menu_book:", frozenset({C}), "Formation"
    ),
    PageSpec(
        "training_indicators",
        "indicateurs-formation",
        "Indicateurs formation",
        ":material/bar_chart:",
        frozenset({C, F}),
        "Formation",
    ),
    PageSpec(
        "team_trainings",
        "formations-equipe",
        "Formations de l'équipe",
        ":material/school:",
        frozenset({P}),
        "Formation",
    ),
    PageSpec("signalements", "signalements", "Signalements", ":material/campaign:", frozenset({C, P}), "Signalements"),
    PageSpec(
        "signalement_indicators",
        "indicateurs-signalements",
        "Indicateurs des signalements",
        ":material/monitoring:",
        frozenset({C, F}),
        "Signalements",
    ),
    PageSpec("accounts", "comptes", "Comptes", ":material/manage_accounts:", frozenset({C}), "Administration"),
    PageSpec("audit", "journal", "Journal d'audit", ":material/history:", frozenset({C}), "Administration"),
    PageSpec(
        "access_log",
        "consultations",
        "Journal des consultations",
        ":material/visibility:",
        frozenset({C}),
        "Administration",
    ),
    # --- weekly figures ---
    PageSpec(
        "weekly_entry",
        "chiffres",
        "Chiffres de la semaine",
        ":material/edit_note:",
        frozenset({C, P}),
        "Chiffres hebdomadaires",
    ),
    PageSpec(
        "weekly_charts",
        "chiffres-evolution",
        "Évolution des chiffres",
        ":material/show_chart:",
        frozenset({C, P}),
        "Chiffres hebdomadaires",
    ),
    PageSpec(
        "weekly_import",
        "chiffres-import",
        "Import de chiffres",
        ":material/upload_file:",
        frozenset({C, P}),
        "Chiffres hebdomadaires",
    ),
    PageSpec(
        "weekly_board",
        "completude",
        "Complétude des chiffres",
        ":material/fact_check:",
        frozenset({C}),
        "Chiffres hebdomadaires",
    ),
    PageSpec(
        "weekly_elements",
        "chiffres-elements",
        "Éléments de saisie",
        ":material/tune:",
        frozenset({C}),
        "Chiffres hebdomadaires",
    ),
]

SECTIONS = [
    "Général",
    "Pilotage",
    "Réseau",
    "Parcours des enfants",
    "Repérage",
    "Chiffres hebdomadaires",
    "Formation",
    "Signalements",
    "Indicateurs",
    "Administration",
]
# Menu order: by section, then as declared.
PAGES.sort(key=lambda page: SECTIONS.index(page.section) if page.section in SECTIONS else len(SECTIONS))

PAGE_BY_KEY = {page.key: page for page in PAGES}

# True while app.py runs the chosen page; False when Streamlit runs a page script by itself.
inside_app: ContextVar[bool] = ContextVar("inside_app", default=False)


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role sees in its menu, in menu order."""
    return [page for page in PAGES if role in page.roles]
