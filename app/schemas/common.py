"""Shapes shared by every resource: citations and the page envelope."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Source(BaseModel):
    """A quote backing a fact: `text[start:end] == quote` in `/documents/{document}/text`."""

    document: str = Field(
        description="Id of the source document.", examples=["ttxvn-bac-giang-xay-dung-dang"]
    )
    quote: str = Field(description="The exact span of the document.", examples=["Ngày 7/3"])
    start: int = Field(
        description="Offset of the first character (Unicode code points).", examples=[180]
    )
    end: int = Field(description="Offset just past the last character.", examples=[188])


class Page(BaseModel, Generic[T]):
    """One page of a list, in the list's stable order."""

    items: list[T]
    total: int = Field(description="Items matching the filters, over all pages.", examples=[2])
    limit: int = Field(description="Page size asked for.", examples=[50])
    offset: int = Field(description="Items skipped before this page.", examples=[0])
