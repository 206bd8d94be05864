"""Optimistic locking: a save names the version it started from; a newer one refuses it.

Tables carry a `version` column mapped as SQLAlchemy's version_id_col, so the UPDATE itself also
checks the version (no race between this check and the write).

Every edit of a versioned row follows one sequence, written once in `versioned_update`:
get the row → refuse an unknown id (`NotFound`) → refuse a stale version (`ConcurrentEdit`, naming
the fields changed since the form was opened) → collect every fault of the new values
(`ValidationFailed`) → apply them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from core.errors import Change, ConcurrentEdit, FieldError, NotFound, ValidationFailed
from models.base import utcnow

Row = TypeVar("Row")


def check_version(obj, expected_version: int | None, *, seen: dict | None = None, labels: dict | None = None) -> None:
    """Raise ConcurrentEdit when `obj` moved past `expected_version`.

    `seen` holds the values the user had on screen; the error then lists each field someone
    else changed, with their value.

    >>> from types import SimpleNamespace
    >>> row = SimpleNamespace(version=3, capacity=10)
    >>> check_version(row, 2, seen={"capacity": 8}, labels={"capacity": "Places"})
    Traceback (most recent call last):
    ...
    core.errors.ConcurrentEdit: Enregistrement refusé : ... Champs modifiés : Places.
    """
    if expected_version is None or obj.version == expected_version:
        return
    labels = labels or {}
    changes = [
        Change(labels.get(key, key), mine, getattr(obj, key))
        for key, mine in (seen or {}).items()
        if getattr(obj, key, mine) != mine
    ]
    raise ConcurrentEdit(changes)


def get_versioned(
    session,
    model: type[Row],
    row_id: Any,
    *,
    expected_version: int | None,
    not_found: str,
    seen: dict | None = None,
    labels: dict | None = None,
) -> Row:
    """The row `row_id` of `model`, once it is known to exist and to be still at `expected_version`."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(not_found)
    check_version(row, expected_version, seen=seen, labels=labels)
    return row


def versioned_update(
    session,
    model: type[Row],
    row_id: Any,
    *,
    expected_version: int | None,
    not_found: str,
    check: Callable[[Row], list[FieldError]],
    apply: Callable[[Row], object],
    seen: dict | None = None,
    labels: dict | None = None,
) -> Row:
    """Edit one versioned row: get → not found → stale version → every fault → apply; returns the row.

    `check(row)` returns the faults of the new values (nothing is written when there is one);
    `apply(row)` writes them. The caller's session flushes and commits as usual.
    """
    row = get_versioned(
        session, model, row_id, expected_version=expected_version, not_found=not_found, seen=seen, labels=labels
    )
    errors = check(row)
    if errors:
        raise ValidationFailed(errors)
    apply(row)
    session.add(row)
    return row


def set_changed(session, row, values: dict, *, stamp: bool = True) -> bool:
    """Set the `values` that differ from the row's; stamp `updated_at` when something changed.

    Returns whether the row changed. An unchanged row gets no UPDATE, so its version stays.
    """
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    changed = session.is_modified(row)
    if changed and stamp and hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    return changed
