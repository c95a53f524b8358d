from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.auth import BearerDep
from app.api.deps import PageDep
from app.api.rendering import page_links, public_base_url
from app.api.responses import problems
from app.api.sorting import ChangeSortDep
from app.db import SessionDep, WriteSessionDep
from app.editing import commands
from app.problems import NotFoundError
from app.queries.changes import get_change, list_changes
from app.schemas.changes import ChangePublic
from app.schemas.common import Page

router = APIRouter(prefix="/changes", tags=["changes"])

ChangeNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="The change's number `n`.")]


@router.get(
    "",
    summary="List changes",
    operation_id="list_changes",
    response_model=Page[ChangePublic],
)
def list_changes_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    sort: ChangeSortDep,
    since: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**31 - 1,
            description="Only changes made after this dataset revision (the `revision` you "
            "last saw in `/api/v1` or a record).",
        ),
    ] = None,
) -> Page[ChangePublic]:
    """Every change to the data, oldest first: to follow the dataset, remember the last
    `revision` you processed and ask for `since=` it. Paged like every list."""
    items, total = list_changes(
        session,
        base=public_base_url(request),
        since=since,
        descending=bool(sort) and sort[0].descending,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[ChangePublic](
        items=items,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )


@router.get(
    "/{n}",
    summary="Get one change",
    operation_id="get_change",
    response_model=ChangePublic,
    responses=problems(404),
)
def get_change_handler(request: Request, n: ChangeNumber, session: SessionDep) -> ChangePublic:
    """One change: who, when, what, and the record before and after."""
    change = get_change(session, n, public_base_url(request))
    if change is None:
        raise NotFoundError(f"No change number {n}.")
    return change


@router.post(
    "/{n}/revert",
    status_code=201,
    summary="Revert a change",
    operation_id="revert_change",
    response_model=ChangePublic,
    responses=problems(401, 403, 404, 409),
)
def revert_change_handler(
    request: Request, n: ChangeNumber, token: BearerDep, session: WriteSessionDep
) -> Response:
    """Restore the record as it was before change `n`, as a new change (operation `revert`):
    history is never rewritten. Reverting a create retires the record; reverting a retirement
    restores it. Needs an `admin` token. 409 when the earlier state cannot be restored (a
    record it refers to is gone, its position is taken)."""
    editor = token.admin(session)
    commands.revert(session, editor.name, n)
    base = public_base_url(request)
    newest, _total = list_changes(session, base=base, limit=1, offset=0, descending=True)
    session.commit()
    change = newest[0]
    return Response(
        change.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": f"{base}/api/v1/changes/{change.n}"},
    )
