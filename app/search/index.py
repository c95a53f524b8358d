"""The SQL over the search index: FTS5 on SQLite, tsvector with GIN on PostgreSQL.

Ranking, on both: records where a word keeps the tone marks the user typed come first; then by
relevance, where a match in a record's name (a person's, an organization's, a title) counts ten
times a match in running text; ties in the order of the index's own unique key, so pages are
stable while the data is.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, column, select, table, text
from sqlmodel import Session

from app.search.kinds import SearchKind
from app.search.terms import SNIPPET_LENGTH, Terms

SNIPPET_WINDOW = 4 * SNIPPET_LENGTH

# bm25() weights, by column of search_fts: name, body, name_folded, body_folded.
_NAME_WEIGHT = 10.0
_BODY_WEIGHT = 1.0

# Ranked on rowids alone, then the page's text fetched: sorting every hit with its text would
# copy whole documents through the sorter. Of a long text only a window around the first word
# is fetched, found in the folded text (as a whole word if it can be): folding keeps the length
# of Vietnamese text, so the offset there is the offset in the printed text, where the snippet
# is then marked. Should the window hold no whole match, the hit's snippet falls back to its name.
_SQLITE_SEARCH = """
SELECT d.kind, d.record_id, search_fts.name,
       CASE WHEN length(search_fts.body) <= :window THEN search_fts.body
            ELSE substr(search_fts.body, max(1, coalesce(
                nullif(instr(search_fts.body_folded, ' ' || :first_word || ' '), 0),
                nullif(instr(search_fts.body_folded, ' ' || :first_word || ','), 0),
                instr(search_fts.body_folded, :first_word)) - :lead), :window)
       END AS body,
       hits.exact_rank, hits.folded_rank
FROM (
    SELECT search_fts.rowid AS doc_id, {exact_rank} AS exact_rank,
           bm25(search_fts, 0, 0, {name_weight}, {body_weight}) AS folded_rank
    FROM search_fts {kind_join}
    WHERE search_fts MATCH :match {kinds}
    ORDER BY exact_rank < 0 DESC, exact_rank + folded_rank, doc_id
    LIMIT :limit OFFSET :offset
) AS hits
CROSS JOIN search_fts ON search_fts.rowid = hits.doc_id
JOIN search_doc AS d ON d.id = hits.doc_id
ORDER BY hits.exact_rank < 0 DESC, hits.exact_rank + hits.folded_rank, hits.doc_id
"""
_SQLITE_EXACT_RANK = "bm25(search_fts, {name_weight}, {body_weight}, 0, 0)"
_SQLITE_KIND_JOIN = "CROSS JOIN search_doc AS d ON d.id = search_fts.rowid"
_SQLITE_COUNT = """
SELECT count(*) FROM search_fts {kind_join} WHERE search_fts MATCH :match {kinds}
"""

# ts_rank() weighs A (names) 1.0 and D (running text) 0.1; normalization 1 divides by the log of
# the length, so a long document mentioning a name does not outrank the person.
# As on SQLite, every hit is ranked on its id alone and only the page's rows are read whole: the
# count window over whole rows buffered every hit's text (and tsvector) and spilled to disk.
# OFFSET 0 keeps the ranks computed below the window, which then holds ids and ranks only.
_POSTGRESQL_SEARCH = """
SELECT d.kind, d.record_id, d.name, d.body, hits.exact_rank, hits.folded_rank, hits.total
FROM (
    SELECT id, exact_rank, folded_rank, count(*) OVER () AS total
    FROM (
        SELECT id, {exact_rank} AS exact_rank,
               ts_rank(folded, to_tsquery('simple', :all_words), 1) AS folded_rank
        FROM search_doc
        WHERE folded @@ to_tsquery('simple', :all_words) {kinds}
        OFFSET 0
    ) AS ranked
    ORDER BY exact_rank > 0 DESC, exact_rank + folded_rank DESC, id
    LIMIT :limit OFFSET :offset
) AS hits
JOIN search_doc AS d ON d.id = hits.id
ORDER BY hits.exact_rank > 0 DESC, hits.exact_rank + hits.folded_rank DESC, hits.id
"""
_POSTGRESQL_EXACT_RANK = (
    "CASE WHEN exact @@ to_tsquery('simple', :exact_words) "
    "THEN ts_rank(exact, to_tsquery('simple', :exact_words), 1) ELSE 0::real END"
)


@dataclass(frozen=True)
class SearchRow:
    kind: SearchKind
    record_id: str
    name: str
    body: str
    score: float
    exact: bool


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def search(
    session: Session,
    terms: Terms,
    kinds: Collection[SearchKind] | None,
    *,
    limit: int,
    offset: int,
) -> tuple[list[SearchRow], int]:
    """A page of hits, best first, and the number of hits in all."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    kind_filter = ""
    if kinds:
        kind_filter = "AND {column} IN :kinds"
        params["kinds"] = sorted(kinds)
    if _is_sqlite(session):
        params["match"] = terms.fts5_ranked()
        window = {
            "first_word": terms.folded[0],
            "window": SNIPPET_WINDOW,
            "lead": SNIPPET_WINDOW // 3,
        }
        weights = {"name_weight": _NAME_WEIGHT, "body_weight": _BODY_WEIGHT}
        parts = {
            "exact_rank": _SQLITE_EXACT_RANK.format(**weights) if terms.exact else "0",
            "kind_join": _SQLITE_KIND_JOIN if kinds else "",
            "kinds": kind_filter.format(column="d.kind"),
        }
        rows = _run(session, _SQLITE_SEARCH.format(**weights, **parts), params | window)
        del params["limit"], params["offset"]
        count = _run(session, _SQLITE_COUNT.format(**parts), params)[0][0]
        hits = [
            _row(r.kind, r.record_id, r.name, r.body, -r.exact_rank, -r.folded_rank) for r in rows
        ]
        return hits, int(count)
    params["all_words"] = terms.tsquery_all()
    exact_rank = "0::real"
    if terms.exact:
        params["exact_words"] = terms.tsquery_exact()
        exact_rank = _POSTGRESQL_EXACT_RANK
    statement = _POSTGRESQL_SEARCH.format(
        exact_rank=exact_rank, kinds=kind_filter.format(column="kind")
    )
    rows = _run(session, statement, params)
    if not rows:
        count = 0
        if offset > 0:  # past the end: the window count is not there to read
            count = _postgresql_count(session, terms, kinds)
        return [], count
    hits = [_row(r.kind, r.record_id, r.name, r.body, r.exact_rank, r.folded_rank) for r in rows]
    return hits, int(rows[0].total)


