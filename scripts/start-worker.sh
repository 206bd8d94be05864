#!/usr/bin/env bash
# Production start of the notifications worker (one for the whole installation): it creates the
# time-based notifications and sends the outbox over SMTP (ANCRAGE_SMTP_*). Start it after the app has
# migrated the database (scripts/start-production.sh). Same environment as the app's processes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ANCRAGE_ENV:-}" != production ]; then
  echo "Ce script démarre l'envoi des notifications en production : exportez ANCRAGE_ENV=production (et DATABASE_URL, ANCRAGE_SMTP_HOST)." >&2
  exit 2
fi
exec .venv/bin/python -m startup.worker "$@"
