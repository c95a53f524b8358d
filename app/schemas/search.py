"""Public models of search hits."""

from pydantic import BaseModel, Field

from app.search.kinds import SearchKind


class Highlight(BaseModel):
    """A matched word in the snippet."""

    start: int = Field(description="Offset of its first character in `snippet`.", examples=[0])
    end: int = Field(description="Offset just past its last character.", examples=[5])


class SearchHit(BaseModel):
    """A record that contains every word searched for."""

    kind: SearchKind = Field(description="What the record is.", examples=["person"])
    id: str = Field(description="The record's stable id.", examples=["duong-van-thai"])
    title: str = Field(
        description="Its name, or the start of its text.", examples=["Dương Văn Thái"]
    )
    snippet: str = Field(
        description="Text around the first matched word, as printed; `…` marks a cut.",
        examples=["Dương Văn Thái"],
    )
    highlights: list[Highlight] = Field(
        description="Where the matched words are in `snippet` (Unicode code points)."
    )
    url: str = Field(
        description="The record in this API.",
        examples=["https://data.example.gov.vn/api/v1/people/duong-van-thai"],
    )
    score: float = Field(
        description="Relevance, higher is better; comparable only within one response.",
        examples=[12.5],
    )
    exact: bool = Field(
        description="A word matched with the tone marks as typed; such hits come first.",
        examples=[True],
    )
