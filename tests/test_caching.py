"""HTTP caching: validators, 304s, Cache-Control, Vary, compression, CORS and the response cache.

Tests on the shared `client` fixture see data inside a rolled-back transaction, so the cache
stays off there and only the validators are checked. Tests of the response cache and of
Last-Modified run on a committed database of their own, as a deployment does.
"""

import gzip
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, make_url, text
from sqlmodel import Session

import app.reads
from app.caching import ResponseCache, choose_encoding, etag_matches
from app.config import get_settings
from app.db import get_engine, get_session, make_engine
from app.main import create_app
from app.migrate import upgrade
from app.models import DatasetState
from app.queries.revision import DatasetVersion
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from tests.conftest import POSTGRES_URL, SEED_DIR, _admin_engine

SUMMARY = "/api/v1/terms/bac-giang-2025-2030"
LIST = "/api/v1/statistics?limit=20"
WEAK_ETAG = re.compile(r'^W/"[0-9a-f]{32}"$')
STRONG_ETAG = re.compile(r'^"\d+\.[0-9a-f]{32}"$')
DEFAULT_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"


# --- committed databases and settings -------------------------------------------------------


@contextmanager
def committed_database(folder: Path) -> Iterator[str]:
    """A migrated, seeded database of the kind under test, dropped afterwards."""
    if POSTGRES_URL is None:
        url = f"sqlite:///{folder / f'cache-{uuid.uuid4().hex[:8]}.db'}"
        seed(url)
        yield url
        return
    name = f"congress_cache_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(POSTGRES_URL)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        seed(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, edit: dict[str, Any] | None = None) -> None:
    """Runs the seed writer, with the 2025-2030 term's fields changed by `edit`."""
    upgrade(url)
    dataset = read_dataset(seed_files(SEED_DIR))
    for row in dataset.rows["terms"]:
        if row["id"] == "bac-giang-2025-2030":
            row.update(edit or {})
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        write_dataset(session, dataset)
    engine.dispose()


