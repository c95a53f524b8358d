"""What the search index keeps of each record to rank it: one weight (impact) per word it holds.

A record's impact for a word is BM25's term part with a fixed reference length, so it depends
on the record alone and an edit rewrites only that record's rows:

    f      = 10 * (times in the name) + (times in the text)
    norm   = K1 * (1 - B + B * length / REFERENCE_LENGTH),  length = words in name and text
    impact = f * (K1 + 1) / (f + norm)

A query's score for a record is the sum over its words of idf(word) * impact, where
idf = ln(1 + (N - n + 0.5) / (n + 0.5)) over the N records of the index and the n holding the
word. Words are kept folded (as searched) and, where the record has them with tone marks or đ,
as printed (lowercase), which is what ranks records keeping the marks a user typed first.

Because the impact of a word is stored in an index ordered by impact, the best records for a
query can be found from the top of each word's list without scoring every hit
(`app.search.index`). PostgreSQL computes the same numbers in SQL (`search_postings()`, made by
the migration): only + - * / on doubles, in the same order, so both databases store the same
bits; tests/test_search_postings.py checks it.
"""

import json
import math
import unicodedata
from collections import Counter

from app.search.terms import fold_word, words
from app.text import fold

K1 = 1.2
B = 0.75
REFERENCE_LENGTH = 32.0
NAME_WEIGHT = 10


def postings(name: str, body: str) -> dict[str, float]:
    """Each word of the record, folded and (where it differs) as printed, with its impact."""
    folded_name, folded_body = words(fold(name)), words(fold(body))
    counts: Counter[str] = Counter()
    for word in folded_name:
        counts[word] += NAME_WEIGHT
    counts.update(folded_body)
    for text, weight in ((name, NAME_WEIGHT), (body, 1)):
        for word in words(unicodedata.normalize("NFC", text).lower()):
            if fold_word(word) != word:
                counts[word] += weight
    length = float(len(folded_name) + len(folded_body))
    norm = K1 * (1.0 - B + B * length / REFERENCE_LENGTH)
    return {word: f * (K1 + 1.0) / (f + norm) for word, f in counts.items()}


def postings_json(name: str | None, body: str | None) -> str:
    """`postings` as a JSON object: what SQLite's triggers expand with json_each()."""
    return json.dumps(postings(name or "", body or ""), ensure_ascii=False)


def idf(records: int, holding: int) -> float:
    return math.log(1.0 + (records - holding + 0.5) / (holding + 0.5))
