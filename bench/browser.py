"""Browser timings: what a person waits for in Chromium, from a click to the page settled.

`streamlit run` is started on a copy of a benchmark database (tests/browser/harness.py), and for each
role a fresh browser context logs in, then opens every page of its menu, `--repeat` times, in menu
order. Two times are recorded:

- log-in: from the click on « Se connecter » to the home page settled, auth cookie set;
- page change: from the click on the page's menu link to the page settled.

"Settled" is the last moment something moved before the app went quiet: the script finished (the
app's state back to notRunning), the last message received on the websocket, the last change to the
page's elements (tables and Vega charts are drawn after the script). The harness waits for that
quiet to last SETTLE_MS; the quiet itself is not counted.

Where the time goes, per sample: how many script runs the click caused (a component sending its
value back asks for one more), how long the script ran in all (server side, as the browser sees the
app's state), how long the page kept changing after the last run ended (tables, Vega charts), how many
websocket messages arrived and how many elements the page holds. The table's « pourquoi » column
reads those medians for every row that misses its target.

    .venv/bin/python -m bench.browser --scale 1 --repeat 3 [--backend postgresql]

Results: bench/results/browser-<backend>-<scale>.json (every sample, medians and p95) and a table in
bench/results/browser-<backend>-<scale>.md. The passwords of the benchmark databases are hashed with
the production cost (bench.scale runs without ANCRAGE_BCRYPT_ROUNDS), so the log-in pays it; the
cost of one check at that cost is measured apart and shown beside the log-in.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

LOGIN_TARGET_S = 1.0
LIST_TARGET_S, DASHBOARD_TARGET_S = 0.5, 1.0
# Pages that draw charts or whole-network indicators: the 1 s target; the others 0.5 s.
DASHBOARDS = {
    "dashboard",
    "annual_report",
    "funder_indicators",
    "coverage",
    "path_indicators",
    "training_indicators",
    "signalement_indicators",
    "weekly_charts",
    "weekly_board",
}

# Added to every page beside the harness's run watch: the time of the last change to the page's
# elements, and the script runs as the browser sees them (how many, how long in all, when the last ended).
MUTATION_WATCH_JS = """
(() => {
  window.__benchLastMutation = performance.now();
  const runs = {count: 0, totalMs: 0, startedAt: null, endedAt: 0};
  window.__benchRuns = runs;
  new MutationObserver(() => {
    const now = performance.now();
    window.__benchLastMutation = now;
    const app = document.querySelector('[data-testid=stApp]');
    const running = app && app.getAttribute('data-test-script-state') === 'running';
    if (running && runs.startedAt === null) { runs.count += 1; runs.startedAt = now; }
    if (!running && runs.startedAt !== null) { runs.totalMs += now - runs.startedAt; runs.startedAt = null; runs.endedAt = now; }
  }).observe(document, {attributes: true, childList: true, subtree: true, characterData: true});
})();
"""
_PROBE_JS = """() => {
  const r = window.__benchRuns || {count: 0, totalMs: 0, endedAt: 0};
  const w = window.__ancrageRunWatch;
  return {runs: r.count, scriptMs: r.totalMs, endedAt: r.endedAt, messages: w ? w.messages : 0,
          elements: document.querySelectorAll('[data-testid=stElementContainer]').length};
}"""
_SETTLED_AT_JS = """() => {
  const w = window.__ancrageRunWatch;
  const lastRun = w ? w.changedAt : 0;
  return Math.max(lastRun, window.__benchLastMutation || 0);
}"""


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100), interpolated between the nearest ranks.

    >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95)
    4.8
    >>> percentile([2.0], 95)
    2.0
    """
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 6)


def summarise(samples: list[float], target: float, details: list[dict] | None = None) -> dict:
    """Median, p95 and whether the p95 holds `target`; with the medians of each sample's details.

    >>> summarise([0.2, 0.3, 0.4], 0.5)["holds"]
    True
    >>> summarise([0.2, 0.4], 0.5, [{"runs": 1}, {"runs": 3}])["detail"]
    {'runs': 2.0}
    """
    p95 = percentile(samples, 95)
    summary = {
        "samples_s": samples,
        "median_s": statistics.median(samples),
        "p95_s": p95,
        "target_s": target,
        "holds": p95 <= target,
    }
    if details:
        summary["details"] = details
        summary["detail"] = {name: statistics.median(d[name] for d in details) for name in details[0]}
    return summary


