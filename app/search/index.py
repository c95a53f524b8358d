"""The SQL over the search index: which records match, and which of them rank first.

A hit is a record holding every folded word of the query, found by FTS5 on SQLite and by the
tsvector's GIN index on PostgreSQL; that also counts them. Ranking is the same on both
databases, from the postings (app/search/postings.py): records where a word keeps the tone marks
the user typed come first; then by score, the sum of idf * impact of the query's words; ties by
the index's own id, so pages are stable while the data is.

A broad query's best records are found without ranking all its hits (Fagin's threshold
algorithm): the `depth` best records of each word's list are ranked, and that ranking is exact
once its last wanted record ranks before anything a record outside those lists can score (each
of its impacts is at most the one `depth` deep; a tie is settled by the lists' order, see
`_settled`). Otherwise the lists are read twice as deep, ranking only the records that the
deeper half brings (the best of all those read are among the best of the first half and the
best of the second), and past `MAX_DEPTH`, or for a query with few hits, every hit is ranked.
Both ways rank with one expression and give one order.
"""

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, String, bindparam, column, literal_column, select, table, text
from sqlmodel import Session

from app.search.kinds import SearchKind
from app.search.postings import idf
from app.search.terms import SNIPPET_LENGTH, Terms, decided_by_prefix

# Below this many hits, ranking them all costs less than reading the top of each word's list.
RANK_ALL_HITS = 1_000
FIRST_DEPTH = 256
MAX_DEPTH = 4_096

_SQLITE_HITS = "SELECT rowid AS doc_id FROM search_fts WHERE search_fts MATCH :match"
_POSTGRESQL_HITS = (
    "SELECT id AS doc_id FROM search_doc WHERE folded @@ to_tsquery('simple', :all_words)"
)
# The part of each word's list not read before: from `read` to `depth` deep.
_TOP_OF_LIST = (
    "SELECT doc_id FROM (SELECT doc_id FROM search_word WHERE word = :w{i} "
    "ORDER BY impact DESC, doc_id LIMIT :unread OFFSET :read) AS l{i}"
)
# The same, each entry with its impact as the candidate's for that word (i{i}), the others NULL.
_TOP_OF_LIST_IMPACTS = (
    "SELECT doc_id, {impacts} FROM (SELECT doc_id, impact FROM search_word WHERE word = :w{i} "
    "ORDER BY impact DESC, doc_id LIMIT :unread OFFSET :read) AS l{i}"
)
# Per word: the record `depth` deep in its list, its impact, and the next lower impact there.
_CUTOFFS = """
SELECT k, impact, doc_id, (
    SELECT s.impact FROM search_word AS s WHERE s.word = t.word AND s.impact < t.impact
    ORDER BY s.impact DESC LIMIT 1) AS below
FROM ({lists}) AS t
"""
_CUTOFF = (
    "SELECT {i} AS k, word, impact, doc_id FROM (SELECT word, impact, doc_id FROM search_word "
    "WHERE word = :w{i} ORDER BY impact DESC, doc_id LIMIT 1 OFFSET :last) AS x{i}"
)
_RANKED = """
SELECT doc_id, exact_score, folded_score FROM (
    SELECT c.doc_id, {exact_score} AS exact_score, {folded_score} AS folded_score
    FROM ({candidates}) AS c
    {joins}
    {kind_join}
) AS scored
ORDER BY exact_score > 0 DESC, exact_score + folded_score DESC, doc_id
LIMIT :limit OFFSET :offset
"""
# PostgreSQL's only. A candidate lacking a folded word is not a hit: its folded score is NULL,
# and it comes last (dropped by `rank_top`). OFFSET 0 keeps the scores a subquery of their own:
# merged into the outer query, each lookup was made once per mention of the score.
_RANKED_LOOKED_UP = """
SELECT doc_id, exact_score, folded_score FROM (
    SELECT c.doc_id, {exact_score} AS exact_score, {folded_score} AS folded_score
    FROM ({candidates}) AS c
    {kind_join}
    OFFSET 0
) AS scored
ORDER BY folded_score IS NULL, exact_score > 0 DESC, exact_score + folded_score DESC, doc_id
LIMIT :limit OFFSET :offset
"""
_KIND_JOIN = "JOIN search_doc AS d ON d.id = c.doc_id AND d.kind IN :kinds"
# The candidates ranked (k NULL) and where each word's list was cut, in one round trip.
_RANKED_AND_CUT = """
SELECT NULL AS k, doc_id, exact_score AS a, folded_score AS b FROM ({ranked}) AS r
UNION ALL
SELECT k, doc_id, impact, below FROM ({cutoffs}) AS cut
"""

