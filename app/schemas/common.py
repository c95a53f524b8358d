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


URL_MAX = 4000


class PageLinks(BaseModel):
    """The pages around this one, with the request's other parameters kept; the same URLs as
    the `Link` header."""

    self: str = Field(max_length=URL_MAX, description="This page.")
    first: str = Field(max_length=URL_MAX, description="The first page.")
    prev: str | None = Field(max_length=URL_MAX, description="The page before; null on the first.")
    next: str | None = Field(max_length=URL_MAX, description="The page after; null on the last.")
    last: str = Field(max_length=URL_MAX, description="The last page.")


class Page(BaseModel, Generic[T]):
    """One page of a list, in the list's stable order."""

    items: list[T] = Field(max_length=500)
    total: int = Field(
        ge=0, description="Items matching the filters, over all pages.", examples=[2]
    )
    limit: int = Field(ge=1, le=500, description="Page size asked for.", examples=[50])
    offset: int = Field(
        ge=0, le=10_000_000, description="Items skipped before this page.", examples=[0]
    )
    links: PageLinks
