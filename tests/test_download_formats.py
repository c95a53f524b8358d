"""The whole-dataset files: the Frictionless Data Package, the JSON-LD graph and the W3C Web
Annotations, built from a committed database in which an editor has changed one record and
retired another, and checked against the API that serves the same database."""

import csv
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import frictionless
import pytest
from fastapi.testclient import TestClient
from pyld import jsonld
from sqlmodel import Session

from app.db import make_engine, write_session
from app.downloads.formats import annotations, datapackage
from app.downloads.formats import jsonld as jsonld_format
from app.editing import commands
from app.editing.commands import IfMatch
from app.editing.kinds import BY_COLLECTION, BY_SUBJECT
from app.main import create_app
from app.models import SubjectKind, TokenScope
from tests.conftest import POSTGRES_URL, issue_token, token_fragments
from tests.test_caching import committed_database, environment

BASE = "http://testserver"  # the TestClient's origin, so the files' URLs are the client's
ANY = IfMatch(frozenset(), any_version=True)
EDITOR = "zz-canary-editor-0f3a9c"  # a token name (and so a history actor) found nowhere else
MEMBERSHIP = "le-anh-duong-chu-tich-ubnd-tinh"
OLD_ROLE_EN = "Chairman of the Provincial People's Committee"
NEW_ROLE_EN = "Chair of the Provincial People's Committee"
RETIRED = "bac-giang-2025-2030-task-2"
TABLE_OF_COLLECTION = {
    "areas": "areas",
    "organizations": "organizations",
    "people": "people",
    "memberships": "memberships",
    "terms": "terms",
    "events": "events",
    "tasks": "key_tasks",
    "solutions": "solutions",
    "achievements": "achievements",
    "limitations": "limitations",
    "directives": "directives",
    "statistics": "statistics",
    "documents": "documents",
}


class Builder(Protocol):
    def __call__(self, session: Session, target: Path, *, base_url: str) -> None: ...


FORMATS: dict[str, tuple[Builder, str]] = {
    "datapackage": (datapackage.build, ".datapackage.zip"),
    "jsonld": (jsonld_format.build, ".jsonld"),
    "annotations": (annotations.build, ".annotations.jsonld"),
}


@dataclass
class Built:
    url: str
    folder: Path
    files: dict[str, Path]
    secret: str
    seconds: dict[str, float]


def build(url: str, name: str, target: Path) -> float:
    """Builds one file as the downloads do: one snapshot of the database."""
    builder, _suffix = FORMATS[name]
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            if POSTGRES_URL is not None:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            started = time.perf_counter()
            builder(session, target, base_url=BASE)
            return time.perf_counter() - started
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp("downloads")
    with committed_database(folder) as url:
        engine = make_engine(url)
        with write_session(engine) as session, session.begin():
            secret = issue_token(session, EDITOR, TokenScope.edit)
            memberships = BY_COLLECTION["memberships"]
            commands.patch(session, EDITOR, memberships, MEMBERSHIP, {"role_en": NEW_ROLE_EN}, ANY)
            commands.retire(session, EDITOR, BY_COLLECTION["tasks"], RETIRED, ANY)
        engine.dispose()
        files: dict[str, Path] = {}
        seconds: dict[str, float] = {}
        for name, (_builder, suffix) in FORMATS.items():
            files[name] = folder / f"congress{suffix}"
            seconds[name] = build(url, name, files[name])
        yield Built(url, folder, files, secret, seconds)


@pytest.fixture(scope="module")
def api(built: Built) -> Iterator[TestClient]:
    with environment(DATABASE_URL=built.url), TestClient(create_app()) as client:
        yield client


