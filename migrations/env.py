"""Alembic environment: migrates the database in the settings, or a connection handed over."""

from alembic import context
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata)
from app.config import get_settings
from app.db import make_engine

config = context.config
target_metadata = SQLModel.metadata

# The search index (migration 0426a2f856b7) is raw SQL, not in the metadata: an FTS5 table and its
# shadow tables on SQLite, a table with generated tsvector columns on PostgreSQL.
SEARCH_INDEX_PREFIX = "search_"


def include_name(name: str | None, type_: NameFilterType, _parents: NameFilterParentNames) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_INDEX_PREFIX))


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        run_migrations(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
run_online()
