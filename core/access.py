"""Who may do what: one vocabulary of actions, declared as data, checked by `can` and `require`.

Pages only show or hide controls with `can`; services call `require` (or narrow their SQL with
`scope_structure`) on every read and write, so a hidden menu is never the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from core.errors import AccessDenied
from models.user import Role

C, P, F = Role.COORDINATION.value, Role.PARTENAIRE.value, Role.FINANCEUR.value
R = Role.ORIENTEUR.value


class Action(str, Enum):
    HOME_VIEW = "home.view"
    ACCOUNT_MANAGE = "account.manage"
    AUDIT_VIEW = "audit.view"
    SETTINGS_MANAGE = "settings.manage"
    STRUCTURE_READ = "structure.read"
    STRUCTURE_CREATE = "structure.create"
    STRUCTURE_EDIT_ALL = "structure.edit_all"
    STRUCTURE_EDIT_OWN = "structure.edit_own"
    INDICATOR_READ = "indicator.read"
    # --- child path ---
    PATH_REQUEST_MANAGE = "path.request_manage"
    PATH_CHILD_UPDATE = "path.child_update"
    PATH_CHILD_READ = "path.child_read"
    PATH_ACCESS_LOG_READ = "path.access_log_read"
    PATH_INDICATOR_READ = "path.indicator_read"
    # --- training ---
    TRAINING_CATALOGUE_READ = "training.catalogue_read"
    TRAINING_MANAGE = "training.manage"
    TRAINING_SESSION_READ = "training.session_read"
    TRAINING_INDICATOR_READ = "training.indicator_read"
    # --- directory, conventions, référentiel, coverage ---
    STRUCTURE_EXPORT = "structure.export"
    STRUCTURE_IMPORT = "structure.import"
    CONVENTION_READ = "convention.read"
    CONVENTION_MANAGE = "convention.manage"
    STANDARD_READ = "standard.read"
    STANDARD_MANAGE = "standard.manage"
    COVERAGE_READ = "coverage.read"
    # --- signalements ---
    SIGNALEMENT_DECLARE = "signalement.declare"
    SIGNALEMENT_READ = "signalement.read"
    SIGNALEMENT_HANDLE = "signalement.handle"
    SIGNALEMENT_COMPLETE = "signalement.complete"
    # --- weekly figures ---
    WEEKLY_ELEMENT_MANAGE = "weekly.element_manage"
    WEEKLY_ENTER = "weekly.enter"
    WEEKLY_REVIEW = "weekly.review"
    WEEKLY_BOARD = "weekly.board"
    WEEKLY_CHART = "weekly.chart"
    # --- dashboards and annual report ---
    DASHBOARD_READ = "dashboard.read"
    INDICATOR_RECORDS = "dashboard.records"
    ANNUAL_REPORT_READ = "annual_report.read"
    ANNUAL_REPORT_WRITE = "annual_report.write"
    # --- detection circuit: outreach, staff supervision, prevention, referrer services ---
    OUTREACH_LOG = "outreach.log"
    OUTREACH_PLATFORM_MANAGE = "outreach.platform_manage"
    OUTREACH_REFERRAL_LINK = "outreach.referral_link"
    REFERRER_MANAGE = "referrer.manage"
    REFERRER_SEND = "referrer.send"


PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.HOME_VIEW: frozenset({C, P, F, R}),
    Action.ACCOUNT_MANAGE: frozenset({C}),
    Action.AUDIT_VIEW: frozenset({C}),
    Action.SETTINGS_MANAGE: frozenset({C}),
    Action.STRUCTURE_READ: frozenset({C, P}),
    Action.STRUCTURE_CREATE: frozenset({C}),
    Action.STRUCTURE_EDIT_ALL: frozenset({C}),
    Action.STRUCTURE_EDIT_OWN: frozenset({C, P}),
    Action.INDICATOR_READ: frozenset({C, P, F}),
    # --- child path ---
    Action.PATH_REQUEST_MANAGE: frozenset({C}),
    Action.PATH_CHILD_UPDATE: frozenset({C, P}),
    Action.PATH_CHILD_READ: frozenset({C, P}),
    Action.PATH_ACCESS_LOG_READ: frozenset({C}),
    Action.PATH_INDICATOR_READ: frozenset({C, F}),
    # --- training ---
    Action.TRAINING_CATALOGUE_READ: frozenset({C, P, F}),
    Action.TRAINING_MANAGE: frozenset({C}),
    Action.TRAINING_SESSION_READ: frozenset({C, P}),
    Action.TRAINING_INDICATOR_READ: frozenset({C, P, F}),
    # --- directory, conventions, référentiel, coverage ---
    Action.STRUCTURE_EXPORT: frozenset({C, P}),
    Action.STRUCTURE_IMPORT: frozenset({C}),
    Action.CONVENTION_READ: frozenset({C}),
    Action.CONVENTION_MANAGE: frozenset({C}),
    Action.STANDARD_READ: frozenset({C, P}),
    Action.STANDARD_MANAGE: frozenset({C}),
    Action.COVERAGE_READ: frozenset({C}),
    # --- signalements ---
    Action.SIGNALEMENT_DECLARE: frozenset({P}),
    Action.SIGNALEMENT_READ: frozenset({C, P}),
    Action.SIGNALEMENT_HANDLE: frozenset({C}),
    Action.SIGNALEMENT_COMPLETE: frozenset({C, P}),
    # --- weekly figures ---
    Action.WEEKLY_ELEMENT_MANAGE: frozenset({C}),
    Action.WEEKLY_ENTER: frozenset({C, P}),
    Action.WEEKLY_REVIEW: frozenset({C}),
    Action.WEEKLY_BOARD: frozenset({C}),
    Action.WEEKLY_CHART: frozenset({C, P}),
    # --- dashboards and annual report ---
    Action.DASHBOARD_READ: frozenset({C, F}),
    Action.INDICATOR_RECORDS: frozenset({C}),
    Action.ANNUAL_REPORT_READ: frozenset({C, F}),
    Action.ANNUAL_REPORT_WRITE: frozenset({C}),
    # --- detection circuit ---
    Action.OUTREACH_LOG: frozenset({C, P}),
    Action.OUTREACH_PLATFORM_MANAGE: frozenset({C}),
    Action.OUTREACH_REFERRAL_LINK: frozenset({C}),
    Action.REFERRER_MANAGE: frozenset({C}),
    Action.REFERRER_SEND: frozenset({R}),
}

REFUSED = "Accès refusé : votre profil ne permet pas cette action."
REFUSED_STRUCTURE = "Accès refusé : cette fiche appartient à une autre structure."
LOGIN_REQUIRED = "Connexion requise."


@dataclass(frozen=True)
class Actor:
    """The authenticated person on whose behalf a service runs (or the system, for seeding)."""

    user_id: int | None
    username: str
    display_name: str
    role: str
    structure_id: int | None = None
    region_code: str | None = None
    departement_code: str | None = None
    is_system: bool = False

    @property
    def is_coordination(self) -> bool:
        return self.role == C

    @property
    def is_partner(self) -> bool:
        return self.role == P

    @property
    def is_funder(self) -> bool:
        return self.role == F

    @property
    def is_referrer(self) -> bool:
        return self.role == R


SYSTEM = Actor(user_id=None, username="systeme", display_name="Système", role=C, is_system=True)


def can(actor: Actor | None, action: Action) -> bool:
    """True when the actor's role allows `action`."""
    return actor is not None and actor.role in PERMISSIONS[action]


def require(actor: Actor | None, action: Action) -> Actor:
    """Raise AccessDenied unless the actor may do `action`; returns the actor for chaining."""
    if actor is None:
        raise AccessDenied(LOGIN_REQUIRED)
    if not can(actor, action):
        raise AccessDenied(REFUSED)
    return actor


def require_structure(actor: Actor, structure_id: int | None) -> None:
    """A partner acts on its own structure only; the coordination on any."""
    if actor.is_coordination:
        return
    if actor.is_partner and structure_id is not None and actor.structure_id == structure_id:
        return
    raise AccessDenied(REFUSED_STRUCTURE)


def scope_structure(statement, actor: Actor, column):
    """Narrow a SELECT to what the actor may see of per-structure rows.

    >>> # stmt = scope_structure(select(Report), actor, Report.structure_id)
    """
    if actor.is_coordination:
        return statement
    if actor.is_partner:
        return statement.where(column == actor.structure_id)
    raise AccessDenied(REFUSED)
