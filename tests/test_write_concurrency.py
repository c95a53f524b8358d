"""Writes from real parallel clients: real uvicorn workers, 20 threads released at once.

DESIGN §6: concurrency is optimistic. Twenty writers holding the same ETag race for one
record: exactly one wins and nineteen get 412 with the current ETag, whether they reach one
server process or two on the same database (the per-process write turn then does not order
them: the database's lock does). Twenty writers on twenty different records all win, one
dataset revision each, and the history has each change once. The token comes from the CLI
against the same database, as an operator makes it.
"""

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.test_caching import STRONG_ETAG, committed_database
from tests.test_concurrency import serving

WRITERS = 20
MERGE_PATCH = "application/merge-patch+json"
# A bound on waiting, so a deadlocked writer fails the test instead of hanging it.
STALL_SECONDS = 60.0
# Records of the seed with a free-text field, WRITERS or more: the term statements' `text`,
# the statistics' Vietnamese label (shown as `label`). Collection -> (written, shown).
FREE_FIELDS = {
    "tasks": ("text", "text"),
    "solutions": ("text", "text"),
    "achievements": ("text", "text"),
    "limitations": ("text", "text"),
    "directives": ("text", "text"),
    "statistics": ("label_vi", "label"),
}


def congress_api(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs the CLI in its own process against `database_url`, as an operator would."""
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def create_token(database_url: str, name: str, scope: str = "edit") -> str:
    done = congress_api(database_url, "token", "create", "--name", name, "--scope", scope)
    assert done.returncode == 0, done.stderr
    secret = done.stdout.strip()
    assert secret and "\n" not in secret, done.stdout
    return secret


def dataset_revision(client: httpx.Client) -> int:
    revision: int = client.get("/api/v1").json()["dataset"]["revision"]
    return revision


def changes_since(client: httpx.Client, since: int) -> list[dict[str, Any]]:
    """Every change after revision `since`, oldest first, through the paged list."""
    changes: list[dict[str, Any]] = []
    while True:
        response = client.get(
            "/api/v1/changes", params={"since": since, "limit": 500, "offset": len(changes)}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["items"]
        if len(changes) >= page["total"] or not page["items"]:
            return changes


def _released_at_once(
    base: str | list[str], requests: list[dict[str, Any]]
) -> list[httpx.Response | BaseException]:
    """Sends each request from its own thread and connection; a barrier releases them together
    once every thread has connected. With several bases, request i goes to base i mod n."""
    bases = [base] if isinstance(base, str) else base
    barrier = threading.Barrier(len(requests))
    results: list[httpx.Response | BaseException] = [
        RuntimeError("not sent") for _ in range(len(requests))
    ]

    def send(index: int, request: dict[str, Any]) -> None:
        with httpx.Client(base_url=bases[index % len(bases)], timeout=STALL_SECONDS) as client:
            try:
                client.get("/healthz")  # connect before the barrier
                barrier.wait(timeout=STALL_SECONDS)
                results[index] = client.request(**request)
            except BaseException as exc:  # reported by the test, not lost in the thread
                results[index] = exc

    threads = [
        threading.Thread(target=send, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(STALL_SECONDS * 2)
    assert not any(thread.is_alive() for thread in threads), "a writer is still waiting"
    return results


def _responses(results: list[httpx.Response | BaseException]) -> list[httpx.Response]:
    errors = [r for r in results if not isinstance(r, httpx.Response)]
    assert not errors, errors
    return [r for r in results if isinstance(r, httpx.Response)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A committed, seeded database served by one uvicorn worker; yields (base URL, token)."""
    with committed_database(tmp_path_factory.mktemp("write-concurrency")) as url:
        token = create_token(url, "concurrency-test")
        with serving(url) as base:
            yield base, token


def _patch(path: str, etag: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "method": "PATCH",
        "url": path,
        "json": body,
        "headers": {
            "Authorization": f"Bearer {token}",
            "If-Match": etag,
            "Content-Type": MERGE_PATCH,
        },
    }


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], str]]:
    """Two uvicorn processes (two app instances) on one committed, seeded database; yields
    (their base URLs, token)."""
    with committed_database(tmp_path_factory.mktemp("write-concurrency-two")) as url:
        token = create_token(url, "concurrency-test")
        with serving(url) as first, serving(url) as second:
            yield [first, second], token


def test_twenty_writers_with_one_etag_give_one_success_and_nineteen_412s(
    server: tuple[str, str],
) -> None:
    base, token = server
    _one_etag_race([base], token)


