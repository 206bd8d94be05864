"""Interleaved measurement: a page and its references measured alternately in the same process.

A page measured minutes apart from its reference, in another process, takes the machine's mood of
that moment: on a shared machine the same commit gave verdicts that moved from one run to the next.
Here, for each page and role, three AppTest instances are opened on the measured database (scale N),
on the empty-results database (scale 0) and on the scale-1 database, and run in turn, round after
round, caches emptied before each run: the three timings of a round share the load of that moment.

Each round gives a growth (scale N / scale 1) and an empty ratio (scale N / scale 0); the verdict
reads their median and their spread (first to third quartile over the rounds):

- « tenue » when the median holds the target;
- « manquée » only when even the first quartile misses it (the miss is beyond the spread);
- « dans la dispersion » otherwise: the median misses but the spread reaches the target.

Two passes are made (`--passes 2`) and the table says whether their verdicts agree.

    .venv/bin/python -m bench.interleaved --scale 10 --backend sqlite --rounds 7 --pages home requests

The databases are those of bench.run (data/bench/scale-N.db for SQLite, `--url-template` otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("ANCRAGE_SECRET_DIR", os.path.join(os.path.dirname(__file__), "..", "data", "bench-secret"))

GROWTH_MAX = 1.5  # scale 1 → 10 (bench.run)
EMPTY_RATIO_MAX = 1.3  # against the empty-results page (bench.run also adds the SQL floor to it)

HELD, MISSED, WITHIN_SPREAD = "tenue", "manquée", "dans la dispersion"


def spread(values: list[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile) of per-round values.

    >>> spread([1.0, 2.0, 3.0, 4.0, 5.0])
    (1.5, 3.0, 4.5)
    """
    if len(values) < 2:
        value = values[0]
        return value, value, value
    q1, median, q3 = statistics.quantiles(values, n=4, method="exclusive" if len(values) > 2 else "inclusive")
    return q1, median, q3


def verdict(values: list[float], target: float) -> str:
    """Held when the median holds `target`, missed only when the first quartile misses it too.

    >>> verdict([1.2, 1.4, 1.45, 1.6, 1.7], 1.5)
    'tenue'
    >>> verdict([1.3, 1.55, 1.6, 1.7, 1.9], 1.5)
    'dans la dispersion'
    >>> verdict([1.8, 1.9, 2.0, 2.1, 2.2], 1.5)
    'manquée'
    """
    q1, median, _ = spread(values)
    if median <= target:
        return HELD
    return MISSED if q1 > target else WITHIN_SPREAD


def _use(url: str) -> None:
    """Point the app's settings at `url`; each URL keeps its own engine (no reconnection per switch)."""
    from core.config import reset_settings

    os.environ["DATABASE_URL"] = url
    reset_settings()


def _open(url: str, actor_name: str, page) -> object:
    from bench.measure import _app
    from services.admin.users import actor_for_username

    _use(url)
    at = _app(actor_for_username(username=actor_name), page)
    if at.exception:
        raise RuntimeError(f"{page.key} as {actor_name}: {at.exception}")
    return at


def _cold_run(url: str, at) -> float:
    import streamlit as st

    _use(url)
    st.cache_data.clear()
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"page raised: {at.exception}")
    return elapsed


def measure_pair(urls: dict[str, str], role: str, page, rounds: int) -> dict:
    """`rounds` alternating cold runs of one page on each database of `urls` ({"N": …, "0": …, "1": …})."""
    apps = {name: _open(url, role, page) for name, url in urls.items()}
    for name, at in apps.items():  # one unmeasured run each: imports and first connections
        _cold_run(urls[name], at)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for index in range(rounds):
        # The order turns each round, so that no database is always measured first after a switch.
        names = list(urls)
        names = names[index % len(names) :] + names[: index % len(names)]
        for name in names:
            times[name].append(_cold_run(urls[name], apps[name]))
    growth = [n / one for n, one in zip(times["N"], times["1"])]
    ratio = [n / empty for n, empty in zip(times["N"], times["0"])]
    return {
        "page": page.key,
        "role": role,
        "times_s": times,
        "growth": spread(growth),
        "growth_verdict": verdict(growth, GROWTH_MAX),
        "empty_ratio": spread(ratio),
        "empty_ratio_verdict": verdict(ratio, EMPTY_RATIO_MAX),
    }


