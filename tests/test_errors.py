"""A failure inside the application: a 500 that carries every response's headers and is
logged once with its request id; a database fault is a 503 with Retry-After."""

import logging
from collections.abc import Callable

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.db import get_session
from app.main import create_app


def _client_with_session(make: Callable[[], Session]) -> TestClient:
    app = create_app()
    app.dependency_overrides[get_session] = make
    return TestClient(app, raise_server_exceptions=False)


def test_a_500_carries_the_headers_of_any_response_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_session() -> Session:
        raise RuntimeError("boom")

    origin = {"Origin": "https://portal.example.vn", "X-Request-ID": "req-500-once"}
    with caplog.at_level(logging.DEBUG), _client_with_session(broken_session) as client:
        response = client.get("/api/v1/tasks", headers=origin)
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500-once"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json()["request_id"] == "req-500-once"
    with_id = [r for r in caplog.records if getattr(r, "request_id", None) == "req-500-once"]
    errors = [r for r in with_id if r.levelno >= logging.ERROR]
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert len(errors) == 1 and tracebacks == errors
    # Besides the error, the request's one access record.
    assert [r.name for r in with_id if r not in errors] == ["app.access"]


def test_a_database_fault_is_a_503_problem_with_retry_after() -> None:
    def refused_session() -> Session:
        raise OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))

    with _client_with_session(refused_session) as client:
        response = client.get("/api/v1/tasks", headers={"X-Request-ID": "req-503"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["x-request-id"] == "req-503"
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["detail"] == "The database is unreachable."
    assert "SELECT" not in response.text


def test_a_driver_error_that_is_no_fault_stays_a_500() -> None:
    def buggy_session() -> Session:
        raise OperationalError("SELECT 1", {}, ValueError("a bug"))

    with _client_with_session(buggy_session) as client:
        assert client.get("/api/v1/tasks").status_code == 500
