"""The append-only change history and the editors' API tokens."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlmodel import Field, SQLModel

from app.models.base import ID_MAX, SubjectKind


class Operation(StrEnum):
    create = "create"
    update = "update"
    retire = "retire"
    revert = "revert"


class Change(SQLModel, table=True):
    """One change of one record. Rows are only ever inserted (a trigger refuses the rest)."""

    __table_args__ = (Index("ix_change_kind_record_id_id", "kind", "record_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    revision: int = Field(ge=1, index=True)
    at: datetime
    actor: str = Field(max_length=100)
    operation: Operation = Field(sa_type=String(10))
    kind: SubjectKind = Field(sa_type=String(20))
    record_id: str = Field(max_length=ID_MAX)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    reverts: int | None = Field(default=None, description="The change a revert undid.")


class TokenScope(StrEnum):
    edit = "edit"
    admin = "admin"


class ApiToken(SQLModel, table=True):
    """An editor's bearer token: only a SHA-256 of the secret is kept."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    scope: TokenScope = Field(sa_type=String(10))
    secret_sha256: str = Field(max_length=64, unique=True)
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