def test_twenty_writers_with_one_etag_on_two_server_processes_give_one_success(
    two_servers: tuple[list[str], str],
) -> None:
    bases, token = two_servers
    # Each instance answers the record (and caches it) before the race.
    etags = {
        httpx.get(base + "/api/v1/tasks/bac-giang-2025-2030-task-1").headers["etag"]
        for base in bases
    }
    assert len(etags) == 1
    winner = _one_etag_race(bases, token)
    # Both instances serve the winner's write afterwards, with its ETag.
    for base in bases:
        now = httpx.get(base + "/api/v1/tasks/bac-giang-2025-2030-task-1")
        assert now.json()["text"] == winner.json()["text"]
        assert now.headers["etag"] == winner.headers["etag"]


def _one_etag_race(bases: list[str], token: str) -> httpx.Response:
    """WRITERS PATCHes of one record with one If-Match, spread over `bases`; exactly one wins,
    and the history has its write once. Returns the winner's response."""
    base = bases[0]
    path = "/api/v1/tasks/bac-giang-2025-2030-task-1"
    with httpx.Client(base_url=base) as client:
        read = client.get(path)
        etag = read.headers["etag"]
        before = dataset_revision(client)
    texts = [f"Writer {n} of {WRITERS} on one ETag" for n in range(WRITERS)]
    requests = [_patch(path, etag, token, {"text": text}) for text in texts]

    responses = _responses(_released_at_once(bases, requests))

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 412: WRITERS - 1}, statuses
    winner = next(r for r in responses if r.status_code == 200)
    won = winner.json()["text"]
    assert won in texts
    assert winner.json()["revision"] == before + 1
    for lost in (r for r in responses if r.status_code == 412):
        assert lost.headers["content-type"] == "application/problem+json"
        assert lost.headers["etag"] == winner.headers["etag"]
    with httpx.Client(base_url=base) as client:
        now = client.get(path)
        assert now.json()["text"] == won
        assert now.headers["etag"] == winner.headers["etag"]
        assert dataset_revision(client) == before + 1
        changes = changes_since(client, before)
    assert [(c["record_id"], c["operation"], c["revision"]) for c in changes] == [
        ("bac-giang-2025-2030-task-1", "update", before + 1)
    ]
    assert changes[0]["after"]["text"] == won
    assert changes[0]["before"]["text"] == read.json()["text"]
    assert changes[0]["actor"] == "concurrency-test"
    return winner


def test_twenty_writers_on_different_records_all_succeed_once_each_in_the_history(
    server: tuple[str, str],
) -> None:
    base, token = server
    with httpx.Client(base_url=base) as client:
        fields = {
            f"/api/v1/{collection}/{item['id']}": field
            for collection, field in FREE_FIELDS.items()
            for item in client.get(f"/api/v1/{collection}", params={"limit": 500}).json()["items"]
        }
        paths = list(fields)[:WRITERS]
        assert len(paths) == WRITERS
        etags = [client.get(path).headers["etag"] for path in paths]
        before = dataset_revision(client)
    texts = {path: f"Writer on {path.rsplit('/', 1)[1]}" for path in paths}
    requests = [
        _patch(path, etag, token, {fields[path][0]: texts[path]})
        for path, etag in zip(paths, etags, strict=True)
    ]

    responses = _responses(_released_at_once(base, requests))

    assert [r.status_code for r in responses] == [200] * WRITERS, [r.text for r in responses]
    for path, response in zip(paths, responses, strict=True):
        assert response.json()[fields[path][1]] == texts[path]
        assert STRONG_ETAG.match(response.headers["etag"])
    # Serialized: each write made its own revision, one after the other.
    revisions = sorted(r.json()["revision"] for r in responses)
    assert revisions == list(range(before + 1, before + WRITERS + 1))
    with httpx.Client(base_url=base) as client:
        assert dataset_revision(client) == before + WRITERS
        changes = changes_since(client, before)
        for path in paths:
            assert client.get(path).json()[fields[path][1]] == texts[path]
    written = {path.rsplit("/", 1)[1]: path for path in paths}
    assert Counter(c["record_id"] for c in changes) == dict.fromkeys(written, 1)
    assert sorted(c["revision"] for c in changes) == revisions
    for change in changes:
        assert change["operation"] == "update"
        assert change["actor"] == "concurrency-test"
        path = written[change["record_id"]]
        assert change["after"][fields[path][0]] == texts[path]
