#!/usr/bin/env bash
# Set up everything and run the whole test suite: services on SQLite and on a PostgreSQL server
# started for the run, pages with AppTest, and the browser scenarios in Chromium.
# Extra arguments go to pytest (for example -k accounts). `./test.sh --quick`: the fast development loop.
set -euo pipefail
cd "$(dirname "$0")"

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "Paquets Debian manquants ($*) : installez-les (sudo apt-get install $*)." >&2
    exit 1
  fi
  [ -n "${ANCRAGE_APT_UPDATED:-}" ] || { apt-get update -qq; export ANCRAGE_APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ "${1:-}" = "--quick" ]; then
  # The development loop: SQLite only, no browser, no slow test, on two processes.
  shift
  source scripts/setup.sh requirements-test.txt
  .venv/bin/ruff check --quiet . && .venv/bin/ruff format --check --quiet .
  exec .venv/bin/python -m pytest -n 2 -m "not slow and not pg and not browser" "$@"
fi

ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
[ -x /usr/bin/chromium ] || apt_install chromium
[ -x /usr/sbin/nginx ] || apt_install nginx
[ -x /usr/bin/soffice ] || apt_install libreoffice-calc
[ -x /usr/bin/pdftotext ] || apt_install poppler-utils

source scripts/setup.sh requirements-test.txt
echo "Lint, format and types (ruff, mypy)…"
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy
export ANCRAGE_REQUIRE_PG=1
exec .venv/bin/python -m pytest "$@"
