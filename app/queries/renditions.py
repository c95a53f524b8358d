"""Reading the representations stored on write (app.editing.renditions renders them).

A read that finds none (a database migrated but not yet rendered) renders as before, so a
missing row costs time, never a wrong answer. The reads are steps (app.reads): the handlers
run them in their session, app.api.stored_reads on the event loop.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, Table, bindparam, func, select

from app.models import ANY_LANGUAGE, Rendition
from app.reads import Rows, Steps

_TABLE: Table = Rendition.__table__  # type: ignore[attr-defined]
SUMMARY = "summary"
TOTAL = "total"  # how many records of a kind there are: an unfiltered list's total
# From this offset a page finds its rows before their bodies (BodyPages): reading the rows a
# second time cost PostgreSQL about as much as 50 skipped bodies (bench/RESULTS.md).
IDS_FIRST = 100


@cache
def _one() -> Select[int, str]:
    return select(_TABLE.c.revision, _TABLE.c.body).where(
        _TABLE.c.kind == bindparam("kind"),
        _TABLE.c.record_id == bindparam("record_id"),
        _TABLE.c.lang.in_((bindparam("lang"), ANY_LANGUAGE)),
    )


Found = tuple[list[str] | None, int]  # a page's bodies (None if one is missing), the total


def stored_body_steps(kind: str, record_id: str, lang: str) -> Steps[tuple[int, str] | None]:
    """The stored (revision, body) of a record or a summary, in `lang` where it differs."""
    rows = yield _one(), {"kind": kind, "record_id": record_id, "lang": lang}
    return (rows[0][0], rows[0][1]) if rows else None


def _bodies_of(
    statement: Select[Any], table: Table, kind: str, lang: str | BindParameter[str] = ANY_LANGUAGE
) -> Select[str | None]:
    """`statement` (a filtered, ordered, paged select of `table`'s rows) turned into the stored
    bodies of those rows, in the same order; a row without one gives None.

    A subquery per row of the page, not a join: PostgreSQL runs it after the LIMIT, one primary
    key lookup per row, whatever its statistics say. A join planned on stale ones (a table just
    loaded, not yet analyzed) scanned all of a kind's bodies: 4.1 ms against 0.24 ms for a page
    of 20 at 100,000 records."""
    body = (
        select(_TABLE.c.body)
        .where(_TABLE.c.kind == kind, _TABLE.c.record_id == table.c.id, _TABLE.c.lang == lang)
        .correlate(table)
        .scalar_subquery()
    )
    return statement.with_only_columns(body, maintain_column_froms=True)


@cache
def _total() -> Select[str]:
    return select(_TABLE.c.body).where(
        _TABLE.c.kind == TOTAL,
        _TABLE.c.record_id == bindparam("total_of"),
        _TABLE.c.lang == ANY_LANGUAGE,
    )


@dataclass(frozen=True)
class BodyPages:
    """A list's count and its page of stored bodies, built once per shape of the list (which
    filters, which sort) with every value bound at run time: building the statements cost more
    than running them. An unfiltered list takes its total from the one stored on write, read
    with the page: one statement (one round trip on PostgreSQL) for a page that has rows."""

    count: Select[int]
    page: Select[Any]  # (body, and the stored total if any) of each row of the page
    deep_page: Select[Any]  # the same, its rows found first: for an offset from IDS_FIRST
    total_of: str | None

    @classmethod
    def of(
        cls,
        filtered: Select[Any],
        ordered: Select[Any],
        table: Table,
        kind: str,
        *,
        unfiltered: bool,
    ) -> "BodyPages":
        window = ordered.limit(bindparam("limit")).offset(bindparam("offset"))
        page: Select[Any] = _bodies_of(window, table, kind, bindparam("lang"))
        # PostgreSQL computes a row's body before OFFSET drops the row: 9,000 rows deep, the
        # bodies skipped took 55 of a page's 57 ms. So a deep page finds its rows' ids first.
        ids = window.with_only_columns(table.c.id).correlate(None)
        deep = _bodies_of(ordered.where(table.c.id.in_(ids)), table, kind, bindparam("lang"))
        if unfiltered:
            page = page.add_columns(_total().scalar_subquery())
            deep = deep.add_columns(_total().scalar_subquery())
        return cls(
            count=select(func.count()).select_from(filtered.subquery()),
            page=page,
            deep_page=deep,
            total_of=kind if unfiltered else None,
        )

    def steps(self, parameters: dict[str, Any]) -> Steps[Found]:
        """(the page's bodies in order, or None if one is missing; the total), as steps."""
        parameters = {**parameters, "total_of": self.total_of}
        deep = parameters["offset"] >= IDS_FIRST
        rows = yield (self.deep_page if deep else self.page), parameters
        stored = None
        if self.total_of is not None:
            stored = rows[0][1] if rows else _first((yield _total(), parameters))
        if stored is None:
            stored = _first((yield self.count, parameters))
        total = int(stored)
        bodies = [row[0] for row in rows if row[0] is not None]
        return (bodies if len(bodies) == len(rows) else None), total


def _first(rows: Rows) -> Any:
    return rows[0][0] if rows else None
