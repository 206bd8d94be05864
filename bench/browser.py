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

    .venv/bin/python -m bench.browser --scale 1 --repeat 3

Results: bench/results/browser-<backend>-<scale>.json (every sample, medians and p95) and a table in
bench/results/browser-<backend>-<scale>.md. The passwords of the benchmark databases are hashed with
the production cost (bench.scale runs without ANCRAGE_BCRYPT_ROUNDS), so the log-in pays it.
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

# Added to every page beside the harness's run watch: the time of the last change to the page's elements.
MUTATION_WATCH_JS = """
(() => {
  window.__benchLastMutation = performance.now();
  new MutationObserver(() => { window.__benchLastMutation = performance.now(); })
    .observe(document, {attributes: true, childList: true, subtree: true, characterData: true});
})();
"""
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


def summarise(samples: list[float], target: float) -> dict:
    """Median, p95 and whether the p95 holds `target`.

    >>> summarise([0.2, 0.3, 0.4], 0.5)["holds"]
    True
    """
    p95 = percentile(samples, 95)
    return {
        "samples_s": samples,
        "median_s": statistics.median(samples),
        "p95_s": p95,
        "target_s": target,
        "holds": p95 <= target,
    }


def _timed(page, action) -> float:
    """Seconds from just before `action()` (a click) to the page settled."""
    from tests.browser.harness import run_mark, wait_idle

    mark = run_mark(page)  # the app must answer after the click, not only be quiet
    clicked_at = page.evaluate("() => performance.now()")
    action()
    wait_idle(page, since=mark)
    return (page.evaluate(_SETTLED_AT_JS) - clicked_at) / 1000


def _login(page, username: str) -> float:
    from tests.browser.harness import DEMO_PASSWORD, click_and_wait, has_auth_cookie, wait_idle

    page.goto("/")
    wait_idle(page)
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    button = page.get_by_role("button", name="Se connecter", exact=True)
    clicked_at = page.evaluate("() => performance.now()")
    click_and_wait(button)
    deadline = time.monotonic() + 30
    while not has_auth_cookie(page):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no auth cookie after logging in as {username}")
        page.wait_for_timeout(50)
    wait_idle(page)
    return (page.evaluate(_SETTLED_AT_JS) - clicked_at) / 1000


def measure_role(browser, url: str, role: str, repeat: int) -> dict:
    from tests.browser.harness import RUN_WATCH_JS, menu_titles, sidebar
    from ui.navigation import PAGES

    logins: list[float] = []
    pages: dict[str, list[float]] = {}
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
        "login": summarise(logins, LOGIN_TARGET_S),
        "pages": {
            key: summarise(samples, DASHBOARD_TARGET_S if key in DASHBOARDS else LIST_TARGET_S)
            for key, samples in pages.items()
        },
    }


def run(database: Path, roles: list[str], repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, AppServer

    with tempfile.TemporaryDirectory(prefix="ancrage-bench-browser-") as root:
        template = Path(root) / "template"
        template.mkdir()
        shutil.copy(database, template / "ancrage.db")
        server = AppServer(template, Path(root) / "app", name="bench").start()
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


def markdown(results: dict, *, scale: int, backend: str, note: str) -> str:
    lines = [
        f"Temps dans Chromium, {backend}, échelle {scale} ; {note}",
        "",
        "| rôle | mesure | médiane ms | p95 ms | cible ms | tenue |",
        "|---|---|---|---|---|---|",
    ]
    held = total = 0
    for role, result in results.items():
        for name, summary in [("connexion", result["login"]), *result["pages"].items()]:
            total += 1
            held += summary["holds"]
            lines.append(
                f"| {role} | {name} | {_ms(summary['median_s'])} | {_ms(summary['p95_s'])} | "
                f"{_ms(summary['target_s'])} | {'oui' if summary['holds'] else 'non'} |"
            )
    return f"{held} lignes sur {total} tiennent leur cible.\n\n" + "\n".join(lines)


def main() -> None:
    from bench.run import DATA, RESULTS

    parser = argparse.ArgumentParser(description="Temps de connexion et de changement de page dans Chromium.")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--roles", nargs="*", default=["coordination", "partenaire", "financeur"])
    parser.add_argument("--note", default="machine partagée et chargée pendant la mesure.")
    args = parser.parse_args()
    database = DATA / f"scale-{args.scale}.db"
    if not database.exists():
        raise SystemExit(f"{database} manque : python -m bench.scale --scale {args.scale} --url sqlite:///{database}")
    results = run(database, args.roles, args.repeat)
    table = markdown(results, scale=args.scale, backend="sqlite", note=args.note)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"browser-sqlite-{args.scale}"
    document = {"backend": "sqlite", "scale": args.scale, "repeat": args.repeat, "note": args.note, "roles": results}
    (RESULTS / f"{name}.json").write_text(json.dumps(document, indent=1))
    (RESULTS / f"{name}.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
