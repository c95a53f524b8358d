"""editing: record stamps, the append-only change history, editors' API tokens

Revision ID: c82dc9c55879
Revises: 5c1d7e0a9b42
Create Date: 2026-11-30 03:40:46.307413

Every record gets `created_at`, `updated_at` and `revision` (the dataset revision of its last
change). Records that exist already are stamped with the dataset's current revision and time,
and each gets a `create` entry in the history (actor `migration`) holding its state, so that
replaying the history from empty reproduces the tables (`congress-api verify`).

The history refuses UPDATE and DELETE with a trigger: it is append-only whoever writes.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "c82dc9c55879"
down_revision: str | None = "5c1d7e0a9b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> citation subject kind, in foreign-key order.
TABLES = {
    "area": "area",
    "person": "person",
    "organization": "organization",
    "document": "document",
    "term": "term",
    "event": "event",
    "membership": "membership",
    "key_task": "key_task",
    "solution": "solution",
    "achievement": "achievement",
    "limitation": "limitation",
    "directive": "directive",
    "statistic": "statistic",
}
STAMPS = ("created_at", "updated_at", "revision")
APPEND_ONLY = "the change history is append-only"


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("secret_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("name", name=op.f("uq_api_token_name")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_token_secret_sha256")),
    )
    change = op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reverts", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    op.create_index("ix_change_kind_record_id_id", "change", ["kind", "record_id", "id"])
    op.create_index(op.f("ix_change_revision"), "change", ["revision"])

    bind = op.get_bind()
    state = bind.execute(sa.text("SELECT revision, modified_at FROM datasetstate")).first()
    stamp_revision = state[0] if state else 1
    stamp_at = _utc(state[1]) if state else datetime.now(UTC)
    # SQLite adds a NOT NULL column only with a constant default; the real values follow.
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "created_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=False,
                server_default="1970-01-01 00:00:00",
            ),
        )
        op.add_column(
            table,
            sa.Column(
                "updated_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=False,
                server_default="1970-01-01 00:00:00",
            ),
        )
        op.add_column(
            table, sa.Column("revision", sa.Integer(), nullable=False, server_default="1")
        )
        stamps = sa.table(
            table,
            sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
            sa.column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime()),
            sa.column("revision", sa.Integer()),
        )
        bind.execute(
            stamps.update().values(
                created_at=stamp_at, updated_at=stamp_at, revision=stamp_revision
            )
        )
    if state is not None:
        entries = _baseline(bind, stamp_revision, stamp_at)
        if entries:
            op.bulk_insert(change, entries)
    _append_only(bind.dialect.name)


def _utc(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _baseline(bind: sa.Connection, stamp_revision: int, at: datetime) -> list[dict[str, Any]]:
    """A `create` entry per existing record, holding the state app/editing/states.py builds."""
    sources: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for kind, subject_id, document, quote, start, end in bind.execute(
        sa.text(
            'SELECT subject_kind, subject_id, document_id, quote, start, "end" FROM citation '
            "ORDER BY subject_kind, subject_id, position"
        )
    ):
        sources.setdefault((kind, subject_id), []).append(
            {"document": document, "quote": quote, "start": start, "end": end}
        )
    chairs: dict[str, list[str]] = {}
    for event_id, person_id in bind.execute(
        sa.text("SELECT event_id, person_id FROM eventchair ORDER BY event_id, position")
    ):
        chairs.setdefault(event_id, []).append(person_id)
    entries = []
    for table, kind in TABLES.items():
        for row in bind.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).mappings():
            after = {k: v for k, v in row.items() if k not in STAMPS}
            after["sources"] = sources.get((kind, row["id"]), [])
            if table == "event":
                after["chair_ids"] = chairs.get(row["id"], [])
            entries.append(
                {
                    "revision": stamp_revision,
                    "at": at,
                    "actor": "migration",
                    "operation": "create",
                    "kind": kind,
                    "record_id": row["id"],
                    "before": None,
                    "after": after,
                    "reverts": None,
                }
            )
    return entries


def _append_only(dialect: str) -> None:
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER change_append_only_{event.lower()} BEFORE {event} ON change "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION change_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER change_append_only BEFORE UPDATE OR DELETE ON change "
        "FOR EACH ROW EXECUTE FUNCTION change_append_only()"
    )


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+): a batch copy would drop the search index's triggers.
    for table in TABLES:
        for column in STAMPS:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER change_append_only ON change")
        op.execute("DROP FUNCTION change_append_only()")
    op.drop_index(op.f("ix_change_revision"), table_name="change")
    op.drop_index("ix_change_kind_record_id_id", table_name="change")
    op.drop_table("change")
    op.drop_table("api_token")
