"""Where one page's rerun spends its time: warm (caches filled) or cold, with cProfile's top entries.

    .venv/bin/python -m bench.profile --url sqlite:///data/bench/scale-1.db --pages weekly_charts --role partenaire

Prints the median of the timed reruns of each page and the SQL statements they issued (one AppTest instance per page, so AppTest's own
start-up cost is not counted), then with --profile N the N functions of the page's script thread
taking the most cumulative time over those reruns (timings are then inflated by the profiler).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import statistics
import time

from bench.measure import _app, _configure, _import_everything


class _ScriptProfiler:
    """Profiles the thread AppTest runs the script in (cProfile only sees the thread that enabled it)."""

    def __init__(self) -> None:
        from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

        self.profile: cProfile.Profile | None = None
        original = ScriptRunner._run_script

        def run_script(runner, *args, **kwargs):
            if self.profile is None:
                return original(runner, *args, **kwargs)
            self.profile.enable()
            try:
                return original(runner, *args, **kwargs)
            finally:
                self.profile.disable()

        ScriptRunner._run_script = run_script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pages", nargs="+", required=True)
    parser.add_argument("--role", default="coordination")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="clear the caches before each rerun")
    parser.add_argument("--profile", type=int, default=0, help="print this many cProfile entries")
    parser.add_argument("--sql", action="store_true", help="print the statements the reruns issued")
    args = parser.parse_args()
    _configure(args.url)
    _import_everything()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit as st

    from bench.recorder import Recorder
    from core.db import engine
    from services.admin.users import actor_for_username
    from ui.navigation import PAGE_BY_KEY

    profiler = _ScriptProfiler()
    actor = actor_for_username(username=args.role)
    recorder = Recorder(engine())
    for key in args.pages:
        at = _app(actor, PAGE_BY_KEY[key])
        at.run()
        at.run()
        if at.exception:
            raise SystemExit(f"{key}: {at.exception}")
        profiler.profile = cProfile.Profile() if args.profile else None
        timings = []
        recorder.start()
        for _ in range(args.repeat):
            if args.cold:
                st.cache_data.clear()
            start = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - start)
        statements = recorder.stop()
        if args.sql:
            print("\n".join(sorted({s[:160] for s, _ in statements})))
        print(
            f"{key} ({args.role}): median {statistics.median(timings) * 1000:.1f} ms, "
            f"min {min(timings) * 1000:.1f} ms, {len(statements) / args.repeat:.1f} statements per run",
            flush=True,
        )
        if profiler.profile is not None:
            pstats.Stats(profiler.profile).sort_stats("cumulative").print_stats(args.profile)
            profiler.profile = None


if __name__ == "__main__":
    main()
