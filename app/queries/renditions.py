"""Reading the representations stored on write (app.editing.renditions renders them).

A read that finds none (a database migrated but not yet rendered) renders as before, so a
missing row costs time, never a wrong answer.
"""

from functools import cache

from sqlalchemy import Select, Table, and_, bindparam, func, select
from sqlmodel import Session

from app.models import ANY_LANGUAGE, Rendition

_TABLE: Table = Rendition.__table__  # type: ignore[attr-defined]
SUMMARY = "summary"


@cache
def _one() -> Select[tuple[int, str]]:
    return select(_TABLE.c.revision, _TABLE.c.body).where(
        _TABLE.c.kind == bindparam("kind"),
        _TABLE.c.record_id == bindparam("record_id"),
        _TABLE.c.lang.in_((bindparam("lang"), ANY_LANGUAGE)),
    )


def stored_body(session: Session, kind: str, record_id: str, lang: str) -> tuple[int, str] | None:
    """The stored (revision, body) of a record or a summary, in `lang` where it differs."""
    row = session.execute(_one(), {"kind": kind, "record_id": record_id, "lang": lang}).first()
    return (row[0], row[1]) if row else None


def bodies_of(
    statement: Select[tuple[object]], table: Table, kind: str, lang: str = ANY_LANGUAGE
) -> Select[tuple[str | None]]:
    """`statement` (a filtered, ordered, paged select of `table`'s rows) turned into the stored
    bodies of those rows, in the same order; a row without one gives None."""
    joined = table.outerjoin(
        _TABLE,
        and_(_TABLE.c.kind == kind, _TABLE.c.record_id == table.c.id, _TABLE.c.lang == lang),
    )
    return statement.with_only_columns(_TABLE.c.body).select_from(joined)


def page_bodies(session: Session, statement: Select[tuple[str | None]]) -> list[str] | None:
    """The page's bodies, or None if any row has none stored."""
    bodies = list(session.execute(statement).scalars())
    return None if any(body is None for body in bodies) else bodies


def count_and_bodies(
    session: Session,
    filtered: Select[tuple[object]],
    ordered: Select[tuple[object]],
    *,
    table: Table,
    kind: str,
    lang: str = ANY_LANGUAGE,
    limit: int,
    offset: int,
) -> tuple[list[str] | None, int]:
    """A list page from stored bodies: (bodies in order, or None if one is missing; total)."""
    total = session.execute(select(func.count()).select_from(filtered.subquery())).scalar_one()
    page = bodies_of(ordered.limit(limit).offset(offset), table, kind, lang)
    return page_bodies(session, page), total
