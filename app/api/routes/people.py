from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import (
    FormatDep,
    IdPath,
    OrganizationFilter,
    PageDep,
    TextFilter,
    UpdatedSinceDep,
)
from app.api.etags import record_response
from app.api.fields import Selection, select_fields
from app.api.rendering import list_response, page_links
from app.api.responses import GONE, LIST_RESPONSES
from app.api.sorting import sort_by
from app.api.writes import add_write_routes
from app.db import SessionDep
from app.editing.commands import missing
from app.editing.kinds import BY_COLLECTION
from app.models import SubjectKind
from app.queries.people import get_person, list_people
from app.queries.sorting import SortKey
from app.queries.text_match import matching_ids
from app.schemas.common import Page
from app.schemas.people import PersonPublic

router = APIRouter(prefix="/people", tags=["people"])
SortDep = Annotated[list[SortKey], Depends(sort_by(("name", "updated_at", "id"), "by id"))]
FieldsDep = Annotated[Selection, Depends(select_fields(PersonPublic))]
KIND = BY_COLLECTION["people"]


@router.get(
    "",
    summary="List people",
    operation_id="list_people",
    response_model=Page[PersonPublic],
    responses=LIST_RESPONSES,
)
def list_people_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    sort: SortDep,
    fields: FieldsDep,
    since: UpdatedSinceDep,
    organization: OrganizationFilter = None,
    q: TextFilter = None,
) -> Response:
    """List the people named in the sources, each once, with every post they hold.

    `q` matches names ignoring case, tone marks and đ/Đ (`duong van thai`). Ordered by id."""
    rows, total = list_people(
        session,
        organization_id=organization,
        ids=matching_ids(session, SubjectKind.person, q) if q else None,
        updated_since=since,
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    result = Page[PersonPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, PersonPublic, fields)


@router.get(
    "/{person_id}",
    summary="Get one person",
    operation_id="get_person",
    response_model=PersonPublic,
    responses=GONE,
)
def get_person_handler(person_id: IdPath, session: SessionDep, fields: FieldsDep) -> Response:
    """One person with every post held and the organization of each, with their quotes."""
    person = get_person(session, person_id)
    if person is None:
        raise missing(session, KIND, person_id)
    return record_response(person, include=fields)


add_write_routes(
    router, KIND, lambda s, i, _lang: get_person(s, i), PersonPublic, id_name="person_id"
)
