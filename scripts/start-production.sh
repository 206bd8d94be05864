#!/usr/bin/env bash
# Production start of one Ancrage process: check the configuration, migrate (once, under a lock shared by
# every process), then serve. Never creates demonstration data. Needs ANCRAGE_ENV=production,
# DATABASE_URL (PostgreSQL) and ANCRAGE_COOKIE_KEY in the environment.
# Extra arguments go to `streamlit run` (for example --server.port 8502).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ANCRAGE_ENV:-}" != production ]; then
  echo "Ce script démarre la production : exportez ANCRAGE_ENV=production (et DATABASE_URL, ANCRAGE_COOKIE_KEY)." >&2
  exit 2
fi
source scripts/setup.sh requirements.txt
.venv/bin/python -m startup.bootstrap
# The same secret on every process (derived from the shared cookie key), so that a browser sent to
# another process behind the proxy keeps a valid XSRF cookie for its uploads.
STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$(printf 'streamlit:%s' "${ANCRAGE_COOKIE_KEY:-}" | sha256sum | cut -c1-64)}"
export STREAMLIT_SERVER_COOKIE_SECRET
exec .venv/bin/streamlit run app.py --server.headless true --server.address "${ANCRAGE_ADDRESS:-127.0.0.1}" \
  --server.port "${ANCRAGE_PORT:-8501}" --browser.gatherUsageStats false "$@"
