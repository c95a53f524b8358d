"""The SQL over the search index: FTS5 on SQLite, tsvector with GIN on PostgreSQL.

Ranking, on both: records where a word keeps the tone marks the user typed come first; then by
relevance, where a match in a record's name (a person's, an organization's, a title) counts ten
times a match in running text; then by kind and id, so that pages are stable.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, column, select, table, text
from sqlmodel import Session

from app.search.kinds import SearchKind
from app.search.terms import Terms

# bm25() weights, by column of search_fts: name, body, name_folded, body_folded.
_NAME_WEIGHT = 10.0
_BODY_WEIGHT = 1.0

_SQLITE_SEARCH = f"""
SELECT d.kind, d.record_id, search_fts.name, search_fts.body,
       bm25(search_fts, {_NAME_WEIGHT}, {_BODY_WEIGHT}, 0, 0) AS exact_rank,
       bm25(search_fts, 0, 0, {_NAME_WEIGHT}, {_BODY_WEIGHT}) AS folded_rank
FROM search_fts CROSS JOIN search_doc AS d ON d.id = search_fts.rowid
WHERE search_fts MATCH :match {{kinds}}
ORDER BY exact_rank < 0 DESC, exact_rank + folded_rank, d.kind, d.record_id
LIMIT :limit OFFSET :offset
"""
_SQLITE_COUNT = """
SELECT count(*) FROM search_fts CROSS JOIN search_doc AS d ON d.id = search_fts.rowid
WHERE search_fts MATCH :match {kinds}
"""

# ts_rank() weighs A (names) 1.0 and D (running text) 0.1; normalization 1 divides by the log of
# the length, so a long document mentioning a name does not outrank the person.
_POSTGRESQL_SEARCH = """
SELECT kind, record_id, name, body, exact_rank, folded_rank, count(*) OVER () AS total
FROM (
    SELECT kind, record_id, name, body,
           {exact_rank} AS exact_rank,
           ts_rank(folded, to_tsquery('simple', :all_words), 1) AS folded_rank
    FROM search_doc
    WHERE folded @@ to_tsquery('simple', :all_words) {kinds}
) AS hits
ORDER BY exact_rank > 0 DESC, exact_rank + folded_rank DESC, kind, record_id
LIMIT :limit OFFSET :offset
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
        where = kind_filter.format(column="d.kind")
        rows = _run(session, _SQLITE_SEARCH.format(kinds=where), params)
        del params["limit"], params["offset"]
        count = _run(session, _SQLITE_COUNT.format(kinds=where), params)[0][0]
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
