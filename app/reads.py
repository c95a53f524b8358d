"""Reads written once as steps, run on a SQLAlchemy connection or on the event loop.

A read that some requests make on the event loop (app.api.stored_reads) and handlers make in a
session is written as a generator of steps: it yields each statement with its parameters and is
sent that statement's rows. `run_steps` runs it on a SQLAlchemy connection; `read_steps` runs it
on the event loop, where on PostgreSQL it goes over psycopg's async connections. Handing the
read to a thread and through SQLAlchemy's execution had cost a PostgreSQL cold read more than
its round trip (bench/RESULTS.md).
"""

import asyncio
import weakref
from collections.abc import Generator, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Dialect, Executable, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.sql.compiler import Compiled
from sqlmodel import Session

from app.config import get_settings
from app.db import get_engine, psycopg_options, server_wrote, session_slots
from app.queries.revision import REVISION_SQL, DatasetVersion, version_of

T = TypeVar("T")
Reader = Session | Connection
Rows = Sequence[Sequence[Any]]
# Yields (statement, parameters), is sent the statement's rows, returns the read's result.
Steps = Generator[tuple[Executable, Mapping[str, Any]], Rows, T]


def run_steps(reader: Reader, steps: Steps[T]) -> T:
    """`steps` run on `reader`'s connection (a session's: `Session.execute` adds the ORM's work
    per statement, a sixth of a stored list's time), one statement after another."""
    connection = reader.connection() if isinstance(reader, Session) else reader
    try:
        statement, parameters = next(steps)
        while True:
            rows = connection.execute(statement, parameters).all()
            statement, parameters = steps.send(rows)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def read_steps(steps: Steps[T]) -> T:
    """`steps` (reads only) on a connection of their own, without leaving the event loop.

    On SQLite they run on a pooled connection: reading an indexed row or a page in WAL mode never
    waits for a writer, and costs less than the hand-off to a thread. On PostgreSQL each
    statement is a round trip, awaited on one of this loop's psycopg connections, in autocommit
    (at READ COMMITTED each statement sees its own snapshot, in a transaction or not). A database
    error is raised as SQLAlchemy's, as a session would raise it."""
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        # A slot first, waited for on the loop, as every session takes one: then a pooled
        # connection is free, and the checkout cannot block the loop.
        async with session_slots():
            with engine.connect() as connection:
                return run_steps(connection, steps)
    result, _ = await _postgresql().run(steps, engine.dialect)
    return result


async def read_steps_and_version(steps: Steps[T]) -> tuple[T, DatasetVersion | None]:
    """`read_steps` on PostgreSQL, with the dataset's version read in the same round trip as
    the first statement (pipelined on its connection), so no newer than what the steps read."""
    return await _postgresql().run(steps, get_engine().dialect, with_version=True)


async def close_reads() -> None:
    """Closes this event loop's PostgreSQL connections (at shutdown)."""
    reads = _READS.pop(asyncio.get_running_loop(), None)
    if reads is not None:
        await reads.close()


# A worker's connections for the reads on its event loop, besides DB_POOL_SIZE for sessions. A
# read holds one for its round trips only, a fraction of the time the worker spends on the
# request, so a few serve a worker's full rate; more would only count against the server's
# `max_connections`.
CONNECTIONS = 8


class _PostgresqlReads:
    """This loop's autocommit psycopg connections: at most CONNECTIONS, kept while idle."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._turns = asyncio.Semaphore(CONNECTIONS)

    async def run(
        self, steps: Steps[T], dialect: Dialect, *, with_version: bool = False
    ) -> tuple[T, DatasetVersion | None]:
        try:
            # Waited for as long as a session is (then the routes answer, or say why not).
            async with asyncio.timeout(get_settings().db_pool_timeout):
                await self._turns.acquire()
        except TimeoutError as error:
            raise PoolTimeoutError("no connection for a read on the event loop") from error
        try:
            connection = await self._checkout()
            try:
                result = await _drive(steps, connection, dialect, with_version)
            except BaseException:
                # An error or a cancellation may leave it mid-statement: never reuse it.
                await connection.close()
                raise
            self._idle.append(connection)
            return result
        finally:
            self._turns.release()

    async def _checkout(self) -> psycopg.AsyncConnection[Any]:
        while self._idle:
            connection = self._idle.pop()
            # As app.db does on checkout: an idle connection the server wrote to is ending.
            if not server_wrote(connection):
                return connection
            await connection.close()
        try:
            return await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, **psycopg_options()
            )
        except psycopg.Error as error:
            raise DBAPIError.instance(None, None, error, psycopg.Error) from error

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


async def _drive(
    steps: Steps[T],
    connection: psycopg.AsyncConnection[Any],
    dialect: Dialect,
    with_version: bool,
) -> tuple[T, DatasetVersion | None]:
    version = None
    try:
        statement, parameters = next(steps)
        while True:
            sql, values = _driver_form(statement, parameters, dialect)
            try:
                if with_version:
                    with_version = False
                    async with connection.pipeline():
                        revision = await connection.execute(REVISION_SQL)
                        cursor = await connection.execute(sql, values)
                    version = version_of(await revision.fetchone())
                else:
                    cursor = await connection.execute(sql, values)
                rows = await cursor.fetchall()
            except psycopg.Error as error:
                raise DBAPIError.instance(sql, values, error, psycopg.Error) from error
            statement, parameters = steps.send(rows)
    except StopIteration as done:
        return done.value, version


def _driver_form(
    statement: Executable, parameters: Mapping[str, Any], dialect: Dialect
) -> tuple[str, dict[str, Any]]:
    compiled = _compiled(statement, dialect)
    return compiled.string, dict(compiled.construct_params(dict(parameters)) or {})


@lru_cache(maxsize=256)
def _compiled(statement: Executable, dialect: Dialect) -> Compiled:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    # List parameters (expanded per execution) and typed values (converted per execution) are
    # the work of SQLAlchemy's execution, which this skips: such statements run in a session.
    if getattr(compiled, "post_compile_params", None) or getattr(compiled, "_bind_processors", {}):
        raise ValueError(f"not runnable on the driver as compiled: {compiled.string}")
    return compiled  # type: ignore[no-any-return]


_READS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _PostgresqlReads]" = (
    weakref.WeakKeyDictionary()
)


def _postgresql() -> _PostgresqlReads:
    loop = asyncio.get_running_loop()
    reads = _READS.get(loop)
    if reads is None:
        url = make_url(get_settings().database_url).set(drivername="postgresql")
        reads = _READS[loop] = _PostgresqlReads(url.render_as_string(hide_password=False))
    return reads
