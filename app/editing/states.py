"""A record's stored state: its row (without stamps), its sources and, for events, its chairs.

This is what the history keeps as `before` and `after`, what a revert restores and what
`congress-api verify` replays. Reading and writing it is the only place the write path touches
the record tables.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlmodel import Session

from app.editing.kinds import STAMPS, Kind
from app.models import Citation, EventChair, SubjectKind

State = dict[str, Any]
_CHUNK = 500


@dataclass
class Stored:
    state: State
    created_at: datetime
    revision: int


def chunks(ids: list[str]) -> Iterable[list[str]]:
    """`ids` in slices small enough for one IN list."""
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
# A source's fields, their citation columns, and their labels in the joined read by id (beside
# the record's own columns).
_SOURCE_FIELDS = (
    ("document", "document_id", "source_document_id"),
    ("quote", "quote", "source_quote"),
    ("start", "start", "source_start"),
    ("end", "end", "source_end"),
)


@dataclass(frozen=True)
class _Statements:
    rows: Select[Any]
    sources: Select[Any]
    chairs: Select[Any] | None
    update: Update


@cache
def _statements(kind: Kind) -> _Statements:
    """A kind's reads and its update of one row, built once: building a statement costs more
    than running it on the single-record write path. A read by id joins the record's sources,
    so a write reads its record in one round trip."""
    table = kind.table
    citation = Citation.__table__  # type: ignore[attr-defined]
    chair = EventChair.__table__  # type: ignore[attr-defined]
    cited = and_(citation.c.subject_kind == kind.subject.value, citation.c.subject_id == table.c.id)
    rows = (
        select(
            table,
            *(citation.c[column].label(label) for _, column, label in _SOURCE_FIELDS),
        )
        .select_from(table.outerjoin(citation, cited))
        .where(table.c.id.in_(_IDS))
        .order_by(table.c.id, citation.c.position)
    )
    sources = (
        select(
            citation.c.subject_id,
            citation.c.document_id,
            citation.c.quote,
            citation.c.start,
            citation.c.end,
        )
        .where(citation.c.subject_kind == kind.subject.value)
        .order_by(citation.c.subject_id, citation.c.position)
    )
    chairs = (
        select(chair.c.event_id, chair.c.person_id)
        .where(chair.c.event_id.in_(_IDS))
        .order_by(chair.c.event_id, chair.c.position)
        if kind.subject is SubjectKind.event
        else None
    )
    return _Statements(
        rows, sources, chairs, update(table).where(table.c.id == bindparam("where_id"))
    )


def load(session: Session, kind: Kind, ids: Collection[str] | None = None) -> dict[str, Stored]:
    """The stored records of a kind (all of them, or these ids), by id."""
    statements = _statements(kind)
    found: dict[str, Stored] = {}
    if ids is None:
        table = kind.table
        for row in session.execute(select(table).order_by(table.c.id)).mappings():
            _found(found, kind, dict(row))
        for subject_id, document, quote, start, end in session.execute(statements.sources):
            if subject_id in found:
                found[subject_id].state["sources"].append(
                    {"document": document, "quote": quote, "start": start, "end": end}
                )
    else:
        for chunk in chunks(sorted(set(ids))):
            for row in session.execute(statements.rows, {"ids": chunk}).mappings():
                record = dict(row)
                source = {field: record.pop(label) for field, _, label in _SOURCE_FIELDS}
                stored = found.get(record["id"]) or _found(found, kind, record)
                if source["document"] is not None:
                    stored.state["sources"].append(source)
    if statements.chairs is not None:
        for chunk in chunks(list(found)):
            for event_id, person_id in session.execute(statements.chairs, {"ids": chunk}):
                found[event_id].state["chair_ids"].append(person_id)
    return found


def _found(found: dict[str, Stored], kind: Kind, row: dict[str, Any]) -> Stored:
    """Files a record's row (stamps apart, sources and chairs to come) under its id."""
    stamps = {name: row.pop(name) for name in STAMPS}
    row["sources"] = []
    if kind.subject is SubjectKind.event:
        row["chair_ids"] = []
    stored = found[row["id"]] = Stored(row, stamps["created_at"], stamps["revision"])
    return stored


