"""Running and inspecting the Alembic migrations from code (CLI, readiness, tests).

Alembic (with Mako and Pygments, ~10 MB of a worker's memory) is imported only to migrate: the
readiness check a server runs reads the head revision from the scripts' own assignments and the
database's from its `alembic_version` table."""

import ast
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlmodel import Session

from app.config import PROJECT_ROOT, get_settings
from app.db import IMMEDIATE, make_engine
from app.editing import renditions

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS_DIR = PROJECT_ROOT / "migrations" / "versions"


def alembic_config(url: str | None = None) -> "Config":
    from alembic.config import Config

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
    from alembic import command

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


def _revisions(source: str) -> tuple[str | None, set[str]]:
    """A script's `revision` and the revisions its `down_revision` names."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        target = value = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
            found[target.id] = ast.literal_eval(value)  # type: ignore[arg-type]
    revision, down = found.get("revision"), found.get("down_revision")
    downs = (
        {down} if isinstance(down, str) else set(down) if isinstance(down, tuple | list) else set()
    )
    return (revision if isinstance(revision, str) else None), downs


@lru_cache
def head_revision() -> str | None:
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in VERSIONS_DIR.glob("*.py"):
        revision, downs = _revisions(script.read_text(encoding="utf-8"))
        if revision is not None:
            revisions.add(revision)
            parents |= downs
    heads = revisions - parents
    if len(heads) == 1:
        return heads.pop()
    # Branches, or scripts this reading does not understand: Alembic decides.
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return " ".join(sorted(rows)) or None
