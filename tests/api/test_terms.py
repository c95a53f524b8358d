"""The one-call term summary and the term list."""

from fastapi.testclient import TestClient

PLANNED = "/api/v1/terms/bac-giang-2025-2030"


def test_term_list_gives_both_terms_in_start_year_order(client: TestClient) -> None:
    body = client.get("/api/v1/terms").json()
    assert [t["id"] for t in body["items"]] == ["bac-giang-2020-2025", "bac-giang-2025-2030"]
    assert body["total"] == 2
    assert [t["status"] for t in body["items"]] == ["reviewed", "planned"]


def test_planned_term_summary_has_the_whole_review_in_one_call(client: TestClient) -> None:
    response = client.get(PLANNED)
    assert response.status_code == 200
    summary = response.json()
    assert summary["covers"] == ["bac-giang-2025-2030", "bac-giang-2020-2025"]
    assert (summary["start_year"], summary["end_year"]) == (2025, 2030)
    assert summary["organization"] == {
        "id": "dang-bo-tinh-bac-giang",
        "name": "Đảng bộ tỉnh Bắc Giang",
    }
    assert summary["area"]["name"] == "Bắc Giang"
    assert [t["position"] for t in summary["key_tasks"]] == [1, 2]
    assert summary["key_tasks"][0]["text"].startswith("Tiếp tục đấu tranh ngăn chặn")
    assert [s["id"] for s in summary["solutions"]] == [
        "bac-giang-2025-2030-solution-1",
        "bac-giang-2025-2030-solution-2",
        "bac-giang-2025-2030-solution-3",
    ]
    assert len(summary["limitations"]) == 3
    assert len(summary["directives"]) == 3
    assert len(summary["achievements"]) == 6
    groups = {g["category"]: [s["key"] for s in g["items"]] for g in summary["statistics"]}
    assert groups["discipline"] == [
        "collectives-reviewed-for-shortcomings",
        "individuals-reviewed-for-shortcomings",
    ]
    assert groups["membership"] == ["party-members-admitted"]
    assert summary["documents"][0]["id"] == "ttxvn-bac-giang-xay-dung-dang"


def test_conference_keeps_the_printed_date_and_states_no_year(client: TestClient) -> None:
    conference = client.get(PLANNED).json()["conference"]
    assert conference["date_text"] == "Ngày 7/3"
    assert (conference["day"], conference["month"], conference["year"]) == (7, 3, None)
    assert conference["year_stated"] is False
    assert [c["name"] for c in conference["chairs"]] == [
        "Dương Văn Thái",
        "Lê Thị Thu Hồng",
        "Lê Ánh Dương",
    ]


def test_summary_people_appear_once_with_all_their_posts(client: TestClient) -> None:
    people = client.get(PLANNED).json()["people"]
    assert [p["id"] for p in people] == ["duong-van-thai", "le-thi-thu-hong", "le-anh-duong"]
    le_anh_duong = people[2]
    assert [post["role"] for post in le_anh_duong["posts"]] == [
        "Phó Bí thư Tỉnh ủy",
        "Chủ tịch UBND tỉnh",
    ]
    assert [post["organization_name"] for post in le_anh_duong["posts"]] == [
        "Tỉnh ủy Bắc Giang",
        "UBND tỉnh Bắc Giang",
    ]


def test_reviewed_term_summary_covers_only_itself_and_has_the_motto(client: TestClient) -> None:
    summary = client.get("/api/v1/terms/bac-giang-2020-2025").json()
    assert summary["covers"] == ["bac-giang-2020-2025"]
    assert summary["motto"] == "3 dám, 3 hơn, 5 rõ"
    assert summary["key_tasks"] == []
    assert summary["conference"]["reviewed_term_id"] == "bac-giang-2020-2025"


def test_include_trims_the_summary_comma_separated_or_repeated(client: TestClient) -> None:
    comma = client.get(PLANNED, params={"include": "key_tasks,solutions"}).json()
    repeated = client.get(
        PLANNED, params=[("include", "key_tasks"), ("include", "solutions")]
    ).json()
    assert comma == repeated
    assert "key_tasks" in comma and "solutions" in comma
    for absent in ("statistics", "people", "conference", "limitations", "documents"):
        assert absent not in comma
    assert comma["id"] == "bac-giang-2025-2030" and comma["sources"]


def test_include_with_an_unknown_section_is_a_422_problem(client: TestClient) -> None:
    response = client.get(PLANNED, params={"include": "key_tasks,gossip"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == "#/query/include"
    assert "gossip" in response.json()["errors"][0]["detail"]


def test_unknown_term_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/terms/ha-noi-2025-2030")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404 and body["instance"] == "/api/v1/terms/ha-noi-2025-2030"
    assert "ha-noi-2025-2030" in body["detail"]


def test_statistic_group_labels_follow_the_language(client: TestClient) -> None:
    vi = client.get(PLANNED, params={"include": "statistics"}).json()["statistics"]
    en = client.get(PLANNED, params={"include": "statistics", "lang": "en"}).json()["statistics"]
    assert vi[0]["label"] == "Phát triển đảng viên"
    assert en[0]["label"] == "Party membership"
    assert en[0]["items"][0]["label"] == "Party members admitted"
