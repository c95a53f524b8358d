from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import FormatDep, IdPath, PageDep, TermFilter, UpdatedSinceDep
from app.api.etags import record_response
from app.api.fields import Selection, select_fields
from app.api.rendering import list_response, page_links
from app.api.responses import GONE, LIST_RESPONSES
from app.api.sorting import sort_by
from app.api.writes import add_write_routes
from app.db import SessionDep
from app.editing.commands import missing
from app.editing.kinds import BY_COLLECTION
from app.queries.documents import get_event, list_events
from app.queries.sorting import SortKey
from app.schemas.common import Page
from app.schemas.documents import EventPublic

router = APIRouter(prefix="/events", tags=["events"])
SortDep = Annotated[
    list[SortKey],
    Depends(sort_by(("name", "day", "month", "year", "term_id", "updated_at", "id"), "by id")),
]
FieldsDep = Annotated[Selection, Depends(select_fields(EventPublic))]
KIND = BY_COLLECTION["events"]


@router.get(
    "",
    summary="List events",
    operation_id="list_events",
    response_model=Page[EventPublic],
    responses=LIST_RESPONSES,
)
def list_events_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    sort: SortDep,
    fields: FieldsDep,
    since: UpdatedSinceDep,
    term: TermFilter = None,
) -> Response:
    """List conferences (hội nghị) with their chairs. `term` matches the term an event reviewed
    or set. Dates are as printed; `year` is null and `year_stated` false when not printed."""
    rows, total = list_events(
        session, term_id=term, updated_since=since, sort=sort, limit=page.limit, offset=page.offset
    )
    result = Page[EventPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, EventPublic, fields)


@router.get(
    "/{event_id}",
    summary="Get one event",
    operation_id="get_event",
    response_model=EventPublic,
    responses=GONE,
)
def get_event_handler(event_id: IdPath, session: SessionDep, fields: FieldsDep) -> Response:
    """One conference: organizer, chairs in order, the date as printed, and its quotes."""
    event = get_event(session, event_id)
    if event is None:
        raise missing(session, KIND, event_id)
    return record_response(event, include=fields)


add_write_routes(router, KIND, lambda s, i, _lang: get_event(s, i), EventPublic, id_name="event_id")
