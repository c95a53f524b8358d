"""The ordered statements of a term: key tasks, solutions, achievements, limitations, directives.

They share one shape (a term, a position, the text as printed), so they share one base class, but
each is its own table and resource because clients ask for them separately.
"""

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ID_MAX, Stamps


class TermItemBase(SQLModel):
    term_id: str = Field(foreign_key="term.id", max_length=ID_MAX, index=True)
    position: int = Field(ge=1, description="1-based order within the term, as in the source.")
    text: str = Field(sa_type=Text, description="Text as printed.")


class KeyTask(TermItemBase, Stamps, table=True):
    """A key task (nhiệm vụ trọng tâm)."""

    __tablename__ = "key_task"
    __table_args__ = (UniqueConstraint("term_id", "position"),)
    id: str = Field(primary_key=True, max_length=ID_MAX)


class Solution(TermItemBase, Stamps, table=True):
    """A breakthrough solution (giải pháp đột phá)."""

    __table_args__ = (UniqueConstraint("term_id", "position"),)
    id: str = Field(primary_key=True, max_length=ID_MAX)


class Achievement(TermItemBase, Stamps, table=True):
    """A result the review credits (kết quả đạt được)."""

    __table_args__ = (UniqueConstraint("term_id", "position"),)
    id: str = Field(primary_key=True, max_length=ID_MAX)


class Limitation(TermItemBase, Stamps, table=True):
    """A limitation or shortcoming the review found (hạn chế, tồn tại)."""

    __table_args__ = (UniqueConstraint("term_id", "position"),)
    id: str = Field(primary_key=True, max_length=ID_MAX)


class DirectiveBase(TermItemBase):
    issuer_id: str | None = Field(
        default=None,
        foreign_key="person.id",
        max_length=ID_MAX,
        description="The person who gave the directive.",
    )
    addressees: str | None = Field(
        default=None, max_length=500, description="Who it is addressed to, as printed."
    )


class Directive(DirectiveBase, Stamps, table=True):
    """What the leadership asked units to do (chỉ đạo)."""

    __table_args__ = (UniqueConstraint("term_id", "position"),)
    id: str = Field(primary_key=True, max_length=ID_MAX)