def measure(urls: dict[str, str], rounds: int, pages: list[str] | None, roles: list[str]) -> list[dict]:
    from ui.navigation import PAGES

    rows = []
    for role in roles:
        for page in PAGES:
            if role in page.roles and (not pages or page.key in pages):
                try:
                    rows.append(measure_pair(urls, role, page, rounds))
                except Exception as error:  # reported, not fatal
                    rows.append({"page": page.key, "role": role, "error": str(error)[:300]})
                print(f"  {role} {page.key}", file=sys.stderr, flush=True)
    return rows


def agreement(first: list[dict], second: list[dict]) -> list[dict]:
    """Per page and role, the verdicts of both passes and whether they agree.

    >>> a = [{"page": "p", "role": "r", "growth_verdict": "tenue", "empty_ratio_verdict": "manquée"}]
    >>> b = [{"page": "p", "role": "r", "growth_verdict": "tenue", "empty_ratio_verdict": "tenue"}]
    >>> agreement(a, b)[0]["agree"]
    False
    """
    later = {(r["page"], r["role"]): r for r in second}
    out = []
    for row in first:
        other = later.get((row["page"], row["role"]))
        if other is None or "error" in row or "error" in other:
            continue
        verdicts = [(row[k], other[k]) for k in ("growth_verdict", "empty_ratio_verdict")]
        out.append(
            {"page": row["page"], "role": row["role"], "verdicts": verdicts, "agree": all(a == b for a, b in verdicts)}
        )
    return out


def _fmt(triple: list[float] | tuple[float, float, float]) -> str:
    q1, median, q3 = triple
    return f"{median:.2f} [{q1:.2f}–{q3:.2f}]".replace(".", ",")


def markdown(passes: list[list[dict]], scale: int, backend: str, note: str) -> str:
    agreed = agreement(passes[0], passes[1]) if len(passes) > 1 else []
    agree_of = {(a["page"], a["role"]): a["agree"] for a in agreed}
    lines = [
        f"Mesure entrelacée, {backend}, échelle {scale} contre échelles 1 et 0 ; {note}",
        "",
        f"Verdicts identiques d'un passage à l'autre : {sum(agree_of.values())}/{len(agree_of)}."
        if agreed
        else "Un seul passage.",
        "",
        "| page | rôle | passage | croissance ×1→N médiane [Q1–Q3] | verdict (≤ 1,5) | ratio à la page vide | verdict (≤ 1,3) | concordance |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for number, rows in enumerate(passes, start=1):
        for r in rows:
            if "error" in r:
                lines.append(f"| {r['page']} | {r['role']} | {number} | échec | — | — | — | {r['error'][:60]} |")
                continue
            agree = agree_of.get((r["page"], r["role"]))
            lines.append(
                f"| {r['page']} | {r['role']} | {number} | {_fmt(r['growth'])} | {r['growth_verdict']} | "
                f"{_fmt(r['empty_ratio'])} | {r['empty_ratio_verdict']} | "
                f"{'—' if agree is None else ('oui' if agree else 'non')} |"
            )
    return "\n".join(lines)


def main() -> None:
    from bench.run import DATA, RESULTS

    parser = argparse.ArgumentParser(description="Mesure entrelacée d'une page et de ses références.")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument(
        "--url-template",
        help="URL with {scale}; by default data/bench/scale-{scale}.db, or a PostgreSQL server started for the run",
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--pages", nargs="*")
    parser.add_argument("--roles", nargs="*", default=["coordination", "partenaire", "financeur"])
    parser.add_argument("--note", default="machine au repos pendant la mesure.")
    args = parser.parse_args()
    scales = {"N": args.scale, "0": 0, "1": 1}
    databases = None
    if args.url_template:
        urls = {name: args.url_template.format(scale=scale) for name, scale in scales.items()}
    elif args.backend == "sqlite":
        urls = {name: f"sqlite:///{DATA}/scale-{scale}.db" for name, scale in scales.items()}
    else:  # a PostgreSQL server started for the run, its databases built as bench.run builds them
        from bench.run import Databases

        databases = Databases(regenerate=False)
        urls = {name: databases.url(args.backend, scale) for name, scale in scales.items()}
    import streamlit  # noqa: F401

    try:
        passes = [measure(urls, args.rounds, args.pages, args.roles) for _ in range(args.passes)]
    finally:
        if databases is not None:
            databases.close()
    table = markdown(passes, args.scale, args.backend, args.note)
    name = f"interleaved-{args.backend}-{args.scale}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(table + "\n")
    document = {
        "backend": args.backend,
        "scale": args.scale,
        "rounds": args.rounds,
        "note": args.note,
        "passes": passes,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(document, indent=1))
    print(table)


if __name__ == "__main__":
    main()
