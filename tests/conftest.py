"""Every test runs on a database built by the migrations: SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set. The seeded database is shared; each test runs inside a transaction that
is rolled back. Tests that need an empty database get a fresh one of their own."""

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, make_url, text
from sqlmodel import Session

from app.config import PROJECT_ROOT, get_settings
from app.db import get_session, get_write_session, make_engine
from app.editing.tokens import PREFIX, create_token
from app.main import create_app
from app.migrate import upgrade
from app.models import TokenScope
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from tests.contract import ValidatingClient

SEED_DIR = PROJECT_ROOT / "seed"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def _admin_engine(url: str) -> Engine:
    return make_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False)
    ).execution_options(isolation_level="AUTOCOMMIT")


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind under test, dropped afterwards."""
    if POSTGRES_URL is None:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"congress_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(POSTGRES_URL)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL is None:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        write_dataset(session, read_dataset(seed_files(SEED_DIR)))
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture
def sent(connection: Connection) -> Iterator[list[tuple[str, Any]]]:
    """Each statement sent on the test's connection from now on, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    yield statements
    event.remove(connection, "before_cursor_execute", record)


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """Every response it receives must be one the OpenAPI document describes."""
    app = create_app()
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_write_session] = lambda: session
    with ValidatingClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def env_database(monkeypatch: pytest.MonkeyPatch, fresh_database_url: str) -> Iterator[str]:
    """Points the settings (and so the CLI) at a fresh database."""
    from app.db import get_engine

    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield fresh_database_url
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


# --- tokens never reach a log ---------------------------------------------------------------

ISSUED_TOKENS: list[str] = []


def issue_token(session: Session, name: str, scope: TokenScope, **options: Any) -> str:
    """Creates a token for a test and remembers it, so the suite can prove no log line ever
    held it."""
    secret = create_token(session, name, scope, **options)
    ISSUED_TOKENS.append(secret)
    return secret


def token_fragments(secret: str, width: int = 8) -> set[str]:
    """Every run of `width` characters of the token's random part: a partial leak counts."""
    random_part = secret.removeprefix(PREFIX)
    return {random_part[i : i + width] for i in range(len(random_part) - width + 1)}


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text} {record.__dict__}")


@pytest.fixture(scope="session", autouse=True)
def no_token_in_any_log_line() -> Iterator[None]:
    """Captures every log record of the whole run, at every level; at the end, no token that a
    test issued may appear in any of them, whole or in part."""
    handler = _Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(level)
    # Every 8-character window of each line against every fragment of every token at once: a
    # whole token holds fragments too. (Line by line and fragment by fragment took minutes once
    # each request had an access record.)
    fragments = set().union(*(token_fragments(secret) for secret in ISSUED_TOKENS))
    leaks = [
        line
        for line in handler.lines
        if fragments and not fragments.isdisjoint(line[i : i + 8] for i in range(len(line) - 7))
    ]
    assert not leaks, f"a token reached the log: {leaks[:3]}"
