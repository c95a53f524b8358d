"""The seed file format: one TOML file per source, one array of tables per kind of record.

Records reuse the table classes' base fields, so a constraint is declared once for both. The same
models are the bodies of the write API (app/editing), so a record has one shape everywhere.
A record's order among its siblings is its order in the file, unless it gives a `position`.
"""

from pydantic import BaseModel, ConfigDict, Field, model_validator
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
    document: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        max_length=ID_MAX,
        description="Id of the quoted document. In a seed file it defaults to the file's "
        "document when there is exactly one; a document's own sources default to itself.",
    )
    occurrence: int | None = Field(
        default=None, ge=1, description="Which match to cite when the quote occurs more than once."
    )


class SeedRecord(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    id: str = Id
    sources: list[SourceSeed] = Field(min_length=1)


class Positioned(SeedRecord):
    position: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Order among its siblings; by default the order of the file, or after the "
        "last one when created over HTTP.",
    )


class DocumentSeed(DocumentBase, SeedRecord):
    file: str | None = Field(
        default=None,
        max_length=500,
        description="Seed files only: path of the text, relative to the seed file.",
    )
    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=2_000_000,
        description="The full text, inline (how it comes over HTTP). It cannot change once "
        "created: a corrected text is a new document.",
    )

    @model_validator(mode="after")
    def _one_text(self) -> "DocumentSeed":
        if (self.file is None) == (self.text is None):
            raise ValueError("give the text exactly once: `text` inline, or `file` in a seed file")
        return self


class AreaSeed(AreaBase, SeedRecord):
    pass


class OrganizationSeed(OrganizationBase, SeedRecord):
    pass


class PersonSeed(PersonBase, SeedRecord):
    pass


class MembershipSeed(MembershipBase, Positioned):
    pass


class TermSeed(TermBase, SeedRecord):
    pass


class EventSeed(EventBase, SeedRecord):
    chair_ids: list[str] = Field(
        default_factory=list, max_length=100, description="Chairs, in the source's order."
    )


class TermItemSeed(Positioned):
    term_id: str = Id
    text: str = Field(min_length=1, max_length=20_000)


class DirectiveSeed(TermItemSeed):
    issuer_id: str | None = Field(default=None, pattern=ID_PATTERN, max_length=ID_MAX)
    addressees: str | None = Field(default=None, max_length=500)


class StatisticSeed(StatisticBase, Positioned):
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
