"""Running and inspecting the Alembic migrations from code (CLI, readiness, tests)."""

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlmodel import Session

from app.config import PROJECT_ROOT, get_settings
from app.db import IMMEDIATE, make_engine
from app.editing import renditions


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Another key than the writers' (app.editing.writer): a migration and a seed may queue apart.
_MIGRATION_LOCK_KEY = 0x6D696772  # "migr"


def upgrade(url: str | None = None) -> None:
    """Migrates to head, one process at a time: replicas that start together all succeed.

    The whole upgrade runs in one transaction begun here, under a lock taken first (SQLite:
    BEGIN IMMEDIATE, waited for by the busy timeout; PostgreSQL: an advisory transaction lock),
    so a process that waited reads the version the one before it left. The bodies stored on
    write are rendered again in the same transaction when this version renders them otherwise.
    """
    config = alembic_config(url)
    engine = make_engine(url or get_settings().database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection = connection.execution_options(**{IMMEDIATE: True})
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                    )
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                with Session(bind=connection) as session:
                    renditions.ensure_current(session)
    finally:
        engine.dispose()


@lru_cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
