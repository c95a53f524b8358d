"""Whole-dataset downloads: every distribution builds, once, and is served whole or in ranges.

The downloads are built from the database in DATABASE_URL, as in a deployment, so every test
runs on a committed database of its own kind (SQLite, or a fresh PostgreSQL database with
TEST_DATABASE_URL) and a downloads folder of its own. Tests that write get a database of their
own; the real-server tests start uvicorn processes on it.
"""

import asyncio
import hashlib
import re
import socket
import sqlite3
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine, write_session
from app.downloads.ranges import requested_ranges
from app.downloads.registry import DISTRIBUTIONS
from app.downloads.sqlite import PUBLIC_TABLE_NAMES
from app.downloads.store import prune, read_manifest
from app.editing.kinds import KINDS
from app.main import create_app
from app.models import TokenScope
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from tests.conftest import SEED_DIR, issue_token
from tests.test_caching import SUMMARY, committed_database, environment, seed
from tests.test_concurrency import _free_port, serving, serving_process

LIST = "/api/v1/downloads"
MERGE = {"Content-Type": "application/merge-patch+json"}
TASK = "/api/v1/tasks/bac-giang-2025-2030-task-1"
BASE = "http://testserver"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded database nobody writes to."""
    with committed_database(tmp_path_factory.mktemp("downloads")) as url:
        yield url


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A seeded database for a test that writes."""
    with committed_database(tmp_path) as url:
        yield url


@contextmanager
def app_client(database_url: str, downloads: Path, **env: str) -> Iterator[TestClient]:
    with (
        environment(DATABASE_URL=database_url, DOWNLOADS_DIR=str(downloads), **env),
        TestClient(create_app()) as client,
    ):
        yield client


def listed(client: TestClient) -> dict[str, Any]:
    response = client.get(LIST)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fetch(client: TestClient, item: dict[str, Any], **headers: str) -> httpx2.Response:
    return client.get(item["url"].removeprefix(BASE), headers=headers)


def by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in body["items"]}


