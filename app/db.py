"""Engine, sessions and the per-connection SQLite settings."""

import asyncio
import select
import weakref
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlmodel import Session

from app.config import get_settings
from app.faults import RETRY_AFTER_SECONDS
from app.problems import DatabaseUnavailableError
from app.search.postings import postings_json
from app.text import fold


def make_engine(url: str, *, pool_size: int = 5, create: bool = True) -> Engine:
    """An engine with the settings this project relies on, for SQLite and PostgreSQL alike.

    `create=False` never creates an absent SQLite file (serving and the CLI's readers); a URL
    with `?mode=ro` or `?immutable=1` opens the file read-only and writes nothing beside it."""
    settings = get_settings()
    if url.startswith("sqlite"):
        parsed = make_url(url)
        database = parsed.database
        read_only = sqlite_read_only(url)
        if database and database != ":memory:":
            path = Path(database).resolve()
            if create and not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            else:
                # SQLite's own URI form: mode=rw opens an existing file only.
                query = {"mode": "ro"} if read_only else {"mode": "rw"}
                if parsed.query.get("immutable") in {"1", "true"}:
                    query["immutable"] = "1"
                parsed = parsed.set(database=f"file:{path}", query={**query, "uri": "true"})
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout,
        )
        _configure_sqlite(engine, read_only=read_only)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout,
        connect_args=psycopg_options(),
    )
    _check_on_checkout(engine)
    return engine


def psycopg_options() -> dict[str, Any]:
    """What every PostgreSQL connection is opened with, in the pool and in app.reads."""
    settings = get_settings()
    return {
        # A server that accepts the connection and never answers costs this, not a hang.
        "connect_timeout": settings.db_connect_timeout,
        "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
        # None never prepares: a pooler in transaction mode may run the next statement on a
        # server connection where the prepared one does not exist.
        "prepare_threshold": (
            settings.db_prepare_threshold if settings.db_prepared_statements else None
        ),
    }


def sqlite_read_only(url: str) -> bool:
    """A SQLite URL that asks for a read-only database (`?mode=ro` or `?immutable=1`)."""
    query = make_url(url).query
    return query.get("mode") == "ro" or query.get("immutable") in {"1", "true"}


def _configure_sqlite(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite opens transactions lazily and never for SAVEPOINT; take that over so that
        # nested transactions and rollbacks behave as on PostgreSQL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # A small private page cache: the pool holds DB_POOL_SIZE connections and the default
        # 2 MB each took a worker past 150 MB at 100,000 records; the OS page cache is shared.
        cursor.execute("PRAGMA cache_size=-256")
        cursor.close()
        # The search index's triggers fold with this, so the index and queries fold alike,
        # and weigh each record's words with that.
        dbapi_connection.create_function("fold", 1, fold, deterministic=True)
        dbapi_connection.create_function("search_postings", 2, postings_json, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock at once: a deferred transaction that reads, then writes,
        # fails with "database is locked" when another writer committed in between (WAL).
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


IMMEDIATE = "sqlite_begin_immediate"


def _check_on_checkout(engine: Engine) -> None:
    """A pooled connection is pinged before use only when the server has written to it.

    An idle connection has nothing to read unless the server sent something: it does when it
    ends the session (a restart, `pg_terminate_backend`, `idle_session_timeout`), and then the
    ping fails and every pooled connection is replaced, as `pool_pre_ping` does. Pinging every
    checkout, as `pool_pre_ping` does, was a round trip per request (a stored read is one
    statement). A server that vanishes without a word is not seen by either until a statement
    fails, and SQLAlchemy then replaces the pool too."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not server_wrote(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise InvalidatePoolError(f"the server closed a pooled connection: {error}") from error


def server_wrote(connection: Any) -> bool:
    """Whether an idle psycopg connection (sync or async) has anything to read, or is closed."""
    if connection.closed:
        return True
    poll = select.poll()
    poll.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poll.poll(0))


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, pool_size=settings.db_pool_size, create=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    # No more sessions than pooled connections, waited for on the event loop. A session keeps its
    # connection until the response is sent, and a sync handler's response is serialized in the
    # thread pool; unbounded, every thread could block on the pool while the sessions holding it
    # wait for a thread, and the server stalled at 128 connections. Opening a Session does no I/O.
    fault = request.scope.get("state", {}).get("database_fault")
    if fault is not None:
        raise DatabaseUnavailableError(fault, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    async with session_slots():
        with Session(_reads(get_engine())) as session:
            yield session


@lru_cache
def autocommit(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _reads(engine: Engine) -> Engine:
    """Where a read-only request's session runs. On PostgreSQL, in autocommit: at READ
    COMMITTED each statement sees its own snapshot whether or not a transaction is open, so
    BEGIN and ROLLBACK were two round trips that bought nothing, and the ROLLBACK ran on the
    event loop when the session closed. On SQLite a transaction costs no round trip and keeps
    one snapshot across a request's statements."""
    return engine if engine.dialect.name == "sqlite" else autocommit(engine)


_SLOTS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


_TURNS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


def _write_turn() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    turn = _TURNS.get(loop)
    if turn is None:
        turn = _TURNS[loop] = asyncio.Lock()
    return turn


def session_slots() -> asyncio.Semaphore:
    """This event loop's bound on open sessions: one slot per pooled connection."""
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = asyncio.Semaphore(get_settings().db_pool_size)
    return slots


def write_session(engine: Engine | None = None) -> Session:
    """A session for the write path: on SQLite its transaction begins IMMEDIATE."""
    return Session((engine or get_engine()).execution_options(**{IMMEDIATE: True}))


async def get_write_session() -> AsyncIterator[Session]:
    # Writers of one process take turns here, first come first served, before they take a
    # session: SQLite's busy handler retries with growing sleeps and serves waiters in no order
    # (4 concurrent writers saw a p99 of 0.8 s), and a queued writer must not hold a slot.
    async with _write_turn(), session_slots():
        with write_session() as session:
            yield session


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
