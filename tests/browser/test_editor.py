"""The editor in Debian's Chromium, all other network blocked: a press office pastes a token made
by `congress-api token create`, adds an article written for this test, marks its facts with the
mouse, and the term's card shows each with its quote; a stale tab gets the conflict dialog; a
retired record leaves the card; a bad token is refused. axe-core checks every screen, and each
screen is photographed at 1280 and 768 px into test-artifacts/."""

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.db import make_engine
from app.migrate import upgrade
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from tests.browser.test_portal_embed import ARTIFACTS, CHROMIUM, _context, browser
from tests.conftest import ISSUED_TOKENS, POSTGRES_URL, SEED_DIR, _admin_engine
from tests.test_concurrency import _free_port, serving_process

__all__ = ["browser"]  # the shared Chromium fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Debian's chromium: `apt-get install chromium` to run the browser tests",
    ),
]

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 768)
DOCUMENT = "son-lam-hoi-nghi-thu-nghiem"
TERM = "son-lam-2025-2030"
# Written for this test: a province that does not exist, so nothing here passes for a fact.
ARTICLE = """Tỉnh ủy Sơn Lâm bàn phương hướng nhiệm kỳ mới

SƠN LÂM - Ngày 12/4, Tỉnh ủy Sơn Lâm tổ chức hội nghị bàn phương hướng công tác xây dựng Đảng. \
Bí thư Tỉnh ủy Sơn Lâm Nguyễn Thị Hạnh Mai chủ trì hội nghị.

Nhiệm kỳ 2025 - 2030, Tỉnh ủy Sơn Lâm đề ra hai nhiệm vụ trọng tâm. Thứ nhất, nâng cao chất \
lượng sinh hoạt chi bộ ở cơ sở. Thứ hai, chuyển đổi số trong công tác tham mưu của các cơ quan \
Đảng.

Từ năm 2021 đến nay, toàn tỉnh kết nạp được trên 1,2 nghìn đảng viên mới.
"""
TASK_1 = "nâng cao chất lượng sinh hoạt chi bộ ở cơ sở"
TASK_2 = "chuyển đổi số trong công tác tham mưu của các cơ quan Đảng"
STATISTIC = "Từ năm 2021 đến nay, toàn tỉnh kết nạp được trên 1,2 nghìn đảng viên mới."
POST = "Bí thư Tỉnh ủy Sơn Lâm Nguyễn Thị Hạnh Mai"


@pytest.fixture(scope="module")
def editor_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own, migrated and seeded: the editor's writes are committed."""
    if POSTGRES_URL is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('editor') / 'editor.db'}"
        yield from _seeded(url)
        return
    name = f"congress_editor_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(POSTGRES_URL)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield from _seeded(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _seeded(url: str) -> Iterator[str]:
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        write_dataset(session, read_dataset(seed_files(SEED_DIR)))
    engine.dispose()
    yield url


