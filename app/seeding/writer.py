"""Writing a dataset: insert new records, update changed ones in place, report the rest.

A record missing from the seed files is reported and kept: deleting published data is an
editorial decision, not a side effect of a seed run.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlmodel import Session, SQLModel

from app.models import Citation, DatasetState, EventChair
from app.seeding.reader import KINDS, Dataset


@dataclass
class SeedReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    revision: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)

    def summary(self) -> str:
        lines = [
            f"seed: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged; "
            f"dataset revision {self.revision}"
        ]
        lines += [f"kept (not in the seed files, not deleted): {name}" for name in self.kept]
        return "\n".join(lines)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def write_dataset(session: Session, dataset: Dataset) -> SeedReport:
    """Brings the database in line with the dataset inside the caller's transaction."""
    report = SeedReport()
    for kind, (model, _subject) in KINDS.items():
        _sync(session, _table(model), ("id",), dataset.rows[kind], report)
    events = {(row["id"],) for row in dataset.rows["events"]}
    _sync(
        session,
        _table(EventChair),
        ("event_id", "person_id"),
        dataset.chairs,
        report,
        owners=(("event_id",), events),
    )
    subjects = {
        (subject.value, row["id"])
        for kind, (_m, subject) in KINDS.items()
        for row in dataset.rows[kind]
    }
    _sync(
        session,
        _table(Citation),
        ("subject_kind", "subject_id", "position"),
        dataset.citations,
        report,
        owners=(("subject_kind", "subject_id"), subjects),
    )
    report.revision = _bump_revision(session, report.changed)
    return report


def _sync(
    session: Session,
    table: Table,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
    report: SeedReport,
    *,
    owners: tuple[tuple[str, ...], set[tuple[Any, ...]]] | None = None,
) -> None:
    """Upserts `rows` by `key`. Rows absent from `rows` are reported, or deleted when they belong
    to a record in the dataset (`owners`: the owning columns and the owners present)."""
    columns = [c.name for c in table.columns if c.name not in key and not c.primary_key]
    existing = {
        tuple(row[k] for k in key): row for row in session.execute(select(table)).mappings()
    }
    new_rows: list[dict[str, Any]] = []
    changed: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for row in rows:
        row_key = tuple(row[k] for k in key)
        current = existing.pop(row_key, None)
        if current is None:
            new_rows.append(row)
        elif any(current[c] != row.get(c) for c in columns):
            changed.append((row_key, {c: row.get(c) for c in columns}))
        else:
            report.unchanged += 1
    # Reordered records would collide on unique (term, position) one statement at a time, so
    # moving rows first step aside to positions no record uses.
    if "position" in columns:
        for parked, (row_key, _values) in enumerate(changed, start=1):
            match = [table.c[k] == v for k, v in zip(key, row_key, strict=True)]
            session.execute(update(table).where(*match).values(position=-parked))
    for row_key, values in changed:
        match = [table.c[k] == v for k, v in zip(key, row_key, strict=True)]
        session.execute(update(table).where(*match).values(values))
        report.updated += 1
    for row_key, current in existing.items():
        if owners is None:
            report.kept.append(f"{table.name} {row_key[0]!r}")
        elif tuple(current[c] for c in owners[0]) in owners[1]:
            match = [table.c[k] == v for k, v in zip(key, row_key, strict=True)]
            session.execute(delete(table).where(*match))
            report.updated += 1
    if new_rows:
        session.execute(insert(table), new_rows)
        report.inserted += len(new_rows)


def _bump_revision(session: Session, changed: bool) -> int:
    state = session.get(DatasetState, 1)
    now = datetime.now(UTC)
    if state is None:
        state = DatasetState(id=1, revision=1, modified_at=now)
        session.add(state)
    elif changed:
        state.revision += 1
        state.modified_at = now
        session.add(state)
    session.flush()
    return state.revision
