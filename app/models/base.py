"""Shared metadata and the enums stored in tables."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

# Set before any table is declared so every constraint gets a predictable name in migrations.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
ID_MAX = 120


class SubjectKind(StrEnum):
    """The kinds of record a citation can support."""

    document = "document"
    area = "area"
    organization = "organization"
    person = "person"
    membership = "membership"
    term = "term"
    event = "event"
    key_task = "key_task"
    solution = "solution"
    achievement = "achievement"
    limitation = "limitation"
    directive = "directive"
    statistic = "statistic"


class Stamps(SQLModel):
    """When a record was created and last changed, and at which dataset revision.

    Set by the write path (app/editing), never by a client."""

    created_at: datetime = Field(description="When the record was first written (UTC).")
    updated_at: datetime = Field(description="When the record last changed (UTC).")
    revision: int = Field(
        ge=1,
        description="The dataset revision of the record's last change; the version its strong "
        "ETag names.",
    )
