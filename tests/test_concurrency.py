"""The real server under concurrency: it keeps answering with 128 connections in flight.

DESIGN §4: `def` handlers run in anyio's thread pool and each takes a pooled connection; with
the default pool the server stalled at 128 connections. Sessions are bounded by the pool
(DB_POOL_SIZE=40) on the event loop, and the thread pool has THREADS (8) threads; these tests
hold the server to answering, with the response cache off so every request reaches the
database, at the defaults and with more threads than connections.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.test_caching import SUMMARY, committed_database

CONNECTIONS = 128
# A bound on waiting, so a stalled server fails the test instead of hanging it; not a
# performance figure.
STALL_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(database_url: str, **env: str) -> Iterator[str]:
    """One uvicorn worker process on a free loopback port; yields its base URL."""
    port = _free_port()
    command = ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    with serving_process(
        [*command, "--no-access-log", "--log-level", "warning"], port, database_url, env=env
    ) as base:
        yield base


@contextmanager
def serving_process(
    arguments: list[str],
    port: int,
    database_url: str,
    *,
    output: IO[Any] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """`python <arguments>` serving on `port` (its output to `output`, else inherited); yields
    its base URL once /healthz answers, and stops it afterwards."""
    process = subprocess.Popen(
        [sys.executable, *arguments],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit code {process.poll()})")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _all_at_once(base: str, url: str, connections: int) -> list[int]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=STALL_SECONDS) as client:
        responses = await asyncio.gather(*[client.get(url) for _ in range(2 * connections)])
    return [response.status_code for response in responses]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committed_database(tmp_path_factory.mktemp("concurrency")) as url:
        yield url


def test_the_server_answers_every_request_with_128_connections_in_flight(database: str) -> None:
    with serving(database, RESPONSE_CACHE="false") as base:
        statuses = asyncio.run(_all_at_once(base, SUMMARY, CONNECTIONS))
    assert statuses == [200] * (2 * CONNECTIONS)


def test_more_threads_than_pooled_connections_answer_every_request_at_128_connections(
    database: str,
) -> None:
    with serving(database, RESPONSE_CACHE="false", THREADS="16", DB_POOL_SIZE="4") as base:
        statuses = asyncio.run(_all_at_once(base, SUMMARY, CONNECTIONS))
    assert statuses == [200] * (2 * CONNECTIONS)


def test_the_thread_pool_has_the_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio.to_thread
    from fastapi.testclient import TestClient

    from app.config import get_settings
    from app.main import create_app

    monkeypatch.setenv("THREADS", "3")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as client:
            assert client.portal is not None
            tokens = client.portal.call(
                lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
            )
    finally:
        get_settings.cache_clear()
    assert tokens == 3


def test_the_warm_cache_answers_every_request_with_128_connections_in_flight(
    database: str,
) -> None:
    with serving(database) as base:
        statuses = asyncio.run(_all_at_once(base, SUMMARY, CONNECTIONS))
    assert statuses == [200] * (2 * CONNECTIONS)
