"""No endpoint does N+1 queries: statement counts do not grow with the page size."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event

from tests.api.test_lists import LISTS

SUMMARY_BUDGET = 20
LIST_BUDGET = 6


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The test's own savepoints are transaction bookkeeping, not queries of the endpoint.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.count += 1


@pytest.fixture
def statements(connection: Connection) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(connection, "before_cursor_execute", counter)
    yield counter
    event.remove(connection, "before_cursor_execute", counter)


def _count(client: TestClient, statements: StatementCounter, url: str) -> int:
    before = statements.count
    assert client.get(url).status_code == 200
    return statements.count - before


@pytest.mark.parametrize("path", LISTS)
def test_list_statement_count_does_not_grow_with_the_page(
    client: TestClient, statements: StatementCounter, path: str
) -> None:
    one = _count(client, statements, f"/api/v1/{path}?limit=1")
    many = _count(client, statements, f"/api/v1/{path}?limit=500")
    assert one == many
    assert many <= LIST_BUDGET


def test_term_summary_uses_a_fixed_small_number_of_statements(
    client: TestClient, statements: StatementCounter
) -> None:
    planned = _count(client, statements, "/api/v1/terms/bac-giang-2025-2030")
    reviewed = _count(client, statements, "/api/v1/terms/bac-giang-2020-2025")
    assert planned <= SUMMARY_BUDGET
    assert reviewed <= SUMMARY_BUDGET
