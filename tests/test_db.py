"""The engine's driver settings, and how read requests use it."""

import asyncio
import contextlib
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, text
from starlette.requests import Request

from app.config import get_settings
from app.db import autocommit, get_session, make_engine
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


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _backend_pid_after(engine: Engine, statement: str) -> int:
    """The pid of the engine's pooled connection, after `statement` ran on it in autocommit, as
    reads run (else returning the connection to the pool sends a ROLLBACK)."""
    with autocommit(engine).connect() as conn:
        pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        conn.execute(text(statement))
    return pid


def terminate_backend(conn: Connection, pid: int) -> None:
    """Ends a server session and waits until it has gone (the call returns before it has)."""
    assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    gone = "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = :pid)"
    for _ in range(500):
        if conn.execute(text(gone), {"pid": pid}).scalar_one():
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} still there after 5 s")


@pytest.fixture
def pooled(database_url: str) -> Iterator[tuple[Engine, Engine]]:
    """An engine pooling one connection, and another to watch or act on it from outside."""
    engine, other = make_engine(database_url, pool_size=1), make_engine(database_url)
    yield engine, other
    engine.dispose()
    other.dispose()


def test_checking_out_a_live_pooled_connection_sends_no_statement(
    pooled: tuple[Engine, Engine],
) -> None:
    # pg_stat_activity shows a backend's last statement: a ping on checkout would replace it.
    engine, observer = pooled
    pid = _backend_pid_after(engine, "SELECT 'the last statement'")
    with autocommit(engine).connect(), observer.connect() as conn:
        last = conn.execute(
            text("SELECT query FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        ).scalar_one()
    assert last == "SELECT 'the last statement'"


def test_a_pooled_connection_the_server_closed_is_replaced_on_checkout(
    pooled: tuple[Engine, Engine],
) -> None:
    engine, admin = pooled
    pid = _backend_pid(engine)
    with admin.connect() as conn:
        terminate_backend(conn, pid)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert _backend_pid(engine) != pid


def test_a_pooled_connection_the_server_wrote_to_is_pinged_and_kept(
    pooled: tuple[Engine, Engine],
) -> None:
    # A notification makes the idle socket readable, as a closing server does; the ping finds
    # the session alive and the connection stays in the pool.
    engine, admin = pooled
    pid = _backend_pid_after(engine, "LISTEN pool_check")
    with autocommit(admin).connect() as conn:
        conn.execute(text("NOTIFY pool_check"))
    time.sleep(0.05)
    assert _backend_pid(engine) == pid
