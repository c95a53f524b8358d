"""Stored reads answered in front of the router (app.api.stored_reads) are the routes' answers:
the same requests sent to the application with and without that layer get the same status,
headers and bytes, both the reads it answers and the ones it must leave to the routes."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import delete, text

from app.api.stored_reads import StoredReadsMiddleware, stored_reads
from app.api.v1 import TERM_ITEMS, api_router
from app.db import get_engine, make_engine, session_slots
from app.main import create_app
from app.models import Rendition
from app.queries.renditions import SUMMARY, stored_body_steps
from app.queries.revision import REVISION_SQL, DatasetVersion, PostgresRevision, version_of
from app.reads import read_steps
from tests.conftest import POSTGRES_URL
from tests.test_caching import committed_database, environment

TERM = "bac-giang-2025-2030"
TASK = f"{TERM}-task-1"
STATISTIC = "bac-giang-party-member-growth-target"
STATEMENTS = ("tasks", "solutions", "achievements", "limitations", "directives")
REQUEST_ID = {"X-Request-ID": "same-in-both"}
SUMMARY_KEY = (SUMMARY, TERM, "vi")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committed_database(tmp_path_factory.mktemp("stored-reads")) as url:
        yield url


@pytest.fixture(scope="module", params=["false", "true"], ids=["cache-off", "cache-on"])
def clients(database: str, request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, ...]]:
    """The application as deployed, with and without the stored-reads layer."""
    with (
        environment(DATABASE_URL=database, RESPONSE_CACHE=request.param),
        TestClient(create_app()) as layered,
        TestClient(create_app(answer_stored_reads=False)) as routed,
    ):
        yield layered, routed


def _answered_here(client: TestClient) -> list[str]:
    """Requests the layer answers: every stored record and summary, lists and their pages."""
    paths = []
    for collection in ("terms", *STATEMENTS):
        paths += [f"/api/v1/{collection}", f"/api/v1/{collection}?limit=2&offset=1"]
        for item in client.get(f"/api/v1/{collection}?limit=500").json()["items"]:
            paths += [f"/api/v1/{collection}/{item['id']}"]
    for item in client.get("/api/v1/statistics?limit=500").json()["items"]:
        paths += [f"/api/v1/statistics/{item['id']}", f"/api/v1/statistics/{item['id']}?lang=en"]
    paths += [f"/api/v1/terms/{TERM}?lang=en", f"/api/v1/terms/{TERM}?lang=vi"]
    paths += ["/api/v1/statistics?lang=en&limit=3&offset=2", "/api/v1/statistics?offset=0"]
    paths += ["/api/v1/statistics?limit=500&offset=10000000", "/api/v1/tasks?offset=1000"]
    for collection in ("statistics", *STATEMENTS):
        for term in (TERM, "bac-giang-2020-2025", "no-such-term"):
            paths += [
                f"/api/v1/{collection}?term={term}",
                f"/api/v1/{collection}?term={term}&limit=2",
            ]
        paths += [f"/api/v1/{collection}?format=csv", f"/api/v1/{collection}?format=json&limit=3"]
    paths += [f"/api/v1/tasks?term={TERM}&format=csv&offset=1", "/api/v1/terms?format=csv"]
    paths += [f"/api/v1/statistics?term={TERM}&lang=en&format=csv"]
    return paths


# Each must be left to the routes: a parameter to validate, a form to negotiate, an error.
LEFT_TO_THE_ROUTES = [
    "/api/v1/tasks?limit=0",
    "/api/v1/tasks?limit=501",
    "/api/v1/tasks?limit=05",
    "/api/v1/tasks?limit=%2B5",
    "/api/v1/tasks?limit=1&limit=2",
    "/api/v1/tasks?offset=10000001",
    "/api/v1/tasks?offset=",
    "/api/v1/tasks?limt=5",
    "/api/v1/tasks?format=CSV",
    "/api/v1/tasks?format=xml",
    "/api/v1/tasks?format=",
    "/api/v1/tasks?format=csv&bom=true",
    "/api/v1/tasks?format=csv&format=json",
    "/api/v1/tasks?term=",
    "/api/v1/tasks?term=Bac-Giang-2020-2025",
    "/api/v1/tasks?term=bac-giang-2020-2025&term=bac-giang-2025-2030",
    f"/api/v1/tasks?term={'a' * 121}",
    "/api/v1/tasks?term=bac--giang",
    "/api/v1/terms?term=bac-giang-2020-2025",
    "/api/v1/statistics?category=discipline",
    "/api/v1/tasks?q=dang",
    "/api/v1/tasks?sort=-position",
    "/api/v1/tasks?fields=text",
    "/api/v1/statistics?lang=EN",
    "/api/v1/statistics?lang=fr",
    "/api/v1/statistics?lang=en&lang=vi",
    f"/api/v1/terms/{TERM}?include=key_tasks",
    f"/api/v1/terms/{TERM}?fields=id",
    f"/api/v1/terms/{TERM}?limit=5",
    f"/api/v1/tasks/{TASK}?lang=en",
    f"/api/v1/tasks/{TASK}/history",
    "/api/v1/tasks/Not-A-Slug",
    "/api/v1/tasks/no-such-task",
    "/api/v1/terms/no-such-term",
    f"/api/v1/tasks/{'a' * 121}",
    "/api/v1/tasks/",
    "/api/v1/people",
]

HEADERS = [
    {},
    {"Accept-Language": "en"},
    {"Accept-Language": "fr, en;q=0.5"},
    {"Accept": "text/csv"},
    {"Accept": "text/csv, application/json"},
    {"Accept": "application/ld+json"},
    {"Accept-Encoding": "br, gzip"},
    {"Origin": "https://portal.example"},
    {"Host": "other.example"},
]


def _same(layered: TestClient, routed: TestClient, path: str, headers: dict[str, str]) -> None:
    sent = {**REQUEST_ID, **headers}
    for method in ("GET", "HEAD"):
        here = layered.request(method, path, headers=sent)
        there = routed.request(method, path, headers=sent)
        assert (here.status_code, here.headers.items(), here.content) == (
            there.status_code,
            there.headers.items(),
            there.content,
        ), (method, path, headers)
    etag = there.headers.get("etag")
    if etag is not None:
        conditional = {**sent, "If-None-Match": etag}
        here, there = layered.get(path, headers=conditional), routed.get(path, headers=conditional)
        assert (here.status_code, here.headers.items(), here.content) == (
            there.status_code,
            there.headers.items(),
            there.content,
        ), ("If-None-Match", path, headers)


def test_reads_answered_in_front_of_the_router_are_the_routes_answers(
    clients: tuple[TestClient, TestClient],
) -> None:
    layered, routed = clients
    paths = _answered_here(layered)
    assert len(paths) > 40
    for path in paths:
        for headers in HEADERS:
            _same(layered, routed, path, headers)


def test_what_needs_validation_is_left_to_the_routes(
    clients: tuple[TestClient, TestClient],
) -> None:
    layered, routed = clients
    for path in LEFT_TO_THE_ROUTES:
        for headers in ({}, {"Accept-Language": "en"}):
            _same(layered, routed, path, headers)


def test_stored_reads_do_not_reach_the_routes(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every operation broken, the stored reads are still answered, and only those."""

    async def broken(*_args: object) -> None:
        raise AssertionError("reached the route")

    with environment(DATABASE_URL=database, RESPONSE_CACHE="false"):
        client = TestClient(create_app(), raise_server_exceptions=False)
        monkeypatch.setattr(APIRoute, "handle", broken)
        for path in (
            f"/api/v1/terms/{TERM}",
            f"/api/v1/tasks/{TASK}",
            "/api/v1/statistics",
            f"/api/v1/tasks?term={TERM}&format=csv",
            f"/api/v1/statistics?term={TERM}&limit=2",
        ):
            assert client.get(path).status_code == 200, path
        assert client.get(f"/api/v1/statistics/{STATISTIC}?lang=en").status_code == 200
        for path in ("/api/v1/people", f"/api/v1/terms/{TERM}?include=key_tasks"):
            assert client.get(path).status_code == 500, path


