#!/usr/bin/env bash
# Back up the Ancrage PostgreSQL database into a dated file (pg_dump, custom format) and delete the
# backups older than ANCRAGE_BACKUP_KEEP_DAYS (30 by default). Meant to be scheduled (cron, systemd timer).
# Usage: DATABASE_URL=postgresql://… scripts/backup.sh [directory]   (default: ANCRAGE_BACKUP_DIR or ./backups)
# PG_BINDIR may name the folder of pg_dump (for example /usr/lib/postgresql/17/bin).
set -euo pipefail
url="${DATABASE_URL:-${ANCRAGE_DATABASE_URL:-}}"
if [[ "$url" != postgres* ]]; then
  echo "DATABASE_URL doit désigner la base PostgreSQL à sauvegarder." >&2
  exit 2
fi
url="${url/postgresql+psycopg:/postgresql:}"
dir="${1:-${ANCRAGE_BACKUP_DIR:-$(dirname "$0")/../backups}}"
keep="${ANCRAGE_BACKUP_KEEP_DAYS:-30}"
umask 077  # the backup holds everything the base holds
mkdir -p "$dir"
file="$dir/ancrage-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name: an interrupted dump never looks like a good backup.
"${PG_BINDIR:+$PG_BINDIR/}pg_dump" --format=custom --no-owner --no-privileges --file="$file.partial" "$url"
mv "$file.partial" "$file"
find "$dir" -maxdepth 1 -name 'ancrage-*.dump' -mtime +"$keep" -delete
echo "$file"
