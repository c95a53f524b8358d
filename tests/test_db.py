"""The engine's driver settings, and how read requests use it."""

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from starlette.requests import Request

from app.config import get_settings
from app.db import get_session, make_engine
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(POSTGRES_URL is None, reason="psycopg's settings: PostgreSQL only")


@pytest.fixture
def clear_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("clear_settings")
@pytest.mark.parametrize(
    ("env", "threshold", "prepared"),
    [
        ({}, 5, False),
        ({"DB_PREPARE_THRESHOLD": "0"}, 0, True),
        ({"DB_PREPARE_THRESHOLD": "0", "DB_PREPARED_STATEMENTS": "false"}, None, False),
    ],
)
def test_server_side_prepared_statements_follow_the_settings(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    env: dict[str, str],
    threshold: int | None,
    prepared: bool,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            assert driver.prepare_threshold == threshold
            for _ in range(2):
                conn.execute(text("SELECT :n + 1"), {"n": 1})
            count = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
            assert (count > 0) is prepared
    finally:
        engine.dispose()


def test_a_read_requests_session_opens_no_transaction(env_database: str) -> None:
    # In a transaction now() stays at its start; in autocommit each statement is its own.
    async def read() -> bool:
        sessions = get_session(Request({"type": "http", "state": {}}))
        session = await anext(sessions)
        try:
            session.execute(text("SELECT pg_sleep(0.01)"))
            return bool(session.execute(text("SELECT now() = statement_timestamp()")).scalar_one())
        finally:
            with contextlib.suppress(StopAsyncIteration):
                await anext(sessions)  # runs the dependency's exit: the session closes

    assert asyncio.run(read())
