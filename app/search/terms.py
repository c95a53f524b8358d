"""From what a user typed to what the index is asked, and from a hit's text to a marked snippet.

Only words are searched: a word is a run of letters and digits, so operators, quotes and SQL in
the input are separators and never reach a match expression except as quoted words.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.text import fold

MAX_QUERY_LENGTH = 200
SNIPPET_LENGTH = 160
TITLE_LENGTH = 120
# Characters before the end of a cut text that may read differently in the whole: a word or a
# combining sequence (at most 30 marks after a letter, in stream-safe text) the cut split.
_CUT_MARGIN = 32

_WORD = re.compile(r"[^\W_]+")

# Snippets and a record's postings fold word by word, and fold() normalizes twice per call: a
# page of 50 hits spent milliseconds there, and a record's postings half their time. Text is made
# of a few thousand distinct words (syllables).
fold_word = lru_cache(maxsize=1 << 16)(fold)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass(frozen=True)
class Terms:
    """A query's words: folded (each must match) and, where the user typed tone marks or đ,
    as typed (lowercase), which ranks the records that keep them first."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]

    @classmethod
    def parse(cls, q: str) -> "Terms":
        folded: dict[str, None] = {}
        exact: dict[str, None] = {}
        for word in words(unicodedata.normalize("NFC", q).casefold()):
            plain = "".join(words(fold(word)))
            if plain:
                folded[plain] = None
                if plain != word:
                    exact[word] = None
        return cls(tuple(folded), tuple(exact))

    def __bool__(self) -> bool:
        return bool(self.folded)

    def fts5_filter(self) -> str:
        """FTS5 query: every folded word (only the folded columns are indexed)."""
        return " AND ".join(f'"{word}"' for word in self.folded)

    def tsquery_all(self) -> str:
        return " & ".join(f"'{word}'" for word in self.folded)


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: list[tuple[int, int]]


def snippet(text: str, terms: Terms) -> Snippet | None:
    """About SNIPPET_LENGTH characters of `text` around its first matching word, whitespace
    collapsed, with the (start, end) of every matching word in it; None when no word matches."""
    text = unicodedata.normalize("NFC", text)
    wanted = set(terms.folded)
    first = _first_match(text, wanted)
    if first is None:
        return None
    start = _lead_start(first)
    if start > 0:
        space = text.find(" ", start, first.start())
        start = space + 1 if space != -1 else first.start()
    end = min(len(text), start + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space != -1 else max(end, first.end())
    piece = " ".join(text[start:end].split())
    prefix = "…" if start > 0 else ""
    shown = prefix + piece + ("…" if end < len(text) else "")
    marks = [
        (m.start() + len(prefix), m.end() + len(prefix))
        for m in _WORD.finditer(piece)
        if fold_word(m.group()) in wanted
    ]
    return Snippet(shown, marks)


def decided_by_prefix(text: str, terms: Terms) -> bool:
    """Whether `text`, cut from the start of a hit's text, gives the hit the snippet and title
    the whole text would: its first matching word and the snippet around it end before the cut's
    margin, and its words run past a title's length."""
    if len(" ".join(text.split())) <= TITLE_LENGTH:
        return False
    text = unicodedata.normalize("NFC", text)
    safe = len(text) - _CUT_MARGIN
    first = _first_match(text, set(terms.folded))
    if first is None or first.end() >= safe:
        return False
    return _lead_start(first) + SNIPPET_LENGTH < safe


def _first_match(text: str, wanted: set[str]) -> re.Match[str] | None:
    return next((m for m in _WORD.finditer(text) if fold_word(m.group()) in wanted), None)


def _lead_start(first: re.Match[str]) -> int:
    """Where a snippet around `first` would start, before it moves to the next space."""
    return max(0, first.start() - SNIPPET_LENGTH // 3)


def shorten(text: str, length: int = TITLE_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[: cut if cut > 0 else length] + "…"
