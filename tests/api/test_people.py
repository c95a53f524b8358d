"""People with their posts; organizations with their members."""

import unicodedata

from fastapi.testclient import TestClient


def test_person_with_two_posts_appears_once_with_both(client: TestClient) -> None:
    body = client.get("/api/v1/people").json()
    ids = [p["id"] for p in body["items"]]
    assert ids.count("le-anh-duong") == 1
    assert body["total"] == 4
    person = client.get("/api/v1/people/le-anh-duong").json()
    assert [(p["organization_id"], p["role"]) for p in person["posts"]] == [
        ("tinh-uy-bac-giang", "Phó Bí thư Tỉnh ủy"),
        ("ubnd-tinh-bac-giang", "Chủ tịch UBND tỉnh"),
    ]
    assert person["posts"][1]["role_en"] == "Chairman of the Provincial People's Committee"


def test_people_filtered_by_organization(client: TestClient) -> None:
    body = client.get("/api/v1/people", params={"organization": "tinh-uy-bac-giang"}).json()
    assert [p["id"] for p in body["items"]] == ["duong-van-thai", "le-anh-duong", "le-thi-thu-hong"]


def test_people_q_ignores_tone_marks_case_and_dd(client: TestClient) -> None:
    for q in ("duong van thai", "DƯƠNG VĂN THÁI", unicodedata.normalize("NFD", "Dương Văn Thái")):
        items = client.get("/api/v1/people", params={"q": q}).json()["items"]
        assert [p["id"] for p in items] == ["duong-van-thai"], q
    items = client.get("/api/v1/people", params={"q": "dong thuy"}).json()["items"]
    assert [p["id"] for p in items] == ["dong-thuy"]


def test_reporter_is_a_person_and_the_document_credits_her(client: TestClient) -> None:
    document = client.get("/api/v1/documents/ttxvn-bac-giang-xay-dung-dang").json()
    assert document["author_id"] == "dong-thuy"
    assert document["photo_credit"] == "Đồng Thúy/TXVN"
    assert document["publisher_id"] == "ttxvn"
    assert document["dateline_text"] == "Ngày 7/3"


def test_organization_lists_its_members(client: TestClient) -> None:
    organization = client.get("/api/v1/organizations/tinh-uy-bac-giang").json()
    assert organization["parent_id"] == "dang-bo-tinh-bac-giang"
    assert [m["person_name"] for m in organization["members"]] == [
        "Dương Văn Thái",
        "Lê Ánh Dương",
        "Lê Thị Thu Hồng",
    ]


def test_all_six_organizations_are_served(client: TestClient) -> None:
    body = client.get("/api/v1/organizations").json()
    assert {o["name"] for o in body["items"]} == {
        "Tỉnh ủy Bắc Giang",
        "Ban Thường vụ Tỉnh ủy Bắc Giang",
        "Đảng bộ tỉnh Bắc Giang",
        "UBND tỉnh Bắc Giang",
        "HĐND các cấp",
        "TTXVN",
    }


def test_unknown_person_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/people/nobody")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
