"""Replicas that start together all come up: `migrate` and `seed` run one process at a time
(SQLite: BEGIN IMMEDIATE; PostgreSQL: advisory locks), and a failure is one line naming it."""

import os
import subprocess
import sys

from app.config import PROJECT_ROOT

CLI = [sys.executable, "-c", "from app.cli import main; main()"]


def _start(database_url: str, script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["sh", "-c", script],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_four_replicas_migrating_and_seeding_at_once_all_succeed(fresh_database_url: str) -> None:
    cli = f"{sys.executable} -c 'from app.cli import main; main()'"
    script = f"{cli} migrate && {cli} seed"
    processes = [_start(fresh_database_url, script) for _ in range(4)]
    results = [(p.wait(timeout=180), *p.communicate()) for p in processes]
    for code, _out, err in results:
        assert code == 0, err
    outputs = [out for _code, out, _err in results]
    assert sum("42 inserted" in out for out in outputs) == 1
    assert sum("0 inserted, 0 updated, 42 unchanged" in out for out in outputs) == 3


def test_a_failed_migrate_or_seed_says_why_in_one_line() -> None:
    for command in ("migrate", "seed"):
        result = subprocess.run(
            [*CLI, command],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1, result.stderr
        assert "database error: OperationalError: connection failed" in result.stderr
