"""The DCAT catalog national portals harvest."""

import json
from typing import Any

from fastapi.testclient import TestClient

BASE = "http://testserver"


def catalog(client: TestClient) -> dict[str, Any]:
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    parsed: dict[str, Any] = json.loads(response.text)
    return parsed


def test_catalog_is_dcat_with_one_dataset_per_term(client: TestClient) -> None:
    body = catalog(client)
    assert body["@type"] == "dcat:Catalog"
    assert body["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    terms = client.get("/api/v1/terms").json()["items"]
    identifiers = [d["dct:identifier"] for d in body["dcat:dataset"]]
    assert identifiers == [t["id"] for t in terms]


def test_dataset_has_licence_publisher_coverage_and_modified_date(client: TestClient) -> None:
    body = catalog(client)
    dataset = next(d for d in body["dcat:dataset"] if d["dct:identifier"] == "bac-giang-2020-2025")
    assert dataset["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert dataset["dct:publisher"]["foaf:name"]
    assert dataset["dct:spatial"]["skos:prefLabel"]["@value"] == "Bắc Giang"
    temporal = dataset["dct:temporal"]
    assert temporal["dcat:startDate"] == {"@value": "2020", "@type": "xsd:gYear"}
    assert temporal["dcat:endDate"] == {"@value": "2025", "@type": "xsd:gYear"}
    modified = client.get("/api/v1").json()["dataset"]["modified_at"]
    assert dataset["dct:modified"]["@type"] == "xsd:dateTime"
    assert dataset["dct:modified"]["@value"][:19] == modified[:19]
    assert dataset["dct:source"] == [
        {"@id": f"{BASE}/api/v1/documents/ttxvn-bac-giang-xay-dung-dang"}
    ]
    assert dataset["dcat:landingPage"] == {"@id": f"{BASE}/embed/terms/bac-giang-2020-2025"}


def test_distributions_are_json_and_csv_and_resolve(client: TestClient) -> None:
    for dataset in catalog(client)["dcat:dataset"]:
        media = {
            d["dcat:mediaType"]["@id"].rsplit("/", 2)[-1] for d in dataset["dcat:distribution"]
        }
        assert {"json", "csv"} <= media
        for distribution in dataset["dcat:distribution"]:
            url = distribution["dcat:downloadURL"]["@id"]
            assert url.startswith(BASE)
            response = client.get(url.removeprefix(BASE))
            assert response.status_code == 200
            if url.endswith("format=csv"):
                assert response.headers["content-type"].startswith("text/csv")
                assert len(response.text.strip().splitlines()) > 1  # never an empty file


def test_catalog_publisher_comes_from_the_setting(client: TestClient, monkeypatch: Any) -> None:
    from app.config import get_settings

    monkeypatch.setenv("CATALOG_PUBLISHER", "Sở Thông tin và Truyền thông")
    get_settings.cache_clear()
    try:
        body = catalog(client)
    finally:
        monkeypatch.delenv("CATALOG_PUBLISHER")
        get_settings.cache_clear()
    assert body["dct:publisher"]["foaf:name"] == "Sở Thông tin và Truyền thông"