@dataclass
class Write:
    """One record going from `current` (None: absent) to `state` (None: retired)."""

    record_id: str
    state: State | None
    current: Stored | None


def write(
    session: Session, kind: Kind, writes: list[Write], *, at: datetime, revision: int
) -> list[dict[str, Any]]:
    """Applies the writes of one kind: rows and chairs, and removes replaced citations. Returns
    the citation rows to insert, which the caller does once every record of the change set is
    written: records cite documents, and documents name records (publisher, author)."""
    table = kind.table
    citation = Citation.__table__  # type: ignore[attr-defined]
    chair = EventChair.__table__  # type: ignore[attr-defined]
    is_event = kind.subject is SubjectKind.event
    new_rows: list[dict[str, Any]] = []
    new_citations: list[dict[str, Any]] = []
    new_chairs: list[dict[str, Any]] = []
    replaced_sources: list[str] = []
    replaced_chairs: list[str] = []
    retired: list[str] = []
    updates: list[tuple[str, dict[str, Any]]] = []
    for item in writes:
        current = item.current.state if item.current else None
        if item.state is None:
            replaced_sources.append(item.record_id)
            replaced_chairs.append(item.record_id)
            retired.append(item.record_id)
            continue
        row = {k: v for k, v in item.state.items() if k not in ("sources", "chair_ids")}
        if current is None:
            new_rows.append({**row, "created_at": at, "updated_at": at, "revision": revision})
        else:
            updates.append((item.record_id, {**row, "updated_at": at, "revision": revision}))
        if current is None or current["sources"] != item.state["sources"]:
            if current is not None:
                replaced_sources.append(item.record_id)
            new_citations += [
                {
                    "subject_kind": kind.subject.value,
                    "subject_id": item.record_id,
                    "position": position,
                    "document_id": source["document"],
                    "quote": source["quote"],
                    "start": source["start"],
                    "end": source["end"],
                }
                for position, source in enumerate(item.state["sources"], start=1)
            ]
        if is_event and (current is None or current["chair_ids"] != item.state["chair_ids"]):
            if current is not None:
                replaced_chairs.append(item.record_id)
            new_chairs += [
                {"event_id": item.record_id, "person_id": person_id, "position": position}
                for position, person_id in enumerate(item.state["chair_ids"], start=1)
            ]
    # Retired rows go first (their positions free up), new rows next, so that an updated row may
    # name a new one; chairs after the rows they belong to.
    for chunk in chunks(replaced_sources):
        session.execute(
            delete(citation).where(
                and_(
                    citation.c.subject_kind == kind.subject.value,
                    citation.c.subject_id.in_(chunk),
                )
            )
        )
    if is_event:
        for chunk in chunks(replaced_chairs):
            session.execute(delete(chair).where(chair.c.event_id.in_(chunk)))
    for chunk in chunks(retired):
        session.execute(delete(table).where(table.c.id.in_(chunk)))
    if new_rows:
        session.execute(insert(table), new_rows)
    for record_id, values in updates:
        # The statement is the kind's own, built once; the values name the columns it sets.
        session.execute(_statements(kind).update, {**values, "where_id": record_id})
    if new_chairs:
        session.execute(insert(chair), new_chairs)
    return new_citations


def insert_citations(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Citation.__table__), rows)  # type: ignore[attr-defined]


def park_positions(session: Session, kind: Kind, ids: list[str]) -> None:
    """Moves these records out of the way of unique (scope, position) while a batch reorders:
    each takes a negative position no record uses, until its new state is written."""
    table = kind.table
    for parked, record_id in enumerate(ids, start=1):
        session.execute(update(table).where(table.c.id == record_id).values(position=-parked))
