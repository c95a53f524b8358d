"""The editor's quote for a selection (app/static/editor/quotes.js, run in Node) resolves, by
the API's own locator, to exactly the selected span: the `occurrence` it counts is the one the
server means, across repeated words, non-breaking spaces and line breaks."""

import itertools
import json
import shutil
import subprocess

import pytest

from app.config import PROJECT_ROOT
from app.seeding.quotes import QuoteLocator

QUOTES_JS = PROJECT_ROOT / "app" / "static" / "editor" / "quotes.js"
SEED_TEXT = PROJECT_ROOT / "seed" / "documents" / "000_6a45d8c008ef75fb.txt"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="needs node (make install-dev)")


def _in_node(call: str, text: str, spans: list[tuple[int, int]]) -> list[dict[str, object]]:
    script = f"""
require({json.dumps(str(QUOTES_JS))});
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.spans.map(([s, e]) => {call});
process.stdout.write(JSON.stringify(out));
"""
    result = subprocess.run(
        [str(NODE), "-e", script],
        input=json.dumps({"text": text, "spans": spans}),
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def _spans_of(text: str, words: list[str]) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        at = text.find(word)
        while at != -1:
            spans.append((at, at + len(word)))
            at = text.find(word, at + 1)
    return spans


def test_every_selected_repeat_resolves_to_its_own_span() -> None:
    text = SEED_TEXT.read_text(encoding="utf-8")
    # Words the article repeats, and a span across its non-breaking spaces.
    spans = _spans_of(text, ["Bắc Giang", "Đảng", "nhiệm kỳ", "Tỉnh ủy", "Đồng Thúy", "cấp"])
    assert "\xa0" in text
    nbsp = text.index("\xa0")
    start, end = nbsp - 12, nbsp + 12  # trimmed, as the editor trims a selection
    while text[start].isspace():
        start += 1
    while text[end - 1].isspace():
        end -= 1
    spans.append((start, end))
    assert len(spans) > 60
    sources = _in_node("EditorQuotes.sourceFor('doc', input.text, s, e)", text, spans)
    locator = QuoteLocator(text)
    for (start, end), source in zip(spans, sources, strict=True):
        quote, occurrence = str(source["quote"]), int(str(source["occurrence"]))
        assert locator.locate(quote, occurrence) == (start, end), (start, quote)


def test_whitespace_variants_count_as_the_same_quote() -> None:
    # The API matches "a b" against "a\xa0b" and "a\n b"; so must the occurrence count.
    text = "Tỉnh ủy\xa0Sơn Lâm họp. Tỉnh ủy\n  Sơn Lâm quyết định. Tỉnh ủy Sơn Lâm ban hành."
    spans = _spans_of(text, ["Tỉnh ủy Sơn Lâm"])
    assert len(spans) == 1
    third = spans[0]
    sources = _in_node("EditorQuotes.sourceFor('doc', input.text, s, e)", text, [third])
    assert sources[0]["occurrence"] == 3
    assert QuoteLocator(text).locate(str(sources[0]["quote"]), 3) == third


def test_sentences_cover_the_text_without_overlap() -> None:
    text = SEED_TEXT.read_text(encoding="utf-8")
    script_spans = subprocess.run(
        [
            str(NODE),
            "-e",
            f"require({json.dumps(str(QUOTES_JS))});"
            "const t = require('fs').readFileSync(0, 'utf8');"
            "process.stdout.write(JSON.stringify(EditorQuotes.sentences(t)));",
        ],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    sentences = json.loads(script_spans.stdout)
    assert len(sentences) > 30
    for (start, end), (next_start, _) in itertools.pairwise(sentences):
        assert start < end <= next_start
        assert text[end:next_start].strip() == ""
        assert text[start:end] == text[start:end].strip()
    assert text[sentences[0][0] : sentences[0][1]] == "Chỉ đạo, Điều hành"


def test_code_point_offsets_of_the_api_map_to_the_same_characters_in_javascript() -> None:
    text = "Đại hội 🎉 lần thứ nhất, \U0001f4dc lần thứ hai: Đại hội."
    spans = _spans_of(text, ["lần thứ", "Đại hội", "hai"])
    mapped = _in_node("(u => [u(s), u(e)])(EditorQuotes.unitIndex(input.text))", text, spans)
    utf16 = text.encode("utf-16-le")
    for (start, end), (unit_start, unit_end) in zip(spans, mapped, strict=True):
        word = utf16[2 * int(str(unit_start)) : 2 * int(str(unit_end))].decode("utf-16-le")
        assert word == text[start:end]
