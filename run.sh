#!/usr/bin/env bash
# Set up everything and start Ancrage on http://localhost:8501 with demo data and demo accounts.
# Extra arguments go to `streamlit run` (for example --server.port 8502).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements.txt
.venv/bin/python -m startup.bootstrap --demo
exec .venv/bin/streamlit run app.py "$@"
