"""Congress terms and the conference that reviewed one term and set the next."""

from enum import StrEnum

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.models.base import ID_MAX, Stamps


class TermStatus(StrEnum):
    reviewed = "reviewed"
    planned = "planned"


class TermBase(SQLModel):
    organization_id: str = Field(foreign_key="organization.id", max_length=ID_MAX, index=True)
    label: str = Field(max_length=100, description="Term as printed, e.g. 'nhiệm kỳ 2020 - 2025'.")
    start_year: int = Field(ge=1900, le=2200)
    end_year: int = Field(ge=1900, le=2200)
    status: TermStatus = Field(
        sa_type=String(20),
        description="`reviewed`: assessed by the source; `planned`: directions set.",
    )
    motto: str | None = Field(
        default=None, max_length=200, description="Working motto (phương châm) as printed."
    )


class Term(TermBase, Stamps, table=True):
    id: str = Field(primary_key=True, max_length=ID_MAX)


class EventBase(SQLModel):
    name: str = Field(sa_type=Text)
    classification: str = Field(max_length=50, description="Kind of event, e.g. 'conference'.")
    organizer_id: str = Field(foreign_key="organization.id", max_length=ID_MAX)
    date_text: str = Field(max_length=100, description="Date exactly as printed, e.g. 'Ngày 7/3'.")
    day: int | None = Field(default=None, ge=1, le=31)
    month: int | None = Field(default=None, ge=1, le=12)
    year: int | None = Field(
        default=None, ge=1900, le=2200, description="Null when the source does not state the year."
    )
    term_id: str | None = Field(
        default=None,
        foreign_key="term.id",
        max_length=ID_MAX,
        index=True,
        description="The term whose directions the event set.",
    )
    reviewed_term_id: str | None = Field(
        default=None,
        foreign_key="term.id",
        max_length=ID_MAX,
        index=True,
        description="The term the event reviewed.",
    )


class Event(EventBase, Stamps, table=True):
    id: str = Field(primary_key=True, max_length=ID_MAX)


class EventChair(SQLModel, table=True):
    """A person who chaired an event, in the order the source names them."""

    event_id: str = Field(foreign_key="event.id", primary_key=True, max_length=ID_MAX)
    person_id: str = Field(foreign_key="person.id", primary_key=True, max_length=ID_MAX)
    position: int = Field(ge=1)
