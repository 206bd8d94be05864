"""The operator's command that creates the first coordination account of a new installation.

    python -m startup.first_account --username marie.dupont --email marie.dupont@example.org --name "Marie Dupont"

The password is asked twice without echo, or read from ANCRAGE_FIRST_PASSWORD (for automated
installs); it is never an argument, so it stays out of the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from core.config import ConfigurationError, check_configuration
from core.errors import ValidationFailed

PASSWORD_ENV = "ANCRAGE_FIRST_PASSWORD"
MISMATCH = "Les deux mots de passe diffèrent : rien n'a été créé."
NO_TERMINAL = f"Pas de terminal pour demander le mot de passe : fournissez-le dans {PASSWORD_ENV}."


def read_password() -> str:
    """The password from the environment, or typed twice at the terminal."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise ConfigurationError(NO_TERMINAL)
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (confirmation) : ") != first:
        raise ConfigurationError(MISMATCH)
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crée le premier compte coordination d'Ancrage.")
    parser.add_argument("--username", required=True, help="identifiant de connexion (minuscules)")
    parser.add_argument("--email", required=True, help="adresse e-mail")
    parser.add_argument("--name", default="", help="nom affiché")
    args = parser.parse_args(argv)
    from core.access import SYSTEM
    from services.admin.users import first_account_create
    from startup.bootstrap import init_database

    try:
        check_configuration()
        init_database()
        password = read_password()
        user = first_account_create(
            actor=SYSTEM, username=args.username, display_name=args.name, email=args.email, password=password
        )
    except ConfigurationError as error:
        print(str(error), file=sys.stderr)
        return 2
    except ValidationFailed as error:
        print(error.message, file=sys.stderr)
        return 1
    print(f"Compte coordination « {user.username} » créé.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
