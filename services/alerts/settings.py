"""The alerts' settings: the coordination's on-call addresses and whether mail is configured."""

from __future__ import annotations

import json
import os
import re

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import FieldError, ValidationFailed
from models.base import utcnow
from models.setting import AppSetting

ON_CALL_KEY = "alerts_on_call_emails"
ON_CALL_MAX = 10
EMAIL_MAX = 160
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ON_CALL_LABEL = "Adresses d'astreinte"
BAD_EMAIL = "adresse de courriel invalide : {}"
TOO_MANY = f"au plus {ON_CALL_MAX} adresses"


def on_call_emails() -> list[str]:
    """Any caller: the addresses that receive every signalement declared (immediate danger always)."""
    with session_scope() as session:
        row = session.get(AppSetting, ON_CALL_KEY)
    return [] if row is None else list(json.loads(row.value))


def on_call_set(*, actor: Actor, emails: list[str]) -> list[str]:
    """Coordination only: replace the on-call addresses (one per line in the form)."""
    require(actor, Action.SETTINGS_MANAGE)
    cleaned = list(dict.fromkeys(e.strip() for e in emails if e and e.strip()))
    errors = [
        FieldError(ON_CALL_LABEL, BAD_EMAIL.format(e[:60]))
        for e in cleaned
        if len(e) > EMAIL_MAX or not _EMAIL.match(e)
    ]
    if len(cleaned) > ON_CALL_MAX:
        errors.append(FieldError(ON_CALL_LABEL, TOO_MANY))
    if errors:
        raise ValidationFailed(errors)
    with session_scope(actor) as session:
        row = session.get(AppSetting, ON_CALL_KEY) or AppSetting(key=ON_CALL_KEY, value="[]")
        row.value = json.dumps(cleaned)
        row.updated_at = utcnow()
        session.add(row)
    return cleaned


def mail_configured() -> bool:
    """Whether an SMTP server is configured (ANCRAGE_SMTP_HOST); without it the outbox only fills."""
    return bool(os.environ.get("ANCRAGE_SMTP_HOST"))