def file_texts(path: Path) -> list[bytes]:
    """The bytes a user would search: the file, or each member of a zip."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return [archive.read(name) for name in archive.namelist()]
    return [data]


# --- every distribution builds and is served whole -------------------------------------------


def test_every_distribution_builds_and_is_served_with_its_validators(
    database: str, tmp_path: Path
) -> None:
    with app_client(database, tmp_path) as client:
        body = listed(client)
        revision = client.get("/api/v1").json()["dataset"]["revision"]
        assert body["revision"] == revision
        assert [item["name"] for item in body["items"]] == [d.name for d in DISTRIBUTIONS]
        for distribution, item in zip(DISTRIBUTIONS, body["items"], strict=True):
            file_name = f"congress-r{revision}{distribution.suffix}"
            assert item["url"] == f"{BASE}/downloads/{file_name}"
            assert item["revision"] == revision
            assert item["media_type"] == distribution.media_type
            response = fetch(client, item)
            assert response.status_code == 200
            assert len(response.content) == item["bytes"] > 0
            assert hashlib.sha256(response.content).hexdigest() == item["sha256"]
            headers = response.headers
            assert headers["etag"] == f'"{item["sha256"]}"'
            assert headers["content-length"] == str(item["bytes"])
            assert headers["content-type"] == distribution.media_type
            assert headers["accept-ranges"] == "bytes"
            assert headers["content-disposition"] == f'attachment; filename="{file_name}"'
            assert "immutable" in headers["cache-control"]
            assert "max-age=31536000" in headers["cache-control"]
            assert "content-encoding" not in headers
            assert (tmp_path / file_name).read_bytes() == response.content
            head = client.head(item["url"].removeprefix(BASE))
            assert head.status_code == 200 and head.content == b""
            assert head.headers["etag"] == headers["etag"]
        # The list is a small read like any other: cacheable, under the revision.
        again = client.get(LIST, headers={"If-None-Match": client.get(LIST).headers["etag"]})
        assert again.status_code == 304
        manifest = read_manifest(tmp_path, revision)
        assert manifest is not None and manifest.complete()
        assert manifest.base_url == BASE


def test_if_none_match_with_the_etag_or_if_modified_since_is_304(
    database: str, tmp_path: Path
) -> None:
    with app_client(database, tmp_path) as client:
        item = by_name(listed(client))["sqlite"]
        etag = fetch(client, item).headers["etag"]
        response = fetch(client, item, **{"If-None-Match": etag})
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag
        modified = response.headers["last-modified"]
        assert fetch(client, item, **{"If-Modified-Since": modified}).status_code == 304
        stale = {"If-None-Match": '"other"', "If-Modified-Since": modified}
        assert fetch(client, item, **stale).status_code == 200  # the tag decides


def test_unknown_and_malformed_names_are_problems(database: str, tmp_path: Path) -> None:
    with app_client(database, tmp_path) as client:
        revision = listed(client)["revision"]
        for name in (f"congress-r{revision}.csv", f"congress-r{revision + 7}.sqlite"):
            response = client.get(f"/downloads/{name}")
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["cache-control"] == "no-store"
        assert client.get("/downloads/..%2Fcongress.db").status_code in (404, 422)
        assert client.get("/downloads/.build.lock").status_code == 422


def test_a_file_of_the_current_revision_is_built_on_its_first_request(
    database: str, tmp_path: Path
) -> None:
    with app_client(database, tmp_path) as client:
        revision = client.get("/api/v1").json()["dataset"]["revision"]
        response = client.get(f"/downloads/congress-r{revision}.sqlite")
        assert response.status_code == 200
        assert response.content.startswith(b"SQLite format 3\x00")


# --- the SQLite snapshot ---------------------------------------------------------------------


def test_the_sqlite_snapshot_opens_in_plain_sqlite3_and_its_counts_equal_the_list_totals(
    database: str, tmp_path: Path
) -> None:
    with app_client(database, tmp_path / "downloads") as client:
        body = listed(client)
        path = tmp_path / "snapshot.sqlite"
        path.write_bytes(fetch(client, by_name(body)["sqlite"]).content)
        totals = {
            kind.collection: client.get(f"/api/v1/{kind.collection}?limit=1").json()["total"]
            for kind in KINDS
        }
        dataset = client.get("/api/v1").json()["dataset"]
    snapshot = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert snapshot.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert snapshot.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        for kind in KINDS:
            (rows,) = snapshot.execute(f'SELECT count(*) FROM "{kind.table.name}"').fetchone()
            assert rows == totals[kind.collection] > 0, kind.collection
        revision, modified_at, source, license_url = snapshot.execute(
            "SELECT revision, modified_at, source, license FROM dataset"
        ).fetchone()
        assert revision == dataset["revision"] == body["revision"]
        assert modified_at[:19] == dataset["modified_at"][:19]
        assert source == f"{BASE}/api/v1"
        assert license_url == "https://creativecommons.org/licenses/by/4.0/"
        # Every citation is there, its quote the very span of its document's text.
        for document_id, quote, start, end in snapshot.execute(
            'SELECT document_id, quote, start, "end" FROM citation'
        ):
            (text,) = snapshot.execute(
                "SELECT text FROM document WHERE id = ?", (document_id,)
            ).fetchone()
            assert text[start:end] == quote
        schema = snapshot.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    finally:
        snapshot.close()
    tables = {name for kind, name, _sql in schema if kind == "table"}
    assert tables == PUBLIC_TABLE_NAMES | {"dataset"}
    assert not [name for kind, name, _sql in schema if kind in ("trigger", "view")]
    assert not any("fold(" in (sql or "") for _kind, _name, sql in schema)


def test_no_token_history_or_editor_reaches_a_public_file(
    own_database: str, tmp_path: Path
) -> None:
    editor = "ban-tuyen-giao-desk-q7x"
    engine = make_engine(own_database)
    with write_session(engine) as session, session.begin():
        secret = issue_token(session, editor, TokenScope.edit)
    engine.dispose()
    secret_digest = hashlib.sha256(secret.encode()).hexdigest()
    with app_client(own_database, tmp_path) as client:
        etag = client.get(TASK).headers["etag"]
        written = client.patch(
            TASK,
            content='{"text": "Nội dung đã sửa bởi biên tập viên"}',
            headers={**MERGE, "If-Match": etag, "Authorization": f"Bearer {secret}"},
        )
        assert written.status_code == 200, written.text
        history = client.get("/api/v1/changes?since=0&limit=500").json()["items"]
        assert editor in {change["actor"] for change in history}  # the history names them
        body = listed(client)
        assert client.get(TASK).json()["text"] == "Nội dung đã sửa bởi biên tập viên"
    for item in body["items"]:
        path = tmp_path / item["url"].rsplit("/", 1)[1]
        for text in file_texts(path):
            for needle in (editor, secret, secret_digest, secret[-16:]):
                assert needle.encode() not in text, (item["name"], needle)
            assert b"secret_sha256" not in text and b"alembic_version" not in text
    snapshot = sqlite3.connect(tmp_path / by_name(body)["sqlite"]["url"].rsplit("/", 1)[1])
    try:
        tables = {row[0] for row in snapshot.execute("SELECT name FROM sqlite_master")}
        (text,) = snapshot.execute(
            "SELECT text FROM key_task WHERE id = 'bac-giang-2025-2030-task-1'"
        ).fetchone()
    finally:
        snapshot.close()
    assert text == "Nội dung đã sửa bởi biên tập viên"  # the write is in, its author is not
    assert not tables & {"api_token", "change", "alembic_version", "datasetstate"}
    assert not [t for t in tables if t.startswith("search")]


# --- ranges ----------------------------------------------------------------------------------


def test_range_requests_return_the_right_bytes(database: str, tmp_path: Path) -> None:
    with app_client(database, tmp_path) as client:
        item = by_name(listed(client))["sqlite"]
        whole = fetch(client, item).content
        size = len(whole)
        etag = f'"{item["sha256"]}"'
        cases = {
            "bytes=0-99": (0, 99),
            "bytes=100-": (100, size - 1),
            "bytes=-50": (size - 50, size - 1),
            f"bytes=1000-{size + 5000}": (1000, size - 1),
            "bytes=0-0": (0, 0),
        }
        for header, (first, last) in cases.items():
            response = fetch(client, item, Range=header)
            assert response.status_code == 206, header
            assert response.headers["content-range"] == f"bytes {first}-{last}/{size}"
            assert response.headers["content-length"] == str(last - first + 1)
            assert response.content == whole[first : last + 1], header
        # Resuming with If-Range: the range if the file is the one the client has...
        response = fetch(client, item, Range="bytes=10-19", **{"If-Range": etag})
        assert response.status_code == 206 and response.content == whole[10:20]
        # ...and the whole file if it is not.
        response = fetch(client, item, Range="bytes=10-19", **{"If-Range": '"other"'})
        assert response.status_code == 200 and response.content == whole
        # Two ranges come as multipart/byteranges.
        response = fetch(client, item, Range="bytes=0-9,200-209")
        assert response.status_code == 206
        assert response.headers["content-type"].startswith("multipart/byteranges; boundary=")
        assert whole[0:10] in response.content and whole[200:210] in response.content
        assert f"bytes 200-209/{size}".encode() in response.content
        # A malformed or foreign-unit Range is ignored (RFC 9110 §14.2): the whole file.
        for ignored in ("bytes=abc", "bytes=20-10", "items=0-5"):
            response = fetch(client, item, Range=ignored)
            assert response.status_code == 200 and response.content == whole, ignored


def test_an_unsatisfiable_range_is_a_416_problem_with_the_size(
    database: str, tmp_path: Path
) -> None:
    with app_client(database, tmp_path) as client:
        item = by_name(listed(client))["sqlite"]
        size = item["bytes"]
        for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
            response = fetch(client, item, Range=header)
            assert response.status_code == 416, header
            assert response.headers["content-range"] == f"bytes */{size}"
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 416


def test_requested_ranges_follow_rfc_9110() -> None:
    assert requested_ranges("bytes=0-4", 10) == [(0, 4)]
    assert requested_ranges("bytes=5-", 10) == [(5, 9)]
    assert requested_ranges("bytes=-3", 10) == [(7, 9)]
    assert requested_ranges("bytes=-30", 10) == [(0, 9)]
    assert requested_ranges("bytes=8-20", 10) == [(8, 9)]
    assert requested_ranges("BYTES = 0-1 , 3-4", 10) == [(0, 1), (3, 4)]
    assert requested_ranges("bytes=10-, 0-1", 10) == [(0, 1)]  # the satisfiable one
    assert requested_ranges("bytes=10-", 10) == []
    assert requested_ranges("bytes=-0", 10) == []
    assert requested_ranges("bytes=0-0", 0) == []
    for ignored in ("bytes=", "bytes=a-b", "bytes=5-4", "lines=0-1", "bytes=0-1;", "0-1"):
        assert requested_ranges(ignored, 10) is None, ignored
    assert requested_ranges("bytes=" + ",".join(["0-1"] * 17), 10) is None


# --- built once ------------------------------------------------------------------------------


def test_concurrent_first_requests_in_one_worker_build_once(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()
    lock = threading.Lock()

    def counting(name: str, build: Callable[..., None]) -> Callable[..., None]:
        def wrapper(session: Session, target: Path, *, base_url: str) -> None:
            with lock:
                calls[name] += 1
            time.sleep(0.2)  # a wide window for a second builder to slip in
            build(session, target, base_url=base_url)

        return wrapper

    for distribution in DISTRIBUTIONS:
        module = import_module(distribution.module)
        monkeypatch.setattr(module, "build", counting(distribution.name, module.build))
    with app_client(database, tmp_path) as client:
        revision = client.get("/api/v1").json()["dataset"]["revision"]
        # Different requests (the response cache would merge identical ones into one).
        paths = [
            LIST,
            f"{LIST}?lang=en",
            "/catalog.jsonld",
            f"/downloads/congress-r{revision}.sqlite",
            f"/downloads/congress-r{revision}.jsonld",
            f"{LIST}?lang=vi",
            "/catalog.jsonld?x=1",
            f"/downloads/congress-r{revision}.annotations.jsonld",
        ]
        barrier = threading.Barrier(len(paths))
        statuses: dict[str, int] = {}

        def request(path: str) -> None:
            barrier.wait()
            statuses[path] = client.get(path).status_code

        threads = [threading.Thread(target=request, args=(path,)) for path in paths]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == dict.fromkeys(paths, 200)
        assert listed(client)["revision"] == revision
    assert calls == Counter({d.name: 1 for d in DISTRIBUTIONS})


@contextmanager
def logged_server(database_url: str, log: Path, **env: str) -> Iterator[str]:
    """A uvicorn worker process whose `app.*` log records go to `log`."""
    port = _free_port()
    code = (
        "import logging, uvicorn\n"
        f"logging.basicConfig(filename={str(log)!r}, level=logging.INFO,"
        " format='%(process)d %(name)s %(message)s')\n"
        f"uvicorn.run('app.main:app', host='127.0.0.1', port={port}, log_level='warning',"
        " access_log=False)\n"
    )
    with serving_process(["-c", code], port, database_url, env=env) as base:
        yield base


def test_concurrent_first_requests_to_two_server_processes_build_once(
    database: str, tmp_path: Path
) -> None:
    downloads = tmp_path / "downloads"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with ExitStack() as stack:
        bases = [
            stack.enter_context(logged_server(database, log, DOWNLOADS_DIR=str(downloads)))
            for log in logs
        ]

        async def all_at_once() -> list[httpx.Response]:
            async with httpx.AsyncClient(timeout=120) as client:
                return await asyncio.gather(
                    # A different Accept-Language each: eight distinct cache keys.
                    *[
                        client.get(f"{bases[i % 2]}{LIST}", headers={"Accept-Language": f"x{i}"})
                        for i in range(8)
                    ]
                )

        responses = asyncio.run(all_at_once())
    assert [r.status_code for r in responses] == [200] * 8
    answers = {tuple((i["name"], i["sha256"]) for i in r.json()["items"]) for r in responses}
    assert len(answers) == 1  # every request got the same files
    built = Counter(
        line.rsplit("built ", 1)[1].split(",")[0]
        for log in logs
        if log.exists()
        for line in log.read_text().splitlines()
        if "downloads: built " in line
    )
    revision = responses[0].json()["revision"]
    assert built == Counter({d.file_name(revision): 1 for d in DISTRIBUTIONS})


# --- revisions -------------------------------------------------------------------------------


def test_a_write_yields_new_files_and_etags_and_old_revisions_are_pruned(
    own_database: str, tmp_path: Path
) -> None:
    with app_client(own_database, tmp_path, DOWNLOADS_KEEP="2") as client:
        seen: list[dict[str, Any]] = []
        for motto in ("Phương châm một", "Phương châm hai", "Phương châm ba"):
            body = listed(client)
            item = by_name(body)["sqlite"]
            item["etag"] = fetch(client, item).headers["etag"]
            seen.append(item)
            seed(own_database, edit={"motto": motto})  # a write: the revision moves on
        body = listed(client)
        current = by_name(body)["sqlite"]
        current["etag"] = fetch(client, current).headers["etag"]
        seen.append(current)
        revisions = [item["revision"] for item in seen]
        assert revisions == sorted(set(revisions)) and len(revisions) == 4
        assert len({item["url"] for item in seen}) == 4
        assert len({item["etag"] for item in seen}) == 4
        # DOWNLOADS_KEEP=2: the current revision and the one before it.
        for item in seen[:2]:
            assert fetch(client, item).status_code == 404
        for item in seen[2:]:
            response = fetch(client, item)
            assert response.status_code == 200
            assert response.headers["etag"] == item["etag"]
    on_disk = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("congress-r"))
    kept = {seen[2]["revision"], seen[3]["revision"]}
    assert on_disk == sorted(
        [d.file_name(r) for d in DISTRIBUTIONS for r in kept]
        + [f"congress-r{r}.manifest.json" for r in kept]
    )


def test_a_manifest_of_another_database_at_the_same_revision_is_rebuilt(
    database: str, tmp_path: Path
) -> None:
    """Revision numbers repeat across databases (a restored backup, a test's): files are
    trusted only when the manifest's modification time is the dataset's too."""
    with app_client(database, tmp_path) as client:
        first = by_name(listed(client))["sqlite"]
    manifest = read_manifest(tmp_path, first["revision"])
    assert manifest is not None
    stale = manifest.model_copy(
        update={"modified_at": manifest.modified_at.replace(year=2001), "base_url": "http://old"}
    )
    (tmp_path / f"congress-r{first['revision']}.manifest.json").write_text(stale.model_dump_json())
    with app_client(database, tmp_path) as client:
        # Even asked for directly, the file is rebuilt rather than served as it was.
        served = fetch(client, first)
        rebuilt = read_manifest(tmp_path, first["revision"])
        assert rebuilt is not None and rebuilt.modified_at == manifest.modified_at
        assert rebuilt.base_url == BASE
        assert served.headers["etag"] == f'"{rebuilt.files["sqlite"].sha256}"'
        again = by_name(listed(client))["sqlite"]
    assert again["url"] == first["url"] and again["sha256"] == rebuilt.files["sqlite"].sha256


def test_pruning_keeps_the_current_and_newest_revisions_and_only_its_own_files(
    tmp_path: Path,
) -> None:
    names = [
        *[f"congress-r{r}.sqlite" for r in (1, 2, 3, 4, 9)],
        *[f"congress-r{r}.manifest.json" for r in (1, 2, 3, 4, 9)],
        "README.txt",
        ".congress-r4.manifest.json.123.tmp",
    ]
    for name in names:
        (tmp_path / name).write_text("x")
    (tmp_path / ".build-abc").mkdir()
    prune(tmp_path, keep=3, current=3)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        ["README.txt"]
        + [f"congress-r{r}.sqlite" for r in (3, 4, 9)]
        + [f"congress-r{r}.manifest.json" for r in (3, 4, 9)]
    )


# --- download-check --------------------------------------------------------------------------


def test_download_check_passes_on_a_fresh_snapshot_and_fails_on_a_tampered_one(
    own_database: str, tmp_path: Path
) -> None:
    with app_client(own_database, tmp_path / "downloads") as client:
        fresh = tmp_path / "fresh.sqlite"
        fresh.write_bytes(fetch(client, by_name(listed(client))["sqlite"]).content)
    runner = CliRunner()
    env = {"DATABASE_URL": own_database}
    with environment(**env):
        passed = runner.invoke(cli, ["download-check", str(fresh)])
    assert passed.exit_code == 0, passed.output
    assert "matches the API" in passed.output

    tampered = tmp_path / "tampered.sqlite"
    tampered.write_bytes(fresh.read_bytes())
    with sqlite3.connect(tampered) as connection:
        connection.execute("DELETE FROM statistic WHERE id IN (SELECT id FROM statistic LIMIT 1)")
        connection.execute("CREATE TABLE api_token (name TEXT)")
    connection.close()
    with environment(**env):
        failed = runner.invoke(cli, ["download-check", str(tampered)])
    assert failed.exit_code == 1
    assert "statistics (statistic): the snapshot has" in failed.output
    assert "table api_token" in failed.output

    with environment(**env):
        not_a_snapshot = runner.invoke(cli, ["download-check", str(SEED_DIR / "x.sqlite")])
    assert not_a_snapshot.exit_code == 2

    seed(own_database, edit={"motto": "Một phương châm mới"})  # the API moves on
    with environment(**env):
        refused = runner.invoke(cli, ["download-check", str(fresh)])
    assert refused.exit_code == 2
    assert "refused" in refused.output and "revision" in refused.output


def test_build_downloads_builds_ahead_and_prints_sha256sums(database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    with environment(DATABASE_URL=database, DOWNLOADS_DIR=str(tmp_path)):
        result = runner.invoke(cli, ["build-downloads"])
    assert result.exit_code == 0, result.output
    sums = [line.split("  ") for line in result.stdout.splitlines()]
    match = re.match(r"congress-r([0-9]+)\.", sums[0][1])
    assert match is not None
    revision = int(match[1])
    assert [name for _digest, name in sums] == [d.file_name(revision) for d in DISTRIBUTIONS]
    for digest, name in sums:
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    manifest = read_manifest(tmp_path, revision)
    assert manifest is not None and manifest.base_url == "http://localhost:8000"


# --- serving a large file does not block -----------------------------------------------------

LARGE_DOCUMENTS = 4
LARGE_WORDS = 180_000  # about 1.9 million characters a document: 7 MB in all


def _large_seed(folder: Path) -> Path:
    """The real seed beside a made-up file of large documents: an SQLite snapshot of some MB,
    more than the kernel buffers of a loopback connection hold."""
    words = ["nhiệm", "vụ", "trọng", "tâm", "giải", "pháp", "đột", "phá", "Đảng", "bộ", "tỉnh"]
    seed_dir = folder / "seed"
    (seed_dir / "documents").mkdir(parents=True)
    for path in [*SEED_DIR.glob("*.toml"), *SEED_DIR.glob("documents/*")]:
        target = seed_dir / path.relative_to(SEED_DIR)
        target.write_bytes(path.read_bytes())
    records = []
    for n in range(LARGE_DOCUMENTS):
        text = f"Văn bản lớn số {n}. " + " ".join(
            words[(i * 7 + n) % len(words)] + str(i % 97) for i in range(LARGE_WORDS)
        )
        (seed_dir / "documents" / f"large-{n}.txt").write_text(text, encoding="utf-8")
        records.append(
            f'[[documents]]\nid = "large-{n}"\nfile = "documents/large-{n}.txt"\n'
            f'title = "Văn bản lớn số {n}"\nsources = [{{ quote = "Văn bản lớn số {n}." }}]\n'
        )
    (seed_dir / "zz-large.toml").write_text("\n".join(records), encoding="utf-8")
    return seed_dir


@pytest.fixture(scope="module")
def large_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("large")
    with committed_database(folder) as url:
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            write_dataset(session, read_dataset(seed_files(_large_seed(folder))))
        engine.dispose()
        yield url


def _start_slow_download(base: str, path: str) -> socket.socket:
    """A client that asks for a file and then reads it slowly, with a small receive window."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(60)
    sock.connect((host, int(port)))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    return sock


def test_serving_large_downloads_does_not_block_other_requests(
    large_database: str, tmp_path: Path
) -> None:
    with (
        serving(large_database, DOWNLOADS_DIR=str(tmp_path), RESPONSE_CACHE="false") as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        item = by_name(client.get(LIST).json())["sqlite"]
        size = item["bytes"]
        assert size > 6_000_000
        path = "/downloads/" + item["url"].rsplit("/", 1)[1]
        baseline = []
        for _ in range(5):
            started = time.perf_counter()
            assert client.get(SUMMARY).status_code == 200
            baseline.append(time.perf_counter() - started)
        downloads = [_start_slow_download(base, path) for _ in range(4)]
        received = [bytearray(sock.recv(65536)) for sock in downloads]
        assert all(data.startswith(b"HTTP/1.1 200") for data in received)
        during = []
        for _ in range(10):
            started = time.perf_counter()
            assert client.get(SUMMARY).status_code == 200
            during.append(time.perf_counter() - started)
            for sock, data in zip(downloads, received, strict=True):
                data.extend(sock.recv(4096))  # a trickle
        # Still streaming: no client has read half of its file yet.
        assert all(len(data) < size // 2 for data in received)
        # Then each reads the rest, which is the file.
        for sock, data in zip(downloads, received, strict=True):
            _head, _, body = bytes(data).partition(b"\r\n\r\n")
            rest = bytearray(body)
            while len(rest) < size:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                rest.extend(chunk)
            sock.close()
            assert hashlib.sha256(bytes(rest)).hexdigest() == item["sha256"]
    assert max(during) < max(1.0, 10 * max(baseline)), (baseline, during)