def _everything(client: TestClient, collection: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(f"/api/v1/{collection}", params={"limit": 500, "offset": len(items)})
        assert page.status_code == 200
        body = page.json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items


def _api_citations(client: TestClient) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every record's sources as the API serves them, by (kind, id)."""
    return {
        (BY_COLLECTION[collection].subject.value, item["id"]): item["sources"]
        for collection in TABLE_OF_COLLECTION
        for item in _everything(client, collection)
    }


def _zip_texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def _csv_rows(path: Path, table: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        content = archive.read(f"data/{table}.csv").decode()
    return list(csv.DictReader(io.StringIO(content, newline="")))


def _all_text(built: Built) -> str:
    texts = [built.files["jsonld"].read_text(), built.files["annotations"].read_text()]
    texts += _zip_texts(built.files["datapackage"]).values()
    return "\n".join(texts)


def _annotation_items(built: Built) -> list[dict[str, Any]]:
    document = json.loads(built.files["annotations"].read_text())
    items: list[dict[str, Any]] = document["first"]["items"]
    return items


def _text_of(client: TestClient, url: str, cache: dict[str, str]) -> str:
    if url not in cache:
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        cache[url] = response.text
    return cache[url]


# --- every builder writes its file ----------------------------------------------------------


def test_each_builder_writes_one_file(built: Built) -> None:
    for name, path in built.files.items():
        assert path.is_file() and path.stat().st_size > 1000, name
    assert zipfile.is_zipfile(built.files["datapackage"])
    for name in ("jsonld", "annotations"):
        json.loads(built.files[name].read_text(encoding="utf-8"))
    print(
        "built:",
        ", ".join(
            f"{name} {built.seconds[name]:.3f}s {path.stat().st_size} bytes"
            for name, path in built.files.items()
        ),
    )


def test_the_same_data_builds_the_same_bytes(built: Built) -> None:
    for name in FORMATS:
        again = built.folder / f"again-{built.files[name].name}"
        build(built.url, name, again)
        assert again.read_bytes() == built.files[name].read_bytes(), name


# --- the data package -----------------------------------------------------------------------


def test_data_package_passes_frictionless_validation(built: Built) -> None:
    report = frictionless.validate(str(built.files["datapackage"]))
    assert report.valid, report.flatten(["type", "note"])
    assert report.stats["errors"] == 0 and report.stats["warnings"] == 0
    assert not report.warnings
    assert len(report.tasks) == len(datapackage.TABLE_TEXT)
    for task in report.tasks:
        assert task.valid and not task.warnings, task.name


def test_data_package_descriptor_names_license_sources_version_and_keys(
    built: Built, api: TestClient
) -> None:
    descriptor = json.loads(_zip_texts(built.files["datapackage"])["datapackage.json"])
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["title"] and descriptor["title_vi"] and descriptor["description"]
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    documents = _everything(api, "documents")
    assert descriptor["sources"] == [
        {"title": d["title"], "path": f"{BASE}/api/v1/documents/{d['id']}"} for d in documents
    ]
    revision = api.get("/api/v1").json()["dataset"]["revision"]
    assert descriptor["version"] == str(revision) and descriptor["revision"] == revision
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert list(resources) == list(datapackage.TABLE_TEXT)
    for resource in resources.values():
        assert resource["title"] and resource["title_vi"] and resource["description"]
        assert resource["schema"]["missingValues"] == [""]
        for field in resource["schema"]["fields"]:
            assert field["title"] and field["title_vi"] and field["description"], field
    assert _foreign_key("term_id", "terms") in resources["key_tasks"]["schema"]["foreignKeys"]
    assert (
        _foreign_key("document_id", "documents")
        in (resources["citations"]["schema"]["foreignKeys"])
    )
    assert resources["citations"]["schema"]["primaryKey"] == [
        "subject_kind",
        "subject_id",
        "position",
    ]
    types = {f["name"]: f["type"] for f in resources["statistics"]["schema"]["fields"]}
    assert types["value"] == "number" and types["position"] == "integer"
    assert types["updated_at"] == "datetime" and types["key"] == "string"


def _foreign_key(column: str, resource: str) -> dict[str, Any]:
    return {"fields": [column], "reference": {"resource": resource, "fields": ["id"]}}


def test_data_package_rows_equal_the_api_totals(built: Built, api: TestClient) -> None:
    for collection, table in TABLE_OF_COLLECTION.items():
        total = api.get(f"/api/v1/{collection}", params={"limit": 1}).json()["total"]
        assert len(_csv_rows(built.files["datapackage"], table)) == total, collection
    chairs = sum(len(event["chairs"]) for event in _everything(api, "events"))
    assert len(_csv_rows(built.files["datapackage"], "event_chairs")) == chairs
    cited = sum(len(sources) for sources in _api_citations(api).values())
    assert len(_csv_rows(built.files["datapackage"], "citations")) == cited


def test_data_package_values_are_the_api_values_unaltered(built: Built, api: TestClient) -> None:
    served = {item["id"]: item for item in _everything(api, "statistics")}
    english = {
        item["id"]: item["label"]
        for item in api.get("/api/v1/statistics", params={"limit": 500, "lang": "en"}).json()[
            "items"
        ]
    }
    for row in _csv_rows(built.files["datapackage"], "statistics"):
        item = served[row["id"]]
        assert (row["label_vi"], row["label_en"]) == (item["label"], english[row["id"]])
        assert row["as_of_text"] == (item["as_of_text"] or "")
        assert row["value"] == json.dumps(item["value"]) and row["updated_at"] == item["updated_at"]
    tasks = {item["id"]: item["text"] for item in _everything(api, "tasks")}
    assert {r["id"]: r["text"] for r in _csv_rows(built.files["datapackage"], "key_tasks")} == tasks
    sources = _api_citations(api)
    for row in _csv_rows(built.files["datapackage"], "citations"):
        source = sources[(row["subject_kind"], row["subject_id"])][int(row["position"]) - 1]
        assert (row["document_id"], row["quote"]) == (source["document"], source["quote"])
        assert (int(row["start"]), int(row["end"])) == (source["start"], source["end"])


def test_data_package_carries_each_document_text(built: Built, api: TestClient) -> None:
    files = _zip_texts(built.files["datapackage"])
    descriptor = json.loads(files["datapackage.json"])
    documents = _csv_rows(built.files["datapackage"], "documents")
    assert [t["document"] for t in descriptor["texts"]] == [d["id"] for d in documents]
    for document, listed in zip(documents, descriptor["texts"], strict=True):
        text = api.get(f"/api/v1/documents/{document['id']}/text").text
        assert files[document["text_path"]] == text == files[listed["path"]]
        digest = hashlib.sha256(text.encode()).hexdigest()
        assert listed["hash"] == f"sha256:{digest}" and document["sha256"] == digest
    assert "documents/<id>.txt" in files["README.md"]


# --- JSON-LD --------------------------------------------------------------------------------


def _no_remote_documents(url: str, options: dict[str, Any]) -> dict[str, Any]:
    raise AssertionError(f"the file needs no remote context, but {url} was asked for")


def test_jsonld_expands_and_has_every_record_with_its_citations(
    built: Built, api: TestClient
) -> None:
    document = json.loads(built.files["jsonld"].read_text())
    expanded = jsonld.expand(document, {"documentLoader": _no_remote_documents})
    ids = {node.get("@id") for node in expanded}
    nodes = {node["@id"]: node for node in document["@graph"] if "@id" in node}
    sources = _api_citations(api)
    for (kind, record_id), cited in sources.items():
        url = f"{BASE}/api/v1/{BY_SUBJECT[SubjectKind(kind)].collection}/{record_id}"
        assert url in ids and url in nodes, url
        quotes = nodes[url]["citation"]
        assert [q["text"] for q in quotes] == [s["quote"] for s in cited], url
        assert [q["@id"] for q in quotes] == [
            f"{BASE}/api/v1/documents/{s['document']}/text#char={s['start']},{s['end']}"
            for s in cited
        ]
    schema = "http://schema.org/"
    person = next(n for n in expanded if n["@id"] == f"{BASE}/api/v1/people/le-anh-duong")
    assert f"{schema}Person" in person["@type"]
    assert "http://www.w3.org/ns/person#Person" in person["@type"]
    post = next(n for n in expanded if n["@id"] == f"{BASE}/api/v1/memberships/{MEMBERSHIP}")
    assert "http://www.w3.org/ns/org#Membership" in post["@type"]
    assert post["http://www.w3.org/ns/org#member"] == [{"@id": person["@id"]}]
    assert {"@value": NEW_ROLE_EN, "@language": "en"} in post["http://www.w3.org/ns/org#role"]


def test_jsonld_term_lists_its_sections_by_record_url(built: Built) -> None:
    document = json.loads(built.files["jsonld"].read_text())
    nodes = {node["@id"]: node for node in document["@graph"]}
    term = nodes[f"{BASE}/api/v1/terms/bac-giang-2025-2030"]
    lists = {part["name"][1]["@value"]: part for part in term["hasPart"]}
    tasks = [element["item"]["@id"] for element in lists["Key tasks"]["itemListElement"]]
    assert tasks == [f"{BASE}/api/v1/tasks/bac-giang-2025-2030-task-1"]  # task 2 is retired
    assert all(url in nodes for part in lists.values() for url in _item_urls(part))


def _item_urls(part: dict[str, Any]) -> list[str]:
    if "itemListElement" in part:
        return [element["item"]["@id"] for element in part["itemListElement"]]
    return [measure["@id"] for measure in part["variableMeasured"]]


# --- Web Annotations ------------------------------------------------------------------------


def test_annotations_select_exactly_the_quoted_text(built: Built, api: TestClient) -> None:
    items = _annotation_items(built)
    texts: dict[str, str] = {}
    for item in items:
        target = item["target"]
        quote, position = target["selector"]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        text = _text_of(api, target["source"], texts)
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"], item["id"]
        prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
        assert prefix == text[max(0, start - 32) : start], item["id"]
        assert suffix == text[end : end + 32], item["id"]
    assert any(len(item["target"]["selector"][0].get("prefix", "")) == 32 for item in items)


def test_one_annotation_per_citation_whose_body_is_the_record(
    built: Built, api: TestClient
) -> None:
    document = json.loads(built.files["annotations"].read_text())
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    assert list(document) == ["@context", "id", "type", "label", "total", "modified", "first"]
    assert document["first"]["type"] == "AnnotationPage"
    assert document["first"]["partOf"] == document["id"]
    items = document["first"]["items"]
    sources = _api_citations(api)
    assert document["total"] == len(items) == sum(len(s) for s in sources.values())
    assert len({item["id"] for item in items}) == len(items)
    for item in items:
        assert item["type"] == "Annotation" and item["motivation"] == "describing"
        kind = item["body"]["schema:additionalType"]
        record_url = item["body"]["id"]
        record_id = record_url.rsplit("/", 1)[1]
        position = int(item["id"].rsplit("#", 1)[1])
        assert item["id"] == f"{record_url}/annotations#{position}"
        source = sources[(kind, record_id)][position - 1]
        assert item["target"]["source"] == f"{BASE}/api/v1/documents/{source['document']}/text"
        assert item["target"]["selector"][1]["start"] == source["start"]
        assert api.get(record_url.removeprefix(BASE)).status_code == 200


# Terms of the Web Annotation context (http://www.w3.org/ns/anno.jsonld) used here, and the
# compact IRIs on prefixes it defines: any other key would be dropped by a JSON-LD processor.
ANNOTATION_TERMS = {
    "@context",
    "id",
    "type",
    "label",
    "total",
    "modified",
    "first",
    "partOf",
    "startIndex",
    "items",
    "motivation",
    "rights",
    "body",
    "format",
    "target",
    "source",
    "selector",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "schema:additionalType",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_annotations_use_only_terms_of_the_annotation_context(built: Built) -> None:
    document = json.loads(built.files["annotations"].read_text())
    assert _keys(document) <= ANNOTATION_TERMS


# --- nothing private ------------------------------------------------------------------------


def test_no_token_token_name_or_history_in_any_file(built: Built) -> None:
    everything = _all_text(built)
    assert NEW_ROLE_EN in everything  # the edit is data
    assert built.secret not in everything
    assert not any(fragment in everything for fragment in token_fragments(built.secret))
    assert EDITOR not in everything
    assert OLD_ROLE_EN not in everything  # the record before the edit is history
    for private in ("api_token", "secret_sha256", '"actor"', '"before"', '"after"'):
        assert private not in everything, private


def test_a_retired_record_is_in_no_file(built: Built, api: TestClient) -> None:
    assert api.get(f"/api/v1/tasks/{RETIRED}").status_code == 410
    assert RETIRED not in _all_text(built)
    ids = [row["id"] for row in _csv_rows(built.files["datapackage"], "key_tasks")]
    assert ids == ["bac-giang-2025-2030-task-1"]
