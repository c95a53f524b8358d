"""`congress-api verify`: replays the history from empty and compares it with the tables.

Every change, in order of its number, must start from the state the changes before it left
(its `before`), and the states the whole history leaves must be the tables' rows exactly: every
column, the sources in order, an event's chairs in order, and the stamps (`created_at` is when
the change that last inserted the row was made, `updated_at` and `revision` those of the
record's last change). Citations and chairs are also checked to belong to a record and to be
numbered 1..n, as the write path numbers them. The first difference found is named, in a fixed
order: the history first, then kinds in foreign-key order, records by id, fields in column order.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.editing import states
from app.editing.kinds import BY_SUBJECT, KINDS, Kind
from app.editing.states import State
from app.models import Change, Citation, DatasetState, EventChair, Operation, SubjectKind

_BATCH = 1000
_SHOWN = 80  # characters of a value shown in a difference
# Operation -> whether it goes (from a state, to a state); a revert may go either way.
_SHAPES: dict[str, tuple[bool, bool] | None] = {
    Operation.create.value: (False, True),
    Operation.update.value: (True, True),
    Operation.retire.value: (True, False),
    Operation.revert.value: None,
}
_SHAPE_NAMES = {False: "nothing", True: "a state"}


@dataclass(frozen=True)
class Replayed:
    """A record as the history leaves it."""

    state: State
    created_at: datetime
    updated_at: datetime
    revision: int
    change: int  # the number of its last change


@dataclass(frozen=True)
class Verification:
    changes: int  # how many were replayed
    records: int  # how many the history leaves (and, when it matches, the tables hold)
    difference: str | None  # the first difference, None when the history reproduces the tables


class _Mismatch(Exception):
    pass


def snapshot_session(engine: Engine) -> Session:
    """A session whose statements all see one snapshot, so that a writer committing while the
    history and the tables are read cannot make them look different. SQLite's read transaction
    is one snapshot already (WAL); PostgreSQL's default isolation takes one per statement."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    return Session(engine)


def verify(session: Session) -> Verification:
    """Replays every change and compares the result with every table."""
    records: dict[tuple[SubjectKind, str], Replayed] = {}
    count = 0
    try:
        for change in _changes(session):
            count += 1
            _apply(records, change)
        _compare_dataset(session, count)
        for kind in KINDS:
            _compare_kind(session, kind, records)
        _compare_links(session, records)
    except _Mismatch as exc:
        return Verification(count, len(records), str(exc))
    return Verification(count, len(records), None)


# --- the history ----------------------------------------------------------------------------


def _changes(session: Session) -> Iterator[Any]:
    table = Change.__table__  # type: ignore[attr-defined]
    statement = select(
        table.c.id,
        table.c.revision,
        table.c.at,
        table.c.operation,
        table.c.kind,
        table.c.record_id,
        table.c.before,
        table.c.after,
    ).order_by(table.c.id)
    yield from session.execute(statement, execution_options={"yield_per": _BATCH})


def _apply(records: dict[tuple[SubjectKind, str], Replayed], change: Any) -> None:
    where = f"change {change.id} ({change.operation} {change.kind} {change.record_id!r})"
    try:
        subject = SubjectKind(change.kind)
    except ValueError:
        raise _Mismatch(f"{where}: unknown kind {change.kind!r}") from None
    key = (subject, change.record_id)
    previous = records.get(key)
    replayed = previous.state if previous else None
    if change.before != replayed:
        raise _Mismatch(
            f"{where}: its `before` is not the state the history left: "
            + _describe(
                replayed,
                change.before,
                "the history left",
                "the change has",
                f"change {previous.change}" if previous else None,
            )
        )
    after = change.after
    if after is not None and after.get("id") != change.record_id:
        raise _Mismatch(f"{where}: its `after` is the record {after.get('id')!r}")
    if change.operation not in _SHAPES:
        raise _Mismatch(f"{where}: unknown operation {change.operation!r}")
    shape = _SHAPES[change.operation]
    if shape is not None and shape != (replayed is not None, after is not None):
        raise _Mismatch(
            f"{where}: a {change.operation} goes from {_SHAPE_NAMES[shape[0]]} "
            f"to {_SHAPE_NAMES[shape[1]]}"
        )
    if after is None:
        records.pop(key, None)
    else:
        created_at = previous.created_at if previous else change.at
        records[key] = Replayed(after, created_at, change.at, change.revision, change.id)


# --- the tables -----------------------------------------------------------------------------


def _compare_dataset(session: Session, count: int) -> None:
    if not count:
        return
    table = Change.__table__  # type: ignore[attr-defined]
    last = session.execute(select(func.max(table.c.revision))).scalar_one()
    state = session.get(DatasetState, 1)
    if state is None or state.revision < last:
        found = "no dataset revision" if state is None else f"dataset revision {state.revision}"
        raise _Mismatch(f"{found} is behind the history, whose last revision is {last}")