# Each text's start is read, and the whole of those whose start does not decide the hit's snippet
# and title (`decided_by_prefix`): the first mention of a hit's word is usually near the start,
# and decompressing and sending 50 whole articles of 30,000 characters took PostgreSQL longer
# than the rest of a search.
_SQLITE_PAGE = """
SELECT d.id, d.kind, d.record_id, search_fts.name, substr(search_fts.body, 1, :prefix + 1) AS body
FROM search_doc AS d CROSS JOIN search_fts ON search_fts.rowid = d.id
WHERE d.id IN :ids
"""
_POSTGRESQL_PAGE = (
    "SELECT id, kind, record_id, name, substr(body, 1, :prefix + 1) AS body "
    "FROM search_doc WHERE id IN :ids"
)
_SQLITE_BODIES = "SELECT rowid AS id, body FROM search_fts WHERE rowid IN :ids"
_POSTGRESQL_BODIES = "SELECT id, body FROM search_doc WHERE id IN :ids"
# Room for a snippet around a word near the start; the longer, the more text every hit folds.
TEXT_PREFIX = 4 * SNIPPET_LENGTH
# The hits' count under no word (NULL), then the index's counts of records holding each word.
_MEASURE = """
SELECT NULL AS word, ({count}) AS docs
UNION ALL
SELECT word, docs FROM search_word_count WHERE word IN :words
"""
_SQLITE_COUNT = "SELECT count(*) FROM search_fts {kind_join} WHERE search_fts MATCH :match {kinds}"
_POSTGRESQL_COUNT = (
    "SELECT count(*) FROM search_doc WHERE folded @@ to_tsquery('simple', :all_words) {kinds}"
)


@dataclass(frozen=True)
class SearchRow:
    """A hit. `body` may be only the start of the record's text: as much as its snippet and title
    are made of (`app.search.terms.decided_by_prefix`)."""

    kind: SearchKind
    record_id: str
    name: str
    body: str
    score: float
    exact: bool


@dataclass(frozen=True)
class _PageRow:
    kind: str
    record_id: str
    name: str
    body: str


@dataclass(frozen=True)
class _Ranked:
    doc_id: int
    exact_score: float
    folded_score: float


@dataclass(frozen=True)
class _Cutoff:
    """Where a word's list was cut: the impact and record `depth` deep, the next lower impact."""

    impact: float
    doc_id: int
    below: float


def _settled(
    last: _Ranked, weights: Sequence[float], cutoffs: Sequence[_Cutoff | None], folded: int
) -> bool:
    """Whether no record outside the lists read (cut where `cutoffs` say; None: read to the end)
    can rank before `last`, the last record wanted from the candidates."""
    if any(cutoff is None for cutoff in cutoffs[:folded]):
        return True  # every hit holds that word, and its whole list was read
    at_cut = [cutoff.impact if cutoff else 0.0 for cutoff in cutoffs]

    def best(impacts: Sequence[float]) -> float:
        # Summed as the ranking sums, so that rounding cannot put an outside record above it.
        terms = [weight * impact for weight, impact in zip(weights, impacts, strict=True)]
        return _sum(terms[folded:]) + _sum(terms[:folded])

    exact_outside = any(cutoff is not None for cutoff in cutoffs[folded:])
    if (last.exact_score > 0) != exact_outside:
        return last.exact_score > 0
    score, bound = last.exact_score + last.folded_score, best(at_cut)
    if score != bound:
        return score > bound
    # A tie: an outside record scoring it holds every word at exactly the cut impact (any lower
    # one scores less), so it comes after the cut record in each list, and after `last`.
    for i, cutoff in enumerate(cutoffs):
        if cutoff is not None and best([*at_cut[:i], cutoff.below, *at_cut[i + 1 :]]) >= score:
            return False
    return last.doc_id <= max(cutoff.doc_id for cutoff in cutoffs if cutoff is not None)


