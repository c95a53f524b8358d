"""Byte ranges (RFC 9110 §14): which part of a file a `Range` header asks for."""

import re

MAX_RANGES = 16
_NUMBER = re.compile(r"[0-9]{1,18}")


def requested_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """The satisfiable ranges of `header` in a file of `size` bytes, as (first, last) offsets,
    last included.

    None means the header is to be ignored and the whole file sent (§14.2: another unit, a
    malformed range, or more ranges than a download manager would ask for); an empty list
    means no range is satisfiable (416)."""
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    parts = [part.strip() for part in spec.split(",") if part.strip()]
    if not parts or len(parts) > MAX_RANGES:
        return None
    ranges: list[tuple[int, int]] = []
    for part in parts:
        first_text, dash, last_text = (text.strip() for text in part.partition("-"))
        if not dash:
            return None
        if first_text:
            if not _NUMBER.fullmatch(first_text):
                return None
            first = int(first_text)
            if last_text:
                if not _NUMBER.fullmatch(last_text) or int(last_text) < first:
                    return None
                last = min(int(last_text), size - 1)
            else:
                last = size - 1
            if first < size:
                ranges.append((first, last))
        else:
            if not _NUMBER.fullmatch(last_text):
                return None
            suffix = int(last_text)
            if suffix > 0 and size > 0:
                ranges.append((max(size - suffix, 0), size - 1))
    return ranges
