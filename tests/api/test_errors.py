"""Every error is RFC 9457 problem details; nothing internal leaks."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import get_session
from app.main import create_app


def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert body["title"] == "Không tìm thấy"


def test_problem_title_is_english_on_request(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here", params={"lang": "en"})
    assert response.json()["title"] == "Not Found"
    assert response.headers["content-language"] == "en"


def test_unsupported_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = client.delete("/api/v1/tasks")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"


def test_unexpected_error_is_a_500_problem_without_internals(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_session() -> Session:
        raise RuntimeError('SELECT secret FROM "/etc/passwd" failed')

    app = create_app()
    app.dependency_overrides[get_session] = broken_session
    with caplog.at_level(logging.ERROR), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/tasks", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "SELECT" not in response.text and "passwd" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["request_id"] == "req-42"
    assert any(getattr(r, "request_id", None) == "req-42" for r in caplog.records)


def test_json_responses_carry_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/terms")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/terms/%00",
        "/api/v1/terms?organization=%00",
        "/api/v1/tasks?term=bac%00giang",
        "/api/v1/statistics?key=%00",
        "/api/v1/organizations?classification=%00",
        "/api/v1/people/Le%20Anh%20Duong",
    ],
)
def test_a_value_that_cannot_be_an_id_is_a_422_problem(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
