"""The cold path's statement budget: fixed, small, and the same when the data grows.

Statements are counted with a `before_cursor_execute` listener on the test's connection. The
data grows inside the test's transaction (rolled back afterwards) by cloning every record of
the growing kinds, with their citations, many times over. Each budget is checked twice: served
from the bodies stored on write (rendered again after the growth, as a write would), and
rendered fresh (the stored bodies removed, as on a database not yet rendered).
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Table, delete, event, insert, select
from sqlmodel import Session, SQLModel

from app.editing import renditions
from app.models import (
    Achievement,
    Citation,
    Directive,
    KeyTask,
    Limitation,
    Membership,
    Person,
    Rendition,
    Solution,
    Statistic,
    SubjectKind,
)

# BEGIN, term, conference, five item kinds, organization, area, the chairs, statistics,
# people, posts, one citations query for all of them, documents and their citations;
# see app/queries/terms.py.
SUMMARY_BUDGET = 16
LIST_BUDGET = 6
# The stored body of the summary; a list's count and its page of stored bodies (an unfiltered
# list: one statement, its page with the total stored beside it).
STORED_SUMMARY_BUDGET = 1
STORED_LIST_BUDGET = 2
# Lists whose items are not stored (their bodies show other records: a person's posts).
RENDERED_LISTS = ("people", "organizations", "events", "documents")
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


@pytest.fixture(params=["stored", "rendered"])
def stored(request: pytest.FixtureRequest, session: Session) -> bool:
    """Whether reads find the bodies stored on write; without them they render."""
    if request.param == "rendered":
        session.execute(delete(_table(Rendition)))
        session.flush()
    return bool(request.param == "stored")


def _grown(session: Session, stored: bool) -> int:
    added = _grow(session, COPIES)
    if stored:
        renditions.rebuild(session)
    return added


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
    client: TestClient, session: Session, counter: Counter, url: str, stored: bool
) -> None:
    seed_scale = _count(client, counter, url)
    # Rendered: one more, the stored body looked for first.
    assert seed_scale <= (STORED_SUMMARY_BUDGET if stored else SUMMARY_BUDGET + 1)
    for include in ("key_tasks", "statistics", "people", "documents"):
        assert _count(client, counter, f"{url}?include={include}") <= SUMMARY_BUDGET
    items_before = _items(client.get(url).json())
    assert _grown(session, stored) > 500
    assert _items(client.get(url).json()) > COPIES * items_before // 2
    assert _count(client, counter, url) == seed_scale


def _items(summary: dict[str, Any]) -> int:
    return sum(len(value) for value in summary.values() if isinstance(value, list))


@pytest.mark.parametrize("url", LISTS)
def test_lists_stay_within_the_budget_as_the_data_grows(
    client: TestClient, session: Session, counter: Counter, url: str, stored: bool
) -> None:
    from_store = stored and not url.startswith(tuple(f"/api/v1/{c}?" for c in RENDERED_LISTS))
    seed_scale = _count(client, counter, url)
    assert seed_scale <= (STORED_LIST_BUDGET if from_store else LIST_BUDGET)
    _grown(session, stored)
    assert _count(client, counter, url) == seed_scale
    assert _count(client, counter, url.replace("limit=20", "limit=500")) == seed_scale