def _compare_kind(
    session: Session, kind: Kind, records: dict[tuple[SubjectKind, str], Replayed]
) -> None:
    expected = {rid: r for (subject, rid), r in records.items() if subject is kind.subject}
    found = states.load(session, kind)
    stamps = _stamps(session, kind)
    table = kind.table.name
    for record_id in sorted(expected.keys() | found.keys()):
        name = f"{table} {record_id!r}"
        want = expected.get(record_id)
        have = found.get(record_id)
        if have is None:
            assert want is not None
            raise _Mismatch(
                f"{name}: missing from the table; the history (change {want.change}) has it"
            )
        if want is None:
            raise _Mismatch(
                f"{name}: in the table but not in the history (written outside the write path?)"
            )
        if want.state != have.state:
            raise _Mismatch(
                f"{name}: "
                + _describe(want.state, have.state, "the history gives", "the table has")
                + f" (last change {want.change})"
            )
        created_at, updated_at, revision = stamps[record_id]
        for field, wanted, value in (
            ("created_at", want.created_at, created_at),
            ("updated_at", want.updated_at, updated_at),
            ("revision", want.revision, revision),
        ):
            if wanted != value:
                raise _Mismatch(
                    f"{name}: {field}: the history gives {_show(wanted)}, "
                    f"the table has {_show(value)} (last change {want.change})"
                )


def _stamps(session: Session, kind: Kind) -> dict[str, tuple[datetime, datetime, int]]:
    table = kind.table
    rows = session.execute(
        select(table.c.id, table.c.created_at, table.c.updated_at, table.c.revision)
    )
    return {record_id: (created, updated, rev) for record_id, created, updated, rev in rows}


def _compare_links(session: Session, records: dict[tuple[SubjectKind, str], Replayed]) -> None:
    """Citations and chairs of records the history does not hold, or numbered otherwise than
    1..n, are invisible to `states.load` but still rows of the tables."""
    kinds = {kind.value for kind in BY_SUBJECT}
    citation = Citation.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(citation.c.subject_kind, citation.c.subject_id, citation.c.position).order_by(
            citation.c.subject_kind, citation.c.subject_id, citation.c.position
        ),
        execution_options={"yield_per": _BATCH},
    )
    previous: tuple[str, str] | None = None
    number = 0
    for kind, subject_id, position in rows:
        if (kind, subject_id) != previous:
            if kind not in kinds or (SubjectKind(kind), subject_id) not in records:
                raise _Mismatch(f"a citation of {kind} {subject_id!r}, which the history lacks")
            previous, number = (kind, subject_id), 0
        number += 1
        if position != number:
            raise _Mismatch(
                f"the citations of {kind} {subject_id!r}: position {position} where the write "
                f"path numbers {number}"
            )
    chair = EventChair.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(chair.c.event_id, chair.c.position).order_by(chair.c.event_id, chair.c.position)
    )
    event: str | None = None
    for event_id, position in rows:
        if event_id != event:
            event, number = event_id, 0
        number += 1
        if position != number:
            raise _Mismatch(
                f"the chairs of event {event_id!r}: position {position} where the write path "
                f"numbers {number}"
            )


# --- naming a difference --------------------------------------------------------------------


_ABSENT = object()


def _first_difference(want: Any, have: Any, path: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(want, dict) and isinstance(have, dict):
        for key in [*have, *(k for k in want if k not in have)]:
            found = _first_difference(
                want.get(key, _ABSENT), have.get(key, _ABSENT), f"{path}.{key}" if path else key
            )
            if found:
                return found
        return None
    if isinstance(want, list) and isinstance(have, list):
        for index in range(max(len(want), len(have))):
            found = _first_difference(
                want[index] if index < len(want) else _ABSENT,
                have[index] if index < len(have) else _ABSENT,
                f"{path}[{index}]",
            )
            if found:
                return found
        return None
    if want is _ABSENT or have is _ABSENT or type(want) is not type(have) or want != have:
        # 8800 and 8800.0 are the same figure: JSON keeps no difference between them.
        if isinstance(want, int | float) and isinstance(have, int | float) and want == have:
            return None
        return path, want, have
    return None


def _describe(
    want: Any, have: Any, want_name: str, have_name: str, since: str | None = None
) -> str:
    if want is None or have is None:
        left = f" (by {since})" if since else ""
        return (
            f"{want_name} {'nothing' if want is None else 'a state'}{left}, "
            f"{have_name} {'nothing' if have is None else 'a state'}"
        )
    difference = _first_difference(want, have)
    if difference is None:
        return "they differ"
    path, wanted, value = difference
    left = f" (by {since})" if since else ""
    return f"{path or 'the record'}: {want_name} {_show(wanted)}{left}, {have_name} {_show(value)}"


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "no such field"
    if isinstance(value, datetime):
        return value.isoformat()
    shown = repr(value)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "..."
