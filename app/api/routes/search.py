from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api.deps import FormatDep, PageDep
from app.api.fields import Selection, select_fields
from app.api.rendering import list_response, page_links, public_base_url
from app.api.responses import LIST_RESPONSES
from app.db import SessionDep
from app.schemas.common import Page
from app.schemas.search import Highlight, SearchHit
from app.search.index import SearchRow, search
from app.search.kinds import COLLECTIONS, SearchKind
from app.search.terms import MAX_QUERY_LENGTH, Terms, shorten, snippet

router = APIRouter(prefix="/search", tags=["search"])

SearchQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description=(
            "Words to find, e.g. `duong van thai` or `Dương Văn Thái`. Case, tone marks and đ/Đ "
            "are ignored; only letters and digits count, so punctuation and operators are not "
            f"special, and a `q` without any finds nothing. At most {MAX_QUERY_LENGTH} characters."
        ),
        examples=["bac giang"],
    ),
]
KindFilter = Annotated[
    list[SearchKind] | None,
    Query(
        alias="type",
        description="Only these kinds; repeat for several, e.g. `type=person&type=document`.",
    ),
]


def _hit(row: SearchRow, terms: Terms, base: str) -> SearchHit:
    found = snippet(row.body, terms) or snippet(row.name, terms)
    return SearchHit(
        kind=row.kind,
        id=row.record_id,
        title=row.name or shorten(row.body),
        snippet=found.text if found else shorten(row.name or row.body),
        highlights=[Highlight(start=s, end=e) for s, e in found.marks] if found else [],
        url=f"{base}/api/v1/{COLLECTIONS[row.kind]}/{row.record_id}",
        score=row.score,
        exact=row.exact,
    )


@router.get(
    "",
    summary="Search every kind of record",
    operation_id="search",
    response_model=Page[SearchHit],
    responses=LIST_RESPONSES,
)
def search_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    fields: Annotated[Selection, Depends(select_fields(SearchHit))],
    q: SearchQuery,
    kinds: KindFilter = None,
) -> Response:
    """Find terms, key tasks, solutions, achievements, limitations, directives, statistics,
    people, organizations, events and documents containing **every** word of `q`, whole words,
    ignoring case, tone marks and đ/Đ: `duong van thai`, `DƯƠNG VĂN THÁI` and `Dương Văn Thái`
    find the same records.

    Best first: hits that keep the tone marks you typed (`exact`), so `thể` puts "thể" before
    "thế"; then by `score`, where a match in a name or title outweighs one in running text, so the
    person comes before a paragraph that mentions them; ties in a stable order. Each hit has a
    `snippet` with the matched words located by `highlights`, and its `url` in this API."""
    terms = Terms.parse(q)
    if not terms:
        links = page_links(request, page, 0)
        empty = Page[SearchHit](
            items=[], total=0, limit=page.limit, offset=page.offset, links=links
        )
        return list_response(request, empty, page, fmt, SearchHit, fields)
    rows, total = search(session, terms, kinds, limit=page.limit, offset=page.offset)
    base = public_base_url(request)
    items = [_hit(row, terms, base) for row in rows]
    links = page_links(request, page, total)
    result = Page[SearchHit](
        items=items, total=total, limit=page.limit, offset=page.offset, links=links
    )
    return list_response(request, result, page, fmt, SearchHit, fields)
