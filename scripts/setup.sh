#!/usr/bin/env bash
# Shared by run.sh and test.sh: a virtual environment in .venv with the pinned packages.
# Re-installs only when the requirements file changed. Usage: source scripts/setup.sh [requirements file]
set -euo pipefail
requirements="${1:-requirements.txt}"
python_bin="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Ancrage demande Python 3.11 (trouvé : $("$python_bin" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Création de l'environnement Python (.venv)…"
  "$python_bin" -m venv .venv
fi

# pip's progress told in French, one line per package fetched (its errors still go to the screen as they are).
_setup_progress() {
  local count=0 line
  while IFS= read -r line; do
    case "$line" in
      Collecting\ *)
        count=$((count + 1))
        line="${line#Collecting }"
        printf '  %d. %s\n' "$count" "${line%% *}"
        ;;
      Installing\ collected\ packages*) echo "  mise en place des paquets téléchargés…" ;;
    esac
  done
}

stamp=".venv/.installed-$(cat "$requirements" requirements.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
if [ ! -f "$stamp" ]; then
  direct=$(cat "$requirements" requirements.txt | grep -E '^[A-Za-z0-9]' | sort -u | wc -l)
  echo "Installation de ${direct// /} paquets ($requirements) et de leurs dépendances : quelques minutes la première fois…"
  started=$SECONDS
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r "$requirements" | _setup_progress
  echo "Dépendances installées en $((SECONDS - started)) s."
  touch "$stamp"
fi