def _reset_settings() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@contextmanager
def environment(**values: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        _reset_settings()
        try:
            yield
        finally:
            _reset_settings()
    _reset_settings()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committed_database(tmp_path_factory.mktemp("cache")) as url:
        yield url


@pytest.fixture
def served(database: str) -> Iterator[TestClient]:
    """The application as deployed: sessions and the revision from DATABASE_URL."""
    with environment(DATABASE_URL=database), TestClient(create_app()) as client:
        yield client


class Statements:
    """Counts the statements sent from now on: through `engine`, and on PostgreSQL also those
    that stored reads send from the event loop (app.reads), which bypass the engine."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self)
        driver_form = app.reads._driver_form

        def counted(*args: Any) -> tuple[str, dict[str, Any]]:
            self.count += 1
            return driver_form(*args)

        app.reads._driver_form = counted  # type: ignore[assignment]

    def __call__(self, *_args: Any) -> None:
        self.count += 1


# --- validators on every GET ----------------------------------------------------------------


def test_every_read_has_a_weak_etag_and_cache_control(client: TestClient) -> None:
    for url in (LIST, f"{LIST}&format=csv", "/api/v1", "/api/v1/documents"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert WEAK_ETAG.match(response.headers["etag"]), url
        assert response.headers["cache-control"] == DEFAULT_CACHE_CONTROL


def test_a_record_has_a_strong_etag_naming_its_revision(client: TestClient) -> None:
    for url in (
        SUMMARY,
        "/api/v1/people/duong-van-thai",
        "/api/v1/tasks/bac-giang-2025-2030-task-1",
    ):
        response = client.get(url, headers={"Accept-Encoding": "identity"})
        assert STRONG_ETAG.match(response.headers["etag"]), url
        assert response.headers["etag"].startswith(f'"{response.json()["revision"]}.')
        assert response.headers["cache-control"] == DEFAULT_CACHE_CONTROL


def test_a_compressed_record_names_its_coding_and_either_tag_is_fresh(client: TestClient) -> None:
    plain = client.get(SUMMARY, headers={"Accept-Encoding": "identity"}).headers["etag"]
    compressed = client.get(SUMMARY, headers={"Accept-Encoding": "br"})
    assert compressed.headers["content-encoding"] == "br"
    assert compressed.headers["etag"] == plain[:-1] + '-br"'
    for tag in (plain, compressed.headers["etag"]):
        again = client.get(SUMMARY, headers={"Accept-Encoding": "br", "If-None-Match": tag})
        assert again.status_code == 304
        assert again.headers["etag"] == compressed.headers["etag"]


def test_if_none_match_answers_304_with_the_validators_and_no_body(client: TestClient) -> None:
    first = client.get(SUMMARY)
    again = client.get(SUMMARY, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    for name in ("etag", "cache-control", "vary"):
        assert again.headers[name] == first.headers[name], name
    assert "content-length" not in again.headers or again.headers["content-length"] == "0"


def test_if_none_match_accepts_lists_strong_forms_and_star(client: TestClient) -> None:
    etag = client.get(SUMMARY).headers["etag"]
    strong = etag.removeprefix("W/")
    for given in (f'W/"other", {etag}', strong, "*"):
        assert client.get(SUMMARY, headers={"If-None-Match": given}).status_code == 304, given
    assert client.get(SUMMARY, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_etag_is_the_same_across_app_instances(client: TestClient, session: Session) -> None:
    other = create_app()
    other.dependency_overrides[get_session] = lambda: session
    with TestClient(other) as second:
        for url in (SUMMARY, LIST, f"{LIST}&format=csv"):
            assert second.get(url).headers["etag"] == client.get(url).headers["etag"], url


def test_etag_changes_with_the_representation(client: TestClient) -> None:
    urls = [
        SUMMARY,
        "/api/v1/terms/bac-giang-2020-2025",
        f"{SUMMARY}?include=key_tasks",
        f"{SUMMARY}?lang=en",
        LIST,
        f"{LIST}&format=csv",
        f"{LIST}&offset=1",
    ]
    etags = {client.get(url).headers["etag"] for url in urls}
    assert len(etags) == len(urls)
    english = client.get(LIST, headers={"Accept-Language": "en"}).headers["etag"]
    csv = client.get(LIST, headers={"Accept": "text/csv"}).headers["etag"]
    assert len({english, csv, client.get(LIST).headers["etag"]}) == 3


def test_vary_names_what_the_representation_depends_on(client: TestClient) -> None:
    vary = {v.strip().lower() for v in client.get(SUMMARY).headers["vary"].split(",")}
    assert {"accept", "accept-language", "accept-encoding", "origin"} <= vary


def test_head_has_the_headers_of_get_and_no_body(client: TestClient) -> None:
    get = client.get(LIST)
    head = client.head(LIST)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_problems_are_never_cacheable(client: TestClient) -> None:
    for url, status in (("/api/v1/terms/no-such-term", 404), ("/api/v1/statistics?limit=0", 422)):
        response = client.get(url, headers={"If-None-Match": "*"})
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


def test_health_probes_and_writes_are_not_stored(client: TestClient) -> None:
    for url in ("/healthz", "/readyz"):
        response = client.get(url)
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
    assert client.post(SUMMARY).headers["cache-control"] == "no-store"


def test_a_request_with_credentials_is_not_given_a_shared_answer(client: TestClient) -> None:
    response = client.get(LIST, headers={"Authorization": "Bearer x"})
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    # An editor reads a record to change it: its strong ETag (its version) is still given.
    record = client.get(SUMMARY, headers={"Authorization": "Bearer x"})
    assert record.headers["cache-control"] == "no-store"
    assert STRONG_ETAG.match(record.headers["etag"])


# --- compression ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_large_bodies_are_compressed_and_keep_their_etag(
    client: TestClient, coding: str, decode: Any
) -> None:
    """A weak tag is the same for every coding; a record's strong tag names its coding."""
    url = "/api/v1/statistics?limit=100"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    with client.stream("GET", url, headers={"Accept-Encoding": coding}) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == coding
    assert int(response.headers["content-length"]) == len(raw) < len(plain.content)
    assert decode(raw) == plain.content
    assert response.headers["etag"] == plain.headers["etag"]
    revalidated = client.get(
        url, headers={"Accept-Encoding": coding, "If-None-Match": plain.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert revalidated.content == b""


def test_small_bodies_and_unwilling_clients_get_identity(client: TestClient) -> None:
    assert "content-encoding" not in client.get("/api/v1/terms?limit=1").headers
    refused = client.get(SUMMARY, headers={"Accept-Encoding": "gzip;q=0, br;q=0"})
    assert "content-encoding" not in refused.headers


def test_accept_encoding_negotiation() -> None:
    assert choose_encoding(b"gzip, deflate, br") == "br"
    assert choose_encoding(b"gzip") == "gzip"
    assert choose_encoding(b"br;q=0, gzip;q=0.5") == "gzip"
    assert choose_encoding(b"*") == "br"
    assert choose_encoding(b"identity") == "identity"
    assert choose_encoding(None) == "identity"


def test_weak_comparison() -> None:
    assert etag_matches(b'"a"', b'W/"a"')
    assert etag_matches(b'W/"b", W/"a"', b'W/"a"')
    assert not etag_matches(b'W/"ab"', b'W/"a"')


# --- CORS -----------------------------------------------------------------------------------


def test_reads_are_open_to_any_origin_by_default(client: TestClient) -> None:
    response = client.get(SUMMARY, headers={"Origin": "https://portal.example.vn"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "link", "content-language"} <= exposed


def test_preflight_is_answered_and_cached(client: TestClient) -> None:
    response = client.options(
        SUMMARY,
        headers={
            "Origin": "https://portal.example.vn",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert int(response.headers["access-control-max-age"]) > 0
    assert "if-none-match" in response.headers["access-control-allow-headers"].lower()


def test_an_allow_list_admits_only_its_origins(served: TestClient) -> None:
    allowed, other = "https://portal.example.vn", "https://elsewhere.example.com"
    with (
        environment(
            DATABASE_URL=get_settings().database_url, CORS_ALLOW_ORIGINS=f"{allowed}, https://a.vn"
        ),
        TestClient(create_app()) as client,
    ):
        # Twice each: the first answer is rendered, the second comes from the cache.
        for _ in range(2):
            response = client.get(SUMMARY, headers={"Origin": allowed})
            assert response.headers["access-control-allow-origin"] == allowed
            assert "origin" in response.headers["vary"].lower()
            refused = client.get(SUMMARY, headers={"Origin": other})
            assert refused.status_code == 200
            assert "access-control-allow-origin" not in refused.headers
        preflight = client.options(
            SUMMARY, headers={"Origin": other, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 400


# --- the response cache, on a committed database --------------------------------------------


def test_last_modified_is_when_the_dataset_last_changed(served: TestClient) -> None:
    engine = make_engine(get_settings().database_url)
    with Session(engine) as session:
        state = session.get(DatasetState, 1)
        assert state is not None
        modified_at = state.modified_at
    engine.dispose()
    if modified_at.tzinfo is None:
        modified_at = modified_at.replace(tzinfo=UTC)
    response = served.get(SUMMARY)
    assert parsedate_to_datetime(response.headers["last-modified"]) == modified_at.replace(
        microsecond=0
    )
    since = response.headers["last-modified"]
    assert served.get(SUMMARY, headers={"If-Modified-Since": since}).status_code == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert served.get(SUMMARY, headers={"If-Modified-Since": earlier}).status_code == 200


def test_a_warm_request_does_not_reach_the_handler_or_the_orm(
    served: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = served.get(SUMMARY)
    statements = Statements(get_engine())

    def not_called(*_args: Any) -> None:
        raise AssertionError("the handler ran on a warm request")

    monkeypatch.setattr("app.api.routes.terms.term_summary", not_called)
    for headers in ({}, {"If-None-Match": first.headers["etag"]}, {"Accept-Encoding": "gzip"}):
        response = served.get(SUMMARY, headers=headers)
        assert response.status_code in (200, 304)
    warm = served.get(SUMMARY)
    assert warm.content == first.content
    assert warm.headers["etag"] == first.headers["etag"]
    assert warm.headers["x-request-id"] != first.headers["x-request-id"]
    assert statements.count == 0


def test_hits_carry_the_same_headers_as_the_rendered_answer(served: TestClient) -> None:
    headers = {"Origin": "https://portal.example.vn", "X-Request-ID": "abc-123"}
    rendered = served.get(f"{SUMMARY}?lang=en", headers=headers)
    hit = served.get(f"{SUMMARY}?lang=en", headers=headers)
    assert dict(hit.headers) == dict(rendered.headers)
    assert hit.headers["x-request-id"] == "abc-123"
    assert hit.headers["content-language"] == "en"


def test_errors_are_rendered_every_time(served: TestClient) -> None:
    statements = Statements(get_engine())
    assert served.get("/api/v1/terms/no-such-term").status_code == 404
    after_first = statements.count
    assert served.get("/api/v1/terms/no-such-term").status_code == 404
    assert after_first > 0
    assert statements.count == 2 * after_first


def test_the_cache_can_be_turned_off(database: str) -> None:
    with (
        environment(DATABASE_URL=database, RESPONSE_CACHE="false"),
        TestClient(create_app()) as client,
    ):
        first = client.get(SUMMARY)
        statements = Statements(get_engine())
        second = client.get(SUMMARY)
        assert statements.count > 0
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        assert (
            client.get(SUMMARY, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        )


def test_a_seed_run_is_served_at_once_by_every_app_instance(tmp_path: Path) -> None:
    with (
        committed_database(tmp_path) as url,
        environment(DATABASE_URL=url),
        TestClient(create_app()) as one,
        TestClient(create_app()) as two,
    ):
        before = {}
        for client in (one, two):
            for _ in range(2):
                response = client.get(SUMMARY)
            assert response.json()["label"] == "Nhiệm kỳ 2025 - 2030"
            before[client] = response.headers["etag"]
        statements = Statements(get_engine())
        for client in (one, two):
            client.get(SUMMARY)
        assert statements.count == 0, "the second round should have been served from the cache"

        seed(url, {"label": "Nhiệm kỳ 2025 - 2030 (đã sửa)"})

        for client in (one, two):
            response = client.get(SUMMARY)
            assert response.json()["label"] == "Nhiệm kỳ 2025 - 2030 (đã sửa)"
            assert response.headers["etag"] != before[client]
            stale = client.get(SUMMARY, headers={"If-None-Match": before[client]})
            assert stale.status_code == 200


# --- the cache's own bookkeeping ------------------------------------------------------------


def _entry(size: int) -> Any:
    from app.caching import Entry

    return Entry(
        headers=[],
        not_modified=[],
        body=b"x" * size,
        etag=b'W/"x"',
        compressible=False,
        modified_at_second=None,
        size=size,
    )


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    from datetime import datetime

    version = DatasetVersion(revision=1, modified_at=datetime(2026, 1, 1, tzinfo=UTC))
    cache = ResponseCache(max_bytes=10_000)
    assert cache.get(("warm",), version) is None
    for i in range(100):
        cache.put((i,), version, _entry(1000))
        cache.get((0,), version)
        assert cache.size <= cache.max_bytes
    assert cache.get((0,), version) is not None
    assert cache.get((1,), version) is None
    assert cache.get((99,), version) is not None
    cache.put(("huge",), version, _entry(5000))
    assert cache.get(("huge",), version) is None


def test_the_cache_forgets_everything_when_the_version_changes() -> None:
    from datetime import datetime

    old = DatasetVersion(revision=1, modified_at=datetime(2026, 1, 1, tzinfo=UTC))
    new = DatasetVersion(revision=2, modified_at=datetime(2026, 1, 2, tzinfo=UTC))
    cache = ResponseCache(max_bytes=10_000)
    cache.get(("a",), old)
    cache.put(("a",), old, _entry(10))
    assert cache.get(("a",), new) is None
    # A response rendered under the old version, finishing late, is not filed under the new.
    cache.put(("a",), old, _entry(10))
    assert cache.get(("a",), new) is None
    assert cache.size == 0


def test_concurrent_misses_for_one_response_render_it_once(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading
    import time

    import httpx

    from app.api.etags import stored_record as real

    calls = 0
    lock = threading.Lock()

    def counted(*args: Any) -> Any:
        nonlocal calls
        with lock:
            calls += 1
        # Long enough that every request arrives while the first is still rendering.
        time.sleep(0.2)
        return real(*args)

    # The route's first step: the summary's stored body. The route, not the stored-reads layer,
    # which on SQLite reads on the event loop and so would take the requests one at a time.
    monkeypatch.setattr("app.api.routes.terms.stored_record", counted)

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(answer_stored_reads=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*[client.get(SUMMARY) for _ in range(8)])

    with environment(DATABASE_URL=database):
        responses = asyncio.run(together())
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.content for r in responses}) == 1
    assert len({r.headers["x-request-id"] for r in responses}) == 8
    assert calls == 1
