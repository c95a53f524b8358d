"""The SQLite distribution: the public tables at one revision, for `sqlite3`, Datasette or any
SQLite tool.

Public means the records and their citations: no editors' tokens (`api_token`), no history
(`change`, whose `actor` names editors), no migration bookkeeping (`alembic_version`), and no
search index (`search_doc`, `search_fts*` and the triggers that fill them, which call the app's
`fold()` and so could not run in a plain `sqlite3`). A `dataset` table says what the file holds:
its revision and when the data last changed.

On SQLite the file is a copy of the session's own snapshot (the backup API, on the connection
holding the session's read transaction) with everything else dropped; on PostgreSQL the public
tables are created from the models' metadata and the rows copied over in batches, inside the
session's REPEATABLE READ snapshot.
"""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, select
from sqlmodel import Session, SQLModel

from app.cards import LICENSE_URL
from app.editing.kinds import KINDS
from app.models import Citation, DatasetState, EventChair

BATCH_ROWS = 2000


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


# An allowlist: a table added later stays out of the download until it is added here.
PUBLIC_TABLE_NAMES = frozenset(
    [kind.table.name for kind in KINDS] + [_table(Citation).name, _table(EventChair).name]
)
PUBLIC_TABLES = [t for t in SQLModel.metadata.sorted_tables if t.name in PUBLIC_TABLE_NAMES]

DATASET_DDL = (
    "CREATE TABLE dataset ("
    " revision INTEGER NOT NULL,"
    " modified_at TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " license TEXT NOT NULL)"
)


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def build(session: Session, target: Path, *, base_url: str) -> None:
    """Writes the snapshot the session sees to a new SQLite file at `target`."""
    state = session.get(DatasetState, 1)  # also starts the snapshot every read below shares
    if state is None:
        raise RuntimeError("the dataset has not been seeded")
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _copy_database(connection.connection.dbapi_connection, target)
    else:
        _copy_tables(session, target)
    out = sqlite3.connect(target, isolation_level=None)
    try:
        out.execute(DATASET_DDL)
        out.execute(
            "INSERT INTO dataset (revision, modified_at, source, license) VALUES (?, ?, ?, ?)",
            (state.revision, utc(state.modified_at).isoformat(), f"{base_url}/api/v1", LICENSE_URL),
        )
        out.execute("VACUUM")
    finally:
        out.close()


def _copy_database(source: Any, target: Path) -> None:
    """The backup API copies what the source connection sees: inside the session's read
    transaction, that is its snapshot, whatever is committed meanwhile."""
    assert isinstance(source, sqlite3.Connection)
    out = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(out)
        # The copy would keep the source's WAL mode: a reader in a read-only folder could not
        # open it. A download is one self-contained file.
        out.execute("PRAGMA journal_mode=DELETE")
        out.execute("BEGIN")
        for (name,) in out.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            out.execute(f'DROP TRIGGER "{name}"')
        for (name,) in out.execute("SELECT name FROM sqlite_master WHERE type = 'view'"):
            out.execute(f'DROP VIEW "{name}"')
        # Virtual tables first: dropping one drops its shadow tables (search_fts_data, ...).
        virtual = out.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        ).fetchall()
        for (name,) in virtual:
            out.execute(f'DROP TABLE "{name}"')
        tables = out.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for (name,) in tables:
            if name not in PUBLIC_TABLE_NAMES:
                out.execute(f'DROP TABLE "{name}"')
        # ANALYZE's statistics describe the service's tables, most of them dropped above; a
        # snapshot built from PostgreSQL has none either, so both carry the same schema.
        stats = out.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sqlite_stat%'"
        ).fetchall()
        for (name,) in stats:
            out.execute(f'DROP TABLE "{name}"')
        out.execute("COMMIT")
    finally:
        out.close()


def _copy_tables(session: Session, target: Path) -> None:
    engine = create_engine(f"sqlite:///{target}")
    try:
        SQLModel.metadata.create_all(engine, tables=PUBLIC_TABLES)
        with engine.begin() as out:
            for table in PUBLIC_TABLES:
                statement = (
                    select(table)
                    .order_by(*table.primary_key.columns)
                    .execution_options(yield_per=BATCH_ROWS)
                )
                for rows in session.connection().execute(statement).partitions():
                    out.execute(table.insert(), [dict(row._mapping) for row in rows])
    finally:
        engine.dispose()
