"""Public models of source documents and events."""

from datetime import datetime

from pydantic import BaseModel, Field, computed_field

from app.models.base import Stamps
from app.models.documents import DocumentBase
from app.models.terms import EventBase
from app.schemas.common import Source


class DocumentPublic(DocumentBase, Stamps):
    """A source article. Its full text is at `/api/v1/documents/{id}/text`."""

    id: str = Field(examples=["ttxvn-bac-giang-xay-dung-dang"])
    sha256: str = Field(description="SHA-256 of the UTF-8 text, to verify a copy.")
    length: int = Field(description="Length of the text in Unicode code points.")
    sources: list[Source]


class PersonRef(BaseModel):
    id: str
    name: str


class EventPublic(EventBase, Stamps):
    """The conference; its date is as printed, and the year is null when not stated."""

    id: str = Field(examples=["bac-giang-hoi-nghi-tong-ket-xay-dung-dang-2020-2025"])
    chairs: list[PersonRef] = Field(description="Who chaired it, in the source's order.")
    sources: list[Source]

    @computed_field(description="False when the source gives no year for the date.")  # type: ignore[prop-decorator]
    @property
    def year_stated(self) -> bool:
        return self.year is not None


class DatasetInfo(BaseModel):
    revision: int = Field(description="Bumped by every seed run that changes data.", examples=[1])
    modified_at: datetime = Field(description="When the data last changed.")
