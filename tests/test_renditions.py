"""Render on write: what a write changes is rendered in its transaction and served as stored
bytes, which are exactly what a fresh render gives, through every write path."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, text, update
from sqlmodel import Session

from app.db import make_engine, write_session
from app.editing import commands, renditions
from app.editing.commands import IfMatch
from app.editing.kinds import BY_COLLECTION
from app.main import create_app
from app.migrate import upgrade
from app.models import KeyTask, Rendition, SubjectKind, TokenScope
from app.queries import renditions as stored_pages
from app.queries.items import item_body_steps
from app.reads import run_steps
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from tests.conftest import SEED_DIR, issue_token
from tests.test_caching import committed_database, environment

ANY = IfMatch(frozenset(), any_version=True)
TERM = "bac-giang-2025-2030"
DOCUMENT = "ttxvn-bac-giang-xay-dung-dang"
REVIEWED = "bac-giang-2020-2025"
TASK = f"{TERM}-task-1"
STATISTIC = "bac-giang-party-member-growth-target"
ARTICLE = Path(__file__).parent / "fixtures" / "made_up_article.toml"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with committed_database(tmp_path) as url:
        yield url


@pytest.fixture
def served(database: str) -> Iterator[TestClient]:
    """The application as deployed, without the response cache: every GET reaches a route."""
    with (
        environment(DATABASE_URL=database, RESPONSE_CACHE="false"),
        TestClient(create_app()) as client,
    ):
        yield client


def _check(url: str) -> str | None:
    engine = make_engine(url)
    with Session(engine) as session:
        found = renditions.check(session)
    engine.dispose()
    return found


def _write(url: str, change: Any) -> None:
    engine = make_engine(url)
    with write_session(engine) as session, session.begin():
        change(session)
    engine.dispose()


def _paths(client: TestClient) -> list[str]:
    """Every GET whose answer can come from stored bodies, and a few that cannot."""
    paths = [f"/api/v1/terms/{TERM}?include=key_tasks", "/api/v1/tasks?fields=text"]
    # Projections: cut from the stored body, they must read as the projected render does.
    paths += [
        f"/api/v1/terms/{TERM}?fields=id,key_tasks,people",
        f"/api/v1/terms/{TERM}?include=people,documents",
        f"/api/v1/terms/{TERM}?include=statistics,conference&fields=statistics,label&lang=en",
        f"/api/v1/terms/{REVIEWED}?fields=label,covers,sources",
        "/api/v1/terms?fields=label,motto",
        "/api/v1/solutions?fields=text,sources&limit=3&offset=1",
        "/api/v1/statistics?fields=label,value&lang=en",
    ]
    for collection in ("terms", "tasks", "solutions", "achievements", "limitations"):
        paths += [f"/api/v1/{collection}", f"/api/v1/{collection}?format=csv"]
    paths += ["/api/v1/directives?sort=-position", "/api/v1/tasks?q=dang&limit=1&offset=1"]
    paths += [f"/api/v1/achievements?term={REVIEWED}&fields=text&format=csv"]
    for lang in ("vi", "en"):
        paths += [f"/api/v1/statistics?lang={lang}", f"/api/v1/statistics?lang={lang}&format=csv"]
        paths += [f"/api/v1/statistics?category=discipline&lang={lang}&limit=2&offset=1"]
    for collection in ("terms", "tasks", "solutions", "achievements", "limitations", "directives"):
        for item in client.get(f"/api/v1/{collection}?limit=500").json()["items"]:
            paths.append(f"/api/v1/{collection}/{item['id']}")
            paths.append(f"/api/v1/{collection}/{item['id']}?fields=id,sources")
            if collection == "terms":
                paths.append(f"/api/v1/{collection}/{item['id']}?lang=en")
    for item in client.get("/api/v1/statistics?limit=500").json()["items"]:
        paths += [f"/api/v1/statistics/{item['id']}", f"/api/v1/statistics/{item['id']}?lang=en"]
        paths += [f"/api/v1/statistics/{item['id']}?fields=value,label&lang=en"]
    return paths


def _answers(client: TestClient, paths: list[str]) -> dict[str, tuple[int, str | None, bytes]]:
    answers = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        answers[path] = (response.status_code, response.headers.get("etag"), response.content)
    return answers


def _stored_and_fresh(
    database: str, client: TestClient, paths: list[str]
) -> tuple[dict[str, tuple[int, str | None, bytes]], ...]:
    """The answers from the stored bodies, then rendered afresh with those bodies removed."""
    stored = _answers(client, paths)
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(delete(Rendition).where(Rendition.kind != "renderer"))  # type: ignore[arg-type]
    engine.dispose()
    fresh = _answers(client, paths)
    return stored, fresh


def test_stored_bodies_are_served_byte_for_byte_as_a_fresh_render(
    database: str, served: TestClient
) -> None:
    _write(
        database,
        lambda s: commands.patch(
            s, "editor", BY_COLLECTION["tasks"], TASK, {"text": 'Nhiệm vụ "đã" sửa\n'}, ANY
        ),
    )
    paths = _paths(served)
    stored, fresh = _stored_and_fresh(database, served, paths)
    for path in paths:
        assert stored[path] == fresh[path], path


def test_reads_come_from_the_stored_bodies(database: str, served: TestClient) -> None:
    """Proof that the bodies above were the stored ones: a tampered one is what is served."""
    tampered = '{"tampered":true}'
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(
            update(Rendition)
            .where(Rendition.record_id.in_((TERM, TASK)))  # type: ignore[attr-defined]
            .values(body=tampered)
        )
    engine.dispose()

    assert served.get(f"/api/v1/terms/{TERM}").json() == {"tampered": True}
    assert served.get(f"/api/v1/tasks/{TASK}").json() == {"tampered": True}
    assert {"tampered": True} in served.get("/api/v1/tasks").json()["items"]
    # Projections are cut from them (the tampered body has none of the fields asked for)...
    assert served.get(f"/api/v1/terms/{TERM}?include=key_tasks").json() == {}
    assert served.get(f"/api/v1/tasks/{TASK}?fields=id,text").json() == {}
    assert {} in served.get("/api/v1/tasks?fields=text").json()["items"]
    # ...and what cannot be is rendered: the summary as a JSON-LD graph.
    graph = served.get(f"/api/v1/terms/{TERM}", headers={"Accept": "application/ld+json"})
    assert "tampered" not in graph.text
    assert _check(database) == f"key_task/{TASK}/*: the stored body differs from a fresh render"


def test_unfiltered_lists_take_their_total_from_the_store(
    database: str, served: TestClient
) -> None:
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(
            update(Rendition)
            .where(Rendition.kind == "total", Rendition.record_id == "key_task")  # type: ignore[arg-type]
            .values(body="999")
        )
    engine.dispose()

    assert served.get("/api/v1/tasks?limit=1").json()["total"] == 999
    # A filtered list counts its own rows.
    assert served.get(f"/api/v1/tasks?term={TERM}").json()["total"] < 999
    assert _check(database) == "total/key_task/*: the stored body differs from a fresh render"


def test_a_missing_stored_body_is_rendered_as_before(database: str, served: TestClient) -> None:
    before = served.get("/api/v1/statistics?lang=en")
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(delete(Rendition).where(Rendition.record_id == STATISTIC))  # type: ignore[arg-type]
    engine.dispose()

    after = served.get("/api/v1/statistics?lang=en")
    assert after.content == before.content
    assert served.get(f"/api/v1/statistics/{STATISTIC}").json()["id"] == STATISTIC
    assert _check(database) == f"statistic/{STATISTIC}/en: not stored"


def test_stored_bodies_stay_in_step_through_every_write_path(
    database: str, served: TestClient
) -> None:
    assert _check(database) is None  # the seed run

    engine = make_engine(database)
    with Session(engine) as session, session.begin():
        token = issue_token(session, "renditions-editor", TokenScope.admin)
    engine.dispose()
    auth = {"Authorization": f"Bearer {token}"}

    def patch(path: str, body: dict[str, Any]) -> Any:
        etag = served.get(path).headers["etag"]
        headers = {**auth, "If-Match": etag, "Content-Type": "application/merge-patch+json"}
        response = served.patch(path, content=json.dumps(body), headers=headers)
        assert response.status_code == 200, response.text
        # A write answers what a GET of the record will answer.
        assert served.get(path).content == response.content
        return response

    # The reviewed term's statements are in its own summary and in the next term's.
    covered = "Covered by the next term's summary"
    patch(f"/api/v1/achievements/{REVIEWED}-achievement-1", {"text": covered})
    assert _check(database) is None
    for term in (TERM, REVIEWED):
        summary = served.get(f"/api/v1/terms/{term}").json()
        assert covered in [a["text"] for a in summary["achievements"]]

    patch(f"/api/v1/statistics/{STATISTIC}", {"label_en": "Growth", "position": 100})
    assert _check(database) is None
    patch(f"/api/v1/terms/{TERM}", {"label": "Nhiệm kỳ 2025-2030 (sửa)"})
    assert _check(database) is None
    person = served.get(f"/api/v1/terms/{TERM}").json()["people"][0]["id"]
    patch(f"/api/v1/people/{person}", {"name": "Tên đã sửa"})
    assert _check(database) is None
    assert "Tên đã sửa" in served.get(f"/api/v1/terms/{TERM}").text

    # A new post puts its holder in the summaries of the organization's terms.
    quote = {"document": DOCUMENT, "quote": "Bí thư Tỉnh ủy Bắc Giang Dương Văn Thái khẳng định"}
    for collection, body in (
        ("people", {"id": "nguoi-thu", "name": "Người Thử", "sources": [quote]}),
        (
            "memberships",
            {
                "id": "nguoi-thu-uy-vien",
                "person_id": "nguoi-thu",
                "organization_id": "tinh-uy-bac-giang",
                "role": "Ủy viên",
                "role_en": "Member",
                "sources": [quote],
            },
        ),
    ):
        created = served.post(f"/api/v1/{collection}", json=body, headers=auth)
        assert created.status_code == 201, created.text
    assert _check(database) is None
    assert "Người Thử" in served.get(f"/api/v1/terms/{TERM}").text

    achievement = f"{REVIEWED}-achievement-2"
    etag = served.get(f"/api/v1/achievements/{achievement}").headers["etag"]
    headers = {**auth, "If-Match": etag}
    retired = served.delete(f"/api/v1/achievements/{achievement}", headers=headers)
    assert retired.status_code == 204
    assert _check(database) is None
    assert achievement not in served.get(f"/api/v1/terms/{TERM}").text

    newest = served.get("/api/v1/changes?sort=-n&limit=1").json()["items"][0]
    reverted = served.post(f"/api/v1/changes/{newest['n']}/revert", headers=auth)
    assert reverted.status_code in (200, 201), reverted.text
    assert _check(database) is None
    assert achievement in served.get(f"/api/v1/terms/{TERM}").text

    article = ARTICLE.read_bytes()
    imported = served.post(
        "/api/v1/imports", content=article, headers={**auth, "Content-Type": "application/toml"}
    )
    assert imported.status_code in (200, 201), imported.text
    assert _check(database) is None

    # A seed run (with --force, so it restores what the API changed) is a write path too.
    _write(database, lambda s: write_dataset(s, read_dataset(seed_files(SEED_DIR)), force=True))
    assert _check(database) is None


def test_migrate_renders_again_what_another_version_rendered(database: str) -> None:
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE rendition SET revision = 0 WHERE kind = 'renderer'"))
        connection.execute(
            text("UPDATE rendition SET body = '{}' WHERE kind = 'summary' AND lang = 'en'")
        )
    engine.dispose()
    assert _check(database) is not None

    upgrade(database)

    assert _check(database) is None


def test_a_deep_page_finds_its_rows_first_and_reads_as_a_fresh_render(
    database: str, served: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages from `IDS_FIRST` on read their rows' ids before their bodies; here every page with
    an offset does, so that the seed's few rows exercise it."""
    monkeypatch.setattr(stored_pages, "IDS_FIRST", 1)
    paths = [
        "/api/v1/tasks?limit=2&offset=1",
        "/api/v1/tasks?limit=1&offset=1&sort=-position",
        f"/api/v1/achievements?term={REVIEWED}&limit=2&offset=1",
        "/api/v1/directives?q=dang&limit=1&offset=1",
        "/api/v1/terms?offset=1",
        "/api/v1/statistics?lang=en&limit=2&offset=3",
        "/api/v1/statistics?category=discipline&limit=1&offset=1&format=csv",
    ]
    stored, fresh = _stored_and_fresh(database, served, paths)
    for path in paths:
        assert stored[path] == fresh[path], path
    assert [p for p in paths if "csv" not in p and not json.loads(stored[p][2])["items"]] == []


def test_only_a_page_from_ids_first_reads_its_rows_before_their_bodies(
    session: Session, sent: list[tuple[str, Any]]
) -> None:
    for offset in (stored_pages.IDS_FIRST - 1, stored_pages.IDS_FIRST):
        steps = item_body_steps(KeyTask, SubjectKind.key_task, limit=20, offset=offset)
        run_steps(session, steps)
    shallow, deep = (s for s, _ in sent if "rendition.body" in s and "key_task" in s)
    assert "key_task.id IN (SELECT key_task.id" not in shallow
    assert "key_task.id IN (SELECT key_task.id" in deep
