"""The public tables of the dataset, read whole for the downloads.

Plain SELECTs over the record tables. Retired records are not there (the write path deletes
their rows and citations); the tokens (`api_token`), the history (`change`) and the revision
row are not public tables and are never read here, so no download can leak them.

All reads run in the caller's session: on PostgreSQL a REPEATABLE READ transaction makes every
table one snapshot (SQLite's read transaction is one already).
"""

import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, select
from sqlalchemy import Table as SqlTable
from sqlmodel import Session, SQLModel

from app.editing.kinds import BY_SUBJECT, STAMPS, Kind
from app.models import (
    Achievement,
    Area,
    Citation,
    DatasetState,
    Directive,
    Document,
    Event,
    EventChair,
    KeyTask,
    Limitation,
    Membership,
    Organization,
    Person,
    Solution,
    Statistic,
    SubjectKind,
    Term,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """One public table as the downloads name it."""

    name: str  # the resource name: plural, snake_case
    model: type[SQLModel]
    key: tuple[str, ...]  # the primary key in the downloads, and the order of the rows
    kind: Kind | None = None  # the record kind, for tables whose rows are API records
    hidden: frozenset[str] = frozenset()  # columns left out of the table

    @property
    def sql(self) -> SqlTable:
        table = self.model.__table__  # type: ignore[attr-defined]
        assert isinstance(table, SqlTable)
        return table

    @property
    def columns(self) -> list[Column[Any]]:
        """The public columns: the key first, then the record's fields, then its stamps."""
        present = [c for c in self.sql.columns if c.name not in self.hidden]
        key = [c for name in self.key for c in present if c.name == name]
        stamps = [c for name in STAMPS for c in present if c.name == name]
        rest = [c for c in present if c.name not in self.key and c.name not in STAMPS]
        return key + rest + stamps


def _record(name: str, model: type[SQLModel], subject: SubjectKind, **options: Any) -> Table:
    return Table(name, model, ("id",), BY_SUBJECT[subject], **options)


TABLES = [
    _record("areas", Area, SubjectKind.area),
    _record("organizations", Organization, SubjectKind.organization),
    _record("people", Person, SubjectKind.person),
    _record("memberships", Membership, SubjectKind.membership),
    _record("terms", Term, SubjectKind.term),
    _record("events", Event, SubjectKind.event),
    Table("event_chairs", EventChair, ("event_id", "person_id")),
    _record("key_tasks", KeyTask, SubjectKind.key_task),
    _record("solutions", Solution, SubjectKind.solution),
    _record("achievements", Achievement, SubjectKind.achievement),
    _record("limitations", Limitation, SubjectKind.limitation),
    _record("directives", Directive, SubjectKind.directive),
    _record("statistics", Statistic, SubjectKind.statistic),
    # The texts travel as files of their own; the table keeps the metadata.
    _record("documents", Document, SubjectKind.document, hidden=frozenset({"text"})),
    # The database's auto-increment id is internal (it differs between databases and seed runs);
    # a citation is named by its record and its place among that record's sources.
    Table(
        "citations",
        Citation,
        ("subject_kind", "subject_id", "position"),
        hidden=frozenset({"id"}),
    ),
]
BY_NAME = {table.name: table for table in TABLES}


def rows(session: Session, table: Table) -> list[Row]:
    """Every row of a table, in primary-key order by code point.

    The SELECT orders by the key; the rows are then sorted in Python as well, because
    PostgreSQL's collation may put `a-b` after `ab` where SQLite does not, and a download must
    be the same file whichever database it came from.
    """
    columns = table.columns
    names = [column.name for column in columns]
    order = [table.sql.c[name] for name in table.key]
    statement = select(*columns).order_by(*order)
    found = [dict(zip(names, values, strict=True)) for values in session.execute(statement)]
    key = operator.itemgetter(*table.key)
    found.sort(key=key)
    return found


def read_all(session: Session) -> dict[str, list[Row]]:
    """Every public table, by name."""
    return {table.name: rows(session, table) for table in TABLES}


def document_texts(session: Session, ids: list[str] | None = None) -> dict[str, str]:
    """Document texts by id: all of them, or these."""
    text = Document.__table__.c  # type: ignore[attr-defined]
    statement = select(text.id, text.text)
    if ids is not None:
        statement = statement.where(text.id.in_(ids))
    return {document_id: body for document_id, body in session.execute(statement)}


def citations_by_record(citations: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """Citation rows per (subject kind, record id), in source order."""
    found: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for citation in citations:
        found[(citation["subject_kind"], citation["subject_id"])].append(citation)
    return found


@dataclass(frozen=True)
class Revision:
    number: int
    modified_at: datetime


def revision(session: Session) -> Revision:
    """The dataset revision the tables are at, and when it was made."""
    state = session.get(DatasetState, 1)
    if state is None:
        return Revision(0, datetime(1980, 1, 1, tzinfo=UTC))
    return Revision(state.revision, utc(state.modified_at))


def utc(value: datetime) -> datetime:
    """Stamps are stored in UTC; SQLite may hand them back without a zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def rfc3339(value: datetime) -> str:
    return utc(value).isoformat().replace("+00:00", "Z")


class Urls:
    """The API URLs the downloads point at."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def record(self, collection: str, record_id: str) -> str:
        return f"{self.base}/api/v1/{collection}/{record_id}"

    def of_kind(self, subject_kind: str, record_id: str) -> str:
        return self.record(BY_SUBJECT[SubjectKind(subject_kind)].collection, record_id)

    def document(self, document_id: str) -> str:
        return self.record("documents", document_id)

    def text(self, document_id: str) -> str:
        return self.record("documents", document_id) + "/text"

    def annotations(self, subject_kind: str, record_id: str) -> str:
        return self.of_kind(subject_kind, record_id) + "/annotations"
