from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import FormatDep, IdPath, PageDep, UpdatedSinceDep
from app.api.etags import record_response
from app.api.fields import Selection, select_fields
from app.api.rendering import list_response, page_links
from app.api.responses import GONE, LIST_RESPONSES
from app.api.sorting import sort_by
from app.api.writes import add_write_routes
from app.db import SessionDep
from app.editing.commands import missing
from app.editing.kinds import BY_COLLECTION
from app.queries.people import get_area, list_areas
from app.queries.sorting import SortKey
from app.schemas.common import Page
from app.schemas.people import AreaPublic

router = APIRouter(prefix="/areas", tags=["areas"])
SortDep = Annotated[
    list[SortKey], Depends(sort_by(("name", "classification", "updated_at", "id"), "by id"))
]
FieldsDep = Annotated[Selection, Depends(select_fields(AreaPublic))]
KIND = BY_COLLECTION["areas"]


@router.get(
    "",
    summary="List areas",
    operation_id="list_areas",
    response_model=Page[AreaPublic],
    responses=LIST_RESPONSES,
)
def list_areas_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    since: UpdatedSinceDep,
    sort: SortDep,
    fields: FieldsDep,
) -> Response:
    """List the areas (provinces) the organizations belong to. Ordered by id."""
    rows, total = list_areas(
        session, updated_since=since, sort=sort, limit=page.limit, offset=page.offset
    )
    result = Page[AreaPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, AreaPublic, fields)


@router.get(
    "/{area_id}",
    summary="Get one area",
    operation_id="get_area",
    response_model=AreaPublic,
    responses=GONE,
)
def get_area_handler(area_id: IdPath, session: SessionDep, fields: FieldsDep) -> Response:
    """One area (a province), with its quotes."""
    area = get_area(session, area_id)
    if area is None:
        raise missing(session, KIND, area_id)
    return record_response(area, include=fields)


add_write_routes(router, KIND, lambda s, i, _lang: get_area(s, i), AreaPublic, id_name="area_id")
