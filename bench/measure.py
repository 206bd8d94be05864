"""Measure every page for every role on one database; prints one JSON document.

Run by bench.run in a fresh process per database, so that memory figures start from a clean
baseline: `python -m bench.measure --url URL --empty-url URL --repeat 5`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("ANCRAGE_SECRET_DIR", os.path.join(os.path.dirname(__file__), "..", "data", "bench-secret"))


def _configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from core.config import reset_settings
    from core.db import dispose_engines

    reset_settings()
    dispose_engines()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _app(actor, page):
    from streamlit.testing.v1 import AppTest

    from core.config import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = actor.username
    at.session_state["name"] = actor.display_name
    at.session_state["roles"] = [actor.role]
    at.run()
    at.switch_page(str(PROJECT_ROOT / page.script))
    return at


def _timed_runs(at, repeat: int, *, cold: bool) -> list[float]:
    import streamlit as st

    timings = []
    for _ in range(repeat):
        if cold:
            st.cache_data.clear()
        start = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"page raised: {at.exception}")
    return timings


def measure_page(actor, page, repeat: int, recorder) -> dict:
    import streamlit as st

    from bench.recorder import rows_returned, sql_floor
    from core.db import engine

    at = _app(actor, page)
    st.cache_data.clear()
    gc.collect()
    tracemalloc.start()
    recorder.start()
    at.run()  # first, cold render: statements and memory
    statements = recorder.stop()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if at.exception:
        raise RuntimeError(f"{page.key} as {actor.role}: {at.exception}")
    cold = _timed_runs(at, repeat, cold=True)
    _timed_runs(at, 1, cold=False)
    recorder.start()
    warm = _timed_runs(at, repeat, cold=False)
    warm_statements = recorder.stop()
    return {
        "page": page.key,
        "role": actor.role,
        "median_s": statistics.median(cold),
        "max_s": max(cold),
        "warm_median_s": statistics.median(warm),
        "warm_statements": len(warm_statements),
        "statements": len(statements),
        "rows": rows_returned(engine(), statements),
        "sql_floor_s": sql_floor(engine(), statements, repeat),
        "peak_python_mb": peak / 1024 / 1024,
    }


def _import_everything() -> None:
    """Import what the pages use, so the memory baseline excludes module imports."""
    import importlib
    import pkgutil

    import altair  # noqa: F401
    import pandas  # noqa: F401

    for package in ("services", "ui"):
        for module in pkgutil.iter_modules([package]):
            importlib.import_module(f"{package}.{module.name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", nargs="*")
    args = parser.parse_args()
    _configure(args.url)
    import streamlit  # noqa: F401  (imports count in the baseline, not in a page)
    from streamlit.testing.v1 import AppTest  # noqa: F401

    _import_everything()
    from bench.recorder import Recorder
    from core.db import engine
    from services.admin.users import actor_for_username
    from ui.navigation import PAGES

    baseline = _rss_mb()
    recorder = Recorder(engine())
    results = []
    for role in ("coordination", "partenaire", "financeur", "orienteur"):
        actor = actor_for_username(username=role)
        if actor is None:  # a database built before the benchmark had a referrer account
            continue
        for page in PAGES:
            if role in page.roles and (not args.pages or page.key in args.pages):
                started = time.perf_counter()
                try:
                    results.append(measure_page(actor, page, args.repeat, recorder))
                except Exception as error:  # a page that fails or times out is reported, not fatal
                    recorder.stop()
                    results.append({"page": page.key, "role": role, "error": str(error)[:300]})
                print(f"  {role} {page.key}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    json.dump({"baseline_rss_mb": baseline, "peak_rss_mb": _rss_mb(), "pages": results}, sys.stdout)


if __name__ == "__main__":
    main()
