"""Many users at once: concurrent browser sessions against two app processes behind nginx, on PostgreSQL.

The production layout of tests/browser/production.py is started: a PostgreSQL server, a benchmark
database built by bench.scale at `--scale`, two processes of scripts/start-production.sh, nginx in front
(ip_hash, as deployed). Then `--sessions` browser contexts of one headless Chromium run at once
(Playwright's asyncio API), each as a person would:

- partner staff (accounts `charge-N`, one per structure, created for the run): log in, open « Chiffres
  de la semaine », type last week's values (0 where there is none) and send them to the coordination,
  then open their chart;
- coordination and funders (two thirds coordination): log in and open every dashboard of their menu.

A person reads a page before the next click: `--think S` pauses a random 0.5×–1.5× S seconds after
each page and before each send (0: the next click at once, the worst case), and `--arrival S` spreads
the sessions' first visit over S seconds (0: all at the same instant). bench/results keeps, for each
client (`--client browser` or `agent`, see bench/agent_client.py), the burst (0, 0) and a morning of
people (`--think 5 --arrival 60`).

Recorded: every page time (click to app settled, as bench.browser), every log-in, errors (an exception
box, a red error box other than expected refusals, a time-out), the largest number of connections
to the database seen during the run (pg_stat_activity, sampled every 0.5 s), the processor time taken
by each side (app processes, database, browser, the driver — /proc, sampled every 0.5 s: where the
machine's cores went), and lost writes: each
partner whose send was confirmed must have this week's report submitted in the database afterwards.

    .venv/bin/python -m bench.load --scale 1 --sessions 30
    .venv/bin/python -m bench.load --scale 10 --sessions 30 --think 5 --arrival 60

Results: bench/results/load-postgresql-<scale>.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.browser import _SETTLED_AT_JS, MUTATION_WATCH_JS, percentile
from core.formatting import fr_number
from ui.outage import DATABASE_DOWN, UNEXPECTED_ERROR, WRITE_NOT_SAVED

P95_TARGET_S = 1.5
#: A reading pause lasts between these multiples of `--think`.
THINK_LOW, THINK_HIGH = 0.5, 1.5
PARTNER_SHARE = 0.5
DASHBOARD_TITLES = (
    "Tableau de bord",
    "Indicateurs du réseau",
    "Indicateurs du parcours",
    "Indicateurs formation",
    "Indicateurs des signalements",
    "Évolution des chiffres",
    "Complétude",
)
SENT = "Chiffres envoyés à la coordination."
CONFIRM_UNUSUAL = "Je confirme ces valeurs inhabituelles"
PASSWORD = "ancrage-demo"
SETTLE_MS = 500


class Session:
    def __init__(self, number: int, username: str, role: str, *, think_s: float = 0.0, start_s: float = 0.0) -> None:
        self.number, self.username, self.role = number, username, role
        self.think_s, self.start_s = think_s, start_s
        self.rng = random.Random(number)
        self.page_times: list[tuple[str, float]] = []
        self.login_s: float | None = None
        self.errors: list[str] = []
        self.sent = False

    def pause_s(self) -> float:
        """How long the person reads what is on the screen before the next click."""
        return self.rng.uniform(THINK_LOW, THINK_HIGH) * self.think_s if self.think_s else 0.0


async def _think(session: Session) -> None:
    await asyncio.sleep(session.pause_s())


async def _activity(page) -> int:
    """Runs and messages seen so far by the harness's watch (0 before it is installed)."""
    return await page.evaluate("() => { const w = window.__ancrageRunWatch; return w ? w.runs + w.messages : 0; }")


