"""The errors services raise. Each carries a French message that pages show as it is."""

from __future__ import annotations

from dataclasses import dataclass, field


class AncrageError(Exception):
    """Base class: `str(error)` is the French message meant for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AccessDenied(AncrageError):
    """The acting user may not do this, or not on this record."""


class NotFound(AncrageError):
    """The record does not exist, or is outside the acting user's scope (which we do not reveal)."""


@dataclass
class FieldError:
    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"ligne {self.row} — " if self.row is not None else ""
        return f"{where}{self.field} : {self.message}"


class ValidationFailed(AncrageError):
    """Input refused before anything was written; `errors` lists every fault found."""

    def __init__(self, errors: list[FieldError] | FieldError, message: str | None = None):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__(message or "Saisie refusée : " + " ; ".join(str(e) for e in self.errors))


@dataclass
class Change:
    field: str
    mine: object
    theirs: object


class ConcurrentEdit(AncrageError):
    """Someone saved the same record since it was opened; `changes` says what they changed."""

    def __init__(self, changes: list[Change] | None = None):
        self.changes = changes or []
        detail = ", ".join(c.field for c in self.changes)
        message = (
            "Enregistrement refusé : quelqu'un d'autre a modifié cette fiche depuis que vous l'avez "
            "ouverte. Rechargez-la pour voir ses changements."
        )
        if detail:
            message += f" Champs modifiés : {detail}."
        super().__init__(message)


@dataclass
class ImportReport:
    """The outcome of an all-or-nothing import: rows written, or every faulty row."""

    written: int = 0
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# Messages several features share (each feature keeps its own next to its rules).
FUTURE_DATE = "la date ne peut pas être dans le futur"
