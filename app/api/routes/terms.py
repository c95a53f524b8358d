import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from app.api.credits import credits_for
from app.api.deps import (
    FormatDep,
    IdPath,
    LangDep,
    OrganizationFilter,
    PageDep,
    UpdatedSinceDep,
)
from app.api.etags import record_response, stored_record
from app.api.fields import Selection, select_fields
from app.api.rendering import (
    list_response,
    page_links,
    public_base_url,
    stored_list_response,
)
from app.api.responses import GONE, LIST_RESPONSES
from app.api.sorting import sort_by
from app.api.writes import add_write_routes
from app.cards import text
from app.db import SessionDep
from app.editing.commands import missing
from app.editing.kinds import BY_COLLECTION
from app.jsonld import JSONLD_MEDIA_TYPE, Urls, term_graph
from app.queries.renditions import SUMMARY
from app.queries.sorting import SortKey
from app.queries.terms import list_terms, term_body_steps, term_summary
from app.reads import run_steps
from app.schemas.common import Page
from app.schemas.terms import SummarySection, TermPublic, TermSummary

router = APIRouter(prefix="/terms", tags=["terms"])
KIND = BY_COLLECTION["terms"]
SORT_FIELDS = ("organization_id", "label", "start_year", "end_year", "status", "updated_at", "id")
SortDep = Annotated[
    list[SortKey], Depends(sort_by(SORT_FIELDS, "by organization, then start year"))
]

SECTIONS = [s.value for s in SummarySection]
IncludeQuery = Annotated[
    list[str] | None,
    Query(
        description="Sections to include, repeated (`include=key_tasks&include=solutions`) or "
        "comma-separated (`include=key_tasks,solutions`). Default: all.",
        json_schema_extra={"items": {"type": "string", "enum": SECTIONS}},
    ),
]


def _sections(include: list[str] | None) -> set[SummarySection]:
    if not include:
        return set(SummarySection)
    names = [name.strip() for value in include for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown or not names:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "include"),
                    "msg": f"Unknown section {', '.join(unknown) or '(empty)'}; "
                    f"expected any of {', '.join(SECTIONS)}",
                    "type": "enum",
                }
            ]
        )
    return {SummarySection(name) for name in names}


@router.get(
    "",
    summary="List terms",
    operation_id="list_terms",
    response_model=Page[TermPublic],
    responses=LIST_RESPONSES,
)
def list_terms_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    since: UpdatedSinceDep,
    sort: SortDep,
    fields: Annotated[Selection, Depends(select_fields(TermPublic))],
    organization: OrganizationFilter = None,
) -> Response:
    """List congress terms (nhiệm kỳ), by organization then start year.

    Each term links to its full summary at `/api/v1/terms/{id}`."""
    filters: dict[str, Any] = {
        "organization_id": organization,
        "updated_since": since,
        "sort": sort,
        "limit": page.limit,
        "offset": page.offset,
    }
    bodies, total = run_steps(session, term_body_steps(**filters))
    if bodies is not None:
        return stored_list_response(request, bodies, total, page, fmt, TermPublic, fields)
    rows, total = list_terms(session, **filters)
    result = Page[TermPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, TermPublic, fields)


@router.get(
    "/{term_id}",
    summary="Get the whole summary of a term",
    operation_id="get_term_summary",
    response_model=TermSummary,
    response_model_exclude_unset=True,
    responses={
        200: {
            "description": "The summary: JSON, or schema.org JSON-LD on "
            "`Accept: application/ld+json`.",
            "content": {JSONLD_MEDIA_TYPE: {"schema": {"type": "object"}}},
        },
        **GONE,
    },
)
def get_term_summary(
    request: Request,
    term_id: IdPath,
    session: SessionDep,
    lang: LangDep,
    fields: Annotated[Selection, Depends(select_fields(TermSummary))],
    include: IncludeQuery = None,
) -> Any:
    """Everything a portal needs about a term in one call: the organization and area, the
    period, the conference that set it, key tasks and breakthrough solutions in order,
    statistics grouped by category, achievements, limitations, directives, the people involved
    with their posts, and the source documents. Every item carries its `sources`.

    A planned term's summary also carries the review of the previous term made at the same
    conference; `covers` lists the terms included. Trim the response with `include=`.

    With `Accept: application/ld+json` the same sections come as one schema.org graph: the
    organization, the conference (an `Event`, with no `startDate` as the source gives no
    year), the people and their roles, tasks and solutions as `ItemList`s, the statistics as a
    `Dataset`, and the source article with its publisher and author."""
    as_jsonld = JSONLD_MEDIA_TYPE in request.headers.get("accept", "")
    sections = _sections(include)
    shown = _shown(sections, fields)
    if not as_jsonld and (stored := stored_record(session, SUMMARY, term_id, lang, shown)):
        return stored
    # The graph always names the articles it is based on, whatever `include=` asks for.
    asked = sections | {SummarySection.documents} if as_jsonld else sections
    summary = term_summary(session, term_id, asked, lang)
    if summary is None:
        raise missing(session, KIND, term_id)
    if not as_jsonld:
        return record_response(summary, exclude_unset=True, include=fields)
    sources = [s for document in summary.documents or [] for s in document.sources]
    names = {section.value: text(section.value, lang) for section in _LIST_SECTIONS}
    graph = term_graph(
        summary, credits_for(session, request, sources), Urls(public_base_url(request)), lang, names
    )
    return Response(json.dumps(graph, ensure_ascii=False), media_type=JSONLD_MEDIA_TYPE)


def _shown(sections: set[SummarySection], fields: Selection) -> frozenset[str] | None:
    """The summary's members that `include=` and `fields=` leave in (None: all of them): a
    section left out is absent, as it is when the summary is rendered without it."""
    left_out = set(SummarySection) - sections
    if not left_out and fields is None:
        return None
    kept = frozenset(TermSummary.model_fields) - {section.value for section in left_out}
    return kept if fields is None else kept & fields


_LIST_SECTIONS = [
    SummarySection.key_tasks,
    SummarySection.solutions,
    SummarySection.achievements,
    SummarySection.limitations,
    SummarySection.directives,
    SummarySection.statistics,
]


add_write_routes(
    router,
    KIND,
    lambda s, i, lang: term_summary(s, i, set(SummarySection), lang),
    TermSummary,
    id_name="term_id",
    exclude_unset=True,
)
