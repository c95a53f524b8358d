"""The write API over HTTP: tokens, statuses, quotes proved, merge patch, retire, revert, import.

Runs on the shared seeded database inside a rolled-back transaction (SQLite, or PostgreSQL with
TEST_DATABASE_URL), through the same routes, dependencies and commands a deployment uses.
"""

import json
import tomllib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.editing.tokens import revoke_token
from app.models import ApiToken, TokenScope
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from tests.conftest import SEED_DIR, issue_token

DOC = "ttxvn-bac-giang-xay-dung-dang"
TASK = "/api/v1/tasks/bac-giang-2025-2030-task-1"
TERM = "/api/v1/terms/bac-giang-2025-2030"
MERGE = {"Content-Type": "application/merge-patch+json"}
MADE_UP = Path(__file__).resolve().parent.parent / "fixtures" / "made_up_article.toml"


@pytest.fixture
def editor(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(session, 'press-office', TokenScope.edit)}"}


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(session, 'data-desk', TokenScope.admin)}"}


def _new_task(**fields: Any) -> dict[str, Any]:
    return {
        "id": "bac-giang-2025-2030-task-3",
        "term_id": "bac-giang-2025-2030",
        "text": "Nâng cao thứ hạng các chỉ số cải cách hành chính",
        "sources": [
            {
                "document": DOC,
                "quote": "nâng cao thứ hạng các chỉ số cải cách hành chính",
                "occurrence": 1,
            }
        ],
        **fields,
    }


def _etag(client: TestClient, url: str) -> str:
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def _revision(client: TestClient) -> int:
    revision: int = client.get("/api/v1").json()["dataset"]["revision"]
    return revision


# --- create -------------------------------------------------------------------------------


def test_create_answers_201_with_location_and_the_etag_a_get_gives(
    client: TestClient, editor: dict[str, str]
) -> None:
    before = _revision(client)
    response = client.post("/api/v1/tasks", json=_new_task(), headers=editor)
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith("/api/v1/tasks/bac-giang-2025-2030-task-3")
    body = response.json()
    assert body["position"] == 3  # after the term's last key task
    source = body["sources"][0]
    document = client.get(f"/api/v1/documents/{DOC}/text").text
    assert document[source["start"] : source["end"]] == source["quote"]
    assert response.headers["etag"] == _etag(client, "/api/v1/tasks/bac-giang-2025-2030-task-3")
    assert body["revision"] == before + 1 == _revision(client)
    summary = client.get(TERM).json()
    assert [t["id"] for t in summary["key_tasks"]][-1] == "bac-giang-2025-2030-task-3"


