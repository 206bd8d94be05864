"""The notifications worker: every round, create the time-based notifications, then send the outbox.

    python -m startup.worker              # run until stopped (SIGTERM or Ctrl-C)
    python -m startup.worker --once       # one round, then exit (cron, tests)
    python -m startup.worker --once --at 2026-03-02T08:00:00+00:00   # a round as if at that instant (tests)

Without ANCRAGE_SMTP_HOST nothing is sent: the messages stay in the outbox and the coordination reads
them on the « Notifications » page (demonstration). ANCRAGE_WORKER_INTERVAL sets the seconds between
rounds (30). A round that fails (database or mail server away) is logged and tried again next round.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import datetime

log = logging.getLogger("ancrage.worker")
DEFAULT_INTERVAL_S = 30.0


def run_round(now: datetime | None = None) -> None:
    """One round: scheduled notifications, then sending what is due (`now`: the instant simulated)."""
    from services.alerts.mailer import send_pending, smtp_config
    from services.alerts.schedule import run_scheduled

    created = run_scheduled(now=now)
    if created.total:
        log.info("notifications créées : %s", created.total)
    if smtp_config() is None:
        return
    result = send_pending(now=now)
    if result.sent or result.failed:
        log.info("courriels envoyés : %s, en échec (réessayés plus tard) : %s", result.sent, result.failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ancrage : envoi des notifications")
    parser.add_argument("--once", action="store_true", help="un seul passage, puis arrêt")
    parser.add_argument("--at", type=datetime.fromisoformat, help="instant simulé (essais), ISO 8601 avec fuseau")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    interval = float(os.environ.get("ANCRAGE_WORKER_INTERVAL") or DEFAULT_INTERVAL_S)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    from services.alerts.mailer import smtp_config

    if smtp_config() is None:
        log.info("ANCRAGE_SMTP_HOST absent : les messages restent dans la boîte d'envoi (page « Notifications »)")
    while not stop.is_set():
        try:
            run_round(args.at)
        except Exception:  # noqa: BLE001 - the worker outlives a failed round
            log.exception("passage en échec, nouvel essai au prochain passage")
            if args.once:
                return 1
        if args.once:
            return 0
        stop.wait(interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
