"""A hit's snippet and title from the start of its text (search reads no more when it can): the
same as from the whole text whenever `decided_by_prefix` says so."""

import random
import unicodedata

import pytest
from sqlmodel import Session

from app.api.routes.search import _hit
from app.search import index
from app.search.index import SearchRow, search
from app.search.kinds import SearchKind
from app.search.terms import Terms, decided_by_prefix
from tests.test_search_index import VIETNAMESE

WORDS = ["nguyễn", "văn", "Nguyen", "VĂN", "thái", "bắc", "giang", "đảng", "bộ", "x"]


def _text(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randint(0, 120)):
        word = rng.choice([*WORDS, "".join(rng.choices(VIETNAMESE, k=rng.randint(1, 6)))])
        if rng.random() < 0.2:
            word = unicodedata.normalize("NFD", word)  # a cut may split a combining sequence
        pieces.append(word + rng.choice([" ", " ", ", ", ".\n", "   \t ", "-"]))
    return "".join(pieces)


def _shown(body: str, name: str, terms: Terms) -> tuple[str, str, list[tuple[int, int]]]:
    row = SearchRow(SearchKind.document, "d", name, body, 1.0, False)
    hit = _hit(row, terms, "http://x")
    return hit.title, hit.snippet, [(h.start, h.end) for h in hit.highlights]


def test_a_prefix_that_decides_the_hit_shows_what_the_whole_text_shows() -> None:
    rng = random.Random(20261130)
    decided = undecided = 0
    for _ in range(4_000):
        text = _text(rng)
        terms = Terms.parse(rng.choice(["nguyen van", "thai", "bac giang", "dang bo", "x"]))
        prefix = text[: rng.randint(0, len(text))]
        if decided_by_prefix(prefix, terms):
            decided += 1
            for name in ("", "Ông Nguyễn"):
                assert _shown(prefix, name, terms) == _shown(text, name, terms), (prefix, terms)
        else:
            undecided += 1
    assert decided > 500 and undecided > 500  # both ways were exercised


def test_no_match_or_a_match_at_the_cut_leaves_a_prefix_undecided() -> None:
    terms = Terms.parse("van")
    assert not decided_by_prefix("x " * 200, terms)
    assert not decided_by_prefix("x " * 100 + "va", terms)  # "va" may be the start of "van"
    assert not decided_by_prefix("x " * 100 + "van", terms)  # or of "vanh"
    assert decided_by_prefix("x " * 10 + "van " + "y " * 150, terms)
    assert not decided_by_prefix("van" + " " * 400, terms)  # too few words for a title


@pytest.mark.parametrize("prefix", [40, 400])
def test_search_shows_the_same_hits_whatever_prefix_it_reads_first(
    session: Session, monkeypatch: pytest.MonkeyPatch, prefix: int
) -> None:
    queries = ["bac giang", "dai hoi", "nhiem ky", "doan ket", "kiem tra", "nguyen"]

    def shown() -> list[tuple[str, str, list[tuple[int, int]]]]:
        out = []
        for q in queries:
            terms = Terms.parse(q)
            rows, _total = search(session, terms, None, limit=50, offset=0)
            out += [_shown(row.body, row.name, terms) for row in rows]
        return out

    monkeypatch.setattr(index, "TEXT_PREFIX", 10**9)
    whole = shown()
    bodies = [
        row.body
        for q in queries
        for row in search(session, Terms.parse(q), None, limit=50, offset=0)[0]
    ]
    assert max(map(len, bodies)) > 10 * 400  # the article: its start is all the prefix reads
    monkeypatch.setattr(index, "TEXT_PREFIX", prefix)
    assert shown() == whole
