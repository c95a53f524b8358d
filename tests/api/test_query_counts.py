"""The cold path's statement budget: fixed, small, and the same when the data grows.

Statements are counted with a `before_cursor_execute` listener on the test's connection. The
data grows inside the test's transaction (rolled back afterwards) by cloning every record of
the growing kinds, with their citations, many times over.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Table, event, insert, select
from sqlmodel import Session, SQLModel

from app.models import (
    Achievement,
    Citation,
    Directive,
    KeyTask,
    Limitation,
    Membership,
    Person,
    Solution,
    Statistic,
    SubjectKind,
)

# BEGIN, term, conference, five item kinds, organization, area, the chairs, statistics,
# people, posts, one citations query for all of them, documents and their citations;
# see app/queries/terms.py.
SUMMARY_BUDGET = 16
LIST_BUDGET = 6
COPIES = 30

SUMMARIES = ["/api/v1/terms/bac-giang-2025-2030", "/api/v1/terms/bac-giang-2020-2025"]
LISTS = [
    "/api/v1/tasks?limit=20",
    "/api/v1/solutions?limit=20",
    "/api/v1/achievements?limit=20",
    "/api/v1/limitations?limit=20",
    "/api/v1/directives?limit=20",
    "/api/v1/statistics?limit=20",
    "/api/v1/statistics?term=bac-giang-2020-2025&limit=20",
    "/api/v1/people?limit=20",
    "/api/v1/organizations?limit=20",
    "/api/v1/terms?limit=20",
    "/api/v1/events?limit=20",
    "/api/v1/documents?limit=20",
    "/api/v1/tasks?limit=20&format=csv",
]
GROWING: list[tuple[type[SQLModel], SubjectKind]] = [
    (KeyTask, SubjectKind.key_task),
    (Solution, SubjectKind.solution),
    (Achievement, SubjectKind.achievement),
    (Limitation, SubjectKind.limitation),
    (Directive, SubjectKind.directive),
    (Statistic, SubjectKind.statistic),
    (Person, SubjectKind.person),
    (Membership, SubjectKind.membership),
]


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The test's own savepoints are its transaction bookkeeping, not the endpoint's queries.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.count += 1


@pytest.fixture
def counter(connection: Connection) -> Iterator[Counter]:
    counter = Counter()
    event.listen(connection, "before_cursor_execute", counter)
    yield counter
    event.remove(connection, "before_cursor_execute", counter)


def _count(client: TestClient, counter: Counter, url: str) -> int:
    before = counter.count
    response = client.get(url)
    assert response.status_code == 200, url
    return counter.count - before


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _grow(session: Session, copies: int) -> int:
    """Clones every record of the growing kinds `copies` times, citations included."""
    added = 0
    citations = _table(Citation)
    for model, kind in GROWING:
        table = _table(model)
        rows = [dict(row) for row in session.execute(select(table)).mappings()]
        cited = [
            dict(row)
            for row in session.execute(
                select(citations).where(citations.c.subject_kind == kind.value)
            ).mappings()
        ]
        clones: list[dict[str, Any]] = []
        clone_citations: list[dict[str, Any]] = []
        for copy in range(1, copies + 1):
            for row in rows:
                clone = {**row, "id": f"{row['id']}-copy-{copy}"}
                if "position" in clone:
                    clone["position"] = row["position"] + 1000 * copy
                if model is Membership:
                    clone["person_id"] = f"{row['person_id']}-copy-{copy}"
                clones.append(clone)
            for citation in cited:
                clone_citations.append(
                    {
                        **{k: v for k, v in citation.items() if k != "id"},
                        "subject_id": f"{citation['subject_id']}-copy-{copy}",
                    }
                )
        session.execute(insert(table), clones)
        if clone_citations:
            session.execute(insert(citations), clone_citations)
        added += len(clones)
    session.flush()
    return added


@pytest.mark.parametrize("url", SUMMARIES)
def test_term_summary_takes_a_fixed_small_number_of_statements(
    client: TestClient, session: Session, counter: Counter, url: str
) -> None:
    seed_scale = _count(client, counter, url)
    assert seed_scale <= SUMMARY_BUDGET
    for include in ("key_tasks", "statistics", "people", "documents"):
        assert _count(client, counter, f"{url}?include={include}") <= seed_scale
    items_before = _items(client.get(url).json())
    assert _grow(session, COPIES) > 500
    assert _items(client.get(url).json()) > COPIES * items_before // 2
    assert _count(client, counter, url) == seed_scale


def _items(summary: dict[str, Any]) -> int:
    return sum(len(value) for value in summary.values() if isinstance(value, list))


@pytest.mark.parametrize("url", LISTS)
def test_lists_stay_within_the_budget_as_the_data_grows(
    client: TestClient, session: Session, counter: Counter, url: str
) -> None:
    seed_scale = _count(client, counter, url)
    assert seed_scale <= LIST_BUDGET
    _grow(session, COPIES)
    assert _count(client, counter, url) == seed_scale
    assert _count(client, counter, url.replace("limit=20", "limit=500")) == seed_scale
