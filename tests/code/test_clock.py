"""One Paris clock: "today" and "now" come from core.clock, never from the server's time zone."""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FOLDERS = ("app.py", "core", "models", "services", "ui", "pages", "demo", "startup", "scripts", "bench", "tests")
CLOCK = "core/clock.py"

# (what is looked for, why it is refused, the only file allowed to hold it)
RULES = [
    (re.compile(r"\bdate\.today\(|\bdatetime\.today\("), "the server's calendar day", CLOCK),
    (re.compile(r"\bdatetime\.now\(\s*PARIS\s*\)"), "Paris time outside the clock", CLOCK),
    (re.compile(r"\bZoneInfo\(\s*[\"']Europe/Paris"), "a second Paris time zone", "core/formatting.py"),
    (re.compile(r"^[ \t]*def (paris_today|paris_now|paris_date|today)\(", re.M), "a second Paris clock", CLOCK),
    (
        re.compile(r"^[ \t]*from (?!core\.clock )[\w.]+ import [^\n]*\bparis_(today|now|date)\b", re.M),
        "the clock imported through another module",
        None,
    ),
    (re.compile(r"\.astimezone\(PARIS\)\.date\(\)|to_paris\([^)]*\)\.date\(\)"), "use core.clock.paris_date", CLOCK),
]


def _sources() -> list[pathlib.Path]:
    found = []
    for name in FOLDERS:
        path = ROOT / name
        found += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [p for p in found if p.resolve() != pathlib.Path(__file__).resolve()]


def test_sources_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert CLOCK in names and "app.py" in names and len(names) > 100


@pytest.mark.parametrize(("pattern", "reason", "allowed"), RULES, ids=[r[1] for r in RULES])
def test_the_paris_clock_is_defined_once(pattern, reason, allowed):
    offenders = []
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        if name == allowed or name.startswith("bench/generators/"):
            continue  # the benchmark generators date synthetic instants, never "today"
        text = path.read_text(encoding="utf-8")
        offenders += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}" for m in pattern.finditer(text)]
    assert offenders == [], f"{reason}: {', '.join(offenders)}"
