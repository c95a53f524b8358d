"""Hosts and proxies: X-Forwarded-* only from FORWARDED_ALLOW_IPS, a Host that is malformed or
not allowed is a 400, PUBLIC_BASE_URL fixes the origin of links, and what still follows the
host says so in Vary. The oEmbed URLs that gave 500s are 4xx."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from app.db import get_session, get_write_session
from app.main import create_app

ClientFor = Callable[..., TestClient]
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "data.example.gov.vn"}


@pytest.fixture
def client_for(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[ClientFor]:
    """A test client of an application built with these settings (TestClient's peer is
    called 'testclient')."""
    clients: list[TestClient] = []

    def make(**env: str) -> TestClient:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        app = create_app()
        app.dependency_overrides[get_session] = lambda: session
        app.dependency_overrides[get_write_session] = lambda: session
        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    monkeypatch.undo()
    get_settings.cache_clear()


def _first_link(client: TestClient, **headers: str) -> str:
    response = client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 200
    return response.headers["link"].split(">", 1)[0].removeprefix("<")


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(client_for: ClientFor) -> None:
    client = client_for(FORWARDED_ALLOW_IPS="127.0.0.1")
    assert _first_link(client, **PROXY).startswith("http://testserver/api/v1/tasks?")


def test_forwarded_headers_from_the_trusted_proxy_make_the_links(client_for: ClientFor) -> None:
    client = client_for(FORWARDED_ALLOW_IPS="127.0.0.1, testclient")
    assert _first_link(client, **PROXY).startswith("https://data.example.gov.vn/api/v1/tasks?")


def test_public_base_url_makes_the_links_whatever_the_host(client_for: ClientFor) -> None:
    client = client_for(PUBLIC_BASE_URL="https://open.example.vn/", FORWARDED_ALLOW_IPS="*")
    assert _first_link(client, **PROXY).startswith("https://open.example.vn/api/v1/tasks?")
    response = client.get("/api/v1/tasks")
    assert "x-forwarded-host" not in response.headers["vary"].lower()
    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_links_that_follow_the_forwarded_host_say_so_in_vary(client_for: ClientFor) -> None:
    response = client_for().get("/api/v1/tasks")
    vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
    assert {"x-forwarded-host", "x-forwarded-proto"} <= vary
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize(
    "host", ["a[b", "[abc", 'evil.example"; rel="preload', "x.example:99999999", "a b"]
)
def test_a_malformed_host_is_a_400_problem(client_for: ClientFor, host: str) -> None:
    response = client_for().get("/api/v1/tasks", headers={"Host": host})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-request-id"]


def test_a_malformed_forwarded_host_from_the_proxy_is_a_400(client_for: ClientFor) -> None:
    client = client_for(FORWARDED_ALLOW_IPS="testclient")
    response = client.get("/oembed", params={"url": "x"}, headers={"X-Forwarded-Host": "[x"})
    assert response.status_code == 400


def test_a_host_outside_allowed_hosts_is_refused(client_for: ClientFor) -> None:
    client = client_for(ALLOWED_HOSTS="data.example.gov.vn, *.portal.vn")
    assert client.get("/api/v1/tasks", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/v1/tasks", headers={"Host": "data.example.gov.vn"}).status_code == 200
    assert client.get("/api/v1/tasks", headers={"Host": "a.portal.vn:8443"}).status_code == 200


def test_an_oversized_query_string_or_header_block_is_refused(client_for: ClientFor) -> None:
    client = client_for(MAX_QUERY_BYTES="1024", MAX_HEADER_BYTES="2048")
    long_query = client.get("/api/v1/tasks", params={"junk": "x" * 2000})
    assert long_query.status_code == 414
    assert long_query.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/tasks", headers={"X-Junk": "x" * 4000}).status_code == 431


@pytest.mark.parametrize(
    "url",
    [
        "http://[abc/embed/terms/bac-giang-2025-2030",
        "http://testserver/embed/terms/bac\x00giang",
        "http://testserver/embed/people/\x00",
        "http://testserver/embed/statistics?term=bac-giang%002025",
    ],
)
def test_oembed_of_a_broken_url_is_a_404(client: TestClient, url: str) -> None:
    response = client.get("/oembed", params={"url": url})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
