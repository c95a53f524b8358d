"""The dataset's revision, read cheaply on every request by the HTTP cache.

These readers use the database drivers directly, outside SQLAlchemy's pool and the thread pool:
the HTTP layer asks on the event loop before any handler runs, so the answer has to cost a few
microseconds (SQLite) or one awaited round trip shared by every request waiting (PostgreSQL).
"""

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

import psycopg
from sqlalchemy import make_url

from app.config import get_settings
from app.db import sqlite_read_only
from app.faults import driver_fault

REVISION_SQL = "SELECT revision, modified_at FROM datasetstate WHERE id = 1"


@dataclass(frozen=True, slots=True)
class DatasetVersion:
    revision: int
    modified_at: datetime

    @property
    def last_modified(self) -> str:
        """`modified_at` as an HTTP date."""
        return format_datetime(self.modified_at, usegmt=True)


def version_of(row: Sequence[Any] | None) -> DatasetVersion | None:
    """The version in a row of `REVISION_SQL`; None for no row (a database not seeded)."""
    if row is None:
        return None
    revision, modified_at = row
    if isinstance(modified_at, str):
        modified_at = datetime.fromisoformat(modified_at)
    if modified_at.tzinfo is None:
        modified_at = modified_at.replace(tzinfo=UTC)
    return DatasetVersion(revision=int(revision), modified_at=modified_at.astimezone(UTC))


class RevisionReader(Protocol):
    # Why the last read failed, when the database itself is at fault (app.faults), else None.
    fault: str | None
    # Whether a read is a round trip to a database server.
    remote: bool

    async def read(self) -> DatasetVersion | None:
        """The committed revision now; None when it cannot be known (unseeded, unreachable)."""

    async def close(self) -> None: ...


class SqliteRevision:
    """`PRAGMA data_version` changes whenever another connection, in any process, commits; the
    revision row is re-read only then."""

    remote = False

    def __init__(self, path: str, *, read_only: bool = False, immutable: bool = False) -> None:
        mode = "?mode=ro" if read_only or immutable else "?mode=rw"
        self._uri = Path(path).resolve().as_uri() + mode + ("&immutable=1" if immutable else "")
        self.fault: str | None = None
        self._connection: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._version: DatasetVersion | None = None

    async def read(self) -> DatasetVersion | None:
        try:
            if self._connection is None:
                # mode=rw: never create an empty database file where none exists. A short
                # timeout because this runs on the event loop; a busy database means "unknown".
                self._connection = sqlite3.connect(
                    self._uri, uri=True, timeout=0.05, check_same_thread=False
                )
                self._connection.isolation_level = None
            data_version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            if data_version != self._data_version or self._version is None:
                self._version = version_of(self._connection.execute(REVISION_SQL).fetchone())
                self._data_version = data_version
            self.fault = None
            return self._version
        except sqlite3.Error as error:
            # A busy database is no fault: the handler waits its turn with a longer timeout.
            reason = driver_fault(error)
            self.fault = None if reason == "The database is busy." else reason
            await self.close()
            return None

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._data_version = None
        self._version = None


class PostgresRevision:
    """One autocommit connection per event loop. Requests that arrive while a read is in flight
    share the next read, which starts after they arrived, so none can see a revision older than
    the last commit before it came in."""

    remote = True

    def __init__(self, conninfo: str, *, timeout: float = 3.0) -> None:
        self._conninfo = conninfo
        self._timeout = timeout
        self.fault: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._next: asyncio.Future[DatasetVersion | None] | None = None
        self._busy = False
        self._latest: DatasetVersion | None = None

    async def read(self) -> DatasetVersion | None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new loop (tests start one per client): the old connection belongs to the old one.
            self._loop, self._connection, self._next, self._busy = loop, None, None, False
            self._latest = None
        future = self._next
        if future is None:
            future = self._next = loop.create_future()
            if not self._busy:
                self._start(loop)
        await asyncio.shield(future)
        # The newest read that has completed, which is at least as new as this request's own.
        return self._latest

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        future, self._next, self._busy = self._next, None, True
        assert future is not None
        loop.create_task(self._run(future, loop))

    async def _run(
        self, future: asyncio.Future[DatasetVersion | None], loop: asyncio.AbstractEventLoop
    ) -> None:
        try:
            try:
                version = await self._query()
            except Exception:
                version = None
            if loop is self._loop:
                self._latest = version
            future.set_result(version)
        finally:
            if loop is self._loop:
                self._busy = False
                if self._next is not None:
                    self._start(loop)

    async def _query(self) -> DatasetVersion | None:
        try:
            # Bounded as a whole: a server that accepts and never answers must not hold every
            # request of the worker.
            async with asyncio.timeout(self._timeout):
                if self._connection is None or self._connection.closed:
                    self._connection = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True, connect_timeout=int(self._timeout)
                    )
                async with self._connection.cursor() as cursor:
                    await cursor.execute(REVISION_SQL)
                    version = version_of(await cursor.fetchone())
            self.fault = None
            return version
        except TimeoutError:
            self.fault = "The database did not answer in time."
        except psycopg.Error as error:
            self.fault = driver_fault(error)
        await self.close()
        return None

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error, RuntimeError):
                await connection.close()


def revision_reader(database_url: str) -> RevisionReader | None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        immutable = url.query.get("immutable") in {"1", "true"}
        return SqliteRevision(
            url.database, read_only=sqlite_read_only(database_url), immutable=immutable
        )
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresRevision(conninfo, timeout=get_settings().db_connect_timeout)
    return None
