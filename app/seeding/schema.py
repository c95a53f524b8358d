"""The seed file format: one TOML file per source, one array of tables per kind of record.

Records reuse the table classes' base fields, so a constraint is declared once for both.
Positions are not written in the file: a record's order within its term is its order in the file.
"""

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from app.models.base import ID_MAX, ID_PATTERN
from app.models.documents import DocumentBase
from app.models.people import AreaBase, MembershipBase, OrganizationBase, PersonBase
from app.models.statistics import StatisticBase
from app.models.terms import EventBase, TermBase

Id = Field(pattern=ID_PATTERN, max_length=ID_MAX)


class SourceSeed(BaseModel):
    """A quote from a document, copied from its text (whitespace may differ, words may not)."""

    model_config = ConfigDict(extra="forbid")

    quote: str = Field(min_length=1, max_length=5000)
    document_id: str | None = Field(
        default=None, description="Defaults to the file's document when it has exactly one."
    )
    occurrence: int | None = Field(
        default=None, ge=1, description="Which match to cite when the quote occurs more than once."
    )


class SeedRecord(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    id: str = Id
    sources: list[SourceSeed] = Field(min_length=1)


class DocumentSeed(DocumentBase, SeedRecord):
    file: str = Field(description="Path of the text, relative to the seed file.")


class AreaSeed(AreaBase, SeedRecord):
    pass


class OrganizationSeed(OrganizationBase, SeedRecord):
    pass


class PersonSeed(PersonBase, SeedRecord):
    pass


class MembershipSeed(MembershipBase, SeedRecord):
    pass


class TermSeed(TermBase, SeedRecord):
    pass


class EventSeed(EventBase, SeedRecord):
    chair_ids: list[str] = Field(default_factory=list, description="Chairs, in the source's order.")


class TermItemSeed(SeedRecord):
    term_id: str
    text: str = Field(min_length=1)


class DirectiveSeed(TermItemSeed):
    issuer_id: str | None = None
    addressees: str | None = None


class StatisticSeed(StatisticBase, SeedRecord):
    label_vi: str = Field(min_length=1, max_length=300)
    label_en: str = Field(min_length=1, max_length=300)


class SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentSeed] = Field(min_length=1)
    areas: list[AreaSeed] = []
    organizations: list[OrganizationSeed] = []
    people: list[PersonSeed] = []
    memberships: list[MembershipSeed] = []
    terms: list[TermSeed] = []
    events: list[EventSeed] = []
    key_tasks: list[TermItemSeed] = []
    solutions: list[TermItemSeed] = []
    achievements: list[TermItemSeed] = []
    limitations: list[TermItemSeed] = []
    directives: list[DirectiveSeed] = []
    statistics: list[StatisticSeed] = []
