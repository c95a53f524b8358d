"""A real server, with uvicorn's access log on and every logger at debug, never writes a token."""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from app.config import PROJECT_ROOT
from tests.conftest import token_fragments
from tests.test_caching import committed_database
from tests.test_concurrency import _free_port, serving_process

TASK = "/api/v1/tasks/bac-giang-2025-2030-task-1"


def _cli(database: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_no_token_reaches_the_servers_output(tmp_path: Path) -> None:
    with committed_database(tmp_path) as database:
        secret = _cli(database, "token", "create", "--name", "logged", "--scope", "admin")
        assert secret.startswith("cga_") and "\n" not in secret  # alone on standard output
        port = _free_port()
        output = tmp_path / "server.log"
        arguments = ["-m", "uvicorn", "app.main:app", "--port", str(port)]
        with (
            output.open("w") as sink,
            serving_process(
                [*arguments, "--log-level", "trace", "--access-log"], port, database, output=sink
            ) as base,
        ):
            auth = {"Authorization": f"Bearer {secret}"}
            tag = httpx.get(base + TASK).headers["etag"]
            patch = {"Content-Type": "application/merge-patch+json", **auth}
            ok = httpx.patch(
                base + TASK, content='{"text": "x"}', headers={**patch, "If-Match": tag}
            )
            assert ok.status_code == 200
            stale = httpx.patch(base + TASK, content="{}", headers={**patch, "If-Match": tag})
            assert stale.status_code == 412
            wrong = httpx.post(
                base + "/api/v1/tasks",
                json={},
                headers={"Authorization": f"Bearer {secret[:-3]}xyz"},
            )
            assert wrong.status_code == 401
            assert secret[:-3] not in wrong.text
            history = httpx.get(base + TASK + "/history").text
            assert "logged" in history and secret not in history
        log = output.read_text()
        assert "PATCH /api/v1/tasks/bac-giang-2025-2030-task-1" in log  # the log is really on
        leaked = [f for f in token_fragments(secret) if f in log]
        assert not leaked, f"token fragments in the server's output: {leaked[:3]}"
        listed = _cli(database, "token", "list")
        assert "logged" in listed and not any(f in listed for f in token_fragments(secret))
