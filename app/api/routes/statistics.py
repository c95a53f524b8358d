from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api.deps import FormatDep, IdPath, LangDep, PageDep, TermFilter, UpdatedSinceDep
from app.api.etags import record_response, stored_record
from app.api.fields import Selection, select_fields
from app.api.rendering import (
    list_response,
    page_links,
    stored_list_response,
)
from app.api.responses import GONE, LIST_RESPONSES
from app.api.sorting import sort_by
from app.api.writes import add_write_routes
from app.db import SessionDep
from app.editing.commands import missing
from app.editing.kinds import BY_COLLECTION
from app.models import StatisticCategory
from app.models.base import ID_PATTERN
from app.queries.sorting import SortKey
from app.queries.statistics import get_statistic, list_statistics, statistic_body_steps
from app.reads import run_steps
from app.schemas.common import Page
from app.schemas.statistics import StatisticPublic

router = APIRouter(prefix="/statistics", tags=["statistics"])
SortDep = Annotated[
    list[SortKey],
    Depends(
        sort_by(
            (
                "key",
                "category",
                "value",
                "period_start",
                "period_end",
                "term_id",
                "updated_at",
                "id",
            ),
            "source order",
        )
    ),
]
FieldsDep = Annotated[Selection, Depends(select_fields(StatisticPublic))]
KIND = BY_COLLECTION["statistics"]


@router.get(
    "",
    summary="List statistics",
    operation_id="list_statistics",
    response_model=Page[StatisticPublic],
    responses=LIST_RESPONSES,
)
def list_statistics_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    sort: SortDep,
    fields: FieldsDep,
    lang: LangDep,
    since: UpdatedSinceDep,
    category: Annotated[
        StatisticCategory | None,
        Query(description="Only this category; `discipline` gives the disciplinary figures."),
    ] = None,
    term: TermFilter = None,
    key: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=ID_PATTERN,
            description="Only this key, e.g. `party-members-admitted`.",
        ),
    ] = None,
) -> Response:
    """List typed statistics in source order. A value is never bare: `qualifier` says whether it
    is exact, a lower bound ("trên 8,8 nghìn" is `more_than` 8800) or a range (`value` to
    `value_max`); `as_of_text` keeps the source's own time words. Labels follow `lang`."""
    filters: dict[str, Any] = {
        "category": category,
        "term_id": term,
        "key": key,
        "updated_since": since,
        "sort": sort,
        "limit": page.limit,
        "offset": page.offset,
    }
    bodies, total = run_steps(session, statistic_body_steps(lang, **filters))
    if bodies is not None:
        return stored_list_response(request, bodies, total, page, fmt, StatisticPublic, fields)
    rows, total = list_statistics(session, lang, **filters)
    result = Page[StatisticPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, StatisticPublic, fields)


@router.get(
    "/{statistic_id}",
    summary="Get one statistic",
    operation_id="get_statistic",
    response_model=StatisticPublic,
    responses=GONE,
)
def get_statistic_handler(
    statistic_id: IdPath, session: SessionDep, lang: LangDep, fields: FieldsDep
) -> Response:
    """One statistic with its qualifier, unit, period, label and quote."""
    if stored := stored_record(session, KIND.subject, statistic_id, lang, fields):
        return stored
    statistic = get_statistic(session, statistic_id, lang)
    if statistic is None:
        raise missing(session, KIND, statistic_id)
    return record_response(statistic, include=fields)


add_write_routes(router, KIND, get_statistic, StatisticPublic, id_name="statistic_id")