class _Query:
    """One search's words, their weights and the statements over them."""

    def __init__(
        self, session: Session, terms: Terms, kinds: Collection[SearchKind] | None
    ) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.kinds = sorted(kinds) if kinds else None
        self.words = [*terms.folded, *terms.exact]
        self.folded = len(terms.folded)
        self.params: dict[str, Any] = {f"w{i}": word for i, word in enumerate(self.words)}
        if self.sqlite:
            self.params["match"] = terms.fts5_filter()
        else:
            self.params["all_words"] = terms.tsquery_all()
        if self.kinds:
            self.params["kinds"] = self.kinds

    def run(self, statement: str, params: dict[str, Any]) -> list[Any]:
        clause = text(statement)
        params = self.params | params
        for name in ("kinds", "ids", "words"):
            if name in params and f":{name}" in statement:
                clause = clause.bindparams(bindparam(name, expanding=True))
        return list(self.session.execute(clause, params))

    def measure(self) -> tuple[int, list[float]]:
        """The number of hits, and each word's idf from the index's counts of records in all and
        holding the word: one statement, one round trip."""
        if self.sqlite:
            kind_join = (
                "CROSS JOIN search_doc AS d ON d.id = search_fts.rowid" if self.kinds else ""
            )
            count = _SQLITE_COUNT.format(
                kind_join=kind_join, kinds="AND d.kind IN :kinds" if self.kinds else ""
            )
        else:
            count = _POSTGRESQL_COUNT.format(kinds="AND kind IN :kinds" if self.kinds else "")
        rows = self.run(_MEASURE.format(count=count), {"words": ["", *self.words]})
        held = {word: int(docs) for word, docs in rows}
        total, records = held.pop(None), held.get("", 0)
        return total, [idf(records, held.get(word, 0)) for word in self.words]

    def ranking(self, candidates: str, weights: Sequence[float]) -> str:
        """The statement ranking candidates that hold every folded word; the same expression
        whatever they are."""
        joins, folded_terms, exact_terms = [], [], []
        for i in range(len(self.words)):
            self.params[f"idf{i}"] = weights[i]
            if i < self.folded:
                joins.append(
                    f"JOIN search_word AS p{i} ON p{i}.doc_id = c.doc_id AND p{i}.word = :w{i}"
                )
                folded_terms.append(f":idf{i} * p{i}.impact")
            else:
                joins.append(
                    f"LEFT JOIN search_word AS p{i} ON p{i}.doc_id = c.doc_id AND p{i}.word = :w{i}"
                )
                exact_terms.append(f"coalesce(:idf{i} * p{i}.impact, 0.0)")
        return _RANKED.format(
            exact_score=" + ".join(exact_terms) or "0.0",
            folded_score=" + ".join(folded_terms),
            candidates=candidates,
            joins="\n".join(joins),
            kind_join=_KIND_JOIN if self.kinds else "",
        )

    def top_of_lists(self) -> str:
        """The candidates of a round: the entries of each word's list not read before."""
        if self.sqlite:
            return " UNION ".join(_TOP_OF_LIST.format(i=i) for i in range(len(self.words)))
        columns = [f"i{i}" for i in range(len(self.words))]
        entries = " UNION ALL ".join(
            _TOP_OF_LIST_IMPACTS.format(
                i=i,
                impacts=", ".join(
                    f"impact AS {c}" if c == column else f"NULL::float8 AS {c}" for c in columns
                ),
            )
            for i, column in enumerate(columns)
        )
        impacts = ", ".join(f"max({c}) AS {c}" for c in columns)
        return f"SELECT doc_id, {impacts} FROM ({entries}) AS e GROUP BY doc_id"

    def ranking_looked_up(self, candidates: str, weights: Sequence[float]) -> str:
        """`ranking` of `top_of_lists` on PostgreSQL: each candidate's impacts are those its
        lists gave it, and the others are looked up one by one. There a join read a common
        word's whole list into a hash (28,813 entries for `tac` at 100,000 records: 4.0 ms a
        round, 1.4 ms looked up); SQLite's joins already look up."""
        folded_terms, exact_terms = [], []
        for i in range(len(self.words)):
            self.params[f"idf{i}"] = weights[i]
            impact = (
                f"coalesce(c.i{i}, "
                f"(SELECT impact FROM search_word WHERE doc_id = c.doc_id AND word = :w{i}))"
            )
            if i < self.folded:
                folded_terms.append(f":idf{i} * {impact}")
            else:
                exact_terms.append(f"coalesce(:idf{i} * {impact}, 0.0)")
        return _RANKED_LOOKED_UP.format(
            exact_score=" + ".join(exact_terms) or "0.0",
            folded_score=" + ".join(folded_terms),
            candidates=candidates,
            kind_join=_KIND_JOIN if self.kinds else "",
        )

    def rank_all(self, weights: Sequence[float], limit: int, offset: int) -> list[_Ranked]:
        hits = _SQLITE_HITS if self.sqlite else _POSTGRESQL_HITS
        rows = self.run(self.ranking(hits, weights), {"limit": limit, "offset": offset})
        return [_Ranked(int(r[0]), float(r[1]), float(r[2])) for r in rows]

    def rank_top(
        self,
        weights: Sequence[float],
        wanted: int,
        depth: int,
        known: Sequence[_Ranked] = (),
        read: int = 0,
    ) -> tuple[list[_Ranked], bool]:
        """The `wanted` best hits from `depth` of each word's list, and whether they are the
        best of all hits. `known` are the best from the lists' first `read` entries, as an
        earlier call found them: only the entries after those are ranked, and the best of both
        kept (the best of a union are among the best of each of its parts)."""
        indices = range(len(self.words))
        candidates = self.top_of_lists()
        lists = " UNION ALL ".join(_CUTOFF.format(i=i) for i in indices)
        ranking = self.ranking if self.sqlite else self.ranking_looked_up
        statement = _RANKED_AND_CUT.format(
            ranked=ranking(candidates, weights), cutoffs=_CUTOFFS.format(lists=lists)
        )
        params = {"limit": wanted, "offset": 0, "read": read, "unread": depth - read}
        found = {r.doc_id: r for r in known}
        cut: list[_Cutoff | None] = [None for _ in indices]
        for row in self.run(statement, {**params, "last": depth - 1}):
            if row.k is None:
                if row.b is None:
                    continue  # not a hit (`_RANKED_LOOKED_UP`)
                found[int(row.doc_id)] = _Ranked(int(row.doc_id), float(row.a), float(row.b))
            else:
                cut[row.k] = _Cutoff(float(row.a), int(row.doc_id), float(row.b or 0.0))
        # The two parts of a UNION ALL come in no set order: put the ranked ones back in theirs.
        ranked = sorted(found.values(), key=_ranking_order)[:wanted]
        if len(ranked) < wanted:
            return ranked, any(cutoff is None for cutoff in cut[: self.folded])
        return ranked, _settled(ranked[-1], weights, cut, self.folded)

    def page(self, ids: list[int], terms: Terms) -> dict[int, _PageRow]:
        statement = _SQLITE_PAGE if self.sqlite else _POSTGRESQL_PAGE
        page = {
            int(r.id): _PageRow(r.kind, r.record_id, r.name, r.body)
            for r in self.run(statement, {"ids": ids, "prefix": TEXT_PREFIX})
        }
        undecided = [
            doc_id
            for doc_id, row in page.items()
            if len(row.body) > TEXT_PREFIX and not decided_by_prefix(row.body, terms)
        ]
        if undecided:
            bodies = _SQLITE_BODIES if self.sqlite else _POSTGRESQL_BODIES
            for doc_id, body in self.run(bodies, {"ids": undecided}):
                page[int(doc_id)] = replace(page[int(doc_id)], body=body)
        return page


