"""Source documents, and the guarantee that every served quote is its document's span."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import SEED_DIR

DOCUMENT = "ttxvn-bac-giang-xay-dung-dang"
ENDPOINTS = [
    "/api/v1/terms/bac-giang-2025-2030",
    "/api/v1/terms/bac-giang-2020-2025",
    "/api/v1/terms",
    "/api/v1/tasks",
    "/api/v1/solutions",
    "/api/v1/achievements",
    "/api/v1/limitations",
    "/api/v1/directives",
    "/api/v1/statistics",
    "/api/v1/people",
    "/api/v1/organizations",
    "/api/v1/events",
    "/api/v1/documents",
]


def _sources(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = list(value.get("sources", []))
        for key, nested in value.items():
            if key != "sources":
                found += _sources(nested)
        return found
    if isinstance(value, list):
        return [s for item in value for s in _sources(item)]
    return []


def test_document_text_is_plain_utf8_and_the_seed_copy(client: TestClient) -> None:
    response = client.get(f"/api/v1/documents/{DOCUMENT}/text")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    copy = (SEED_DIR / "documents" / "000_6a45d8c008ef75fb.txt").read_text(encoding="utf-8")
    assert response.text == copy
    assert "\xa0" in response.text


def test_every_served_quote_equals_its_document_span(client: TestClient) -> None:
    texts: dict[str, str] = {}
    checked = 0
    for endpoint in ENDPOINTS:
        for source in _sources(client.get(endpoint).json()):
            document = source["document"]
            if document not in texts:
                texts[document] = client.get(f"/api/v1/documents/{document}/text").text
            assert texts[document][source["start"] : source["end"]] == source["quote"], endpoint
            checked += 1
    assert checked > 100


def test_every_served_fact_bearing_item_has_a_source(client: TestClient) -> None:
    for endpoint in ENDPOINTS[2:]:
        for item in client.get(endpoint).json()["items"]:
            assert item["sources"], f"{endpoint}: {item['id']} has no sources"


def test_unknown_document_text_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/documents/nope/text")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_index_links_every_collection_and_names_the_revision(client: TestClient) -> None:
    body = client.get("/api/v1").json()
    assert body["dataset"]["revision"] >= 1
    for name in ("terms", "tasks", "solutions", "people", "organizations", "statistics"):
        assert body["links"][name] == f"http://testserver/api/v1/{name}"
    assert body["documents"][0]["id"] == DOCUMENT
    for link in body["links"].values():
        assert client.get(link).status_code == 200


def test_events_list_the_conference(client: TestClient) -> None:
    body = client.get("/api/v1/events", params={"term": "bac-giang-2020-2025"}).json()
    assert [e["id"] for e in body["items"]] == [
        "bac-giang-hoi-nghi-tong-ket-xay-dung-dang-2020-2025"
    ]
    assert body["items"][0]["organizer_id"] == "tinh-uy-bac-giang"