async def _wait_idle(page, *, since: int = 0, timeout_s: float = 120) -> None:
    """The harness's rule, asynchronously: the app answered since `since` (a run or a message), is
    notRunning, and nothing moved (state, message, element) for SETTLE_MS."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = await page.evaluate(
            "() => { const w = window.__ancrageRunWatch; return w ? {state: w.state, activity: w.runs + w.messages,"
            " quiet: performance.now() - Math.max(w.changedAt, window.__benchLastMutation || 0)} : null; }"
        )
        if status and status["state"] == "notRunning" and status["activity"] > since and status["quiet"] >= SETTLE_MS:
            return
        await page.wait_for_timeout(50)
    raise TimeoutError(f"page still running after {timeout_s} s")


async def _timed(page, action) -> float:
    since = await _activity(page)
    clicked_at = await page.evaluate("() => performance.now()")
    await action()
    await _wait_idle(page, since=since)
    return (await page.evaluate(_SETTLED_AT_JS) - clicked_at) / 1000


def is_error(text: str) -> bool:
    """A red box that says the app failed: its unexpected-error or database notices (an exception box is
    counted apart). Other red boxes are content: an expected refusal, or the coordination's home lines
    for urgent signalements and overdue work, drawn in red on purpose.

    >>> is_error("Signalement SIG-2026-0190 — Danger immédiat"), is_error("39 signalements en retard")
    (False, False)
    >>> is_error(UNEXPECTED_ERROR[:120]), is_error(DATABASE_DOWN[:120]), is_error(WRITE_NOT_SAVED[:120])
    (True, True, True)
    """
    return any(text.startswith(notice[:60]) for notice in (UNEXPECTED_ERROR, DATABASE_DOWN, WRITE_NOT_SAVED))


async def _errors_on(page) -> list[str]:
    exceptions = await page.locator("[data-testid=stException]").all_inner_texts()
    red = await page.locator("[data-testid=stAlertContentError]").all_inner_texts()
    return [t[:120] for t in exceptions] + [t[:120] for t in red if is_error(t)]


async def _open(page, session: Session, title: str) -> None:
    link = page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True)
    if not await link.count():
        return
    session.page_times.append((title, await _timed(page, link.click)))
    session.errors += await _errors_on(page)
    await _think(session)


async def _login(page, session: Session) -> None:
    await page.goto("/")
    await _wait_idle(page)
    await _think(session)
    await page.get_by_label("Identifiant", exact=True).fill(session.username)
    await page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    button = page.get_by_role("button", name="Se connecter", exact=True)
    session.login_s = await _timed(page, button.click)
    logout = page.get_by_test_id("stSidebar").get_by_role("button", name="Se déconnecter")
    try:  # the menu is drawn by the run after the log-in's
        await logout.wait_for(timeout=60_000)
    except Exception:  # noqa: BLE001
        session.errors.append("log-in failed")
        raise
    await _wait_idle(page)
    await _think(session)


async def _send_figures(page, session: Session) -> None:
    await _open(page, session, "Chiffres de la semaine")
    form = page.get_by_test_id("stMain").get_by_test_id("stForm")
    # One card per element: its field, then « Semaine précédente : 8 » (or « non saisie »), typed back as
    # the person would (numbers the French way); 0 where there was none.
    for card in await form.locator("[class*='st-key-weekly_card_']").all():
        caption = await card.get_by_text("Semaine précédente :").first.inner_text()
        previous = caption.split(":", 1)[1].split("·")[0].strip()
        await card.get_by_role("textbox").first.fill("0" if previous == "non saisie" else previous)
    await _think(session)
    send = form.get_by_role("button", name="Envoyer à la coordination")
    session.page_times.append(("envoi", await _timed(page, send.click)))
    sent, confirm = page.get_by_text(SENT, exact=True), form.get_by_text(CONFIRM_UNUSUAL, exact=True)
    # The message comes with the run after the save (st.rerun): wait for what the person reads.
    outcome = sent.or_(confirm).first
    try:
        await outcome.wait_for(timeout=30_000)
        if await confirm.count() and not await sent.count():  # unusual values: confirmed, then sent again
            await confirm.click()
            session.page_times.append(("envoi", await _timed(page, send.click)))
            await sent.first.wait_for(timeout=30_000)
        session.sent = True
    except Exception:  # noqa: BLE001 - reported below with a screenshot
        session.sent = False
    if not session.sent:
        session.errors.append("figures not confirmed as sent")
        from tests.browser.harness import ARTIFACTS

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"load-{session.username}.png"), full_page=True)
    session.errors += await _errors_on(page)
    await _open(page, session, "Évolution des chiffres")


async def _run_session(browser, url: str, session: Session, start_gate: asyncio.Event) -> None:
    from tests.browser.harness import RUN_WATCH_JS

    context = await browser.new_context(base_url=url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(90_000)
    await context.add_init_script(RUN_WATCH_JS)
    await context.add_init_script(MUTATION_WATCH_JS)
    page = await context.new_page()
    await start_gate.wait()
    await asyncio.sleep(session.start_s)
    try:
        await _login(page, session)
        if session.role == "partenaire":
            await _send_figures(page, session)
        else:
            for title in DASHBOARD_TITLES:
                await _open(page, session, title)
    except Exception as error:  # noqa: BLE001 - every failure is an error of the run
        session.errors.append(f"{type(error).__name__}: {str(error)[:150]}")
    finally:
        await context.close()


async def _drive(url: str, sessions: list[Session]) -> float:
    from playwright.async_api import async_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        gate = asyncio.Event()
        tasks = [asyncio.create_task(_run_session(browser, url, s, gate)) for s in sessions]
        await asyncio.sleep(1)
        started = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        await browser.close()
    return elapsed


def _agent_errors(snapshot: dict) -> list[str]:
    from bench.agent_client import texts

    exceptions = texts(snapshot, "exception")
    failed = ["run failed"] if snapshot.get("status") == "error" and not exceptions else []
    return [t[:120] for t in exceptions] + [t[:120] for t in texts(snapshot, "error") if is_error(t)] + failed


def _agent_person(host: str, port: int, session: Session, gate: threading.Event) -> None:
    """The same person as `_run_session`, over the agent API: log in, then send the figures or read
    the dashboards; page time = the request's round trip (the run settled, nothing drawn)."""
    from bench.agent_client import AgentSession, action_key, previous_values, texts
    from ui.navigation import pages_for

    agent = AgentSession(host, port, session.number)

    def think() -> None:
        time.sleep(session.pause_s())

    def open_page(title: str) -> dict | None:
        spec = next((p for p in pages_for(session.role) if p.title == title), None)
        if spec is None:
            return None
        snapshot, seconds = agent.interact(page=spec.url)
        session.page_times.append((title, seconds))
        session.errors += _agent_errors(snapshot)
        think()
        return snapshot

    gate.wait()
    time.sleep(session.start_s)
    try:
        screen, _ = agent.interact()  # the address opened: the log-in screen
        think()
        snapshot, session.login_s = agent.interact(
            widget_state={"login_username": session.username, "login_password": PASSWORD},
            trigger={"key": action_key(screen, "Se connecter")},
        )
        session.errors += _agent_errors(snapshot)
        action_key(snapshot, "Se déconnecter")  # logged in: the menu's log-out button is there
        think()
        if session.role != "partenaire":
            for title in DASHBOARD_TITLES:
                open_page(title)
            return
        grid = open_page("Chiffres de la semaine") or {}
        typed = {key: "0" if value == "non saisie" else value for key, value in previous_values(grid).items()}
        send = action_key(grid, "Envoyer à la coordination")
        snapshot, seconds = agent.interact(widget_state=typed, trigger={"key": send})
        session.page_times.append(("envoi", seconds))
        if not any(SENT in t for t in texts(snapshot, "success")):
            confirm = action_key(snapshot, CONFIRM_UNUSUAL)  # unusual values: confirmed, then sent again
            snapshot, seconds = agent.interact(
                widget_state={confirm: True}, trigger={"key": action_key(snapshot, "Envoyer à la coordination")}
            )
            session.page_times.append(("envoi", seconds))
        session.sent = any(SENT in t for t in texts(snapshot, "success"))
        if not session.sent:
            session.errors.append("figures not confirmed as sent: " + " | ".join(texts(snapshot, "error"))[:200])
        session.errors += _agent_errors(snapshot)
        think()
        open_page("Évolution des chiffres")
    except Exception as error:  # noqa: BLE001 - every failure is an error of the run
        session.errors.append(f"{type(error).__name__}: {str(error)[:150]}")
    finally:
        agent.close()


