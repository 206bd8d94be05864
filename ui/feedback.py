"""Showing service errors in French, the same way on every page."""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from core.audit import write_count
from core.db import database_unavailable
from core.errors import AncrageError, ConcurrentEdit, ValidationFailed
from ui.cache import invalidate
from ui.outage import WRITE_NOT_SAVED
from ui.text import md


@contextmanager
def handled():
    """Run service calls; a refusal becomes a French error box instead of a traceback.

    After a successful block that wrote something, cached reads are refreshed (a block that only
    read leaves the caches alone, so a rerun with unchanged data runs no SQL).

    >>> # with handled():
    >>> #     structure_create(actor=actor, data=data)
    """
    writes = write_count()
    try:
        yield
        if write_count() != writes:
            invalidate()
    except ValidationFailed as error:
        st.error(
            "Rien n'a été enregistré. "
            + ("Corrigez : " if error.errors else "")
            + "\n\n"
            + "\n".join(f"- {e}" for e in error.errors)
        )
    except ConcurrentEdit as error:
        lines = [f"- {c.field} : maintenant « {md(c.theirs)} » (vous aviez « {md(c.mine)} »)" for c in error.changes]
        st.error(error.message + ("\n\n" + "\n".join(lines) if lines else ""))
    except AncrageError as error:
        st.error(error.message)
    except Exception as error:  # noqa: BLE001 - anything but an unavailable database is re-raised
        if not database_unavailable(error):
            raise
        st.error(WRITE_NOT_SAVED)