def _probe(page) -> dict:
    return page.evaluate(_PROBE_JS)


def _detail(before: dict, after: dict, clicked_at: float, settled_at: float) -> dict:
    """What happened between a click and the page settled, from two probes of the page.

    >>> b = {"runs": 1, "scriptMs": 100.0, "endedAt": 50.0, "messages": 4, "elements": 10}
    >>> a = {"runs": 3, "scriptMs": 400.0, "endedAt": 900.0, "messages": 9, "elements": 25}
    >>> _detail(b, a, clicked_at=500.0, settled_at=1200.0)
    {'runs': 2, 'script_s': 0.3, 'after_script_s': 0.3, 'messages': 5, 'elements': 25}
    """
    ended = after["endedAt"] if after["endedAt"] > clicked_at else clicked_at
    return {
        "runs": after["runs"] - before["runs"],
        "script_s": round((after["scriptMs"] - before["scriptMs"]) / 1000, 6),
        "after_script_s": round(max(0.0, settled_at - ended) / 1000, 6),
        "messages": after["messages"] - before["messages"],
        "elements": after["elements"],
    }


def _timed(page, action) -> tuple[float, dict]:
    """Seconds from just before `action()` (a click) to the page settled, and where they went."""
    from tests.browser.harness import run_mark, wait_idle

    mark = run_mark(page)  # the app must answer after the click, not only be quiet
    before = _probe(page)
    clicked_at = page.evaluate("() => performance.now()")
    action()
    wait_idle(page, since=mark)
    settled_at = page.evaluate(_SETTLED_AT_JS)
    return (settled_at - clicked_at) / 1000, _detail(before, _probe(page), clicked_at, settled_at)


def _login(page, username: str) -> tuple[float, dict]:
    from tests.browser.harness import DEMO_PASSWORD, click_and_wait, has_auth_cookie, wait_idle

    page.goto("/")
    wait_idle(page)
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    button = page.get_by_role("button", name="Se connecter", exact=True)
    before = _probe(page)
    clicked_at = page.evaluate("() => performance.now()")
    click_and_wait(button)
    deadline = time.monotonic() + 30
    while not has_auth_cookie(page):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no auth cookie after logging in as {username}")
        page.wait_for_timeout(50)
    wait_idle(page)
    settled_at = page.evaluate(_SETTLED_AT_JS)
    return (settled_at - clicked_at) / 1000, _detail(before, _probe(page), clicked_at, settled_at)


