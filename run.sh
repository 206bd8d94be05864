#!/usr/bin/env bash
# Set up everything and start Ancrage on http://localhost:8501 with demo data and demo accounts,
# with the notifications worker in the background (stopped when the app stops).
# Extra arguments go to `streamlit run` (for example --server.port 8502).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements.txt
.venv/bin/python -m startup.bootstrap --demo
.venv/bin/python -m startup.worker &
worker=$!
app=""
trap 'kill "$worker" 2>/dev/null || true' EXIT
trap '[ -n "$app" ] && kill "$app" 2>/dev/null || true' INT TERM
.venv/bin/streamlit run app.py "$@" &
app=$!
.venv/bin/python -m startup.ready "$@" || true
status=0
wait "$app" || status=$?
# A trapped signal interrupts the first wait: wait again for the app to finish stopping.
if kill -0 "$app" 2>/dev/null; then wait "$app" || status=$?; fi
exit "$status"
