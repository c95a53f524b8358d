"""GET /api/v1/{collection}/{id}/annotations: a record's citations as W3C Web Annotations.

Runs on a committed database of its own (a retired record needs a real write), served as
deployed."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import make_engine, write_session
from app.downloads.formats import annotations
from app.editing import commands
from app.editing.commands import IfMatch
from app.editing.kinds import BY_COLLECTION
from app.main import create_app
from tests.test_caching import committed_database, environment

ANY = IfMatch(frozenset(), any_version=True)
TASK = "bac-giang-2025-2030-task-1"
RETIRED = "bac-giang-2025-2030-task-2"
LD_JSON = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committed_database(tmp_path_factory.mktemp("annotations")) as url:
        engine = make_engine(url)
        with write_session(engine) as session, session.begin():
            commands.retire(session, "editor", BY_COLLECTION["tasks"], RETIRED, ANY)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def client(database: str) -> Iterator[TestClient]:
    with environment(DATABASE_URL=database), TestClient(create_app()) as client:
        yield client


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    return body["first"]["items"] if body["total"] else []


def test_key_task_annotations_select_its_quotes(client: TestClient) -> None:
    response = client.get(f"/api/v1/tasks/{TASK}/annotations")
    assert response.status_code == 200
    assert response.headers["content-type"] == LD_JSON
    assert response.headers["etag"]
    body = response.json()
    url = f"http://testserver/api/v1/tasks/{TASK}"
    assert body["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert (body["type"], body["id"]) == ("AnnotationCollection", f"{url}/annotations")
    sources = client.get(f"/api/v1/tasks/{TASK}").json()["sources"]
    items = _items(body)
    assert body["total"] == len(items) == len(sources) > 0
    for position, (item, source) in enumerate(zip(items, sources, strict=True), start=1):
        assert item["id"] == f"{url}/annotations#{position}"
        assert item["motivation"] == "describing"
        assert item["body"]["id"] == url and item["body"]["schema:additionalType"] == "key_task"
        target = item["target"]
        text = client.get(target["source"].removeprefix("http://testserver")).text
        assert target["source"].endswith(f"/api/v1/documents/{source['document']}/text")
        quote, place = target["selector"]
        assert (place["start"], place["end"]) == (source["start"], source["end"])
        assert quote["exact"] == source["quote"] == text[place["start"] : place["end"]]
        assert quote["prefix"] == text[place["start"] - 32 : place["start"]]
        assert quote["suffix"] == text[place["end"] : place["end"] + 32]


def test_every_collection_answers_with_one_annotation_per_source(client: TestClient) -> None:
    for collection in BY_COLLECTION:
        listed = client.get(f"/api/v1/{collection}", params={"limit": 500}).json()["items"]
        assert listed, collection
        for item in listed:
            response = client.get(f"/api/v1/{collection}/{item['id']}/annotations")
            assert response.status_code == 200, (collection, item["id"])
            assert response.json()["total"] == len(item["sources"]), (collection, item["id"])


def test_the_route_serves_the_same_annotations_as_the_download(
    client: TestClient, database: str, tmp_path: Path
) -> None:
    engine = make_engine(database)
    with Session(engine) as session, session.begin():
        annotations.build(session, tmp_path / "all.jsonld", base_url="http://testserver")
    engine.dispose()
    whole = json.loads((tmp_path / "all.jsonld").read_text())["first"]["items"]
    mine = [item for item in whole if item["body"]["id"].endswith(f"/tasks/{TASK}")]
    assert mine == _items(client.get(f"/api/v1/tasks/{TASK}/annotations").json())


def test_unknown_record_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/tasks/no-such-task/annotations")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_retired_record_is_410(client: TestClient) -> None:
    assert client.get(f"/api/v1/tasks/{RETIRED}").status_code == 410
    response = client.get(f"/api/v1/tasks/{RETIRED}/annotations")
    assert response.status_code == 410
    assert response.headers["content-type"] == "application/problem+json"
    assert RETIRED in response.json()["detail"]


def test_unknown_collection_or_bad_id_is_422(client: TestClient) -> None:
    response = client.get(f"/api/v1/nothing/{TASK}/annotations")
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/path/collection"
    assert client.get("/api/v1/tasks/Not%20A%20Slug/annotations").status_code == 422


def test_the_route_shadows_no_other_route(client: TestClient) -> None:
    assert client.get(f"/api/v1/tasks/{TASK}/history").status_code == 200
    assert client.get("/api/v1/documents/ttxvn-bac-giang-xay-dung-dang/text").status_code == 200
    assert client.get(f"/api/v1/tasks/{TASK}").status_code == 200


def test_openapi_documents_the_collections_and_answers(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][
        "/api/v1/{collection}/{record_id}/annotations"
    ]["get"]
    collection = next(p for p in operation["parameters"] if p["name"] == "collection")
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AnnotatedCollection"]
    assert collection["schema"]["$ref"].endswith("/AnnotatedCollection")
    assert set(schema["enum"]) == set(BY_COLLECTION)
    assert list(operation["responses"]["200"]["content"]) == [LD_JSON]
    assert {"404", "410", "422"} <= set(operation["responses"])