def _ranking_order(r: _Ranked) -> tuple[bool, float, int]:
    """The ranking statement's ORDER BY, in Python: the same doubles summed the same way."""
    return (not r.exact_score > 0, -(r.exact_score + r.folded_score), r.doc_id)


def _sum(values: Sequence[float]) -> float:
    """Left to right from the first term, as SQL adds `a + b + c`; 0.0 for none."""
    total = values[0] if values else 0.0
    for value in values[1:]:
        total += value
    return total


def search(
    session: Session,
    terms: Terms,
    kinds: Collection[SearchKind] | None,
    *,
    limit: int,
    offset: int,
    rank_all_hits: int = RANK_ALL_HITS,
    first_depth: int = FIRST_DEPTH,
) -> tuple[list[SearchRow], int]:
    """A page of hits, best first, and the number of hits in all. (The last two arguments say
    when the top of the lists is read instead of every hit, and from how deep.)"""
    query = _Query(session, terms, kinds)
    total, weights = query.measure()
    if offset >= total:
        return [], total
    wanted = offset + limit
    ranked: list[_Ranked] | None = None
    if total > rank_all_hits:
        best: list[_Ranked] = []
        read, depth = 0, max(first_depth, 4 * wanted)
        while ranked is None and depth <= MAX_DEPTH:
            best, settled = query.rank_top(weights, wanted, depth, best, read)
            ranked = best if settled else None
            read, depth = depth, 2 * depth
    ranked = query.rank_all(weights, limit, offset) if ranked is None else ranked[offset:]
    if not ranked:
        return [], total
    rows = query.page([r.doc_id for r in ranked], terms)
    hits = []
    for r in ranked:
        row = rows[r.doc_id]
        hits.append(
            SearchRow(
                kind=SearchKind(row.kind),
                record_id=row.record_id,
                name=row.name,
                body=row.body,
                score=round(r.exact_score + r.folded_score, 6),
                exact=r.exact_score > 0,
            )
        )
    return hits, total


