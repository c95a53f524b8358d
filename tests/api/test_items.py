"""Key tasks, solutions, achievements, limitations and directives."""

import unicodedata

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("path", "count"),
    [("tasks", 2), ("solutions", 3), ("achievements", 6), ("limitations", 3), ("directives", 3)],
)
def test_each_collection_serves_every_item_in_source_order(
    client: TestClient, path: str, count: int
) -> None:
    body = client.get(f"/api/v1/{path}").json()
    assert body["total"] == count
    assert [i["position"] for i in body["items"]] == list(range(1, count + 1))
    detail = client.get(f"/api/v1/{path}/{body['items'][0]['id']}").json()
    assert detail == body["items"][0]


def test_tasks_filtered_by_term(client: TestClient) -> None:
    assert client.get("/api/v1/tasks", params={"term": "bac-giang-2020-2025"}).json()["total"] == 0
    assert client.get("/api/v1/tasks", params={"term": "bac-giang-2025-2030"}).json()["total"] == 2


@pytest.mark.parametrize(
    "q", ["dau tranh", "ĐẤU TRANH", unicodedata.normalize("NFD", "đấu tranh"), "Đau Tranh"]
)
def test_tasks_q_ignores_case_tone_marks_and_accepts_nfd(client: TestClient, q: str) -> None:
    items = client.get("/api/v1/tasks", params={"q": q}).json()["items"]
    assert [i["id"] for i in items] == ["bac-giang-2025-2030-task-1"]


def test_solutions_q_matches_every_word(client: TestClient) -> None:
    items = client.get("/api/v1/solutions", params={"q": "tham nhung lang phi"}).json()["items"]
    assert [i["id"] for i in items] == ["bac-giang-2025-2030-solution-3"]
    assert client.get("/api/v1/solutions", params={"q": "tham nhung vu tru"}).json()["total"] == 0


def test_directives_name_their_issuer_and_addressees(client: TestClient) -> None:
    directive = client.get("/api/v1/directives/bac-giang-2020-2025-directive-1").json()
    assert directive["issuer_id"] == "duong-van-thai"
    assert directive["addressees"] == "các cấp ủy, tổ chức Đảng, cơ quan, đơn vị, địa phương"


def test_limitation_cites_the_review_and_its_own_sentence(client: TestClient) -> None:
    limitation = client.get("/api/v1/limitations/bac-giang-2020-2025-limitation-2").json()
    quotes = [s["quote"] for s in limitation["sources"]]
    assert "còn bộc lộ một số hạn chế, tồn tại" in quotes[0]
    assert "3% - 4%" in quotes[1]
