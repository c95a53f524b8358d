"""The term card's leadership: the conference's chairs, then everyone holding a post in the
term's organizations (the term's own and those under it), in the order the source names them."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import TokenScope
from tests.conftest import issue_token

CARD = "/embed/terms/bac-giang-2025-2030"
DOCUMENT = "bao-moi-thu-nghiem-lanh-dao"
# Made up for this test: who is named first in the text comes first on the card.
TEXT = (
    "Tại hội nghị, Ủy viên Ban Thường vụ Tỉnh ủy Trần Văn Sau phát biểu. "
    "Tiếp đó, Trưởng Ban Tổ chức Tỉnh ủy Phạm Thị Năm trình bày báo cáo. "
    "Giám đốc Sở Thử nghiệm Hoàng Văn Bảy dự hội nghị."
)


@pytest.fixture
def editor(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(session, 'card-test', TokenScope.edit)}"}


def _post(client: TestClient, headers: dict[str, str], collection: str, body: Any) -> None:
    response = client.post(f"/api/v1/{collection}", json=body, headers=headers)
    assert response.status_code == 201, response.text


def _person_with_post(
    client: TestClient, headers: dict[str, str], slug: str, name: str, organization: str, role: str
) -> None:
    quote = [{"document": DOCUMENT, "quote": f"{role} {name}"}]
    _post(client, headers, "people", {"id": slug, "name": name, "sources": quote})
    post = {
        "id": f"{slug}-post",
        "person_id": slug,
        "organization_id": organization,
        "role": role,
        "role_en": role,
        "sources": quote,
    }
    _post(client, headers, "memberships", post)


def _leaders(client: TestClient, lang: str = "vi") -> list[str]:
    html = client.get(CARD, params={"lang": lang}).text
    section = html.split('id="h-people"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<span class="name">([^<]+)</span>', section)


def test_people_with_posts_in_the_terms_organizations_follow_the_chairs_in_source_order(
    client: TestClient, editor: dict[str, str]
) -> None:
    chairs = ["Dương Văn Thái", "Lê Thị Thu Hồng", "Lê Ánh Dương"]
    assert _leaders(client) == chairs
    document = {
        "id": DOCUMENT,
        "title": "Bài thử nghiệm",
        "text": TEXT,
        "language": "vi",
        "sources": [{"quote": "Tại hội nghị"}],
    }
    _post(client, editor, "documents", document)
    # Created in the reverse of the text's order; the Standing Committee sits two levels under
    # the term's organization (Đảng bộ tỉnh → Tỉnh ủy → Ban Thường vụ).
    _person_with_post(
        client,
        editor,
        "pham-thi-nam",
        "Phạm Thị Năm",
        "tinh-uy-bac-giang",
        "Trưởng Ban Tổ chức Tỉnh ủy",
    )
    _person_with_post(
        client,
        editor,
        "tran-van-sau",
        "Trần Văn Sau",
        "ban-thuong-vu-tinh-uy-bac-giang",
        "Ủy viên Ban Thường vụ Tỉnh ủy",
    )
    # A post outside the term's organizations does not make a leader of this term.
    _person_with_post(
        client, editor, "hoang-van-bay", "Hoàng Văn Bảy", "ttxvn", "Giám đốc Sở Thử nghiệm"
    )

    assert _leaders(client) == [*chairs, "Trần Văn Sau", "Phạm Thị Năm"]
    assert _leaders(client, "en") == [*chairs, "Trần Văn Sau", "Phạm Thị Năm"]
    html = client.get(CARD).text
    assert "“Ủy viên Ban Thường vụ Tỉnh ủy Trần Văn Sau”" in html
    summary = client.get("/api/v1/terms/bac-giang-2025-2030", params={"include": "people"})
    assert [p["name"] for p in summary.json()["people"]] == _leaders(client)


def test_a_retired_post_leaves_the_card(client: TestClient, editor: dict[str, str]) -> None:
    document = {
        "id": DOCUMENT,
        "title": "Bài thử nghiệm",
        "text": TEXT,
        "language": "vi",
        "sources": [{"quote": "Tại hội nghị"}],
    }
    _post(client, editor, "documents", document)
    _person_with_post(
        client,
        editor,
        "pham-thi-nam",
        "Phạm Thị Năm",
        "tinh-uy-bac-giang",
        "Trưởng Ban Tổ chức Tỉnh ủy",
    )
    assert "Phạm Thị Năm" in _leaders(client)
    url = "/api/v1/memberships/pham-thi-nam-post"
    etag = client.get(url).headers["ETag"]
    response = client.delete(url, headers={**editor, "If-Match": etag})
    assert response.status_code == 204, response.text
    assert "Phạm Thị Năm" not in _leaders(client)
