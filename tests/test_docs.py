"""Docs that work offline, and no HTML page of the project that loads another host."""

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from app.api.routes.docs import ASSETS

# Attributes that make a browser fetch something.
LOADING = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("object", "data"),
    ("embed", "src"),
    ("img", "srcset"),
    ("use", "href"),
    ("form", "action"),
}


class Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.linked: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in LOADING and values.get("rel") not in {"alternate", "canonical"}:
                self.loaded.append(value)
            elif name == "href":
                self.linked.append((value, values.get("rel") or ""))


def external(url: str) -> bool:
    return bool(re.match(r"^([a-z][a-z0-9+.-]*:)?//", url, re.I)) and not url.startswith(
        "http://testserver/"
    )


HTML_PAGES = [
    "/docs",
    "/redoc",
    "/embed/terms/bac-giang-2025-2030",
    "/embed/terms/bac-giang-2020-2025?lang=en&theme=dark",
    "/embed/people/duong-van-thai",
    "/embed/statistics?term=bac-giang-2020-2025",
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_no_html_page_loads_anything_from_another_host(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = Urls()
    urls.feed(response.text)
    assert [u for u in urls.loaded if external(u)] == []
    # Links a reader may follow stay here too, except the data licence.
    assert [u for u, rel in urls.linked if external(u) and "license" not in rel] == []


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_use_only_local_assets(client: TestClient, path: str) -> None:
    urls = Urls()
    urls.feed(client.get(path).text)
    assets = [u for u in urls.loaded if u.startswith("/docs/assets/")]
    assert assets and assets == urls.loaded
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 1000 or url.endswith(".js")


def test_docs_assets_are_the_real_swagger_ui_and_redoc(client: TestClient) -> None:
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text[:400]
    assert "Redoc" in client.get("/docs/assets/redoc.standalone.js").text[:600]
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert set(ASSETS) >= {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"}


def test_unknown_docs_asset_is_404(client: TestClient) -> None:
    assert client.get("/docs/assets/..%2Fconfig.py").status_code == 404
    assert client.get("/docs/assets/evil.js").status_code == 404


def test_swagger_starts_without_inline_script_so_its_csp_needs_no_unsafe_inline(
    client: TestClient,
) -> None:
    response = client.get("/docs")
    assert "<script>" not in response.text
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "x-frame-options" not in response.headers


def test_redoc_csp_allows_only_this_origin(client: TestClient) -> None:
    policy = client.get("/redoc").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in policy and "unsafe-eval" not in policy


def test_openapi_lists_the_embed_routes_but_not_the_docs_pages(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/embed/terms/{term_id}", "/oembed", "/catalog.jsonld"} <= set(paths)
    assert "/docs" not in paths and "/redoc" not in paths
    term = paths["/api/v1/terms/{term_id}"]["get"]["responses"]["200"]["content"]
    assert "application/ld+json" in term
