"""Public model of a change in the history."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.models import Operation, SubjectKind


class ChangePublic(BaseModel):
    """One change of one record. The history is append-only: a revert is a new change."""

    n: int = Field(
        description="The change's number, ascending; revert it with this.", examples=[57]
    )
    revision: int = Field(description="The dataset revision the change made.", examples=[12])
    at: datetime = Field(description="When it was committed (UTC).")
    actor: str = Field(
        description="Who made it: an editor token's name, `seed`, or `migration`.",
        examples=["bac-giang-press-office"],
    )
    operation: Operation
    kind: SubjectKind
    record_id: str = Field(examples=["bac-giang-2025-2030-task-1"])
    url: str = Field(description="The record in this API (410 once retired).")
    before: dict[str, Any] | None = Field(
        description="The stored record before the change (null for a create): its fields, "
        "its `sources` with their spans, and an event's `chair_ids`."
    )
    after: dict[str, Any] | None = Field(description="The record after it (null once retired).")
    reverts: int | None = Field(description="For a revert, the number of the change it undid.")
