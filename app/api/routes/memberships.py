from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import (
    FormatDep,
    IdPath,
    OrganizationFilter,
    PageDep,
    PersonFilter,
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
from app.queries.people import get_membership, list_memberships
from app.queries.sorting import SortKey
from app.schemas.common import Page
from app.schemas.people import MembershipPublic

router = APIRouter(prefix="/memberships", tags=["memberships"])
SortDep = Annotated[
    list[SortKey],
    Depends(
        sort_by(
            ("person_id", "organization_id", "position", "updated_at", "id"),
            "by person, then the order of their posts",
        )
    ),
]
FieldsDep = Annotated[Selection, Depends(select_fields(MembershipPublic))]
KIND = BY_COLLECTION["memberships"]


@router.get(
    "",
    summary="List posts",
    operation_id="list_memberships",
    response_model=Page[MembershipPublic],
    responses=LIST_RESPONSES,
)
def list_memberships_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    sort: SortDep,
    fields: FieldsDep,
    since: UpdatedSinceDep,
    organization: OrganizationFilter = None,
    person: PersonFilter = None,
) -> Response:
    """List posts (memberships): who holds which role in which organization, with quotes.
    Ordered by person, then the person's order of posts."""
    rows, total = list_memberships(
        session,
        organization_id=organization,
        person_id=person,
        updated_since=since,
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    result = Page[MembershipPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, MembershipPublic, fields)


@router.get(
    "/{membership_id}",
    summary="Get one post",
    operation_id="get_membership",
    response_model=MembershipPublic,
    responses=GONE,
)
def get_membership_handler(
    membership_id: IdPath, session: SessionDep, fields: FieldsDep
) -> Response:
    """One post: the person, the organization, the role as printed and in English."""
    membership = get_membership(session, membership_id)
    if membership is None:
        raise missing(session, KIND, membership_id)
    return record_response(membership, include=fields)


add_write_routes(
    router,
    KIND,
    lambda s, i, _lang: get_membership(s, i),
    MembershipPublic,
    id_name="membership_id",
)