@pytest.mark.parametrize("cache", ["false", "true"], ids=["cache-off", "cache-on"])
def test_a_read_not_stored_yet_is_left_to_the_routes(
    database: str, tmp_path: Path, cache: str
) -> None:
    with committed_database(tmp_path) as url, environment(DATABASE_URL=url, RESPONSE_CACHE=cache):
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(delete(Rendition).where(Rendition.record_id == TERM))  # type: ignore[arg-type]
        engine.dispose()
        with (
            TestClient(create_app()) as layered,
            TestClient(create_app(answer_stored_reads=False)) as routed,
        ):
            _same(layered, routed, f"/api/v1/terms/{TERM}", {})
            _same(layered, routed, "/api/v1/terms", {})


def test_each_stored_read_is_an_operation_of_the_api() -> None:
    """The layer's templates (also the access record's route) are the operations' paths."""
    paths = create_app().openapi()["paths"]
    reads = stored_reads(api_router.prefix, TERM_ITEMS)
    assert len(reads) == 2 + 2 * (1 + len(TERM_ITEMS))
    for read in reads:
        assert "get" in paths[read.template], read.template
    middleware = StoredReadsMiddleware(create_app(), reads)
    assert len(middleware.lists) + len(middleware.records) == len(reads)


@pytest.mark.skipif(
    POSTGRES_URL is not None, reason="PostgreSQL's stored reads have connections of their own"
)
def test_a_stored_read_waits_for_a_pooled_connection_without_blocking(database: str) -> None:
    """With every pooled connection held by sessions, a stored read on SQLite waits its turn on
    the event loop: it must not block the loop in the pool's checkout, where the sessions' own
    responses (sent by that loop) could never give a connection back. (On PostgreSQL they are
    bounded on their own: tests/test_reads.py.)"""

    async def scenario() -> None:
        slots = session_slots()
        for _ in range(2):
            await slots.acquire()
        waiting = asyncio.create_task(read_steps(stored_body_steps(*SUMMARY_KEY)))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        slots.release()
        found = await waiting
        assert found is not None and f'"id":"{TERM}"' in found[1]
        slots.release()

    with environment(DATABASE_URL=database, DB_POOL_SIZE="2"):
        get_engine.cache_clear()
        try:
            asyncio.run(scenario())
        finally:
            get_engine().dispose()
            get_engine.cache_clear()


