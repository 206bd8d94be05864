"""One summary of every measure kept in bench/results: AppTest rows, interleaved verdicts, browser, load.

    .venv/bin/python -m bench.summary

Reads latest.json (bench.run), interleaved-*.json (bench.interleaved), browser-*.json (bench.browser)
and load-*.json (bench.load); writes their summary to bench/results/summary.md and attaches the three
latter documents to latest.json (keys "interleaved", "browser", "load"), so that latest.json holds
every kind of row. bench/README.md shows the summary table.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.load import pace

CLIENT_SHORT = {"browser": "Chromium sur la même machine", "agent": "sans navigateur (API agent)"}

FRENCH = {"ratio": "ratio", "growth": "croissance", "warm": "relance", "memory": "mémoire", "time": "durée"}


def _documents(results: Path, prefix: str) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(results.glob(f"{prefix}-*.json"))}


def apptest_lines(rows: list[dict]) -> list[str]:
    """Per backend and scale: rows holding every target, and each target on its own.

    >>> rows = [{"backend": "sqlite", "scale": 1, "ok": True, "checks": {"ratio": True, "warm": True}},
    ...         {"backend": "sqlite", "scale": 1, "ok": False, "checks": {"ratio": False, "warm": True}}]
    >>> apptest_lines(rows)
    ['| AppTest (bench.run) | sqlite × 1 | 1/2 | ratio 1/2, relance 2/2 |']
    """
    groups: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["backend"], row["scale"]), []).append(row)
    lines = []
    for (backend, scale), group in sorted(groups.items()):
        held = sum(bool(r.get("ok")) for r in group)
        per_target: Counter = Counter()
        seen: Counter = Counter()
        for r in group:
            for name, ok in r.get("checks", {}).items():
                seen[name] += 1
                per_target[name] += bool(ok)
        detail = ", ".join(f"{FRENCH.get(name, name)} {per_target[name]}/{seen[name]}" for name in seen)
        lines.append(f"| AppTest (bench.run) | {backend} × {scale} | {held}/{len(group)} | {detail} |")
    return lines


def interleaved_lines(documents: dict[str, dict]) -> list[str]:
    lines = []
    for document in documents.values():
        passes = document["passes"]
        rows = [r for r in passes[-1] if "error" not in r]
        held = sum(r["growth_verdict"] != "manquée" and r["empty_ratio_verdict"] != "manquée" for r in rows)
        detail = f"{document['rounds']} tours"
        if len(passes) > 1:
            first = {(r["page"], r["role"]): r for r in passes[0] if "error" not in r}
            same = sum(
                (r["page"], r["role"]) in first
                and first[(r["page"], r["role"])]["growth_verdict"] == r["growth_verdict"]
                and first[(r["page"], r["role"])]["empty_ratio_verdict"] == r["empty_ratio_verdict"]
                for r in rows
            )
            detail += f", verdicts identiques sur les deux passages : {same}/{len(rows)}"
        lines.append(
            f"| entrelacée (bench.interleaved) | {document['backend']} × {document['scale']} | "
            f"{held}/{len(rows)} | croissance ≤ 1,5 et ratio ≤ 1,3 hors dispersion ; {detail} |"
        )
    return lines


def browser_lines(documents: dict[str, dict]) -> list[str]:
    lines = []
    for document in documents.values():
        logins = [r["login"] for r in document["roles"].values()]
        pages = [p for r in document["roles"].values() for p in r["pages"].values()]
        worst_login = max(s["p95_s"] for s in logins)
        lines.append(
            f"| navigateur (bench.browser) | {document['backend']} × {document['scale']} | "
            f"{sum(s['holds'] for s in logins + pages)}/{len(logins) + len(pages)} | "
            f"connexion p95 max {worst_login * 1000:.0f} ms (≤ 1 000) ; pages : p95 ≤ cible "
            f"{sum(p['holds'] for p in pages)}/{len(pages)} ; {document['repeat']} passages |"
        )
    return lines


def load_lines(documents: dict[str, dict]) -> list[str]:
    lines = []
    for document in documents.values():
        pages = document.get("pages") or {}
        p95 = pages.get("p95_s")
        lines.append(
            f"| charge (bench.load) | postgresql × {document['scale']} | {int(bool(document['holds']))}/1 | "
            f"{document['sessions']} sessions ({pace(document)}), {CLIENT_SHORT[document.get('client', 'browser')]}, p50 {pages.get('p50_s', 0) * 1000:.0f} ms, "
            f"p95 {(p95 or 0) * 1000:.0f} ms (≤ 1 500), erreurs {len(document['errors'])}, "
            f"écritures perdues {len(document['lost_writes'])}, connexions à la base {document['db_connections_max'] if document['db_connections_max'] is not None else 'non mesuré'} |"
        )
    return lines


def main() -> None:
    from bench.run import RESULTS

    latest_path = RESULTS / "latest.json"
    latest = json.loads(latest_path.read_text()) if latest_path.exists() else {"runs": {}, "rows": []}
    interleaved = _documents(RESULTS, "interleaved")
    browser = _documents(RESULTS, "browser")
    load = _documents(RESULTS, "load")
    lines = [
        "| mesure | base × échelle | lignes tenues | détail |",
        "|---|---|---|---|",
        *apptest_lines(latest["rows"]),
        *interleaved_lines(interleaved),
        *browser_lines(browser),
        *load_lines(load),
    ]
    table = "\n".join(lines)
    (RESULTS / "summary.md").write_text(table + "\n")
    latest.update(interleaved=interleaved, browser=browser, load=load)
    latest_path.write_text(json.dumps(latest, indent=1, default=str))
    print(table)


if __name__ == "__main__":
    main()
