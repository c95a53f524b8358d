"""What `GET /api/v1/downloads` answers."""

from datetime import datetime

from pydantic import BaseModel, Field


class DownloadPublic(BaseModel):
    """One file of the whole dataset at one revision."""

    name: str = Field(
        description="The distribution: `sqlite`, `datapackage`, `jsonld` or `annotations`.",
        examples=["sqlite"],
    )
    title: str = Field(examples=["SQLite database of the public tables"])
    url: str = Field(
        description="Where to download it. The name carries the revision, so the file at this "
        "URL never changes; it answers `Range` requests (resume with `curl -C -`).",
        examples=["https://data.example.gov.vn/downloads/congress-r12.sqlite"],
    )
    media_type: str = Field(examples=["application/vnd.sqlite3"])
    bytes: int = Field(description="Size of the file.", examples=[204800])
    sha256: str = Field(
        description="SHA-256 of the file, hexadecimal: compare with `sha256sum FILE`.",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    revision: int = Field(description="The dataset revision the file holds.", examples=[12])
    modified: datetime = Field(description="When the data in the file last changed (UTC).")


class DownloadList(BaseModel):
    """Every distribution of the current revision."""

    revision: int = Field(description="The current dataset revision.", examples=[12])
    modified: datetime = Field(description="When the dataset last changed (UTC).")
    items: list[DownloadPublic]