def _drive_agents(url: str, sessions: list[Session]) -> float:
    """Every session in its own thread (a person waits on the app, not on the processor)."""
    from urllib.parse import urlsplit

    address = urlsplit(url)
    gate = threading.Event()
    threads = [
        threading.Thread(target=_agent_person, args=(address.hostname, address.port, s, gate), daemon=True)
        for s in sessions
    ]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    gate.set()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _prepare_accounts(url: str, partners: int) -> list[str]:
    """`partners` structures with one partner account each (`charge-N`), created through the services."""
    import os

    os.environ["DATABASE_URL"] = url
    from core.access import SYSTEM
    from core.config import reset_settings
    from core.db import dispose_engines
    from models.structure import StructureCreate
    from models.user import Role
    from services.admin.users import UserCreate, user_create
    from services.directory.structures import structure_create

    reset_settings()
    dispose_engines()
    names = []
    for n in range(1, partners + 1):
        structure = structure_create(
            actor=SYSTEM,
            data=StructureCreate(
                name=f"Structure de charge {n}",
                kind="mecs",
                departement_code="35",
                commune="Rennes",
                capacity=12,
                sexes=["F", "M"],
                exploitation_forms=["sexuelle"],
                status="actif",
            ),
        )
        user_create(
            actor=SYSTEM,
            data=UserCreate(
                username=f"charge-{n}",
                display_name=f"Charge {n}",
                email=f"charge-{n}@bench.invalid",
                role=Role.PARTENAIRE.value,
                password=PASSWORD,
                structure_id=structure.id,
            ),
        )
        names.append(f"charge-{n}")
    dispose_engines()
    return names


