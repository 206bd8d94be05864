"""Optimistic locking: a save names the version it started from; a newer one refuses it.

Tables carry a `version` column mapped as SQLAlchemy's version_id_col, so the UPDATE itself also
checks the version (no race between this check and the write).
"""

from __future__ import annotations

from core.errors import Change, ConcurrentEdit


def check_version(obj, expected_version: int | None, *, seen: dict | None = None, labels: dict | None = None) -> None:
    """Raise ConcurrentEdit when `obj` moved past `expected_version`.

    `seen` holds the values the user had on screen; the error then lists each field someone
    else changed, with their value.

    >>> # check_version(structure, form_version, seen={"capacity": 8}, labels={"capacity": "Places"})
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