def _text(statement: str, params: dict[str, Any]) -> Any:
    clause = text(statement)
    if "kinds" in params:
        clause = clause.bindparams(bindparam("kinds", expanding=True))
    return clause


def _run(session: Session, statement: str, params: dict[str, Any]) -> list[Any]:
    return list(session.execute(_text(statement, params), params))


def _row(
    kind: str, record_id: str, name: str, body: str, exact_rank: float, folded_rank: float
) -> SearchRow:
    return SearchRow(
        kind=SearchKind(kind),
        record_id=record_id,
        name=name,
        body=body,
        score=round(float(exact_rank) + float(folded_rank), 6),
        exact=exact_rank > 0,
    )


def _postgresql_count(session: Session, terms: Terms, kinds: Collection[SearchKind] | None) -> int:
    doc = table("search_doc", column("kind"), column("folded"))
    statement = select(text("count(*)")).select_from(doc).where(_postgresql_match(terms))
    if kinds:
        statement = statement.where(doc.c.kind.in_(sorted(kinds)))
    return int(session.execute(statement).scalar_one())


def _postgresql_match(terms: Terms) -> Any:
    return text("search_doc.folded @@ to_tsquery('simple', :search_words)").bindparams(
        search_words=terms.tsquery_all()
    )


def matching_ids(session: Session, kind: SearchKind, terms: Terms) -> Select[str]:
    """The ids of `kind` containing every word: a subquery for a collection's `q=` filter."""
    doc = table("search_doc", column("id"), column("kind"), column("record_id"))
    if _is_sqlite(session):
        fts = table("search_fts", column("rowid"))
        return (
            select(doc.c.record_id)
            .select_from(fts.join(doc, doc.c.id == fts.c.rowid))
            .where(
                text("search_fts MATCH :search_match").bindparams(search_match=terms.fts5_filter()),
                doc.c.kind == kind.value,
            )
        )
    return select(doc.c.record_id).where(doc.c.kind == kind.value, _postgresql_match(terms))
