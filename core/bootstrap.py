"""Bringing a database to a usable state: migrations, reference data, and demo data if asked."""

from __future__ import annotations

import argparse

from core.db import upgrade_to_head


def init_database(*, demo: bool = False) -> None:
    """Upgrade to head, load the reference data and the default weekly data set, and seed the demo when asked."""
    from core.access import SYSTEM
    from services.referential import reference_sync
    from services.weekly_elements import weekly_element_seed_defaults

    upgrade_to_head()
    reference_sync()
    weekly_element_seed_defaults(actor=SYSTEM)
    if demo:
        from demo.generate import demo_generate_if_empty

        demo_generate_if_empty()


def main() -> None:
    parser = argparse.ArgumentParser(description="Prépare la base de données d'Ancrage.")
    parser.add_argument("--demo", action="store_true", help="génère les données de démonstration si la base est vide")
    args = parser.parse_args()
    init_database(demo=args.demo)


if __name__ == "__main__":
    main()
