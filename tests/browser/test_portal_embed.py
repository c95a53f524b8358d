"""In Debian's Chromium: a portal on another origin embeds the card through oEmbed, with all
other network blocked, and /docs renders from this server alone. Screenshots go to
test-artifacts/."""

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.request import urlopen

import pytest
from sqlalchemy import Engine

from app.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Debian's chromium: `apt-get install chromium` to run the browser tests",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(engine: Engine, database_url: str) -> Iterator[str]:
    """uvicorn serving the app on the migrated, seeded test database."""
    import uvicorn

    from app import db
    from app.config import get_settings

    port = _free_port()
    original = db.get_engine
    db.get_engine = lambda: engine  # type: ignore[assignment]
    # The HTTP cache reads the dataset revision from DATABASE_URL itself: the same database.
    original_url = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    from app.main import create_app

    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urlopen(f"{base}/healthz", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    db.get_engine = original
    if original_url is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = original_url
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def portal(server: str) -> Iterator[str]:
    """A portal-like page on a second origin (localhost vs 127.0.0.1, another port) that
    pastes the oEmbed html, as a CMS does, and frames it again the WordPress way."""
    card = f"{server}/embed/terms/bac-giang-2025-2030"
    with urlopen(f"{server}/oembed?url={quote(card, safe='')}&format=json") as response:
        oembed: dict[str, Any] = json.load(response)
    wordpress = oembed["html"].replace(
        'sandbox="allow-popups allow-popups-to-escape-sandbox"', 'sandbox="allow-scripts"'
    )
    page = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Cổng thông tin tỉnh</title></head><body>
<h1>Cổng thông tin điện tử tỉnh</h1>
<div id="oembed">{oembed["html"]}</div>
<div id="wordpress">{wordpress}</div>
</body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _context(browser: Any, width: int, allowed: tuple[str, ...]) -> tuple[Any, list[str]]:
    """A browser context in which only `allowed` origins answer; the rest is aborted."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    blocked: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(allowed) or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    return context, blocked


@pytest.mark.parametrize("width", [320, 1024])
def test_portal_renders_the_card_through_oembed(
    browser: Any, server: str, portal: str, width: int
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, blocked = _context(browser, width, (server + "/", portal))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(portal, wait_until="load")
    for container in ("#oembed", "#wordpress"):
        frame = page.frame_locator(f"{container} iframe")
        heading = frame.locator("h1")
        heading.wait_for(timeout=15_000)
        assert "Nhiệm kỳ 2025 - 2030" in heading.inner_text()
        body = frame.locator("body").inner_text()
        assert "Nhiệm vụ trọng tâm" in body and "Giải pháp đột phá" in body
        assert "trên 8.800 người" in body and "Dương Văn Thái" in body
        assert "Ngày 7/3" in body and "TTXVN" in body
        # Readable: nothing wider than the frame, no horizontal scrolling inside it.
        overflow = frame.locator("html").evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0
    page.screenshot(path=str(ARTIFACTS / f"portal-card-{width}.png"), full_page=True)
    card = context.new_page()
    card.goto(f"{server}/embed/terms/bac-giang-2025-2030", wait_until="load")
    card.screenshot(path=str(ARTIFACTS / f"card-{width}.png"), full_page=True)
    context.close()
    assert blocked == []
    assert [e for e in errors if "Content Security Policy" in e or "frame" in e.lower()] == []


def test_docs_render_the_operations_offline(browser: Any, server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, blocked = _context(browser, 1280, (server + "/",))
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{server}/docs", wait_until="load")
    page.locator(".opblock").first.wait_for(timeout=30_000)
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/terms/{term_id}" in [s.replace("\u200b", "") for s in summaries]
    assert page.locator(".opblock").count() >= 20
    page.screenshot(path=str(ARTIFACTS / "docs.png"), full_page=False)
    context.close()
    assert blocked == []
    assert violations == []
