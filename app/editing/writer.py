"""One change set in one locked transaction: the records, their history, one revision bump.

Writers are serialized: SQLite takes its write lock at `BEGIN IMMEDIATE` (app.db.write_session;
a deferred transaction that upgrades inside a WAL snapshot fails at once with "database is
locked"), PostgreSQL the dataset revision's row lock (`SELECT ... FOR UPDATE`, which reads the
revision in the same round trip), or an advisory transaction lock while that row does not exist
yet. Everything a writer reads after the lock is what the previous writer committed (READ
COMMITTED takes a snapshot per statement), so an If-Match check made here cannot race.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, text, update
from sqlmodel import Session, col, select

from app.editing import renditions, states
from app.editing.kinds import Kind
from app.models import Change, DatasetState, Operation, SubjectKind
from app.models.base import Stamps

_LOCK_KEY = 0x636F6E67  # "cong": one key for every writer of the dataset
_REVISION = text("SELECT revision FROM datasetstate WHERE id = 1")
_CHANGES = Change.__table__  # type: ignore[attr-defined]
_DATASET = DatasetState.__table__  # type: ignore[attr-defined]
_BUMP = update(_DATASET).where(_DATASET.c.id == 1)
# Up to this many changes are appended in the statement that bumps the revision (PostgreSQL runs
# a data-modifying WITH to completion); more go in a batched insert of their own.
_CHANGES_WITH_BUMP = 20
_LOCKED_REVISION = text("SELECT revision FROM datasetstate WHERE id = 1 FOR UPDATE")


def lock(session: Session) -> int | None:
    """Waits for the dataset's write lock and returns the revision it protects (None before the
    first write). SQLite holds the lock from BEGIN IMMEDIATE already; taking it again in the same
    transaction is a no-op."""
    if session.get_bind().dialect.name != "postgresql":
        return session.execute(_REVISION).scalar()
    revision = session.execute(_LOCKED_REVISION).scalar()
    if revision is not None:
        return int(revision)
    # No row to lock yet: the first writers meet at the advisory lock, and the winner inserts it.
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    return session.execute(_LOCKED_REVISION).scalar()


class Writer:
    """Collects the changes of one request (or seed run, import, revert) and commits them as
    one dataset revision. Created by `begin`, which takes the write lock."""

    def __init__(self, session: Session, actor: str, current: int | None) -> None:
        self.session = session
        self.actor = actor
        self.at = datetime.now(UTC)
        self._first = current is None
        self._current = int(current or 0)
        self.revision = self._current + 1
        self.changes: list[dict[str, Any]] = []
        self._citations: list[dict[str, object]] = []
        self._stamps: dict[tuple[SubjectKind, str], Stamps] = {}
        # The changed records' bodies as reads will serve them, rendered by `finish`.
        self.rendered: renditions.Rendered = {}

    @classmethod
    def begin(cls, session: Session, actor: str) -> "Writer":
        return cls(session, actor, lock(session))

    def apply(
        self,
        kind: Kind,
        writes: list[states.Write],
        *,
        operation: Operation | None = None,
        reverts: int | None = None,
    ) -> None:
        """Writes records of one kind and records each change. Unchanged states are skipped."""
        effective = [w for w in writes if (w.current.state if w.current else None) != w.state]
        if not effective:
            return
        self._citations += states.write(
            self.session, kind, effective, at=self.at, revision=self.revision
        )
        for w in effective:
            self._stamps[(kind.subject, w.record_id)] = Stamps(
                created_at=w.current.created_at if w.current else self.at,
                updated_at=self.at,
                revision=self.revision,
            )
            self.changes.append(
                {
                    "revision": self.revision,
                    "at": self.at,
                    "actor": self.actor,
                    "operation": (
                        operation
                        or (
                            Operation.create
                            if w.current is None
                            else Operation.retire
                            if w.state is None
                            else Operation.update
                        )
                    ).value,
                    "kind": kind.subject.value,
                    "record_id": w.record_id,
                    "before": w.current.state if w.current else None,
                    "after": w.state,
                    "reverts": reverts,
                }
            )

    def finish(self) -> int:
        """Appends the history and bumps the revision once, if anything changed; returns the
        dataset revision now current."""
        if not self.changes and not self._first:
            return self._current
        states.insert_citations(self.session, self._citations)
        self._citations = []
        if self.changes:
            self.rendered |= renditions.refresh(self.session, self.changes, self._stamps)
        values = {"revision": self.revision, "modified_at": self.at}
        together = (
            not self._first
            and 0 < len(self.changes) <= _CHANGES_WITH_BUMP
            and self.session.get_bind().dialect.name == "postgresql"
        )
        if together:
            # One round trip for the history and the bump (a write is about ten of them).
            added = insert(_CHANGES).values(self.changes).cte("added")
            self.session.execute(_BUMP.values(values).add_cte(added))
        else:
            if self.changes:
                self.session.execute(insert(_CHANGES), self.changes)
            if self._first:
                self.session.execute(insert(_DATASET).values(id=1, **values))
            else:
                self.session.execute(_BUMP, values)
        self._first = False
        self._current = self.revision
        return self.revision


@dataclass(frozen=True)
class LastChange:
    actor: str
    retired: bool


def last_changes(session: Session, kind: Kind) -> dict[str, LastChange]:
    """Who made the newest change of each record of a kind, and whether it retired it."""
    newest = (
        select(func.max(col(Change.id)))
        .where(col(Change.kind) == kind.subject.value)
        .group_by(col(Change.record_id))
    )
    rows = session.exec(
        select(Change.record_id, Change.actor, col(Change.after).is_(None)).where(
            col(Change.id).in_(newest)
        )
    )
    return {record_id: LastChange(actor, bool(retired)) for record_id, actor, retired in rows}


def is_retired(session: Session, kind: Kind, record_id: str) -> bool:
    """Whether the record existed and was retired (its newest change left no state)."""
    change = session.exec(
        select(Change)
        .where(col(Change.kind) == kind.subject.value, col(Change.record_id) == record_id)
        .order_by(col(Change.id).desc())
        .limit(1)
    ).first()
    return change is not None and change.after is None
