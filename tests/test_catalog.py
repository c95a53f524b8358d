"""The DCAT catalog national portals harvest.

It lists the downloads, which are built from the database in DATABASE_URL: these tests run on a
committed database of their own, as a deployment does, with the downloads in a folder of their
own."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.api.deps import MAX_LIMIT
from app.db import make_engine
from app.downloads.registry import DISTRIBUTIONS
from app.main import create_app
from app.models import Term, TermStatus
from tests.test_caching import committed_database, environment

BASE = "http://testserver"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committed_database(tmp_path_factory.mktemp("catalog")) as url:
        yield url


@pytest.fixture
def client(database: str, tmp_path: Path) -> Iterator[TestClient]:
    with (
        environment(DATABASE_URL=database, DOWNLOADS_DIR=str(tmp_path / "downloads")),
        TestClient(create_app()) as client,
    ):
        yield client


def catalog(client: TestClient) -> dict[str, Any]:
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    parsed: dict[str, Any] = json.loads(response.text)
    return parsed


def term_datasets(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in body["dcat:dataset"] if "dct:isPartOf" in d]


def whole_dataset(body: dict[str, Any]) -> dict[str, Any]:
    wholes: list[dict[str, Any]] = [d for d in body["dcat:dataset"] if "dct:isPartOf" not in d]
    assert len(wholes) == 1
    return wholes[0]


def test_catalog_is_dcat_with_the_whole_dataset_and_one_dataset_per_term(
    client: TestClient,
) -> None:
    body = catalog(client)
    assert body["@type"] == "dcat:Catalog"
    assert body["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert body["@context"]["spdx"] == "http://spdx.org/rdf/terms#"
    terms = client.get("/api/v1/terms").json()["items"]
    parts = term_datasets(body)
    assert [d["dct:identifier"] for d in parts] == [t["id"] for t in terms]
    whole = whole_dataset(body)
    assert whole["dct:hasPart"] == [{"@id": d["@id"]} for d in parts]
    assert all(d["dct:isPartOf"] == {"@id": whole["@id"]} for d in parts)
    revision = client.get("/api/v1").json()["dataset"]["revision"]
    assert whole["dcat:version"] == str(revision)


def test_dataset_has_licence_publisher_coverage_and_modified_date(client: TestClient) -> None:
    body = catalog(client)
    dataset = next(d for d in term_datasets(body) if d["dct:identifier"] == "bac-giang-2020-2025")
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


def test_terms_keep_their_whole_summaries_and_no_paged_csv(client: TestClient) -> None:
    for dataset in term_datasets(catalog(client)):
        media = [
            d["dcat:mediaType"]["@id"].rsplit("/", 2)[-1] for d in dataset["dcat:distribution"]
        ]
        assert media == ["json", "ld+json"]
        for distribution in dataset["dcat:distribution"]:
            url = distribution["dcat:downloadURL"]["@id"]
            assert url == f"{BASE}/api/v1/terms/{dataset['dct:identifier']}"
            assert "format=csv" not in url and "limit" not in url
            assert client.get(url.removeprefix(BASE)).status_code == 200


def test_the_downloads_are_distributions_with_size_checksum_type_and_date(
    client: TestClient,
) -> None:
    body = catalog(client)
    whole = whole_dataset(body)
    distributions = whole["dcat:distribution"]
    listed = client.get("/api/v1/downloads").json()
    assert len(distributions) == len(DISTRIBUTIONS) == len(listed["items"])
    for distribution, item in zip(distributions, listed["items"], strict=True):
        assert distribution["@type"] == "dcat:Distribution"
        url = distribution["dcat:downloadURL"]["@id"]
        assert url == item["url"] and url.startswith(f"{BASE}/downloads/congress-r")
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        assert distribution["dcat:byteSize"] == {
            "@value": str(len(response.content)),
            "@type": "xsd:nonNegativeInteger",
        }
        checksum = distribution["spdx:checksum"]
        assert checksum["spdx:algorithm"] == {"@id": "spdx:checksumAlgorithm_sha256"}
        assert checksum["spdx:checksumValue"]["@value"] == (
            hashlib.sha256(response.content).hexdigest()
        )
        media_type = response.headers["content-type"].split(";")[0]
        assert distribution["dcat:mediaType"] == {
            "@id": f"https://www.iana.org/assignments/media-types/{media_type}"
        }
        assert distribution["dct:modified"]["@value"][:19] == listed["modified"][:19]
        assert distribution["dcat:accessURL"] == {"@id": f"{BASE}/api/v1/downloads"}


def test_catalog_publisher_comes_from_the_setting(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_PUBLISHER", "Sở Thông tin và Truyền thông")
    with (
        environment(DATABASE_URL=database, DOWNLOADS_DIR=str(tmp_path)),
        TestClient(create_app()) as client,
    ):
        body = catalog(client)
    assert body["dct:publisher"]["foaf:name"] == "Sở Thông tin và Truyền thông"


def test_the_catalog_lists_every_term_past_a_page_of_a_list(tmp_path: Path) -> None:
    """A harvester reads the catalog whole: it once listed the first MAX_LIMIT terms only."""
    with committed_database(tmp_path) as url:
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            organization = session.exec(select(Term.organization_id)).first()
            assert organization is not None
            now = datetime.now(UTC)
            session.add_all(
                Term(
                    id=f"extra-{i:03d}",
                    organization_id=organization,
                    label="nhiệm kỳ 2000 - 2005",
                    start_year=2000,
                    end_year=2005,
                    status=TermStatus.reviewed,
                    revision=1,
                    created_at=now,
                    updated_at=now,
                )
                for i in range(MAX_LIMIT)
            )
        engine.dispose()
        with (
            environment(DATABASE_URL=url, DOWNLOADS_DIR=str(tmp_path / "downloads")),
            TestClient(create_app()) as client,
        ):
            identifiers = {d["dct:identifier"] for d in term_datasets(catalog(client))}
    assert {f"extra-{i:03d}" for i in range(MAX_LIMIT)} < identifiers
    assert len(identifiers) == MAX_LIMIT + 2
