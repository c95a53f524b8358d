"""Database faults: a stalled, missing, unmigrated, read-only, corrupt or unreachable database
gives 503 problems (never a hang, never a 500), `serve` refuses to start with one line naming
it, a read never creates an absent SQLite file, and a read-only copy can be served."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT, get_settings
from app.db import get_engine, make_engine, write_session
from app.main import create_app
from app.models import TokenScope
from tests.conftest import issue_token

ClientFor = Callable[..., TestClient]
CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"


@pytest.fixture
def client_for(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClientFor]:
    """A test client of a whole application (no overridden session) on these settings."""
    clients: list[TestClient] = []

    def make(**env: str) -> TestClient:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        get_engine.cache_clear()
        client = TestClient(create_app(), raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    get_engine().dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_engine.cache_clear()


@contextmanager
def black_hole() -> Iterator[int]:
    """A TCP port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Paths the OS refuses to write, even for root (chattr +i), else by their mode bits."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", *map(str, paths)], check=False).returncode != 0:
            pytest.skip("chattr +i is not available on this file system")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
        return
    modes = {path: path.stat().st_mode for path in paths}
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def _sqlite_copy(source_url: str, target: Path) -> None:
    """A consistent single-file copy, as the README tells operators to make one."""
    source = sqlite3.connect(source_url.removeprefix("sqlite:///"))
    source.execute("VACUUM INTO ?", (str(target),))
    source.close()


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("faults")
    url = f"sqlite:///{folder / 'seeded.db'}"
    from tests.test_caching import seed

    seed(url)
    yield url


@pytest.mark.parametrize("cache", ["true", "false"], ids=["cache-on", "cache-off"])
def test_a_black_hole_database_gives_503s_within_the_deadlines(
    client_for: ClientFor, cache: str
) -> None:
    """With the cache off, a stored read meets the fault itself (the version is read with its
    body): the route answers it at once rather than waiting out the version's read too."""
    with black_hole() as port:
        client = client_for(
            DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{port}/congress",
            READYZ_TIMEOUT="1",
            DB_CONNECT_TIMEOUT="2",
            RESPONSE_CACHE=cache,
        )
        started = time.monotonic()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and time.monotonic() - started < 1.9
        assert ready.headers["retry-after"] and "did not answer" in ready.json()["detail"]
        started = time.monotonic()
        data = client.get("/api/v1/tasks")
        assert data.status_code == 503 and time.monotonic() - started < 3.5
        assert data.headers["retry-after"] == "5"
        assert data.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("fault", ["missing", "corrupt", "unreachable"])
def test_a_database_fault_is_a_503_on_data_routes_and_readyz(
    client_for: ClientFor, tmp_path: Path, fault: str
) -> None:
    path = tmp_path / "congress.db"
    if fault == "corrupt":
        path.write_bytes(b"this is not a database" * 100)
    url = CLOSED_PORT_URL if fault == "unreachable" else f"sqlite:///{path}"
    client = client_for(DATABASE_URL=url)
    for route in ("/api/v1/tasks", "/api/v1/terms/bac-giang-2025-2030", "/readyz"):
        response = client.get(route)
        assert response.status_code == 503, (route, response.text)
        assert response.headers["retry-after"] == "5"
    detail = client.get("/readyz").json()["detail"]
    assert {"missing": "missing", "corrupt": "corrupt", "unreachable": "unreachable"}[
        fault
    ] in detail
    if fault == "missing":
        assert not path.exists()  # no read creates the file


def test_a_read_only_copy_is_served_with_mode_ro(
    client_for: ClientFor, seeded_sqlite: str, tmp_path: Path
) -> None:
    copy = tmp_path / "ro" / "congress.db"
    copy.parent.mkdir()
    _sqlite_copy(seeded_sqlite, copy)
    with read_only(copy, copy.parent):
        client = client_for(DATABASE_URL=f"sqlite:///{copy}?mode=ro")
        assert client.get("/api/v1/tasks").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert sorted(p.name for p in copy.parent.iterdir()) == ["congress.db"]  # no -wal, -shm


def test_a_write_to_a_read_only_database_is_a_503(
    client_for: ClientFor, seeded_sqlite: str, tmp_path: Path
) -> None:
    copy = tmp_path / "congress.db"
    _sqlite_copy(seeded_sqlite, copy)
    engine = make_engine(f"sqlite:///{copy}")
    with write_session(engine) as session, session.begin():
        token = issue_token(session, "read-only-test", TokenScope.admin)
    engine.dispose()
    with read_only(copy):
        client = client_for(DATABASE_URL=f"sqlite:///{copy}")
        task = "/api/v1/tasks/bac-giang-2025-2030-task-1"
        etag = client.get(task).headers["etag"]
        response = client.delete(
            task, headers={"Authorization": f"Bearer {token}", "If-Match": etag}
        )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "read-only" in response.json()["detail"]


def _serve(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "serve"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "PORT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("missing", "does not exist"),
        ("not migrated", "not ready: Database schema is at no revision"),
        ("read-only", "read-only; serve it with ?mode=ro"),
        ("corrupt", "corrupt"),
        ("unreachable", "unreachable"),
        ("rendered by another version", "another version of the API; run `congress-api migrate`"),
    ],
)
def test_serve_stops_with_one_line_naming_the_problem(
    fault: str, words: str, tmp_path: Path, fresh_database_url: str, seeded_sqlite: str
) -> None:
    path = tmp_path / "congress.db"
    url = f"sqlite:///{path}"
    if fault == "not migrated":
        url = fresh_database_url
        if url.startswith("sqlite"):
            sqlite3.connect(url.removeprefix("sqlite:///")).close()
    elif fault == "corrupt":
        path.write_bytes(b"this is not a database" * 100)
    elif fault == "unreachable":
        url = CLOSED_PORT_URL
    elif fault == "rendered by another version":
        _sqlite_copy(seeded_sqlite, path)
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE rendition SET revision = 1 WHERE kind = 'renderer'")
    if fault == "read-only":
        _sqlite_copy(seeded_sqlite, path)
        with read_only(path):
            result = _serve(url)
    else:
        result = _serve(url)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("serve: ")
    assert words in result.stderr
    if fault == "missing":
        assert not path.exists()


def test_a_read_only_copy_is_served_with_immutable(seeded_sqlite: str, tmp_path: Path) -> None:
    from tests.test_concurrency import _free_port, serving_process

    copy = tmp_path / "volume" / "congress.db"
    copy.parent.mkdir()
    _sqlite_copy(seeded_sqlite, copy)
    port = _free_port()
    command = ["-c", "from app.cli import main; main()", "serve"]
    url = f"sqlite:///{copy}?immutable=1"
    import httpx

    with (
        read_only(copy, copy.parent),
        serving_process(command, port, url, env={"PORT": str(port)}) as base,
    ):
        assert httpx.get(f"{base}/api/v1/terms/bac-giang-2025-2030").status_code == 200
        assert httpx.get(f"{base}/readyz").status_code == 200
    assert sorted(p.name for p in copy.parent.iterdir()) == ["congress.db"]