@contextmanager
def counts_deferred(session: Session) -> Iterator[None]:
    """Around a bulk write in the session's transaction: on PostgreSQL the index's per-word
    record counts are not updated record by record (each update of a row keeps its earlier
    versions until commit, and a seed of 100,000 records went quadratic) but counted again once
    at the end. On SQLite, where an update rewrites the row in place, nothing changes."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("SET LOCAL search.defer_counts = 'on'"))
    yield
    if postgresql:
        session.execute(text("SET LOCAL search.defer_counts = 'off'"))
        session.execute(text("DELETE FROM search_word_count"))
        session.execute(
            text(
                "INSERT INTO search_word_count (word, docs) "
                "SELECT word, count(*) FROM search_word GROUP BY word "
                "UNION ALL SELECT '', count(*) FROM search_doc"
            )
        )


def _postgresql_match(terms: Terms) -> Any:
    return text("search_doc.folded @@ to_tsquery('simple', :search_words)").bindparams(
        search_words=terms.tsquery_all()
    )


def matching_ids(session: Session, kind: SearchKind, terms: Terms) -> Select[str]:
    """The ids of `kind` containing every word: a subquery for a collection's `q=` filter."""
    if session.get_bind().dialect.name == "sqlite":
        # CROSS JOIN keeps the match outermost: with a plain JOIN, SQLite's planner ran the
        # full-text match once per record of the kind (2 s for `achievements?q=cong tac` at
        # 100,000 records, against 18 ms).
        return (
            select(literal_column("search_doc.record_id", String))
            .select_from(
                text("search_fts CROSS JOIN search_doc ON search_doc.id = search_fts.rowid")
            )
            .where(
                text("search_fts MATCH :search_match").bindparams(search_match=terms.fts5_filter()),
                literal_column("search_doc.kind") == kind.value,
            )
        )
    doc = table("search_doc", column("kind"), column("record_id"))
    return select(doc.c.record_id).where(doc.c.kind == kind.value, _postgresql_match(terms))
