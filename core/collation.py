"""French order for lists of names: « Île-de-France » among the I, « Élancourt » among the E.

Python sorts strings by code point, which puts every accented capital after Z. :func:`french_key`
is an accent-folding key, close to the French rules of the Unicode collation algorithm for names:
letters compared without accents, case, hyphens, apostrophes or spaces first; ties broken by the
accents (unaccented first), then by case, then by the text itself so that the order is total.
It needs no system library (PyICU is not installable everywhere), and SQL queries that sort names
for display are sorted again with it when the list is small enough to be read whole.
"""

from __future__ import annotations

import unicodedata

_IGNORED = " -'’.,()"
_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}


def _base(text: str) -> str:
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def french_key(text: str | None) -> tuple[str, str, str, str]:
    """The sort key of a name in French order.

    >>> sorted(["Occitanie", "Île-de-France", "Hauts-de-France", "Écosse", "Ile-de-France"], key=french_key)
    ['Écosse', 'Hauts-de-France', 'Ile-de-France', 'Île-de-France', 'Occitanie']
    >>> sorted(["Saint-Étienne", "Saint Denis", "saint-brieuc"], key=french_key)
    ['saint-brieuc', 'Saint Denis', 'Saint-Étienne']
    """
    text = text or ""
    base = _base(text)
    letters = "".join(c for c in base.casefold() if c not in _IGNORED)
    accents = "".join(c for c in text.casefold() if c not in _IGNORED)
    case = "".join("1" if c.isupper() else "0" for c in text if c not in _IGNORED)
    return letters, accents, case, text


def french_sorted(names, key=None) -> list:
    """``sorted`` in French order; ``key`` picks the name out of each item."""
    pick = key or (lambda item: item)
    return sorted(names, key=lambda item: french_key(pick(item)))
