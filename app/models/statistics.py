"""Typed, point-in-time figures: never a bare number."""

from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from app.models.base import ID_MAX, Stamps


class StatisticCategory(StrEnum):
    membership = "membership"
    discipline = "discipline"
    organization = "organization"
    target = "target"
    milestone = "milestone"


class Qualifier(StrEnum):
    exact = "exact"
    more_than = "more_than"
    at_least = "at_least"
    about = "about"
    range = "range"


class Unit(StrEnum):
    people = "people"
    collectives = "collectives"
    individuals = "individuals"
    percent_per_year = "percent_per_year"
    years = "years"


class StatisticBase(SQLModel):
    key: str = Field(
        max_length=100, index=True, description="Stable key, e.g. 'party-members-admitted'."
    )
    category: StatisticCategory = Field(sa_type=String(20), index=True)
    value: float = Field(description="The figure; the lower bound for ranges.")
    value_max: float | None = Field(
        default=None, description="Upper bound when qualifier is 'range'."
    )
    qualifier: Qualifier = Field(
        sa_type=String(20), description="How the source qualifies the value ('trên' is more_than)."
    )
    unit: Unit = Field(sa_type=String(30))
    period_start: int | None = Field(default=None, ge=1900, le=2200)
    period_end: int | None = Field(default=None, ge=1900, le=2200)
    as_of_text: str | None = Field(
        default=None,
        max_length=200,
        description="The source's own time words, e.g. 'Từ năm 2021 đến nay'.",
    )
    term_id: str | None = Field(default=None, foreign_key="term.id", max_length=ID_MAX)
    organization_id: str | None = Field(
        default=None, foreign_key="organization.id", max_length=ID_MAX
    )


class Statistic(StatisticBase, Stamps, table=True):
    # The list's order, so a page is read from the index instead of sorting the whole table,
    # and the same within a term (`term=` and a term's summary); that one also serves lookups
    # by term, so term_id has no index of its own (with both, the planner took the narrow one
    # and sorted).
    __table_args__ = (
        Index("ix_statistic_position_id", "position", "id"),
        Index("ix_statistic_term_id_position_id", "term_id", "position", "id"),
    )
    id: str = Field(primary_key=True, max_length=ID_MAX)
    position: int = Field(ge=1, description="Order within the source.")
    label_vi: str = Field(max_length=300)
    label_en: str = Field(max_length=300)