def _token(database_url: str, name: str, scope: str) -> str:
    """A token exactly as an operator makes one: the CLI prints it alone on standard output."""
    command = Path(sys.executable).parent / "congress-api"
    result = subprocess.run(
        [str(command), "token", "create", "--name", name, "--scope", scope],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    secret = result.stdout.strip()
    ISSUED_TOKENS.append(secret)
    return secret


@pytest.fixture(scope="module")
def server(editor_database: str) -> Iterator[str]:
    port = _free_port()
    arguments = ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    with serving_process(
        [*arguments, "--no-access-log", "--log-level", "warning"], port, editor_database
    ) as base:
        yield base


@pytest.fixture(scope="module")
def token(editor_database: str) -> str:
    # Admin, so the history screen's revert works; writes need only `edit`.
    return _token(editor_database, "son-lam-press-office", "admin")


def _open(browser: Any, server: str, width: int = 1280) -> tuple[Any, Any, list[str]]:
    ARTIFACTS.mkdir(exist_ok=True)
    context, blocked = _context(browser, width, (server + "/",))
    page = context.new_page()
    # Blocked requests, script errors and console errors, but not the 4xx answers the tests
    # provoke on purpose (Chromium logs each failed fetch).
    problems = blocked
    page.on("console", lambda m: problems.append(m.text) if _unexpected(m) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server}/editor/", wait_until="load")
    return context, page, problems


def _unexpected(message: Any) -> bool:
    return message.type == "error" and "the server responded with a status of 4" not in message.text


def _check_screen(page: Any, name: str) -> None:
    """No serious or critical axe-core violation; screenshots at each width."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations = page.evaluate(
        """async () => {
          const result = await axe.run(document, {iframes: false, resultTypes: ["violations"]});
          return result.violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", "));
        }"""
    )
    assert violations == [], f"{name}: {violations}"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"editor-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def _sign_in(page: Any, secret: str) -> None:
    page.fill("#token-input", secret)
    page.click("#token-form button[type=submit]")
    page.locator("#screen-documents").wait_for(state="visible")


def _select_with_mouse(page: Any, quote: str, occurrence: int = 1) -> None:
    """Drags the mouse from the quote's first character to its last, as a person does."""
    box = page.evaluate(
        """([quote, occurrence]) => {
          const view = document.getElementById("doc-text-view");
          let at = -1;
          for (let i = 0; i < occurrence; i++) at = view.textContent.indexOf(quote, at + 1);
          if (at < 0) throw new Error("quote not in the text: " + quote);
          const walker = document.createTreeWalker(view, NodeFilter.SHOW_TEXT);
          const point = (offset) => {
            let seen = 0, node;
            while ((node = walker.nextNode())) {
              if (seen + node.length > offset) return [node, offset - seen];
              seen += node.length;
            }
          };
          const [startNode, startOffset] = point(at);
          const range = document.createRange();
          range.setStart(startNode, startOffset);
          range.setEnd(startNode, startOffset + 1);
          const first = range.getBoundingClientRect();
          const viewBox = view.getBoundingClientRect();
          view.scrollTop += first.top - viewBox.top - 20;
          window.scrollBy(0, range.getBoundingClientRect().top - innerHeight / 3);
          const begin = range.getBoundingClientRect();
          walker.currentNode = view;
          const [endNode, endOffset] = point(at + quote.length - 1);
          range.setStart(endNode, endOffset);
          range.setEnd(endNode, endOffset + 1);
          const end = range.getBoundingClientRect();
          return {x1: begin.left + 1, y1: begin.top + begin.height / 2,
                  x2: end.right - 1, y2: end.top + end.height / 2};
        }""",
        [quote, occurrence],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()
    assert page.text_content("#selection-quote") == quote


def _new_record(page: Any, kind: str, fields: dict[str, str]) -> None:
    page.select_option("#kind-select", kind)
    page.click("#new-record")
    _fill(page, fields)


def _fill(page: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        field = page.locator(f"#rf-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _save(page: Any, record_id: str) -> None:
    page.click("#record-form button[type=submit]")
    page.wait_for_function(
        "id => document.getElementById('flash').textContent.endsWith(': ' + id)", arg=record_id
    )
    assert page.inner_text("#record-form-error") == ""


def _unreached_by_tab(page: Any) -> set[str]:
    """The visible controls of the screen that pressing Tab never focuses."""
    controls = page.evaluate(
        """() => [...document.querySelectorAll(
            "a[href], button, input, select, textarea, [tabindex='0']")]
          .filter(e => e.offsetParent !== null && !e.closest("dialog"))
          .map(e => e.id || e.getAttribute("aria-label") || e.textContent.trim())"""
    )
    reached: set[str] = set()
    for _ in range(len(controls) * 3 + 40):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                """() => { const e = document.activeElement;
                  return e.id || e.getAttribute("aria-label") || e.textContent.trim(); }"""
            )
        )
    return set(controls) - reached


def _read(page: Any, path: str) -> Any:
    """A record as the API serves it now (past the browser's cache)."""
    return page.evaluate("p => fetch(p, {cache: 'no-store'}).then(r => r.json())", path)


def _card(page: Any) -> Any:
    return page.frame_locator("#card-frame").locator("body")


def test_a_bad_token_is_refused_with_a_clear_message(browser: Any, server: str) -> None:
    context, page, problems = _open(browser, server)
    _check_screen(page, "token")
    page.fill("#token-input", "cgt_this-is-not-a-token")
    page.click("#token-form button[type=submit]")
    message = page.locator("#token-error")
    message.wait_for(state="visible")
    assert "Mã truy cập bị từ chối" in message.inner_text()
    assert page.get_attribute("#token-input", "aria-invalid") == "true"
    assert page.evaluate("sessionStorage.length") == 0
    assert page.locator("#screen-documents").is_hidden()
    page.click("#lang-toggle")
    page.click("#token-form button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('token-error').textContent"
        ".startsWith('The token was refused')"
    )
    assert page.evaluate("document.documentElement.lang") == "en"
    page.fill("#token-input", "")
    page.click("#token-form button[type=submit]")
    assert page.inner_text("#token-error") == "Paste a token."
    _check_screen(page, "token-refused")
    context.close()
    assert problems == []


def test_every_control_is_reachable_by_keyboard_and_sentences_select_without_a_mouse(
    browser: Any, server: str, token: str
) -> None:
    context, page, problems = _open(browser, server)
    page.locator("#token-input").wait_for()
    for _ in range(20):  # the page focuses the token field; Tab gets there from anywhere
        if page.evaluate("document.activeElement.id") == "token-input":
            break
        page.keyboard.press("Tab")
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.locator("#screen-documents").wait_for(state="visible")
    page.locator("#document-rows a").first.wait_for()
    assert _unreached_by_tab(page) == set()
    page.goto(f"{server}/editor/#/new")
    page.locator("#screen-new").wait_for(state="visible")
    assert _unreached_by_tab(page) == set()
    page.goto(f"{server}/editor/#/doc/ttxvn-bac-giang-xay-dung-dang")
    page.locator("#record-list li").first.wait_for()
    _check_screen(page, "document")

    assert _unreached_by_tab(page) == set()

    sentences = page.evaluate(
        "fetch('/api/v1/documents/ttxvn-bac-giang-xay-dung-dang/text').then(r => r.text())"
    )
    page.focus("#end-next")
    page.keyboard.press("Enter")
    first = page.text_content("#selection-quote")
    assert sentences.startswith(first) and first
    page.keyboard.press("Enter")
    two = page.text_content("#selection-quote")
    assert two.startswith(first) and len(two) > len(first) and sentences.startswith(two)
    page.focus("#start-next")
    page.keyboard.press("Enter")
    assert page.text_content("#selection-quote") == two[len(first) :].strip()
    context.close()
    assert problems == []


def test_a_press_office_marks_an_article_and_the_card_shows_it(
    browser: Any, server: str, token: str
) -> None:
    context, page, problems = _open(browser, server)
    _sign_in(page, token)
    _check_screen(page, "documents")

    page.click("a[href='#/new'] >> nth=0")
    page.fill("#doc-id", DOCUMENT)
    page.fill("#doc-title", "Tỉnh ủy Sơn Lâm bàn phương hướng nhiệm kỳ mới")
    page.fill("#doc-place", "Sơn Lâm")
    page.fill("#doc-dateline", "Ngày 12/4")
    page.fill("#doc-text", ARTICLE)
    _check_screen(page, "new-document")
    page.click("#document-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('doc-heading').textContent.length > 0")
    assert page.inner_text("#doc-heading") == "Tỉnh ủy Sơn Lâm bàn phương hướng nhiệm kỳ mới"
    _expect(page.locator("#coverage")).to_have_text(re.compile(r"^0% \(0/\d+ câu\)$"))

    # The second "Tỉnh ủy Sơn Lâm" of the text (the first is the title's).
    _select_with_mouse(page, "Tỉnh ủy Sơn Lâm", occurrence=2)
    _new_record(
        page,
        "organizations",
        {"id": "tinh-uy-son-lam", "name": "Tỉnh ủy Sơn Lâm", "classification": "party_committee"},
    )
    _save(page, "tinh-uy-son-lam")
    source = _read(page, "/api/v1/organizations/tinh-uy-son-lam")["sources"][0]
    at = ARTICLE.index("Tỉnh ủy Sơn Lâm", ARTICLE.index("Tỉnh ủy Sơn Lâm") + 1)
    assert (source["start"], source["end"]) == (at, at + len("Tỉnh ủy Sơn Lâm"))

    _select_with_mouse(page, "Nhiệm kỳ 2025 - 2030, Tỉnh ủy Sơn Lâm đề ra hai nhiệm vụ trọng tâm.")
    _new_record(
        page,
        "terms",
        {
            "id": TERM,
            "organization_id": "tinh-uy-son-lam",
            "label": "Nhiệm kỳ 2025 - 2030",
            "start_year": "2025",
            "end_year": "2030",
            "status": "planned",
        },
    )
    _save(page, TERM)
    assert page.input_value("#card-term") == TERM

    # The same organization, named again inside the term's sentence: one more source of it.
    _select_with_mouse(page, "Tỉnh ủy Sơn Lâm", occurrence=4)
    page.fill("#attach-target", "organizations/tinh-uy-son-lam")
    page.click("#attach")
    _save_done(page, "tinh-uy-son-lam")
    sources = _read(page, "/api/v1/organizations/tinh-uy-son-lam")["sources"]
    again = ARTICLE.index("Tỉnh ủy Sơn Lâm đề ra")
    assert [s["start"] for s in sources] == [at, again]
    expect_card(page, "Nhiệm kỳ 2025 - 2030")

    for number, words in ((1, TASK_1), (2, TASK_2)):
        _select_with_mouse(page, words)
        _new_record(page, "tasks", {"id": f"{TERM}-task-{number}"})
        assert page.input_value("#rf-term_id") == TERM
        assert page.input_value("#rf-text") == words
        _save(page, f"{TERM}-task-{number}")

    _select_with_mouse(page, STATISTIC)
    _new_record(page, "statistics", {})
    # "trên 1,2 nghìn" is guessed as more_than 1200 (not the year before it); the editor checks.
    assert page.input_value("#rf-value") == "1200"
    assert page.input_value("#rf-qualifier") == "more_than"
    _fill(
        page,
        {
            "id": f"{TERM}-party-members-admitted",
            "key": "party-members-admitted",
            "category": "membership",
            "unit": "people",
            "period_start": "2021",
            "as_of_text": "Từ năm 2021 đến nay",
            "label_vi": "Đảng viên được kết nạp",
            "label_en": "Party members admitted",
        },
    )
    assert page.inner_text("#stat-preview").startswith("trên 1.200 người")
    _check_screen(page, "statistic-form")
    page.fill("#rf-id", "Số liệu 1")
    page.click("#record-form button[type=submit]")
    page.locator("#rf-id-error").wait_for(state="visible")
    assert "#/id" in page.inner_text("#rf-id-error")
    assert page.get_attribute("#rf-id", "aria-invalid") == "true"
    assert page.input_value("#rf-value") == "1200"
    _check_screen(page, "problem-at-field")
    page.fill("#rf-id", f"{TERM}-party-members-admitted")
    _save(page, f"{TERM}-party-members-admitted")

    _select_with_mouse(page, "Nguyễn Thị Hạnh Mai")
    _new_record(page, "people", {"id": "nguyen-thi-hanh-mai"})
    assert page.input_value("#rf-name") == "Nguyễn Thị Hạnh Mai"
    _save(page, "nguyen-thi-hanh-mai")
    _select_with_mouse(page, POST)
    _new_record(
        page,
        "memberships",
        {
            "id": "nguyen-thi-hanh-mai-bi-thu-tinh-uy",
            "person_id": "nguyen-thi-hanh-mai",
            "organization_id": "tinh-uy-son-lam",
            "role": "Bí thư Tỉnh ủy",
            "role_en": "Secretary of the Provincial Party Committee",
        },
    )
    _save(page, "nguyen-thi-hanh-mai-bi-thu-tinh-uy")

    card = _card(page)
    for shown in (TASK_1, TASK_2, "trên 1.200 người", "Nguyễn Thị Hạnh Mai", "Bí thư Tỉnh ủy"):
        expect_card(page, shown)
    quotes = card.locator("blockquote").all_text_contents()
    for quote in (TASK_1, TASK_2, STATISTIC, POST):
        assert any(quote in q for q in quotes), quote
    assert not page.inner_text("#coverage").startswith("0%")
    _check_screen(page, "document-marked")

    # Another tab opened the same task before this one saved: it gets the conflict dialog.
    stale = context.new_page()
    stale.on("pageerror", lambda e: problems.append(str(e)))
    stale.goto(f"{server}/editor/")
    _sign_in(stale, token)
    stale.goto(f"{server}/editor/#/doc/{DOCUMENT}")
    stale.locator("#record-list li").first.wait_for()
    stale.click(f"button[aria-label='Sửa: {TERM}-task-1']")
    page.click(f"button[aria-label='Sửa: {TERM}-task-1']")
    page.fill("#rf-text", TASK_1 + " (bản của thẻ thứ nhất)")
    _save(page, f"{TERM}-task-1")
    typed = TASK_1 + " (bản của thẻ thứ hai)"
    stale.fill("#rf-text", typed)
    stale.click("#record-form button[type=submit]")
    stale.locator("#conflict").wait_for(state="visible")
    stale.wait_for_function(
        "() => !document.getElementById('conflict-theirs').textContent.includes('…')"
    )
    assert typed in stale.inner_text("#conflict-yours")
    assert "(bản của thẻ thứ nhất)" in stale.inner_text("#conflict-theirs")
    assert stale.input_value("#rf-text") == typed
    _check_screen(stale, "conflict")
    stale.click("#conflict-reapply")
    _save_done(stale, f"{TERM}-task-1")
    page.reload()
    page.locator("#record-list li").first.wait_for()
    expect_card(page, typed)

    # The other way out of a conflict: load the current version; what was typed stays shown.
    page.click(f"button[aria-label='Sửa: {TERM}-task-1']")
    stale.click(f"button[aria-label='Sửa: {TERM}-task-1']")
    stale.fill("#rf-text", TASK_1 + " (lần hai)")
    _save(stale, f"{TERM}-task-1")
    page.fill("#rf-text", TASK_1 + " (gõ dở)")
    page.click("#record-form button[type=submit]")
    page.locator("#conflict").wait_for(state="visible")
    page.wait_for_function(
        "() => !document.getElementById('conflict-theirs').textContent.includes('…')"
    )
    page.click("#conflict-reload")
    assert page.input_value("#rf-text") == TASK_1 + " (lần hai)"
    assert "(gõ dở)" in page.inner_text("#record-form-error")
    page.click("#record-cancel")

    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"button[aria-label='Gỡ bỏ: {TERM}-task-2']")
    page.wait_for_function(
        "() => document.getElementById('flash').textContent.startsWith('Đã gỡ bỏ')"
    )
    expect_card(page, TASK_1)
    assert TASK_2 not in _card(page).inner_text()
    assert TASK_2 not in page.inner_text("#record-list")

    page.click(f"button[aria-label='Lịch sử: {TERM}-task-1']")
    page.locator("#history").wait_for(state="visible")
    assert page.locator("#history-rows tr").count() == 4
    _check_screen(page, "history")
    task = f"/api/v1/tasks/{TERM}-task-1"
    assert _read(page, task)["text"] == TASK_1 + " (lần hai)"
    page.locator("#history-rows tr").last.locator("button").click()
    page.wait_for_function(
        "() => document.getElementById('flash').textContent.startsWith('Đã hoàn tác')"
    )
    assert _read(page, task)["text"] == typed
    expect_card(page, typed)
    assert "(lần hai)" not in _card(page).inner_text()
    page.screenshot(path=str(ARTIFACTS / "editor-readme.png"))
    context.close()
    assert problems == []


def _save_done(page: Any, record_id: str) -> None:
    page.wait_for_function(
        "id => document.getElementById('flash').textContent.endsWith(': ' + id)", arg=record_id
    )


def _expect(locator: Any) -> Any:
    from playwright.sync_api import expect

    return expect(locator)


def expect_card(page: Any, words: str) -> None:
    _expect(_card(page)).to_contain_text(words, timeout=10_000)
