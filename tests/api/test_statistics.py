"""Statistics are typed facts, never bare numbers."""

from typing import Any

from fastapi.testclient import TestClient


def _by_key(client: TestClient, **params: str) -> dict[str, dict[str, Any]]:
    items = client.get("/api/v1/statistics", params=params).json()["items"]
    return {item["key"]: item for item in items}


def test_admissions_are_more_than_8800_over_2020_to_2023(client: TestClient) -> None:
    admitted = _by_key(client)["party-members-admitted"]
    assert admitted["value"] == 8800 and admitted["qualifier"] == "more_than"
    assert (admitted["period_start"], admitted["period_end"]) == (2020, 2023)
    assert admitted["unit"] == "people"
    assert admitted["as_of_text"] == "Trong 4 năm (2020 - 2023)"
    assert "trên 8,8 nghìn đảng viên" in admitted["sources"][0]["quote"]


def test_growth_target_is_a_range_of_3_to_4_percent_a_year(client: TestClient) -> None:
    target = _by_key(client, category="target")["party-member-growth-target"]
    assert (target["value"], target["value_max"], target["qualifier"]) == (3, 4, "range")
    assert target["unit"] == "percent_per_year"


def test_discipline_category_gives_16_collectives_and_84_individuals(client: TestClient) -> None:
    discipline = _by_key(client, category="discipline")
    assert set(discipline) == {
        "collectives-reviewed-for-shortcomings",
        "individuals-reviewed-for-shortcomings",
    }
    assert discipline["collectives-reviewed-for-shortcomings"]["value"] == 16
    assert discipline["individuals-reviewed-for-shortcomings"]["value"] == 84
    assert discipline["individuals-reviewed-for-shortcomings"]["period_start"] == 2021
    assert discipline["individuals-reviewed-for-shortcomings"]["period_end"] is None


def test_secretaries_and_charter_years_are_served(client: TestClient) -> None:
    statistics = _by_key(client)
    assert statistics["secretaries-chairing-peoples-councils"]["value"] == 145
    charter = statistics["party-charter-implementation-years"]
    assert (charter["value"], charter["period_start"], charter["unit"]) == (15, 2011, "years")


def test_key_and_term_filters(client: TestClient) -> None:
    assert list(_by_key(client, key="party-members-admitted")) == ["party-members-admitted"]
    assert _by_key(client, term="bac-giang-2025-2030") == {}
    assert len(_by_key(client, term="bac-giang-2020-2025")) == 6


def test_labels_are_vietnamese_by_default_and_english_on_request(client: TestClient) -> None:
    vi = client.get("/api/v1/statistics/bac-giang-party-members-admitted-2020-2023")
    en = client.get(
        "/api/v1/statistics/bac-giang-party-members-admitted-2020-2023",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert vi.json()["label"] == "Đảng viên được kết nạp"
    assert vi.headers["content-language"] == "vi"
    assert en.json()["label"] == "Party members admitted"
    assert en.headers["content-language"] == "en"
    assert "Accept-Language" in en.headers["vary"]


def test_unknown_category_is_a_422_problem(client: TestClient) -> None:
    response = client.get("/api/v1/statistics", params={"category": "gossip"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/query/category"
