"""What every screen shares: the favicon served by the app itself, and the style that keeps Streamlit's
English out of sight, the titles near the top, and long labels whole: a metric's label wraps rather than
ending in « … », a row of pills goes on to a second line rather than hiding its last pills.

Streamlit cannot translate its file uploader, table toolbar or chart menu: the uploader's texts are
replaced by French ones drawn by CSS; the toolbar (our pages offer their own French downloads) and the
chart menu are hidden.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.french_labels import french_labels

FAVICON = Path(__file__).parent / "assets" / "favicon.png"
UPLOADER_HINT = "Déposez le fichier ici (200 Mo au plus)"
UPLOADER_BUTTON = "Choisir un fichier"

STYLE = f"""
<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 2.5rem; }}
[data-testid="stElementToolbar"] {{ display: none; }}
[data-testid="stVegaLiteChart"] details, .vega-embed details {{ display: none; }}
[data-testid="stMetricLabel"] * {{ white-space: normal; overflow: visible; text-overflow: clip; }}
[data-testid="stButtonGroup"] > div {{ flex-wrap: wrap; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div > * {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {{
  content: "{UPLOADER_HINT}"; font-size: 0.875rem;
}}
[data-testid="stFileUploaderDropzone"] button {{ visibility: hidden; position: relative; min-width: 10rem; }}
[data-testid="stFileUploaderDropzone"] button::after {{
  content: "{UPLOADER_BUTTON}"; visibility: visible; position: absolute; inset: 0;
  display: flex; align-items: center; justify-content: center; white-space: nowrap; padding: 0 0.75rem; font-size: 0.875rem;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: white; cursor: pointer;
}}
</style>
"""


def screen_style() -> None:
    """Apply the shared style to the current run (drawn nowhere: a style element takes no space)."""
    st.html(STYLE)
    french_labels()
