"""The embeddable cards, their framing policy and the oEmbed provider."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.cards import CARD_CSS, CARD_STYLE_SOURCE
from app.config import get_settings

TERM_CARD = "/embed/terms/bac-giang-2025-2030"
PERSON_CARD = "/embed/people/le-anh-duong"
STATISTICS_CARD = "/embed/statistics?term=bac-giang-2020-2025"
BASE = "http://testserver"


class Page(HTMLParser):
    """What a card's HTML says, collected without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None
        self._attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"script", "style"}:
            self._in, self._attrs = tag, dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts.append((self._attrs, data))
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
        ]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def jsonld_of(page: Page) -> dict[str, object]:
    blocks = [data for attrs, data in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    parsed: dict[str, object] = json.loads(blocks[0])
    return parsed


def graph_types(document: dict[str, object]) -> list[str]:
    graph = document["@graph"]
    assert isinstance(graph, list)
    return [node["@type"] for node in graph]


def test_term_card_shows_tasks_solutions_statistics_leaders_and_credit(
    client: TestClient,
) -> None:
    response = client.get(TERM_CARD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = parse(response.text)
    text = page.all_text()
    assert page.find("html", lang="vi")
    assert "Đảng bộ tỉnh Bắc Giang — Nhiệm kỳ 2025 - 2030" in text
    assert "Nhiệm vụ trọng tâm" in text and "Giải pháp đột phá" in text
    assert "Tiếp tục đấu tranh ngăn chặn" in text
    assert "Đẩy mạnh công tác đấu tranh phòng, chống quan liêu" in text
    assert "trên 8.800 người" in text
    assert "3\u20134%/năm" in text
    for leader in ("Dương Văn Thái", "Lê Thị Thu Hồng", "Lê Ánh Dương"):
        assert leader in text
    assert "TTXVN" in text and "Bài: Đồng Thúy" in text and "Ảnh: Đồng Thúy/TXVN" in text
    assert page.find("a", href=f"{BASE}/api/v1/documents/ttxvn-bac-giang-xay-dung-dang/text")
    assert page.find("a", href=f"{BASE}/api/v1/terms/bac-giang-2025-2030")


def test_term_card_gives_the_date_as_printed_and_no_year(client: TestClient) -> None:
    text = parse(client.get(TERM_CARD).text).all_text()
    assert "Ngày 7/3" in text
    assert "nguồn không nêu năm" in text
    assert not re.search(r"7/3/\d{4}|\b20\d\d-03-07\b", text)


def test_every_fact_on_the_term_card_opens_to_its_quote(client: TestClient) -> None:
    html = client.get(TERM_CARD).text
    # 2 tasks + 3 solutions + 6 statistics + 3 leaders + the conference.
    assert html.count('<details class="cite">') == 15
    assert "“Trong 4 năm (2020 - 2023), toàn tỉnh kết nạp được trên 8,8 nghìn đảng viên.”" in html


def test_term_card_in_english_keeps_content_as_printed(client: TestClient) -> None:
    page = parse(client.get(TERM_CARD, params={"lang": "en"}).text)
    text = page.all_text()
    assert page.find("html", lang="en")
    assert "Key tasks" in text and "Breakthrough solutions" in text and "Leaders" in text
    assert "more than 8,800 people" in text
    assert "Secretary of the Provincial Party Committee" in text
    assert "the source does not state the year" in text
    assert "Tiếp tục đấu tranh ngăn chặn" in text


@pytest.mark.parametrize("theme", ["light", "dark", "auto"])
def test_card_theme_is_set_on_the_root_element(client: TestClient, theme: str) -> None:
    page = parse(client.get(TERM_CARD, params={"theme": theme}).text)
    assert page.find("html", **{"data-theme": theme})


def test_card_rejects_an_unknown_theme(client: TestClient) -> None:
    assert client.get(TERM_CARD, params={"theme": "pink"}).status_code == 422


@pytest.mark.parametrize(
    "path", [TERM_CARD, PERSON_CARD, STATISTICS_CARD, "/embed/statistics?term=bac-giang-2025-2030"]
)
def test_card_loads_nothing_and_runs_no_script(client: TestClient, path: str) -> None:
    page = parse(client.get(path).text)
    assert all(attrs.get("type") == "application/ld+json" for attrs, _ in page.scripts)
    assert (
        not page.find("img") and not page.find("iframe") and not page.find("link", rel="stylesheet")
    )
    assert page.styles == [CARD_CSS]
    assert "url(" not in CARD_CSS and "@import" not in CARD_CSS


@pytest.mark.parametrize("path", [TERM_CARD, PERSON_CARD, STATISTICS_CARD])
def test_card_framing_policy_comes_from_the_setting(client: TestClient, path: str) -> None:
    response = client.get(path)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert f"style-src {CARD_STYLE_SOURCE}" in policy
    assert "default-src 'none'" in policy
    assert "x-frame-options" not in response.headers
    assert "set-cookie" not in response.headers


def test_card_framing_can_be_restricted_to_government_portals(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBED_FRAME_ANCESTORS", "https://*.gov.vn")
    get_settings.cache_clear()
    try:
        policy = client.get(TERM_CARD).headers["content-security-policy"]
    finally:
        monkeypatch.delenv("EMBED_FRAME_ANCESTORS")
        get_settings.cache_clear()
    assert policy.endswith("frame-ancestors https://*.gov.vn")


def test_json_keeps_frame_ancestors_none(client: TestClient) -> None:
    response = client.get("/api/v1/terms/bac-giang-2025-2030")
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_card_style_hash_matches_the_inline_stylesheet(client: TestClient) -> None:
    import base64
    import hashlib

    page = parse(client.get(TERM_CARD).text)
    digest = base64.b64encode(hashlib.sha256(page.styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" == CARD_STYLE_SOURCE


@pytest.mark.parametrize(
    ("path", "title"),
    [
        (TERM_CARD, "Đảng bộ tỉnh Bắc Giang — Nhiệm kỳ 2025 - 2030"),
        (PERSON_CARD, "Lê Ánh Dương"),
        (STATISTICS_CARD, "Số liệu — Đảng bộ tỉnh Bắc Giang — nhiệm kỳ 2020 - 2025"),
    ],
)
def test_every_card_carries_the_oembed_discovery_link(
    client: TestClient, path: str, title: str
) -> None:
    page = parse(client.get(path).text)
    links = page.find("link", rel="alternate", type="application/json+oembed")
    assert len(links) == 1
    href = links[0]["href"]
    assert href == f"{BASE}/oembed?url={quote(BASE + path, safe='')}&format=json"
    assert client.get(href).status_code == 200
    assert page.find("title")


def test_unknown_card_is_a_404_problem(client: TestClient) -> None:
    for path in ("/embed/terms/nope", "/embed/people/nope", "/embed/statistics?term=nope"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_person_card_shows_every_post_with_its_organization(client: TestClient) -> None:
    text = parse(client.get(PERSON_CARD).text).all_text()
    assert "Lê Ánh Dương" in text
    assert "Phó Bí thư Tỉnh ủy" in text and "Tỉnh ủy Bắc Giang" in text
    assert "Chủ tịch UBND tỉnh" in text and "UBND tỉnh Bắc Giang" in text
    assert "TTXVN" in text


def test_statistics_card_lists_the_terms_figures_with_qualifiers(client: TestClient) -> None:
    text = parse(client.get(STATISTICS_CARD).text).all_text()
    for figure in ("trên 8.800 người", "145 người", "16 tập thể", "84 cá nhân", "15 năm"):
        assert figure in text
    assert "Trong 4 năm (2020 - 2023)" in text


def test_statistics_card_of_a_term_without_figures_says_so(client: TestClient) -> None:
    page = parse(client.get("/embed/statistics?term=bac-giang-2025-2030").text)
    assert "Nguồn không nêu số liệu cho nhiệm kỳ này." in page.all_text()
    assert graph_types(jsonld_of(page)) == []


def test_term_card_jsonld_describes_what_the_card_shows(client: TestClient) -> None:
    document = jsonld_of(parse(client.get(TERM_CARD).text))
    assert document["@context"] == "https://schema.org"
    types = graph_types(document)
    assert types.count("Person") == 3
    assert {"CreativeWork", "Organization", "Event", "NewsArticle"} <= set(types)
    graph = document["@graph"]
    assert isinstance(graph, list)
    event = next(n for n in graph if n["@type"] == "Event")
    assert event["description"] == "Ngày 7/3" and "startDate" not in event
    term = next(n for n in graph if n["@type"] == "CreativeWork")
    parts = {part["@type"]: part for part in term["hasPart"]}
    assert parts["Dataset"]["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert len(parts["Dataset"]["variableMeasured"]) == 6
    lists = [p["name"] for p in term["hasPart"] if p["@type"] == "ItemList"]
    assert lists == ["Nhiệm vụ trọng tâm", "Giải pháp đột phá"]  # no sections the card hides
    duong = next(n for n in graph if n.get("name") == "Lê Ánh Dương")
    assert [role["roleName"] for role in duong["memberOf"]] == [
        "Phó Bí thư Tỉnh ủy",
        "Chủ tịch UBND tỉnh",
    ]
    article = next(n for n in graph if n["@type"] == "NewsArticle")
    assert article["publisher"]["name"] == "TTXVN"
    assert article["author"]["name"] == "Đồng Thúy"
    assert article["dateline"] == "Ngày 7/3"


def test_card_jsonld_cannot_break_out_of_its_script_element(client: TestClient) -> None:
    html = client.get(TERM_CARD).text
    start = html.index('<script type="application/ld+json">')
    block = html[start : html.index("</script>", start)]
    assert "<" not in block[len('<script type="application/ld+json">') :]


def test_oembed_returns_a_rich_iframe_of_the_card(client: TestClient) -> None:
    response = client.get("/oembed", params={"url": BASE + TERM_CARD, "format": "json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert body["provider_name"] == "Congress-term summary API"
    assert body["provider_url"] == BASE
    assert body["cache_age"] > 0
    assert body["title"] == "Đảng bộ tỉnh Bắc Giang — Nhiệm kỳ 2025 - 2030"
    iframe = parse(body["html"]).find("iframe")[0]
    assert iframe["src"] == BASE + TERM_CARD
    assert iframe["title"] == body["title"]
    assert iframe["width"] == str(body["width"]) and iframe["height"] == str(body["height"])
    assert iframe["sandbox"] is not None and "allow-same-origin" not in iframe["sandbox"]


def test_oembed_respects_maxwidth_and_maxheight(client: TestClient) -> None:
    body = client.get(
        "/oembed", params={"url": BASE + TERM_CARD, "maxwidth": 320, "maxheight": 200}
    ).json()
    assert body["width"] <= 320 and body["height"] <= 200
    roomy = client.get(
        "/oembed", params={"url": BASE + TERM_CARD, "maxwidth": 5000, "maxheight": 5000}
    ).json()
    assert roomy["width"] > 320 and roomy["height"] > 200


def test_oembed_keeps_the_language_and_theme_of_the_url(client: TestClient) -> None:
    url = f"{BASE}{PERSON_CARD}?lang=en&theme=dark"
    body = client.get("/oembed", params={"url": url}).json()
    assert parse(body["html"]).find("iframe")[0]["src"] == url


def test_oembed_serves_the_statistics_card(client: TestClient) -> None:
    body = client.get("/oembed", params={"url": BASE + STATISTICS_CARD}).json()
    assert parse(body["html"]).find("iframe")[0]["src"] == BASE + STATISTICS_CARD


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/embed/terms/nope",
        f"{BASE}/embed/people/nope",
        f"{BASE}/embed/statistics?term=nope",
        f"{BASE}/embed/statistics",
        f"{BASE}/api/v1/terms",
        f"https://elsewhere.example{TERM_CARD}",
        "javascript:alert(1)",
    ],
)
def test_oembed_is_404_for_a_url_it_does_not_serve(client: TestClient, url: str) -> None:
    response = client.get("/oembed", params={"url": url})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_oembed_xml_has_the_same_fields(client: TestClient) -> None:
    from xml.etree import ElementTree

    params: dict[str, str | int] = {"url": BASE + TERM_CARD, "maxwidth": 400}
    response = client.get("/oembed", params={**params, "format": "xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "oembed"
    as_json = client.get("/oembed", params=params).json()
    assert {child.tag: child.text for child in root} == {k: str(v) for k, v in as_json.items()}


def test_term_summary_as_jsonld_on_accept(client: TestClient) -> None:
    response = client.get(
        "/api/v1/terms/bac-giang-2025-2030", headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert "Accept" in response.headers["vary"]
    document = json.loads(response.text)
    types = graph_types(document)
    assert types[0] == "CreativeWork" and "NewsArticle" in types
    names = [p["name"] for p in document["@graph"][0]["hasPart"]]
    assert "Kết quả đạt được" in names and "Hạn chế, tồn tại" in names


def test_term_summary_jsonld_follows_include(client: TestClient) -> None:
    response = client.get(
        "/api/v1/terms/bac-giang-2025-2030",
        params={"include": "key_tasks"},
        headers={"Accept": "application/ld+json"},
    )
    types = graph_types(json.loads(response.text))
    assert "Person" not in types and "Event" not in types
    assert types == ["CreativeWork", "NewsArticle"]


def test_term_summary_is_still_json_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/terms/bac-giang-2025-2030")
    assert response.headers["content-type"] == "application/json"
    assert response.json()["id"] == "bac-giang-2025-2030"


def test_card_is_vietnamese_whatever_the_browser_language(client: TestClient) -> None:
    response = client.get(TERM_CARD, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert parse(response.text).find("html", lang="vi")