def _submitted(url: str, usernames: list[str]) -> set[str]:
    """The partners whose structure has a report of this week sent (or approved) in the database."""
    import sqlalchemy as sa

    from models.base import utcnow
    from services.weekly.weeks import current_week

    week = current_week(utcnow())
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT u.username FROM app_users u JOIN weekly_reports r ON r.structure_id = u.structure_id"
                " WHERE r.week_start = :week AND r.status IN ('envoye', 'valide') AND u.username = ANY(:names)"
            ),
            {"week": week, "names": usernames},
        ).all()
    engine.dispose()
    return {row[0] for row in rows}


class ConnectionSampler(threading.Thread):
    """The largest number of connections to the database seen, sampled every 0.5 s."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        import sqlalchemy as sa

        # Autocommit: pg_stat_activity is read once per transaction, so each sample needs its own.
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        self.name_of_db = url.rsplit("/", 1)[1]
        self.most = 0
        self.failure = ""
        self.stopping = threading.Event()

    def run(self) -> None:
        import sqlalchemy as sa

        try:
            with self.engine.connect() as connection:
                while not self.stopping.is_set():
                    n = connection.execute(
                        sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db"), {"db": self.name_of_db}
                    ).scalar_one()
                    self.most = max(self.most, int(n) - 1)  # not counting the sampler's own connection
                    self.stopping.wait(0.5)
        except Exception as error:  # noqa: BLE001 - reported with the results
            self.failure = str(error)[:200]

    def stop(self) -> int:
        self.stopping.set()
        self.join(timeout=5)
        self.engine.dispose()
        return self.most


def cpu_side(comm: str, cmdline: str, pid: int, own: int) -> str:
    """Which side of the run a process is on, from its name and command line.

    >>> cpu_side("python3", "python -m streamlit run app.py", 10, 1), cpu_side("postgres", "postgres: x", 11, 1)
    ('app', 'database')
    >>> cpu_side("chromium", "/usr/lib/chromium/chromium --type=renderer", 12, 1), cpu_side("node", "node cli.js", 13, 1)
    ('browser', 'driver')
    >>> cpu_side("python3", "python -m bench.load", 1, 1), cpu_side("nginx", "nginx: worker", 14, 1)
    ('driver', 'proxy')
    """
    if pid == own or comm == "node":
        return "driver"
    if "streamlit" in cmdline:
        return "app"
    if comm.startswith("postgres"):
        return "database"
    if comm.startswith(("chrom", "headless")):
        return "browser"
    if comm.startswith("nginx"):
        return "proxy"
    return "other"


class CpuSampler(threading.Thread):
    """Processor seconds taken by each side of the run (app, database, browser, driver, proxy, other):
    every process's user + system time read from /proc every 0.5 s, counted from the first sample for
    those already running and from zero for those born during the run (a process that ends between two
    samples loses at most its last 0.5 s)."""

    def __init__(self, classify=cpu_side) -> None:
        super().__init__(daemon=True)
        self.classify = classify
        self.tick = os.sysconf("SC_CLK_TCK")
        self.first: dict[int, float] | None = None
        self.last: dict[int, tuple[str, float]] = {}
        self.stopping = threading.Event()

    def _read(self) -> dict[int, tuple[str, float]]:
        own, seen = os.getpid(), {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
                cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:  # gone meanwhile
                continue
            comm, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
            pid = int(entry.name)
            seen[pid] = (self.classify(comm, cmdline, pid, own), (int(fields[11]) + int(fields[12])) / self.tick)
        return seen

    def run(self) -> None:
        while not self.stopping.is_set():
            sample = self._read()
            if self.first is None:
                self.first = {pid: seconds for pid, (_, seconds) in sample.items()}
            self.last.update(sample)
            self.stopping.wait(0.5)

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.join(timeout=5)
        self.last.update(self._read())
        first = self.first or {}
        sides: dict[str, float] = {}
        for pid, (side, seconds) in self.last.items():
            sides[side] = sides.get(side, 0.0) + seconds - first.get(pid, 0.0)
        return {side: round(seconds, 1) for side, seconds in sorted(sides.items())}


def run(scale: int, count: int, *, think_s: float = 0.0, arrival_s: float = 0.0, client: str = "browser") -> dict:
    import subprocess
    import sys

    from core.config import PROJECT_ROOT
    from tests import pg_server
    from tests.browser.production import ProductionApp, Proxy

    partners = max(1, round(count * PARTNER_SHARE))
    readers = count - partners
    server = pg_server.start()
    apps: list = []
    proxy = None
    upstreams: dict[str, int] = {}
    root = Path(tempfile.mkdtemp(prefix="ancrage-bench-load-"))
    try:
        url = pg_server.create_database(server.url, f"bench_load_{scale}")
        built = subprocess.run(
            [sys.executable, "-m", "bench.scale", "--scale", str(scale), "--url", url], cwd=PROJECT_ROOT
        )
        if built.returncode:
            raise RuntimeError("bench.scale failed")
        usernames = _prepare_accounts(url, partners)
        # The agent API, off in the app's configuration, is turned on for these processes only.
        extra = ["--server.enableAgentApi", "true", "--server.agentWaitTimeout", "120"] if client == "agent" else []
        apps = [ProductionApp(url, root / f"app{i}", name=f"load{i}", extra_args=extra) for i in (1, 2)]
        for app in apps:
            app.launch()
        for app in apps:
            app.wait()
        proxy = Proxy(apps, root / "nginx").start()
        sessions = [Session(i, name, "partenaire", think_s=think_s) for i, name in enumerate(usernames)]
        for i in range(readers):
            role = "financeur" if i % 3 == 2 else "coordination"
            sessions.append(Session(len(sessions), role, role, think_s=think_s))
        # Arrivals in an order that mixes partners and readers, evenly over `arrival_s`.
        order = random.Random(0).sample(range(len(sessions)), len(sessions))
        for rank, index in enumerate(order):
            sessions[index].start_s = arrival_s * rank / len(sessions)
        sampler, cpu = ConnectionSampler(url), CpuSampler()
        sampler.start()
        cpu.start()
        elapsed = _drive_agents(proxy.url, sessions) if client == "agent" else asyncio.run(_drive(proxy.url, sessions))
        connections = sampler.stop()
        cpu_s = cpu.stop()
        if sampler.failure:
            sessions[0].errors.append(f"connection sampler: {sampler.failure}")
        confirmed = {s.username for s in sessions if s.sent}
        stored = _submitted(url, usernames)
    finally:
        if proxy is not None:
            by_port = proxy.upstream_counts()
            upstreams = {f"processus {i}": by_port.get(app.port, 0) for i, app in enumerate(apps, 1)}
            proxy.stop()
        for app in apps:
            app.stop()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    result = report(sessions, elapsed, connections, confirmed, stored, scale=scale)
    result.update(think_s=think_s, arrival_s=arrival_s, cpu_s=cpu_s, cores=os.cpu_count(), client=client)
    result["upstreams"] = upstreams
    return result


def _stats(seconds: list[float]) -> dict:
    """Count, median and p95 of some timings ({} for none)."""
    if not seconds:
        return {}
    return {"count": len(seconds), "p50_s": statistics.median(seconds), "p95_s": percentile(seconds, 95)}


def report(
    sessions: list[Session], elapsed: float, connections: int, confirmed: set[str], stored: set[str], *, scale: int
) -> dict:
    """The run's figures: page times (p50, p95), log-ins, errors, lost writes, connections.

    >>> s = Session(0, "charge-1", "partenaire")
    >>> s.page_times, s.login_s, s.sent = [("envoi", 0.4), ("Tableau de bord", 1.0)], 2.0, True
    >>> r = report([s], 10.0, 7, {"charge-1"}, set(), scale=1)
    >>> (r["pages"]["p50_s"], r["lost_writes"], r["holds"])
    (0.7, ['charge-1'], False)
    """
    times = [t for s in sessions for _, t in s.page_times]
    logins = [s.login_s for s in sessions if s.login_s is not None]
    errors = [f"{s.username}: {e}" for s in sessions for e in s.errors]
    lost = sorted(confirmed - stored)
    pages = _stats(times)
    titled: dict[str, list[float]] = {}
    for s in sessions:
        for title, seconds in s.page_times:
            titled.setdefault(title, []).append(seconds)
    by_page = {title: _stats(ts) for title, ts in sorted(titled.items())}
    return {
        "scale": scale,
        "sessions": len(sessions),
        "partners": sum(s.role == "partenaire" for s in sessions),
        "duration_s": elapsed,
        "pages": pages,
        "by_page": by_page,
        "logins": _stats(logins),
        "errors": errors,
        "lost_writes": lost,
        "sent": len(confirmed),
        "db_connections_max": connections,
        "holds": bool(times) and pages["p95_s"] <= P95_TARGET_S and not errors and not lost,
    }


CLIENTS = {
    "browser": "un contexte Chromium par personne, sur la même machine",
    "agent": "sans navigateur : chaque personne par l'API agent de Streamlit, depuis sa propre adresse",
}


def pace(result: dict) -> str:
    """How the sessions clicked, in French.

    >>> pace({"think_s": 0, "arrival_s": 0}), pace({"think_s": 5, "arrival_s": 60})
    ('en rafale, tous au même instant et sans pause', 'lecture de 2,5 à 7,5 s entre deux clics, arrivées étalées sur 60 s')
    """
    think, arrival = result.get("think_s", 0), result.get("arrival_s", 0)
    if not think and not arrival:
        return "en rafale, tous au même instant et sans pause"
    parts = []
    if think:
        low, high = fr_number(think * THINK_LOW, 1), fr_number(think * THINK_HIGH, 1)
        parts.append(f"lecture de {low} à {high} s entre deux clics")
    if arrival:
        parts.append(f"arrivées étalées sur {fr_number(arrival)} s")
    return ", ".join(parts)


def cpu_line(result: dict) -> str:
    """Where the cores went during the run.

    >>> cpu_line({"cpu_s": {"app": 120.0, "browser": 300.5, "database": 10.0}, "cores": 2, "duration_s": 219})
    'Temps processeur pendant la mesure (2 cœurs × 219 s = 438 s) : navigateur 300,5 s · application 120,0 s · base 10,0 s.'
    """
    cpu = result.get("cpu_s")
    if not cpu:
        return ""
    names = {
        "app": "application",
        "database": "base",
        "browser": "navigateur",
        "driver": "pilote du banc",
        "proxy": "nginx",
        "other": "autres",
    }
    parts = [
        f"{names.get(side, side)} {fr_number(seconds, 1)} s"
        for side, seconds in sorted(cpu.items(), key=lambda item: -item[1])
    ]
    capacity = result["cores"] * result["duration_s"]
    return (
        f"Temps processeur pendant la mesure ({result['cores']} cœurs × {fr_number(result['duration_s'])} s = "
        f"{fr_number(capacity)} s) : " + " · ".join(parts) + "."
    )


def markdown(result: dict, note: str) -> str:
    pages, logins = result["pages"], result["logins"]

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value * 1000:.0f}"

    return "\n".join(
        [
            f"Charge : {result['sessions']} sessions simultanées ({result['partners']} partenaires qui envoient "
            f"leurs chiffres, les autres lisent les tableaux de bord), PostgreSQL échelle {result['scale']}, "
            f"deux processus derrière nginx, {pace(result)}, {CLIENTS[result.get('client', 'browser')]} ; {note}",
            "",
            "| pages mesurées | p50 ms | p95 ms (≤ 1 500) | connexions p50 / p95 ms | erreurs | écritures perdues | "
            "envois confirmés | connexions à la base (max) | durée s | cibles |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {pages.get('count', 0)} | {ms(pages.get('p50_s'))} | {ms(pages.get('p95_s'))} | "
            f"{ms(logins.get('p50_s'))} / {ms(logins.get('p95_s'))} | {len(result['errors'])} | "
            f"{len(result['lost_writes'])} | {result['sent']} | {result['db_connections_max']} | "
            f"{result['duration_s']:.0f} | {'tenues' if result['holds'] else 'manquées'} |",
        ]
        + (
            ["", "| page | mesures | p50 ms | p95 ms |", "|---|---|---|---|"]
            + [
                f"| {title} | {t['count']} | {ms(t['p50_s'])} | {ms(t['p95_s'])} |"
                for title, t in result["by_page"].items()
            ]
            if result.get("by_page")
            else []
        )
        + ([""] + [cpu_line(result)] if result.get("cpu_s") else [])
        + (
            [""]
            + [
                "Requêtes reçues par processus (nginx, ip_hash) : "
                + " · ".join(f"{name} : {fr_number(n)}" for name, n in result["upstreams"].items())
                + "."
            ]
            if result.get("upstreams")
            else []
        )
        + ([""] + [f"- {e}" for e in result["errors"][:20]] if result["errors"] else [])
    )


def main() -> None:
    from bench.run import RESULTS

    parser = argparse.ArgumentParser(description="Plusieurs utilisateurs à la fois, derrière nginx, sur PostgreSQL.")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--think", type=float, default=0.0, help="secondes de lecture moyennes entre deux clics")
    parser.add_argument("--arrival", type=float, default=0.0, help="arrivées étalées sur tant de secondes")
    parser.add_argument(
        "--client",
        choices=("browser", "agent"),
        default="browser",
        help="browser : un contexte Chromium par personne ; agent : l'API agent de Streamlit, sans navigateur",
    )
    parser.add_argument("--note", default="machine partagée et chargée pendant la mesure.")
    args = parser.parse_args()
    result = run(args.scale, args.sessions, think_s=args.think, arrival_s=args.arrival, client=args.client)
    result["note"] = args.note
    table = markdown(result, args.note)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = (
        f"load-postgresql-{args.scale}"
        + ("-agent" if args.client == "agent" else "")
        + ("-pauses" if args.think or args.arrival else "")
    )
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=1))
    (RESULTS / f"{stem}.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
