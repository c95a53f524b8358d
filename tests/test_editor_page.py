"""The editor's page as served: its files, its CSP (no inline script), no cookies, and only the
query parameters the API documents (unknown ones are refused under /api/v1)."""

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from app.api.routes.editor import FILES
from app.config import PROJECT_ROOT

EDITOR_DIR = PROJECT_ROOT / "app" / "static" / "editor"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.inline_scripts = 0
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if values.get("src"):
                self.loaded.append(values["src"] or "")
            else:
                self.inline_scripts += 1
        if tag == "link" and values.get("href"):
            self.loaded.append(values["href"] or "")
        self.handlers += [name for name, _ in attrs if name.startswith("on") or name == "style"]

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def test_the_editor_page_loads_only_its_own_files_under_a_script_src_self_policy(
    client: TestClient,
) -> None:
    response = client.get("/editor/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'self'"
    assert "unsafe" not in policy
    assert "set-cookie" not in response.headers
    page = Page()
    page.feed(response.text)
    assert page.inline_scripts == 0 and page.handlers == []
    assert sorted(page.loaded) == sorted(
        f"/editor/{name}" for name in FILES if name != "index.html"
    )
    for url in page.loaded:
        served = client.get(url)
        assert served.status_code == 200, url
        assert served.headers["content-security-policy"] == policy
        kind = "text/css" if url.endswith(".css") else "text/javascript"
        assert served.headers["content-type"].startswith(kind)


def test_an_unknown_editor_file_is_a_404_problem(client: TestClient) -> None:
    for url in ("/editor/nope.js", "/editor/screenshot.png", "/editor/..%2Fmain.py"):
        response = client.get(url)
        assert response.status_code in (404, 422), url
        assert response.headers["content-type"].startswith("application/problem+json")
    redirect = client.get("/editor", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/editor/"


def test_the_editor_sends_only_query_parameters_the_api_documents(client: TestClient) -> None:
    script = (EDITOR_DIR / "editor.js").read_text(encoding="utf-8")
    sent = set(re.findall(r"[?&]([a-z_]+)=", script))
    spec = client.get("/openapi.json").json()["paths"]

    def documented(path: str, method: str = "get") -> set[str]:
        parameters = spec[path][method].get("parameters", [])
        return {p["name"] for p in parameters if p["in"] == "query"}

    # Where each one goes: lists, a record's history, the token check, the card preview.
    uses = {
        "limit": [documented("/api/v1/documents"), documented("/api/v1/tasks/{item_id}/history")],
        "offset": [documented("/api/v1/memberships")],
        "dry_run": [documented("/api/v1/imports", "post")],
        "lang": [documented("/embed/terms/{term_id}")],
    }
    assert sent == set(uses)
    for name, places in uses.items():
        assert all(name in place for place in places), name
