"""Text that a user typed, shown to another user as text: never as Markdown, HTML or a link.

Streamlit renders Markdown in `st.markdown` and also in captions, alerts, subheaders, expander,
metric, radio and tab labels. A partner's `![x](http://host/beacon.png)` shown there would make the
coordination's browser fetch an image (telling the sender when and from where it was read), and a
typed link would become clickable. Two ways out:

- a whole field on its own: `show_text(value)` (`st.text`, never parsed);
- a value inside an app sentence drawn by one of those calls: `md(value)`, which escapes every
  punctuation mark, so nothing in it can start Markdown, HTML, an autolink, LaTeX or a colour
  directive, and folds line breaks so the value stays on its line.
"""

from __future__ import annotations

import re

import streamlit as st

# CommonMark lets a backslash escape any ASCII punctuation mark; escaping all of them is simpler and
# safer than choosing (GitHub autolinks, Streamlit's `:colour[…]` and `$…$` included).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md(value: object) -> str:
    """`value` escaped for use inside a Markdown string, on one line.

    Example: `st.markdown(f"**Déclaré par** {md(name)}")`; `md("*a*")` is `\\*a\\*`.
    """
    if value is None:
        return ""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(value).split()))


def show_text(value: object) -> None:
    """A user's text on its own lines, exactly as typed (line breaks kept, nothing interpreted)."""
    st.text("" if value is None else str(value))
