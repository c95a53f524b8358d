"""Rate limiting: budgets per client, in memory and shared through the real Redis."""

import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import SettingsError, get_settings
from app.db import get_session, get_write_session
from app.main import create_app
from tests.contract import ValidatingClient

REDIS = "redis://127.0.0.1:6379"
SUMMARY = "/api/v1/terms/bac-giang-2025-2030"
MakeClient = Callable[..., TestClient]


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch, session: Session) -> Iterator[MakeClient]:
    """Makes app instances with a budget under a key prefix of this test's own, so no two tests
    (or two runs sharing a Redis) spend the same budget."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    clients: list[TestClient] = []

    def make(limit: str, storage: str = "memory://") -> TestClient:
        monkeypatch.setenv("RATE_LIMIT", limit)
        monkeypatch.setenv("RATE_LIMIT_STORAGE", storage)
        monkeypatch.setenv("RATE_LIMIT_PREFIX", prefix)
        get_settings.cache_clear()
        app = create_app()
        app.dependency_overrides[get_session] = lambda: session
        app.dependency_overrides[get_write_session] = lambda: session
        client = ValidatingClient(app, raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    get_settings.cache_clear()


def test_rate_limiting_is_off_by_default(client: TestClient) -> None:
    response = client.get(SUMMARY)
    assert "ratelimit" not in response.headers


def test_every_limited_response_carries_the_policy_and_what_is_left(
    limited: MakeClient,
) -> None:
    client = limited("3/hour")
    remaining = []
    for _ in range(3):
        response = client.get(SUMMARY)
        assert response.status_code == 200
        assert response.headers["ratelimit-policy"] == '"default";q=3;w=3600'
        remaining.append(response.headers["ratelimit"].split(";")[1])
    assert remaining == ["r=2", "r=1", "r=0"]


def test_over_the_budget_is_a_429_problem_with_retry_after_and_warm_hits_count(
    limited: MakeClient,
) -> None:
    client = limited("2/hour")
    assert [client.get(SUMMARY).status_code for _ in range(2)] == [200, 200]  # the 2nd is warm
    response = client.get(SUMMARY, headers={"Accept-Language": "en"})
    assert response.status_code == 429
    problem = response.json()
    assert problem["type"].endswith("/problems/too-many-requests")
    assert problem["title"] == "Too Many Requests"
    assert 0 < int(response.headers["retry-after"]) <= 3600
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/problems/too-many-requests").status_code == 429  # it counts too


def test_health_endpoints_are_never_limited(limited: MakeClient) -> None:
    client = limited("1/hour")
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert "ratelimit" not in response.headers


def test_a_token_has_a_budget_of_its_own(limited: MakeClient) -> None:
    client = limited("1/hour")
    assert client.get(SUMMARY).status_code == 200
    assert client.get(SUMMARY).status_code == 429
    bearer = {"Authorization": "Bearer ca_not-a-real-token"}
    assert client.get(SUMMARY, headers=bearer).status_code == 200
    assert client.get(SUMMARY, headers=bearer).status_code == 429


def test_clients_behind_a_trusted_proxy_have_budgets_of_their_own(
    limited: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "testclient")  # the test client's peer name
    client = limited("1/hour")
    first, second = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "203.0.113.8"}
    assert client.get(SUMMARY, headers=first).status_code == 200
    assert client.get(SUMMARY, headers=first).status_code == 429
    assert client.get(SUMMARY, headers=second).status_code == 200


def test_an_untrusted_peer_cannot_buy_budgets_with_x_forwarded_for(limited: MakeClient) -> None:
    client = limited("1/hour")
    assert client.get(SUMMARY, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
    assert client.get(SUMMARY, headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 429


def test_each_process_counts_alone_in_memory(limited: MakeClient) -> None:
    first, second = limited("1/hour"), limited("1/hour")
    assert first.get(SUMMARY).status_code == 200
    assert second.get(SUMMARY).status_code == 200


def test_two_instances_share_one_budget_through_redis(limited: MakeClient) -> None:
    redis.Redis.from_url(REDIS).ping()  # CI starts Redis (.ci/run); no silent skip
    first, second = limited("3/hour", REDIS), limited("3/hour", REDIS)
    statuses = [client.get(SUMMARY).status_code for client in (first, second, first)]
    assert statuses == [200, 200, 200]
    assert second.get(SUMMARY).status_code == 429
    assert first.get(SUMMARY).status_code == 429


def test_a_malformed_rate_limit_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT", "lots")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="RATE_LIMIT"):
            get_settings()
    finally:
        monkeypatch.delenv("RATE_LIMIT")
        get_settings.cache_clear()


def test_a_browser_script_may_read_the_429(limited: MakeClient) -> None:
    client = limited("1/hour")
    origin = {"Origin": "https://portal.example.gov.vn"}
    assert (
        "ratelimit"
        in client.get(SUMMARY, headers=origin).headers["access-control-expose-headers"].lower()
    )
    refused = client.get(SUMMARY, headers=origin)
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == "*"
    assert "Retry-After" in refused.headers["access-control-expose-headers"]
