"""French for the few English strings Streamlit writes itself and offers no option for: the labels of
its select boxes' buttons, its help icons and its empty placeholders. A small script in the page puts
the French text in place as soon as Streamlit draws them (attributes read by screen readers and
tooltips, and placeholder texts), so neither a sighted user nor a screen-reader user meets English. The page is also declared French
(`lang="fr"`), for screen readers' pronunciation.
"""

from __future__ import annotations

import json

import streamlit as st

# Exact strings -> French.
FRENCH = {
    "Choose an option": "Choisir une option",
    "Choose options": "Choisir des options",
    "Clear value": "Effacer",
    "Clear all": "Tout effacer",
    "Open": "Ouvrir",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Choose date and time": "Choisir une date et une heure",
    "Choose time": "Choisir une heure",
    "Copy": "Copier",
    "Copied": "Copié",
    "Copy to clipboard": "Copier",
    "Show password": "Afficher le mot de passe",
    "Hide password": "Masquer le mot de passe",
    "Close": "Fermer",
    "Delete": "Supprimer",
    "Remove": "Retirer",
    "No results": "Aucun résultat",
    "Select all": "Tout sélectionner",
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer",
    "Press ⌘+Enter to apply": "Appuyez sur Ctrl+Entrée pour valider",
    "Press Ctrl+Enter to apply": "Appuyez sur Ctrl+Entrée pour valider",
    "Show password text": "Afficher le mot de passe",
    "Hide password text": "Masquer le mot de passe",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "Open calendar": "Ouvrir le calendrier",
    "Calendar": "Calendrier",
    "Previous month": "Mois précédent",
    "Next month": "Mois suivant",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
}
# English prefixes followed by the element's own label.
PREFIXES = {"Help for ": "Aide : ", "Remove ": "Retirer ", "Selected ": "Choisi : "}

MARK = "ancrage-french-labels"
SCRIPT = f"""
<span class="{MARK}"></span>
<script>
(() => {{
  if (window.__ancrageFrench) return;
  window.__ancrageFrench = true;
  document.documentElement.lang = 'fr';
  const exact = {json.dumps(FRENCH, ensure_ascii=False)};
  const prefixes = Object.entries({json.dumps(PREFIXES, ensure_ascii=False)});
  const french = (text) => {{
    const key = text.trim();
    if (key in exact) return exact[key];
    for (const [english, fr] of prefixes) if (key.startsWith(english)) return fr + key.slice(english.length);
    return null;
  }};
  const fix = (root) => {{
    const elements = root.querySelectorAll ? [root, ...root.querySelectorAll('[aria-label], [title], [placeholder]')] : [];
    for (const el of elements) {{
      if (!el.getAttribute) continue;
      for (const name of ['aria-label', 'title', 'placeholder']) {{
        const value = el.getAttribute(name);
        const fr = value && french(value);
        if (fr) el.setAttribute(name, fr);
      }}
    }}
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.currentNode; node; node = walker.nextNode()) {{
      if (node.nodeType !== Node.TEXT_NODE || !node.nodeValue.trim()) continue;
      const fr = french(node.nodeValue);
      if (fr) node.nodeValue = fr;
    }}
  }};
  new MutationObserver((changes) => {{
    for (const change of changes) {{
      if (change.type === 'attributes' || change.type === 'characterData') fix(change.target.parentNode || change.target);
      for (const node of change.addedNodes || []) fix(node.nodeType === Node.TEXT_NODE ? node.parentNode : node);
    }}
  }}).observe(document.body, {{
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ['aria-label', 'title', 'placeholder'],
  }});
  fix(document.body);
}})();
</script>
"""
STYLE = f'<style>[data-testid="stElementContainer"]:has(.{MARK}) {{ display: none; }}</style>'


def french_labels() -> None:
    """Install the script once per browser page (drawn nowhere: its container is hidden)."""
    st.html(STYLE)
    st.html(SCRIPT, unsafe_allow_javascript=True)
