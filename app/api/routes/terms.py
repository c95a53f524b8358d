from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from app.api.deps import FormatDep, LangDep, PageDep
from app.api.rendering import list_response
from app.api.responses import DETAIL_RESPONSES, LIST_RESPONSES
from app.api.routes.term_items import IdPath
from app.db import SessionDep
from app.problems import NotFoundError
from app.queries.terms import list_terms, term_summary
from app.schemas.common import Page
from app.schemas.terms import SummarySection, TermPublic, TermSummary

router = APIRouter(prefix="/terms", tags=["terms"])

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
    organization: Annotated[
        str | None, Query(max_length=120, description="Only terms of this organization id.")
    ] = None,
) -> Response:
    """List congress terms (nhiệm kỳ), by organization then start year.

    Each term links to its full summary at `/api/v1/terms/{id}`."""
    rows, total = list_terms(
        session, organization_id=organization, limit=page.limit, offset=page.offset
    )
    result = Page[TermPublic](items=rows, total=total, limit=page.limit, offset=page.offset)
    return list_response(request, result, page, fmt, TermPublic)


@router.get(
    "/{term_id}",
    summary="Get the whole summary of a term",
    operation_id="get_term_summary",
    response_model=TermSummary,
    response_model_exclude_unset=True,
    responses=DETAIL_RESPONSES,
)
def get_term_summary(
    term_id: IdPath, session: SessionDep, lang: LangDep, include: IncludeQuery = None
) -> Any:
    """Everything a portal needs about a term in one call: the organization and area, the
    period, the conference that set it, key tasks and breakthrough solutions in order,
    statistics grouped by category, achievements, limitations, directives, the people involved
    with their posts, and the source documents. Every item carries its `sources`.

    A planned term's summary also carries the review of the previous term made at the same
    conference; `covers` lists the terms included. Trim the response with `include=`."""
    summary = term_summary(session, term_id, _sections(include), lang)
    if summary is None:
        raise NotFoundError(f"No term with id '{term_id}'.")
    return summary