def measure_role(browser, url: str, role: str, repeat: int) -> dict:
    from tests.browser.harness import RUN_WATCH_JS, menu_titles, sidebar
    from ui.navigation import PAGES

    logins: list[tuple[float, dict]] = []
    pages: dict[str, list[tuple[float, dict]]] = {}
    keys = {spec.title: spec.key for spec in PAGES}
    for _ in range(repeat):
        context = browser.new_context(base_url=url, locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(60_000)
        context.add_init_script(RUN_WATCH_JS)
        context.add_init_script(MUTATION_WATCH_JS)
        page = context.new_page()
        try:
            logins.append(_login(page, role))
            for title in menu_titles(page):
                link = sidebar(page).get_by_role("link", name=title, exact=True)
                pages.setdefault(keys.get(title, title), []).append(_timed(page, link.click))
        finally:
            context.close()
    return {
        "login": _summary(logins, LOGIN_TARGET_S),
        "pages": {
            key: _summary(samples, DASHBOARD_TARGET_S if key in DASHBOARDS else LIST_TARGET_S)
            for key, samples in pages.items()
        },
    }


def _summary(samples: list[tuple[float, dict]], target: float) -> dict:
    return summarise([seconds for seconds, _ in samples], target, [detail for _, detail in samples])


def password_check_s(url: str, username: str) -> float:
    """Seconds for one check of `username`'s stored password hash (its cost as stored), median of 5."""
    import bcrypt
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT password_hash FROM app_users WHERE username = :u"), {"u": username}
        ).scalar_one()
    engine.dispose()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        bcrypt.checkpw(b"not the password", stored.encode())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(database: Path | None, roles: list[str], repeat: int, *, database_url: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, AppServer

    with tempfile.TemporaryDirectory(prefix="ancrage-bench-browser-") as root:
        template = Path(root) / "template"
        template.mkdir()
        if database is not None:
            shutil.copy(database, template / "ancrage.db")
        server = AppServer(template, Path(root) / "app", name="bench", database_url=database_url).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    return {role: measure_role(browser, server.url, role, repeat) for role in roles}
                finally:
                    browser.close()
        finally:
            server.stop()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _seconds_fr(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def why(summary: dict, *, password_s: float | None = None) -> str:
    """Where the median time of a row goes, from its samples' details (empty for a row that holds).

    The time from the click to the page settled is split into: before the first run (the click's
    message to the server, the run's start), the script runs themselves (server side, as the
    browser sees the app's state) and the drawing after the last run ended (tables, Vega charts).

    >>> row = {"holds": False, "median_s": 1.2,
    ...        "detail": {"runs": 2, "script_s": 0.7, "after_script_s": 0.4, "messages": 30, "elements": 80}}
    >>> why(row)
    '2 exécutions du script (un composant renvoie sa valeur) : 700 ms ; dessin après le script : 400 ms ; avant la première exécution : 100 ms ; 80 éléments, 30 messages ; surtout le script'
    """
    detail = summary.get("detail")
    if summary["holds"] or not detail:
        return ""
    runs = round(detail["runs"])
    before = max(0.0, summary["median_s"] - detail["script_s"] - detail["after_script_s"])
    parts = [
        f"{runs} exécution{'s' if runs > 1 else ''} du script"
        + (" (un composant renvoie sa valeur)" if runs > 1 else "")
        + f" : {_seconds_fr(detail['script_s'])}",
        f"dessin après le script : {_seconds_fr(detail['after_script_s'])}",
        f"avant la première exécution : {_seconds_fr(before)}",
        f"{round(detail['elements'])} éléments, {round(detail['messages'])} messages",
    ]
    if password_s is not None:
        parts.insert(0, f"vérification du mot de passe : {_seconds_fr(password_s)}")
    largest = max(
        ("le script", detail["script_s"]),
        ("le dessin", detail["after_script_s"]),
        ("l'attente", before),
        key=lambda item: item[1],
    )
    return " ; ".join(parts) + f" ; surtout {largest[0]}"


def markdown(results: dict, *, scale: int, backend: str, note: str, password_s: float | None = None) -> str:
    lines = [
        f"Temps dans Chromium, {backend}, échelle {scale} ; {note}",
        "",
        "| rôle | mesure | médiane ms | p95 ms | cible ms | tenue | pourquoi |",
        "|---|---|---|---|---|---|---|",
    ]
    held = total = 0
    for role, result in results.items():
        for name, summary in [("connexion", result["login"]), *result["pages"].items()]:
            total += 1
            held += summary["holds"]
            reason = why(summary, password_s=password_s if name == "connexion" else None)
            lines.append(
                f"| {role} | {name} | {_ms(summary['median_s'])} | {_ms(summary['p95_s'])} | "
                f"{_ms(summary['target_s'])} | {'oui' if summary['holds'] else 'non'} | {reason} |"
            )
    return f"{held} lignes sur {total} tiennent leur cible.\n\n" + "\n".join(lines)


def main() -> None:
    from bench.run import DATA, RESULTS, Databases

    parser = argparse.ArgumentParser(description="Temps de connexion et de changement de page dans Chromium.")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--roles", nargs="*", default=["coordination", "partenaire", "financeur", "orienteur"])
    parser.add_argument("--note", default="machine au repos pendant la mesure.")
    args = parser.parse_args()
    databases = Databases(regenerate=False)
    try:
        url = databases.url(args.backend, args.scale)
        if args.backend == "sqlite":
            results = run(DATA / f"scale-{args.scale}.db", args.roles, args.repeat)
        else:
            results = run(None, args.roles, args.repeat, database_url=url)
        password_s = password_check_s(url, args.roles[0])
    finally:
        databases.close()
    table = markdown(results, scale=args.scale, backend=args.backend, note=args.note, password_s=password_s)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"browser-{args.backend}-{args.scale}"
    document = {
        "backend": args.backend,
        "scale": args.scale,
        "repeat": args.repeat,
        "note": args.note,
        "password_check_s": password_s,
        "roles": results,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(document, indent=1))
    (RESULTS / f"{name}.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
