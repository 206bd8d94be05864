#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY PostgreSQL database, all or nothing.
# Usage: DATABASE_URL=postgresql://…/new_database scripts/restore.sh backups/ancrage-….dump
# Then start the app on that database as usual (scripts/start-production.sh): migrations already applied
# are recognised and nothing else is changed.
set -euo pipefail
dump="${1:?fichier de sauvegarde attendu}"
url="${DATABASE_URL:-${ANCRAGE_DATABASE_URL:-}}"
if [[ "$url" != postgres* ]]; then
  echo "DATABASE_URL doit désigner la base PostgreSQL (vide) où restaurer." >&2
  exit 2
fi
url="${url/postgresql+psycopg:/postgresql:}"
"${PG_BINDIR:+$PG_BINDIR/}pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$url" "$dump"
echo "Sauvegarde restaurée."
