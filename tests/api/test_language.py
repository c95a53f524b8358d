"""`lang` is resolved once per request: the Content-Language header, the body and a problem's
title agree, whichever way the parameter is repeated."""

import pytest
from fastapi.testclient import TestClient

STATISTIC = "/api/v1/statistics/bac-giang-party-members-admitted-2020-2023"
LABELS = {"vi": "Đảng viên được kết nạp", "en": "Party members admitted"}
TITLES = {"vi": "Không tìm thấy", "en": "Not Found"}


@pytest.mark.parametrize("query", ["lang=vi&lang=en", "lang=en&lang=vi"])
def test_a_repeated_lang_gives_one_language_in_header_and_body(
    client: TestClient, query: str
) -> None:
    response = client.get(f"{STATISTIC}?{query}")
    assert response.status_code == 200
    assert response.json()["label"] == LABELS[response.headers["content-language"]]


@pytest.mark.parametrize("query", ["lang=vi&lang=en", "lang=en&lang=vi"])
def test_a_repeated_lang_gives_one_language_in_a_problem(client: TestClient, query: str) -> None:
    response = client.get(f"/api/v1/statistics/no-such-statistic?{query}")
    assert response.status_code == 404
    assert response.json()["title"] == TITLES[response.headers["content-language"]]
