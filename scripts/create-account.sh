#!/usr/bin/env bash
# Create the first coordination account: scripts/create-account.sh --username IDENT --email MAIL --name "Nom".
# The password is asked twice (or read from ANCRAGE_FIRST_PASSWORD), never passed on the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m startup.first_account "$@"
