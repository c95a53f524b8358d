"""Dependencies shared by the routers: paging, output format and language.

They do no I/O, so they are `async def`: FastAPI runs a plain `def` dependency in the thread
pool, a round trip per dependency per request (a quarter of a cold list's time).
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from app.i18n import Lang, request_lang
from app.models.base import ID_MAX, ID_PATTERN
from app.search.terms import MAX_QUERY_LENGTH

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_OFFSET = 10_000_000


class PageParams(BaseModel):
    limit: int
    offset: int


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class Format(StrEnum):
    json = "json"
    csv = "csv"


class ListFormat(BaseModel):
    format: Format
    bom: bool


def negotiated_format(accept: str) -> Format:
    """The list format an Accept header asks for when `format=` is not given."""
    return Format.csv if "text/csv" in accept and "json" not in accept else Format.json


async def list_format(
    request: Request,
    format: Annotated[
        Format | None,
        Query(
            description="`csv` for CSV; otherwise chosen by the Accept header (JSON by default)."
        ),
    ] = None,
    bom: Annotated[
        bool, Query(description="CSV only: start with a UTF-8 byte-order mark, for Excel.")
    ] = False,
) -> ListFormat:
    if format is None:
        format = negotiated_format(request.headers.get("accept", ""))
    return ListFormat(format=format, bom=bom)


async def language(
    request: Request,
    lang: Annotated[
        Lang | None,
        Query(description="Language of labels (`vi` default, `en`); overrides Accept-Language."),
    ] = None,
) -> Lang:
    # The parameter is declared for validation and the docs; the value is the request's own.
    return request_lang(request.scope)


# Ids are slugs: a value that is not one cannot name a record, and is refused before it reaches
# the database (PostgreSQL rejects a NUL byte in a parameter with an error, not a miss).
IdPath = Annotated[
    str,
    Path(max_length=ID_MAX, pattern=ID_PATTERN, description="The record's stable id (a slug)."),
]
TermFilter = Annotated[
    str | None,
    Query(
        max_length=ID_MAX,
        pattern=ID_PATTERN,
        description="Only items of this term id, e.g. `bac-giang-2025-2030`.",
    ),
]
OrganizationFilter = Annotated[
    str | None,
    Query(
        max_length=ID_MAX,
        pattern=ID_PATTERN,
        description="Only this organization id, e.g. `tinh-uy-bac-giang`.",
    ),
]
PersonFilter = Annotated[
    str | None,
    Query(
        max_length=ID_MAX,
        pattern=ID_PATTERN,
        description="Only this person id, e.g. `duong-van-thai`.",
    ),
]

TextFilter = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Only items containing every word, ignoring case, tone marks and đ/Đ.",
    ),
]

# RFC 3339 date-time with its offset; pydantic alone would also take "0.0" as a Unix time.
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$"
UpdatedSince = Annotated[
    str | None,
    Query(
        pattern=RFC3339,
        max_length=32,
        description="Only records created or changed at or after this time (RFC 3339 with an "
        "offset, e.g. `2026-11-30T00:00:00Z`). Retirements are in `/api/v1/changes`.",
        json_schema_extra={"format": "date-time"},
        examples=["2026-11-30T00:00:00Z"],
    ),
]


async def updated_since(updated_since: UpdatedSince = None) -> datetime | None:
    if updated_since is None:
        return None
    try:
        value = datetime.fromisoformat(updated_since.upper().replace("Z", "+00:00"))
    except ValueError:  # the pattern admits 2026-02-31
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "updated_since"),
                    "msg": "not a valid date-time",
                    "type": "datetime_from_date_parsing",
                }
            ]
        ) from None
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first UTC datetime
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


PageDep = Annotated[PageParams, Depends(page_params)]
UpdatedSinceDep = Annotated[datetime | None, Depends(updated_since)]
FormatDep = Annotated[ListFormat, Depends(list_format)]
LangDep = Annotated[Lang, Depends(language)]
