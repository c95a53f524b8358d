from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

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
from app.queries.people import get_organization, list_organizations
from app.queries.sorting import SortKey
from app.schemas.common import Page
from app.schemas.people import OrganizationPublic

router = APIRouter(prefix="/organizations", tags=["organizations"])
SortDep = Annotated[
    list[SortKey], Depends(sort_by(("name", "classification", "updated_at", "id"), "by id"))
]
FieldsDep = Annotated[Selection, Depends(select_fields(OrganizationPublic))]
KIND = BY_COLLECTION["organizations"]


@router.get(
    "",
    summary="List organizations",
    operation_id="list_organizations",
    response_model=Page[OrganizationPublic],
    responses=LIST_RESPONSES,
)
def list_organizations_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    sort: SortDep,
    fields: FieldsDep,
    since: UpdatedSinceDep,
    classification: Annotated[
        str | None,
        Query(
            max_length=50,
            pattern=r"^[a-z_]+$",
            description="Only this kind, e.g. `party_committee`, `news_agency`.",
        ),
    ] = None,
) -> Response:
    """List organizations (party committees, people's committees and councils, the news agency)
    with the posts held in each. Ordered by id."""
    rows, total = list_organizations(
        session,
        classification=classification,
        updated_since=since,
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    result = Page[OrganizationPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, OrganizationPublic, fields)


@router.get(
    "/{organization_id}",
    summary="Get one organization",
    operation_id="get_organization",
    response_model=OrganizationPublic,
    responses=GONE,
)
def get_organization_handler(
    organization_id: IdPath, session: SessionDep, fields: FieldsDep
) -> Response:
    """One organization with its parent, its area and the posts held in it."""
    organization = get_organization(session, organization_id)
    if organization is None:
        raise missing(session, KIND, organization_id)
    return record_response(organization, include=fields)


add_write_routes(
    router,
    KIND,
    lambda s, i, _lang: get_organization(s, i),
    OrganizationPublic,
    id_name="organization_id",
)