@pytest.fixture
def version_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry per read of the HTTP layer's PostgreSQL revision reader (a round trip)."""
    reads: list[str] = []
    read = PostgresRevision.read

    async def counted(self: PostgresRevision) -> DatasetVersion | None:
        reads.append("version")
        return await read(self)

    monkeypatch.setattr(PostgresRevision, "read", counted)
    return reads


def _last_modified(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        row = connection.execute(text(REVISION_SQL)).one()
    engine.dispose()
    version = version_of(row)
    assert version is not None
    return version.last_modified


@pytest.mark.skipif(POSTGRES_URL is None, reason="on SQLite the version costs no round trip")
@pytest.mark.parametrize("cache", ["false", "true"], ids=["cache-off", "cache-on"])
def test_a_read_alone_with_the_cache_off_takes_the_version_with_its_body(
    database: str, version_reads: list[str], cache: str
) -> None:
    """With no response cache, a stored read alone in the worker reads the dataset's version
    in its own round trip instead of a second one; a request left to the routes, and every
    request when the cache is on, has it read before (by the reader the cache uses)."""
    expected = _last_modified(database)
    with (
        environment(DATABASE_URL=database, RESPONSE_CACHE=cache),
        TestClient(create_app()) as client,
    ):
        for path in (f"/api/v1/terms/{TERM}", "/api/v1/tasks", f"/api/v1/tasks/{TASK}"):
            response = client.get(path)
            assert response.status_code == 200, path
        assert version_reads == ([] if cache == "false" else ["version"] * 3)
        left = client.get("/api/v1/people")
        assert left.status_code == 200
        assert version_reads == (["version"] if cache == "false" else ["version"] * 4)
        assert response.headers["last-modified"] == left.headers["last-modified"] == expected


@pytest.mark.skipif(POSTGRES_URL is None, reason="on SQLite the version costs no round trip")
def test_reads_in_company_share_one_read_of_the_version(
    database: str, version_reads: list[str]
) -> None:
    """Requests that overlap in a worker share the version's read (one round trip for many)
    rather than each take it with its body; every answer still carries it."""
    expected = _last_modified(database)

    with (
        environment(DATABASE_URL=database, RESPONSE_CACHE="false"),
        TestClient(create_app()) as served,
    ):

        async def together() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=served.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await asyncio.gather(*[c.get(f"/api/v1/terms/{TERM}") for _ in range(8)])

        assert served.portal is not None
        responses = served.portal.call(together)
    assert [r.status_code for r in responses] == [200] * 8
    assert {r.headers["last-modified"] for r in responses} == {expected}
    assert 1 <= len(version_reads) < 8
