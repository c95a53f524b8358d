"""Proving a downloaded SQLite snapshot: its row counts equal the API's totals.

The totals come from the same list queries the API answers `GET /api/v1/{collection}` with
(their `total`), on DATABASE_URL, and only at the snapshot's own revision: a snapshot of
another revision is refused rather than compared, since its counts may rightly differ.
"""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, func, select
from sqlmodel import Session

from app.downloads.sqlite import PUBLIC_TABLE_NAMES, PUBLIC_TABLES, utc
from app.editing.kinds import KINDS
from app.i18n import Lang
from app.models import DatasetState, TermItemBase
from app.queries.documents import list_documents, list_events
from app.queries.items import list_items
from app.queries.people import list_areas, list_memberships, list_organizations, list_people
from app.queries.statistics import list_statistics
from app.queries.terms import list_terms

Total = Callable[[Session], int]


def _item_total(model: type[TermItemBase]) -> Total:
    return lambda session: list_items(session, model, limit=1, offset=0)[1]


# collection (the path under /api/v1) -> the `total` its list answers, unfiltered
API_TOTALS: dict[str, Total] = {
    "areas": lambda s: list_areas(s, limit=1, offset=0)[1],
    "people": lambda s: list_people(s, organization_id=None, ids=None, limit=1, offset=0)[1],
    "organizations": lambda s: list_organizations(s, classification=None, limit=1, offset=0)[1],
    "documents": lambda s: list_documents(s, limit=1, offset=0)[1],
    "terms": lambda s: list_terms(s, organization_id=None, limit=1, offset=0)[1],
    "events": lambda s: list_events(s, term_id=None, limit=1, offset=0)[1],
    "memberships": lambda s: list_memberships(
        s, organization_id=None, person_id=None, limit=1, offset=0
    )[1],
    "statistics": lambda s: list_statistics(
        s, Lang.vi, category=None, term_id=None, key=None, limit=1, offset=0
    )[1],
    **{
        kind.collection: _item_total(kind.model)
        for kind in KINDS
        if issubclass(kind.model, TermItemBase)
    },
}
# Tables without a list of their own (a record's citations, an event's chairs): compared with
# the same table in the database.
_COLLECTION_TABLES = {kind.table.name for kind in KINDS}
OTHER_TABLES: list[Table] = [t for t in PUBLIC_TABLES if t.name not in _COLLECTION_TABLES]


class SnapshotRefusedError(Exception):
    """The file is not a snapshot, or not of the database's current revision."""


@dataclass
class CheckResult:
    revision: int
    lines: list[str] = field(default_factory=list)  # one per table compared
    mismatches: list[str] = field(default_factory=list)


def snapshot_revision(snapshot: sqlite3.Connection) -> tuple[int, datetime]:
    try:
        row = snapshot.execute("SELECT revision, modified_at FROM dataset").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SnapshotRefusedError(
            f"not a snapshot of this API (no dataset table: {exc})"
        ) from None
    if row is None:
        raise SnapshotRefusedError("not a snapshot of this API (the dataset table is empty)")
    return int(row[0]), utc(datetime.fromisoformat(row[1]))


def check_snapshot(path: Path, session: Session) -> CheckResult:
    """Compares the snapshot at `path` with what the API serves from `session`'s database.
    Raises SnapshotRefusedError when the two are not of one revision."""
    if not path.is_file():
        raise SnapshotRefusedError(f"{path} is not a file")
    snapshot = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        revision, modified_at = snapshot_revision(snapshot)
        state = session.get(DatasetState, 1)
        if state is None:
            raise SnapshotRefusedError("the database has not been seeded")
        database_modified = utc(state.modified_at)
        if (revision, modified_at) != (state.revision, database_modified):
            raise SnapshotRefusedError(
                f"the snapshot is of revision {revision} ({modified_at.isoformat()}), the "
                f"database is at revision {state.revision} ({database_modified.isoformat()}): "
                "download the current snapshot (GET /api/v1/downloads)"
            )
        result = CheckResult(revision)
        tables = {
            name
            for (name,) in snapshot.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        for name in sorted(tables - PUBLIC_TABLE_NAMES - {"dataset"}):
            result.mismatches.append(f"table {name}: not a public table, must not be there")
        expected = [
            (f"{kind.collection} ({kind.table.name})", kind.table.name, "the API lists", total)
            for kind in KINDS
            for total in [API_TOTALS[kind.collection](session)]
        ] + [
            (table.name, table.name, "the database has", total)
            for table in OTHER_TABLES
            for total in [
                session.connection().execute(select(func.count()).select_from(table)).scalar_one()
            ]
        ]
        for label, table_name, source, total in expected:
            if table_name not in tables:
                result.mismatches.append(f"{label}: the table is missing, {source} {total}")
                continue
            (rows,) = snapshot.execute(f'SELECT count(*) FROM "{table_name}"').fetchone()
            result.lines.append(f"{label}: {rows} rows, {source} {total}")
            if rows != total:
                result.mismatches.append(f"{label}: the snapshot has {rows}, {source} {total}")
        return result
    except sqlite3.DatabaseError as exc:
        raise SnapshotRefusedError(f"{path} is not a readable SQLite file: {exc}") from None
    finally:
        snapshot.close()
