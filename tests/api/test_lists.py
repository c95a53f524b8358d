"""Paging, Link headers, CSV and parameter bounds, shared by every list."""

import csv
import io

import pytest
from fastapi.testclient import TestClient

LISTS = [
    "terms",
    "tasks",
    "solutions",
    "achievements",
    "limitations",
    "directives",
    "statistics",
    "people",
    "organizations",
    "events",
    "documents",
]


def _links(header: str) -> dict[str, str]:
    links = {}
    for part in header.split(", "):
        target, rel = part.split("; ")
        links[rel.removeprefix('rel="').removesuffix('"')] = target.strip("<>")
    return links


def test_pages_walk_the_whole_list_without_gaps_or_repeats(client: TestClient) -> None:
    whole = [i["id"] for i in client.get("/api/v1/achievements").json()["items"]]
    walked: list[str] = []
    url: str | None = "/api/v1/achievements?limit=4"
    while url:
        response = client.get(url)
        body = response.json()
        assert (body["limit"], body["total"]) == (4, 6)
        walked += [i["id"] for i in body["items"]]
        url = _links(response.headers["link"]).get("next")
    assert walked == whole


def test_link_header_has_first_prev_next_last(client: TestClient) -> None:
    response = client.get(
        "/api/v1/achievements", params={"limit": 2, "offset": 2, "term": "bac-giang-2020-2025"}
    )
    links = _links(response.headers["link"])
    assert set(links) == {"first", "prev", "next", "last"}
    assert links["next"] == (
        "http://testserver/api/v1/achievements?term=bac-giang-2020-2025&limit=2&offset=4"
    )
    assert links["prev"].endswith("offset=0") and links["last"].endswith("offset=4")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "x"}])
def test_out_of_range_paging_is_a_422_problem_with_a_pointer(
    client: TestClient, params: dict[str, int | str]
) -> None:
    response = client.get("/api/v1/tasks", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == f"#/query/{next(iter(params))}"


@pytest.mark.parametrize("path", LISTS)
def test_every_list_answers_csv_with_a_header_row(client: TestClient, path: str) -> None:
    json_body = client.get(f"/api/v1/{path}").json()
    response = client.get(f"/api/v1/{path}", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["id"] for row in rows] == [item["id"] for item in json_body["items"]]
    assert "sources.quote" in rows[0]


def test_csv_flattens_posts_and_keeps_vietnamese(client: TestClient) -> None:
    response = client.get("/api/v1/people", params={"format": "csv"})
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert rows["le-anh-duong"]["name"] == "Lê Ánh Dương"
    assert rows["le-anh-duong"]["posts.role"] == "Phó Bí thư Tỉnh ủy | Chủ tịch UBND tỉnh"


def test_csv_bom_only_when_asked(client: TestClient) -> None:
    plain = client.get("/api/v1/tasks", params={"format": "csv"}).content
    bom = client.get("/api/v1/tasks", params={"format": "csv", "bom": "true"}).content
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert bom == b"\xef\xbb\xbf" + plain


def test_csv_of_an_empty_page_still_has_the_header(client: TestClient) -> None:
    response = client.get("/api/v1/tasks", params={"format": "csv", "offset": 100})
    assert response.text.splitlines()[0].startswith(
        "created_at,updated_at,revision,term_id,position,text,id"
    )
    assert len(response.text.splitlines()) == 1
