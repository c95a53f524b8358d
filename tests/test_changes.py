"""app.queries.changes: the history since a revision."""

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Change
from app.queries.changes import list_changes


def test_changes_since_each_revision_are_exactly_those_after_it(session: Session) -> None:
    last = session.exec(select(func.max(Change.revision))).one() or 0
    for since in range(-1, last + 1):
        after = session.exec(
            select(Change.id).where(col(Change.revision) > since).order_by(col(Change.id))
        ).all()
        for descending in (False, True):
            items, total = list_changes(
                session, since=since, descending=descending, limit=500, offset=0
            )
            expected = list(reversed(after)) if descending else list(after)
            assert ([c.n for c in items], total) == (expected[:500], len(after))


def test_polling_for_changes_after_the_last_revision_reads_the_history_by_index(
    session: Session, sent: list[tuple[str, Any]]
) -> None:
    """Ordered by number, SQLite read every change from the first to learn there were none
    after `since` (64 ms at 100,000 changes): each step that reads the history uses an index."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's planner")
    last = session.exec(select(func.max(Change.revision))).one() or 0
    list_changes(session, since=last, limit=50, offset=0)
    connection = session.connection()
    steps = [
        row[-1]
        for statement, parameters in list(sent)
        if statement.lstrip().upper().startswith("SELECT")
        for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    ]
    reads = [step for step in steps if " change" in step]
    assert reads and all("USING" in step for step in reads), steps
