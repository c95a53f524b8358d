"""Reads written as steps: the same rows on a connection and on the event loop."""

import asyncio
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import pytest
from sqlalchemy import Engine, column, func, select, table
from sqlalchemy.exc import SQLAlchemyError

from app.db import get_engine
from app.i18n import Lang
from app.queries.renditions import SUMMARY, stored_body_steps
from app.queries.statistics import statistic_body_steps
from app.queries.terms import term_body_steps
from app.reads import CONNECTIONS, Steps, close_reads, read_steps, run_steps
from tests.conftest import POSTGRES_URL
from tests.test_caching import committed_database, environment
from tests.test_db import terminate_backend

postgresql_only = pytest.mark.skipif(POSTGRES_URL is None, reason="psycopg's connections")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with (
        committed_database(tmp_path_factory.mktemp("reads")) as url,
        environment(DATABASE_URL=url),
    ):
        get_engine.cache_clear()
        yield url
        get_engine().dispose()
        get_engine.cache_clear()


def _reads() -> list[Steps[Any]]:
    def statistics(offset: int) -> Steps[Any]:
        return statistic_body_steps(
            Lang.en, category=None, term_id=None, key=None, limit=3, offset=offset
        )

    return [
        stored_body_steps(SUMMARY, "bac-giang-2025-2030", "vi"),
        stored_body_steps(SUMMARY, "no-such-term", "vi"),
        term_body_steps(organization_id=None, limit=20, offset=0),
        statistics(0),
        statistics(2),
        statistics(10_000),  # no row: the total is read on its own
    ]


def _on_the_loop(steps: list[Steps[Any]]) -> list[Any]:
    async def run() -> list[Any]:
        try:
            return [await read_steps(one) for one in steps]
        finally:
            await close_reads()

    return asyncio.run(run())


def test_steps_read_the_same_on_a_connection_and_on_the_event_loop(database: str) -> None:
    with get_engine().connect() as connection:
        expected = [run_steps(connection, steps) for steps in _reads()]
    assert expected[0] is not None and expected[1] is None
    assert expected[5][0] == [] and expected[5][1] == expected[3][1] > 3
    assert _on_the_loop(_reads()) == expected


@postgresql_only
def test_reads_on_the_loop_take_neither_a_pooled_connection_nor_a_thread(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("left the event loop's own connections")

    monkeypatch.setattr(Engine, "connect", refused)
    monkeypatch.setattr(anyio.to_thread, "run_sync", refused)
    assert _on_the_loop(_reads())[0] is not None


def _backend_pid() -> Steps[int]:
    rows = yield select(func.pg_backend_pid()), {}
    return int(rows[0][0])


@postgresql_only
def test_a_loop_connection_the_server_closed_is_replaced(database: str) -> None:
    async def scenario() -> tuple[int, int, int]:
        try:
            first = await read_steps(_backend_pid())
            with get_engine().connect() as connection:
                terminate_backend(connection, first)
            await asyncio.sleep(0.05)
            second = await read_steps(_backend_pid())
            return first, second, await read_steps(_backend_pid())
        finally:
            await close_reads()

    first, second, third = asyncio.run(scenario())
    assert second != first
    assert third == second  # a live connection is kept


@postgresql_only
def test_a_failed_read_on_the_loop_raises_sqlalchemys_error_and_drops_its_connection(
    database: str,
) -> None:
    def missing_table() -> Steps[Any]:
        yield select(column("x")).select_from(table("no_such_table")), {}

    async def scenario() -> tuple[int, int]:
        try:
            before = await read_steps(_backend_pid())
            with pytest.raises(SQLAlchemyError):
                await read_steps(missing_table())
            return before, await read_steps(_backend_pid())
        finally:
            await close_reads()

    before, after = asyncio.run(scenario())
    assert after != before


@postgresql_only
def test_reads_on_the_loop_open_no_more_connections_than_their_bound(database: str) -> None:
    def slow_pid() -> Steps[int]:
        rows = yield select(func.pg_backend_pid(), func.pg_sleep(0.05)), {}
        return int(rows[0][0])

    async def scenario() -> set[int]:
        try:
            return set(
                await asyncio.gather(*(read_steps(slow_pid()) for _ in range(3 * CONNECTIONS)))
            )
        finally:
            await close_reads()

    assert len(asyncio.run(scenario())) == CONNECTIONS
