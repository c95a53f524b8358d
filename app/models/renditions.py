"""Representations rendered when their records were written, served as stored bytes."""

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.models.base import ID_MAX

ANY_LANGUAGE = "*"


class Rendition(SQLModel, table=True):
    """The JSON body a GET answers for a record, or for a term's whole summary (`kind`
    `summary`), as it was rendered in the transaction that last changed what it shows.

    `lang` is `*` when the body is the same in every language. `revision` is the version the
    body's strong ETag names (the record's, or the term's for a summary)."""

    kind: str = Field(primary_key=True, sa_type=String(20))
    record_id: str = Field(primary_key=True, max_length=ID_MAX)
    lang: str = Field(primary_key=True, sa_type=String(2))
    revision: int = Field(ge=0)
    body: str = Field(sa_type=Text)
