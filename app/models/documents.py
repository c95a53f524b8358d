"""Source documents, the quoted spans that back every fact, and the dataset's revision."""

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ID_MAX, Stamps, SubjectKind


class DocumentBase(SQLModel):
    title: str = Field(max_length=500, description="Headline as printed.")
    section: str | None = Field(default=None, max_length=200, description="Section as printed.")
    place: str | None = Field(default=None, max_length=200, description="Place line as printed.")
    dateline_text: str | None = Field(
        default=None,
        max_length=100,
        description="Date as printed in the dateline, e.g. 'Ngày 7/3'.",
    )
    publisher_id: str | None = Field(default=None, foreign_key="organization.id", max_length=ID_MAX)
    author_id: str | None = Field(default=None, foreign_key="person.id", max_length=ID_MAX)
    photo_caption: str | None = Field(default=None, sa_type=Text)
    photo_credit: str | None = Field(
        default=None,
        max_length=200,
        description="Photo credit as printed (the article has 'TXVN').",
    )
    language: str = Field(default="vi", max_length=10)


class Document(DocumentBase, Stamps, table=True):
    id: str = Field(primary_key=True, max_length=ID_MAX)
    text: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)


class Citation(SQLModel, table=True):
    """A span of a document: `document.text[start:end] == quote` always holds."""

    __table_args__ = (UniqueConstraint("subject_kind", "subject_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: SubjectKind = Field(sa_type=String(20))
    subject_id: str = Field(max_length=ID_MAX)
    position: int = Field(ge=1)
    document_id: str = Field(foreign_key="document.id", max_length=ID_MAX)
    quote: str = Field(sa_type=Text)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class DatasetState(SQLModel, table=True):
    """One row: bumped by every seed run that changes something, read by every worker."""

    id: int = Field(default=1, primary_key=True)
    revision: int = Field(default=0, ge=0)
    modified_at: datetime
