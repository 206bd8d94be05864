"""Counting and replaying the SQL a page issues (for the benchmark's statement count and SQL floor)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Recorder:
    engine: Engine
    active: bool = False
    statements: list[tuple[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _executemany) -> None:
        if self.active:
            self.statements.append((statement, parameters))

    def start(self) -> None:
        self.statements = []
        self.active = True

    def stop(self) -> list[tuple[str, object]]:
        self.active = False
        return list(self.statements)


def _is_read(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))


def rows_returned(engine: Engine, statements) -> int:
    """Rows the recorded SELECTs return, counted by running them again."""
    total = 0
    with engine.connect() as connection:
        for statement, parameters in statements:
            if _is_read(statement):
                total += len(connection.exec_driver_sql(statement, parameters or ()).fetchall())
    return total


def sql_floor(engine: Engine, statements, repeat: int) -> float:
    """Median seconds to run the page's SELECTs bare, fetching every row (no Python on top)."""
    reads = [(s, p) for s, p in statements if _is_read(s)]
    timings = []
    with engine.connect() as connection:
        for _ in range(repeat):
            start = time.perf_counter()
            for statement, parameters in reads:
                connection.exec_driver_sql(statement, parameters or ()).fetchall()
            timings.append(time.perf_counter() - start)
    timings.sort()
    return timings[len(timings) // 2]
