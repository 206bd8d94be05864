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
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
stamp=".venv/.installed-$(cat "$requirements" requirements.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
if [ ! -f "$stamp" ]; then
  echo "Installation des dépendances ($requirements) : quelques minutes la première fois, sans autre message…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi
