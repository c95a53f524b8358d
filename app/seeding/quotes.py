"""Finding a quote in a document: whitespace- and NFC-insensitive, returning the exact span."""

import unicodedata
from functools import lru_cache


class QuoteNotFound(ValueError):
    pass


class QuoteAmbiguous(ValueError):
    pass


def _collapse_whitespace(text: str) -> tuple[str, list[int]]:
    """Each whitespace run becomes one space; also returns, per output char, its source index."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if previous_space:
                continue
            chars.append(" ")
            previous_space = True
        else:
            chars.append(char)
            previous_space = False
        origin.append(index)
    return "".join(chars), origin


class QuoteLocator:
    """Locates quotes in one document's text; build once per document."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded, self._origin = _collapse_whitespace(text)

    def locate(self, quote: str, occurrence: int | None = None) -> tuple[int, int]:
        """Returns (start, end) with `text[start:end]` the exact printed form of `quote`."""
        needle, _ = _collapse_whitespace(unicodedata.normalize("NFC", quote).strip())
        if not needle:
            raise QuoteNotFound("the quote is only whitespace")
        matches: list[int] = []
        at = self._folded.find(needle)
        while at != -1:
            matches.append(at)
            at = self._folded.find(needle, at + 1)
        if not matches:
            raise QuoteNotFound("quote not found in the document text")
        if occurrence is None and len(matches) > 1:
            raise QuoteAmbiguous(
                f"quote occurs {len(matches)} times in the document; set `occurrence`"
            )
        index = (occurrence or 1) - 1
        if index >= len(matches):
            raise QuoteNotFound(f"quote occurs {len(matches)} times, not {occurrence}")
        first = matches[index]
        return self._origin[first], self._origin[first + len(needle) - 1] + 1


@lru_cache(maxsize=32)
def locator_for(text: str) -> QuoteLocator:
    """A locator per document text, kept across writes: building one walks the whole text, and
    a write would otherwise build it once per quote (texts never change, so neither does it)."""
    return QuoteLocator(text)