def test_create_with_an_id_that_exists_is_409(client: TestClient, editor: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/tasks", json=_new_task(id="bac-giang-2025-2030-task-1"), headers=editor
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_a_quote_not_in_the_document_is_422_pointing_at_that_source(
    client: TestClient, editor: dict[str, str]
) -> None:
    sources = [
        {
            "document": DOC,
            "quote": "nâng cao thứ hạng các chỉ số cải cách hành chính",
            "occurrence": 1,
        },
        {"document": DOC, "quote": "Bắc Giang", "occurrence": 1},
        {"document": DOC, "quote": "không có trong bài báo này"},
        {"document": DOC, "quote": "Bắc Giang"},
    ]
    before = _revision(client)
    response = client.post("/api/v1/tasks", json=_new_task(sources=sources), headers=editor)
    assert response.status_code == 422
    errors = {e["pointer"]: e["detail"] for e in response.json()["errors"]}
    assert set(errors) == {"#/sources/2/quote", "#/sources/3/quote"}
    assert "not found" in errors["#/sources/2/quote"]
    assert "occurrence" in errors["#/sources/3/quote"]
    assert _revision(client) == before
    assert client.get("/api/v1/tasks/bac-giang-2025-2030-task-3").status_code == 404


def test_a_reference_to_a_missing_or_retired_record_is_422(
    client: TestClient, editor: dict[str, str]
) -> None:
    response = client.post("/api/v1/tasks", json=_new_task(term_id="no-such-term"), headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/term_id"
    tag = _etag(client, "/api/v1/tasks/bac-giang-2025-2030-task-2")
    assert (
        client.delete(
            "/api/v1/tasks/bac-giang-2025-2030-task-2", headers={**editor, "If-Match": tag}
        ).status_code
        == 204
    )
    response = client.post(
        "/api/v1/memberships",
        json={
            "id": "test-post",
            "person_id": "no-such-person",
            "organization_id": "tinh-uy-bac-giang",
            "role": "Bí thư",
            "role_en": "Secretary",
            "sources": [
                {
                    "document": DOC,
                    "quote": "Bí thư Tỉnh ủy Bắc Giang Dương Văn Thái",
                    "occurrence": 1,
                }
            ],
        },
        headers=editor,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/person_id"


def test_unknown_fields_are_422_not_dropped(client: TestClient, editor: dict[str, str]) -> None:
    response = client.post("/api/v1/tasks", json=_new_task(priority="high"), headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/priority"


# --- bad bodies ---------------------------------------------------------------------------


def test_malformed_json_is_400_with_the_line(client: TestClient, editor: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/tasks",
        content=b'{\n  "id": "x",\n  "text": oops\n}',
        headers={**editor, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "line 3" in response.json()["detail"]


def test_a_wrong_content_type_is_415(client: TestClient, editor: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/tasks",
        content=json.dumps(_new_task()),
        headers={**editor, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    tag = _etag(client, TASK)
    response = client.patch(TASK, json={"text": "x"}, headers={**editor, "If-Match": tag})
    assert response.status_code == 415
    assert response.headers["accept-patch"] == "application/merge-patch+json"


def test_a_body_over_the_limit_is_413(client: TestClient, editor: dict[str, str]) -> None:
    big = _new_task(text="x" * (5 << 20))
    response = client.post("/api/v1/tasks", json=big, headers=editor)
    assert response.status_code == 413


# --- tokens -------------------------------------------------------------------------------


def test_writes_without_a_valid_token_are_401_with_a_bearer_challenge(
    client: TestClient, session: Session
) -> None:
    expired = issue_token(session, "old", TokenScope.edit, expires_days=1)
    session.execute(
        text("UPDATE api_token SET expires_at = :at WHERE name = 'old'"),
        {"at": datetime.now(UTC) - timedelta(days=1)},
    )
    revoked = issue_token(session, "gone", TokenScope.edit)
    revoke_token(session, "gone")
    for headers in (
        {},
        {"Authorization": "Bearer cga_not-a-token"},
        {"Authorization": f"Basic {expired}"},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {revoked}"},
    ):
        response = client.post("/api/v1/tasks", json=_new_task(), headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "cga_" not in response.text
    stored = session.exec(select(ApiToken)).all()
    assert all(expired not in repr((t.name, t.secret_sha256)) for t in stored)


def test_reads_stay_anonymous(client: TestClient) -> None:
    assert client.get(TASK).status_code == 200


def test_an_edit_token_may_not_revert(client: TestClient, editor: dict[str, str]) -> None:
    response = client.post("/api/v1/changes/1/revert", headers=editor)
    assert response.status_code == 403


# --- preconditions ------------------------------------------------------------------------


def test_put_patch_delete_without_if_match_are_428(
    client: TestClient, editor: dict[str, str]
) -> None:
    assert client.put(TASK, json=_new_task(), headers=editor).status_code == 428
    assert client.patch(TASK, content="{}", headers={**editor, **MERGE}).status_code == 428
    assert client.delete(TASK, headers=editor).status_code == 428


def test_a_stale_etag_is_412_carrying_the_current_one(
    client: TestClient, editor: dict[str, str]
) -> None:
    tag = _etag(client, TASK)
    first = client.patch(
        TASK, content='{"text": "Một"}', headers={**editor, **MERGE, "If-Match": tag}
    )
    assert first.status_code == 200, first.text
    second = client.patch(
        TASK, content='{"text": "Hai"}', headers={**editor, **MERGE, "If-Match": tag}
    )
    assert second.status_code == 412
    assert second.json()["current_etag"] == second.headers["etag"] == first.headers["etag"]
    assert client.get(TASK).json()["text"] == "Một"


def test_a_weak_or_compressed_etag_is_judged_by_its_version(
    client: TestClient, editor: dict[str, str]
) -> None:
    tag = _etag(client, TASK)
    weak = client.patch(
        TASK, content='{"text": "Một"}', headers={**editor, **MERGE, "If-Match": f"W/{tag}"}
    )
    assert weak.status_code == 412  # If-Match compares strongly (RFC 9110 §13.1.1)
    compressed = tag[:-1] + '-gzip"'
    ok = client.patch(
        TASK, content='{"text": "Một"}', headers={**editor, **MERGE, "If-Match": compressed}
    )
    assert ok.status_code == 200


def test_the_etag_of_a_get_in_english_is_accepted_too(
    client: TestClient, editor: dict[str, str]
) -> None:
    url = "/api/v1/statistics/bac-giang-party-members-admitted-2020-2023"
    tag = client.get(url, params={"lang": "en"}).headers["etag"]
    response = client.patch(
        url, content='{"as_of_text": null}', headers={**editor, **MERGE, "If-Match": tag}
    )
    assert response.status_code == 200, response.text


# --- merge patch and put ------------------------------------------------------------------


def test_merge_patch_null_removes_an_optional_field(
    client: TestClient, editor: dict[str, str]
) -> None:
    url = "/api/v1/terms/bac-giang-2020-2025"
    assert client.get(url).json()["motto"] == "3 dám, 3 hơn, 5 rõ"
    response = client.patch(
        url, content='{"motto": null}', headers={**editor, **MERGE, "If-Match": _etag(client, url)}
    )
    assert response.status_code == 200, response.text
    assert response.json()["motto"] is None
    assert client.get(url).json()["motto"] is None


def test_merge_patch_null_on_a_required_field_is_422(
    client: TestClient, editor: dict[str, str]
) -> None:
    response = client.patch(
        TASK, content='{"text": null}', headers={**editor, **MERGE, "If-Match": _etag(client, TASK)}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/text"


def test_put_replaces_and_keeps_the_position(client: TestClient, editor: dict[str, str]) -> None:
    body = _new_task(id="bac-giang-2025-2030-task-1", text="Văn bản mới")
    response = client.put(TASK, json=body, headers={**editor, "If-Match": _etag(client, TASK)})
    assert response.status_code == 200, response.text
    assert response.json()["position"] == 1
    assert (
        response.json()["sources"][0]["quote"] == "nâng cao thứ hạng các chỉ số cải cách hành chính"
    )


def test_a_document_text_cannot_change(client: TestClient, editor: dict[str, str]) -> None:
    url = f"/api/v1/documents/{DOC}"
    response = client.patch(
        url, content='{"text": "Khác"}', headers={**editor, **MERGE, "If-Match": _etag(client, url)}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/text"
    title = client.patch(
        url,
        content='{"photo_credit": "Đồng Thúy/TTXVN"}',
        headers={**editor, **MERGE, "If-Match": _etag(client, url)},
    )
    assert title.status_code == 200, title.text


# --- retire, history, revert --------------------------------------------------------------


def test_a_retired_record_answers_410_and_leaves_every_read(
    client: TestClient, editor: dict[str, str]
) -> None:
    url = "/api/v1/solutions/bac-giang-2025-2030-solution-2"
    text_before = client.get(url).json()["text"]
    assert client.delete(url, headers={**editor, "If-Match": _etag(client, url)}).status_code == 204
    assert client.get(url).status_code == 410
    assert client.get(url).headers["content-type"] == "application/problem+json"
    ids = [s["id"] for s in client.get("/api/v1/solutions?limit=500").json()["items"]]
    assert "bac-giang-2025-2030-solution-2" not in ids
    summary_ids = [s["id"] for s in client.get(TERM).json()["solutions"]]
    assert "bac-giang-2025-2030-solution-2" not in summary_ids
    hits = client.get("/api/v1/search", params={"q": text_before[:40]}).json()["items"]
    assert "bac-giang-2025-2030-solution-2" not in [h["id"] for h in hits]
    assert text_before[:30] not in client.get("/embed/terms/bac-giang-2025-2030").text
    history = client.get(f"{url}/history").json()
    assert [c["operation"] for c in history["items"]][-1] == "retire"
    assert history["items"][-1]["actor"] == "press-office"
    assert history["items"][-1]["after"] is None


def test_a_record_others_refer_to_cannot_be_retired(
    client: TestClient, editor: dict[str, str]
) -> None:
    url = "/api/v1/terms/bac-giang-2025-2030"
    response = client.delete(url, headers={**editor, "If-Match": _etag(client, url)})
    assert response.status_code == 409
    assert "tasks/bac-giang-2025-2030-task-1" in response.json()["detail"]


def test_revert_restores_the_before_state_as_a_new_change(
    client: TestClient, editor: dict[str, str], admin: dict[str, str]
) -> None:
    original = client.get(TASK).json()
    client.patch(
        TASK,
        content='{"text": "Sửa nhầm"}',
        headers={**editor, **MERGE, "If-Match": _etag(client, TASK)},
    )
    change = client.get(f"{TASK}/history").json()["items"][-1]
    assert change["before"]["text"] == original["text"]
    response = client.post(f"/api/v1/changes/{change['n']}/revert", headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["operation"] == "revert"
    assert response.json()["reverts"] == change["n"]
    assert response.json()["actor"] == "data-desk"
    assert client.get(TASK).json()["text"] == original["text"]
    operations = [c["operation"] for c in client.get(f"{TASK}/history").json()["items"]]
    assert operations[-2:] == ["update", "revert"]


def test_reverting_a_retirement_brings_the_record_back(
    client: TestClient, editor: dict[str, str], admin: dict[str, str]
) -> None:
    url = "/api/v1/limitations/bac-giang-2020-2025-limitation-1"
    client.delete(url, headers={**editor, "If-Match": _etag(client, url)})
    retire = client.get(f"{url}/history").json()["items"][-1]
    assert client.post(f"/api/v1/changes/{retire['n']}/revert", headers=admin).status_code == 201
    assert client.get(url).status_code == 200


def test_changes_since_a_revision_and_updated_since_follow_a_write(
    client: TestClient, editor: dict[str, str]
) -> None:
    revision = _revision(client)
    client.patch(
        TASK,
        content='{"text": "Một"}',
        headers={**editor, **MERGE, "If-Match": _etag(client, TASK)},
    )
    changes = client.get("/api/v1/changes", params={"since": revision}).json()
    assert [(c["kind"], c["record_id"]) for c in changes["items"]] == [
        ("key_task", "bac-giang-2025-2030-task-1")
    ]
    at = changes["items"][0]["at"]
    recent = client.get("/api/v1/tasks", params={"updated_since": at}).json()
    assert [t["id"] for t in recent["items"]] == ["bac-giang-2025-2030-task-1"]
    feed = ET.fromstring(client.get("/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    newest = feed.find(f"{atom}entry")
    assert newest is not None
    assert newest.findtext(f"{atom}author/{atom}name") == "press-office"
    assert client.get("/api/v1").json()["feed"].endswith("/feed.atom")


# --- the seed run and the API -------------------------------------------------------------


def test_a_seed_run_keeps_what_an_editor_changed_unless_forced(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    client.patch(
        TASK,
        content='{"text": "Biên tập"}',
        headers={**editor, **MERGE, "If-Match": _etag(client, TASK)},
    )
    report = write_dataset(session, read_dataset(seed_files(SEED_DIR)))
    assert report.edited == ["tasks/bac-giang-2025-2030-task-1"]
    assert client.get(TASK).json()["text"] == "Biên tập"
    forced = write_dataset(session, read_dataset(seed_files(SEED_DIR)), force=True)
    assert forced.updated == 1
    assert client.get(TASK).json()["text"] != "Biên tập"
    assert client.get(f"{TASK}/history").json()["items"][-1]["actor"] == "seed"


# --- imports ------------------------------------------------------------------------------


def test_an_import_dry_run_reports_and_writes_nothing(
    client: TestClient, editor: dict[str, str]
) -> None:
    before = _revision(client)
    response = client.post(
        "/api/v1/imports?dry_run=true",
        content=MADE_UP.read_bytes(),
        headers={**editor, "Content-Type": "application/toml"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["dry_run"] is True
    assert len(result["created"]) == 16
    assert "tasks/test-lam-son-2025-2030-task-2" in result["created"]
    assert result["updated"] == result["unchanged"] == []
    assert _revision(client) == before
    assert client.get("/api/v1/terms/test-lam-son-2025-2030").status_code == 404


def test_an_import_of_a_new_article_gives_a_whole_summary_and_card(
    client: TestClient, editor: dict[str, str]
) -> None:
    before = _revision(client)
    seed = tomllib.loads(MADE_UP.read_text(encoding="utf-8"))
    response = client.post("/api/v1/imports", json=seed, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["revision"] == before + 1 == _revision(client)
    summary = client.get("/api/v1/terms/test-lam-son-2025-2030").json()
    assert summary["covers"] == ["test-lam-son-2025-2030", "test-lam-son-2020-2025"]
    assert [t["position"] for t in summary["key_tasks"]] == [1, 2, 3]
    statistics = [s for group in summary["statistics"] for s in group["items"]]
    admitted = next(s for s in statistics if s["key"] == "party-members-admitted")
    assert (admitted["value"], admitted["qualifier"]) == (1200, "more_than")
    assert summary["conference"]["year"] is None and summary["conference"]["day"] == 12
    assert {p["id"] for p in summary["people"]} == {"test-tran-minh-khoa", "test-pham-thu-ha"}
    assert [d["id"] for d in summary["documents"]] == ["test-tinh-uy-lam-son-hoi-nghi"]
    card = client.get("/embed/terms/test-lam-son-2025-2030")
    assert card.status_code == 200
    assert "Nâng cao chất lượng sinh hoạt chi bộ" in card.text
    assert "Trần Minh Khoa" in card.text
    again = client.post("/api/v1/imports", json=seed, headers=editor).json()
    assert again["created"] == [] and len(again["unchanged"]) == 16
    assert _revision(client) == before + 1


def test_an_import_with_a_bad_quote_points_into_the_file_and_writes_nothing(
    client: TestClient, editor: dict[str, str]
) -> None:
    seed = tomllib.loads(MADE_UP.read_text(encoding="utf-8"))
    seed["key_tasks"][1]["sources"][0]["quote"] = "một câu không có trong bài"
    response = client.post("/api/v1/imports", json=seed, headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/key_tasks/1/sources/0/quote"
    assert client.get("/api/v1/terms/test-lam-son-2025-2030").status_code == 404


def test_an_import_may_not_name_a_file_on_the_server(
    client: TestClient, editor: dict[str, str]
) -> None:
    seed = tomllib.loads(MADE_UP.read_text(encoding="utf-8"))
    del seed["documents"][0]["text"]
    seed["documents"][0]["file"] = "../../etc/passwd"
    response = client.post("/api/v1/imports", json=seed, headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/documents/0/file"


def test_malformed_toml_is_400(client: TestClient, editor: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/imports",
        content=b"[[documents]]\nid = \n",
        headers={**editor, "Content-Type": "application/toml"},
    )
    assert response.status_code == 400
    assert "line 2" in response.json()["detail"]


def test_a_nul_character_anywhere_in_a_body_is_422(
    client: TestClient, editor: dict[str, str]
) -> None:
    body = {**_new_task(), "sources": [{"document": DOC, "quote": "Bắc\u0000 Giang"}]}
    response = client.post("/api/v1/tasks", json=body, headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/sources/0/quote"
    organization = {"id": "x", "name": "X", "classification": "y", "area_id": "\u0000"}
    response = client.post(
        "/api/v1/organizations", json={**organization, "sources": []}, headers=editor
    )
    assert response.status_code == 422


def test_a_document_over_http_gives_its_text_inline_and_quotes_with_words(
    client: TestClient, editor: dict[str, str]
) -> None:
    document = {
        "id": "test-doc",
        "title": "Tin",
        "file": "/etc/passwd",
        "sources": [{"quote": "x"}],
    }
    response = client.post("/api/v1/documents", json=document, headers=editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/file"
    response = client.post(
        "/api/v1/tasks", json=_new_task(sources=[{"document": DOC, "quote": " "}]), headers=editor
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/sources/0/quote"
