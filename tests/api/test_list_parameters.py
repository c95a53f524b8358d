"""Strict parameters, `sort=`, `fields=` and the `links` of list bodies."""

import csv
import io
from functools import cache
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

LISTS = [
    "terms",
    "tasks",
    "solutions",
    "achievements",
    "limitations",
    "directives",
    "statistics",
    "people",
    "memberships",
    "areas",
    "organizations",
    "events",
    "documents",
]


@cache
def _document() -> dict[str, Any]:
    return create_app().openapi()


def _sort_fields(collection: str) -> list[str]:
    """The sortable fields the document declares for a list."""
    operation = _document()["paths"][f"/api/v1/{collection}"]["get"]
    (sort,) = [p for p in operation["parameters"] if p["name"] == "sort"]
    return [v for v in sort["schema"]["items"]["enum"] if not v.startswith("-")]


def _link_header(header: str) -> dict[str, str]:
    links = {}
    for part in header.split(", "):
        target, rel = part.split("; ")
        links[rel.removeprefix('rel="').removesuffix('"')] = target.strip("<>")
    return links


def test_an_unknown_parameter_is_a_400_naming_it_and_the_closest_known_one(
    client: TestClient,
) -> None:
    response = client.get("/api/v1/tasks?limt=5", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("/problems/unknown-parameter")
    assert problem["title"] == "Unknown parameter"
    assert "`limt`" in problem["detail"]
    assert "did you mean `limit`?" in problem["detail"]


def test_the_unknown_parameter_problem_is_vietnamese_in_title_and_detail(
    client: TestClient,
) -> None:
    problem = client.get("/api/v1/people?sotr=name").json()
    assert problem["title"] == "Tham số không được hỗ trợ"
    assert "có phải ý bạn là `sort`?" in problem["detail"]


def test_cards_and_oembed_ignore_parameters_they_do_not_know(client: TestClient) -> None:
    assert client.get("/embed/people/duong-van-thai?utm_source=portal").status_code == 200
    url = "http://testserver/embed/people/duong-van-thai"
    assert client.get("/oembed", params={"url": url, "_": "123"}).status_code == 200


@pytest.mark.parametrize("collection", LISTS)
def test_sort_orders_every_list_both_ways_and_pages_stably(
    client: TestClient, collection: str
) -> None:
    fields = _sort_fields(collection)
    assert fields and fields[-1] == "id"
    for field in fields:
        ascending = client.get(f"/api/v1/{collection}?sort={field}&limit=500").json()["items"]
        descending = client.get(f"/api/v1/{collection}?sort=-{field}&limit=500").json()["items"]
        assert ascending, collection
        values = [item[field] for item in ascending]
        backwards = [item[field] for item in descending]
        # Ties keep the id order both ways, so only the sorted values reverse exactly; nulls
        # come last both ways.
        known = [v for v in values if v is not None]
        assert values == known + [None] * (len(values) - len(known)), field
        assert backwards == known[::-1] + [None] * (len(values) - len(known)), field
        if field not in {"name", "title", "label"}:  # text follows the database's collation
            assert known == sorted(known), field
        walked: list[Any] = []
        for offset in range(0, len(ascending), 4):
            page = client.get(f"/api/v1/{collection}?sort=-{field}&limit=4&offset={offset}")
            walked += [item["id"] for item in page.json()["items"]]
        assert walked == [item["id"] for item in descending], field


def test_sort_breaks_ties_by_id(client: TestClient) -> None:
    items = client.get("/api/v1/tasks?sort=-term_id&limit=500").json()["items"]
    for term in {item["term_id"] for item in items}:
        ids = [item["id"] for item in items if item["term_id"] == term]
        assert ids == sorted(ids)


def test_a_field_sorted_on_again_changes_nothing(client: TestClient) -> None:
    once = client.get("/api/v1/people?sort=-name").json()["items"]
    assert client.get("/api/v1/people?sort=-name,name").json()["items"] == once


def test_sort_takes_several_fields(client: TestClient) -> None:
    items = client.get("/api/v1/statistics?sort=category,-value&limit=500").json()["items"]
    keys = [(item["category"], -item["value"]) for item in items]
    assert keys == sorted(keys)


@pytest.mark.parametrize("sort", ["nope", "-", "name,", "", "name,name"])
def test_a_bad_sort_is_a_422_pointing_at_it(client: TestClient, sort: str) -> None:
    response = client.get("/api/v1/people", params={"sort": sort})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/query/sort"


def test_fields_projects_list_items_and_always_keeps_the_id(client: TestClient) -> None:
    body = client.get("/api/v1/people?fields=name&limit=3").json()
    assert body["total"] > 3 and len(body["items"]) == 3
    assert all(set(item) == {"id", "name"} for item in body["items"])


def test_fields_projects_a_record(client: TestClient) -> None:
    first = client.get("/api/v1/statistics?limit=1").json()["items"][0]
    body = client.get(f"/api/v1/statistics/{first['id']}?fields=value,qualifier")
    assert body.json() == {k: first[k] for k in ("id", "value", "qualifier")}


def test_fields_projects_the_term_summary(client: TestClient) -> None:
    body = client.get("/api/v1/terms/bac-giang-2025-2030?fields=label,key_tasks").json()
    assert set(body) == {"id", "label", "key_tasks"}


def test_fields_chooses_the_csv_columns(client: TestClient) -> None:
    response = client.get("/api/v1/people?format=csv&fields=name,posts")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["name", "id", "posts.created_at", *rows[0][3:]]
    assert all(column.split(".")[0] in {"id", "name", "posts"} for column in rows[0])
    assert "sources.quote" not in rows[0]


def test_an_unknown_field_is_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/people?fields=name,nope")
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/query/fields"


def test_links_in_the_body_agree_with_the_link_header(client: TestClient) -> None:
    response = client.get("/api/v1/achievements?limit=2&offset=2&sort=-position")
    links = response.json()["links"]
    header = _link_header(response.headers["link"])
    assert {rel: url for rel, url in links.items() if url and rel != "self"} == header
    assert set(header) == {"first", "prev", "next", "last"}
    assert links["self"].endswith("?sort=-position&limit=2&offset=2")


def test_the_first_and_last_pages_have_no_prev_and_no_next(client: TestClient) -> None:
    first = client.get("/api/v1/achievements?limit=500").json()["links"]
    assert first["prev"] is None and first["next"] is None
    assert first["first"] == first["last"] == first["self"]


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("/api/v1/tasks?limt=5", "unknown-parameter"),
        ("/api/v1/people/nobody", "not-found"),
        ("/nowhere", "not-found"),
        ("/api/v1/people?limit=0", "invalid-parameters"),
    ],
)
def test_each_problem_type_page_resolves(client: TestClient, url: str, slug: str) -> None:
    problem = client.get(url).json()
    assert problem["type"] == f"http://testserver/problems/{slug}"
    page = client.get(problem["type"].removeprefix("http://testserver"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<section lang="vi">' in page.text and '<section lang="en">' in page.text


def test_an_unknown_problem_type_is_a_404(client: TestClient) -> None:
    assert client.get("/problems/no-such-problem").status_code == 404


def test_a_problem_with_an_english_detail_has_an_english_title(client: TestClient) -> None:
    """Most details are written in English only: the title follows them, not the
    Accept-Language, so one problem is never half Vietnamese."""
    response = client.post("/api/v1/tasks", content=b"{", headers={"Accept-Language": "vi"})
    problem = response.json()
    assert response.status_code == 401
    assert problem["title"] == "Unauthorized"
    assert response.headers["content-language"] == "en"


def test_sort_and_fields_may_also_be_repeated(client: TestClient) -> None:
    """Some generated clients send an array as the parameter repeated."""
    joined = client.get("/api/v1/statistics?sort=category,-value&fields=value,category").json()
    repeated = client.get(
        "/api/v1/statistics?sort=category&sort=-value&fields=value&fields=category"
    ).json()
    assert joined == {**repeated, "links": joined["links"]}


@pytest.mark.parametrize("url", ["/api/v1/changes", "/api/v1/people/duong-van-thai/history"])
def test_the_history_lists_sort_by_number_both_ways(client: TestClient, url: str) -> None:
    oldest_first = [c["n"] for c in client.get(f"{url}?limit=500").json()["items"]]
    newest_first = [c["n"] for c in client.get(f"{url}?sort=-n&limit=500").json()["items"]]
    assert oldest_first == sorted(oldest_first) and oldest_first
    assert newest_first == oldest_first[::-1]
    assert [c["n"] for c in client.get(f"{url}?sort=n&limit=500").json()["items"]] == (oldest_first)


@pytest.mark.parametrize(
    ("since", "everything"),
    [("0001-01-01T00:00:02+01:00", True), ("9999-12-31T23:59:59-01:00", False)],
)
def test_updated_since_beyond_the_first_or_last_utc_time_is_not_an_error(
    client: TestClient, since: str, everything: bool
) -> None:
    """Such a time has no UTC equivalent; it is before (or after) every record."""
    response = client.get("/api/v1/terms", params={"updated_since": since})
    assert response.status_code == 200, response.text
    assert (response.json()["total"] > 0) is everything
