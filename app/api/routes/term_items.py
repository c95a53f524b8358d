"""Routers for the five kinds of ordered term statements.

Key tasks, solutions, achievements, limitations and directives have the same shape and the
same routes; one function builds each router so their behaviour cannot drift apart.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session

from app.api.deps import FormatDep, IdPath, PageDep, TermFilter, TextFilter, UpdatedSinceDep
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
from app.editing.kinds import BY_SUBJECT
from app.i18n import Lang
from app.models import ANY_LANGUAGE, SubjectKind, TermItemBase
from app.queries.citations import sources_for
from app.queries.items import get_item, item_body_steps, list_items
from app.queries.sorting import SortKey
from app.queries.terms import item_public
from app.queries.text_match import matching_ids
from app.reads import run_steps
from app.schemas.common import Page


def term_item_router(
    *,
    path: str,
    model: type[TermItemBase],
    kind: SubjectKind,
    public: type[Any],
    singular: str,
    plural: str,
) -> APIRouter:
    router = APIRouter(prefix=f"/{path}", tags=[path])
    sort_dependency = sort_by(("term_id", "position", "updated_at", "id"), "by term, then position")
    SortDep = Annotated[list[SortKey], Depends(sort_dependency)]
    FieldsDep = Annotated[Selection, Depends(select_fields(public))]

    def list_handler(
        request: Request,
        session: SessionDep,
        page: PageDep,
        fmt: FormatDep,
        since: UpdatedSinceDep,
        sort: SortDep,
        fields: FieldsDep,
        term: TermFilter = None,
        q: TextFilter = None,
    ) -> Response:
        filters: dict[str, Any] = {
            "term_id": term,
            "ids": matching_ids(session, kind, q) if q else None,
            "updated_since": since,
            "sort": sort,
            "limit": page.limit,
            "offset": page.offset,
        }
        bodies, total = run_steps(session, item_body_steps(model, kind, **filters))
        if bodies is not None:
            return stored_list_response(request, bodies, total, page, fmt, public, fields)
        rows, total = list_items(session, model, **filters)
        cited = sources_for(session, {kind: [r.id for r in rows]})  # type: ignore[attr-defined]
        items = [item_public(public, row, kind, cited) for row in rows]
        result = Page[Any](
            items=items,
            total=total,
            limit=page.limit,
            offset=page.offset,
            links=page_links(request, page, total),
        )
        return list_response(request, result, page, fmt, public, fields)

    list_handler.__doc__ = (
        f"List {plural} in the order the source gives them (by term, then position). "
        "Filter by `term`, and by text with `q`, which ignores case, tone marks and đ/Đ. "
        "Answers CSV with `Accept: text/csv` or `format=csv`."
    )
    router.add_api_route(
        "",
        list_handler,
        methods=["GET"],
        summary=f"List {plural}",
        operation_id=f"list_{path}",
        response_model=Page[public],  # type: ignore[valid-type]
        responses=LIST_RESPONSES,
    )

    def detail(session: Session, item_id: str, _lang: Lang) -> Any:
        item = get_item(session, model, item_id)
        if item is None:
            return None
        return item_public(public, item, kind, sources_for(session, {kind: [item_id]}))

    def detail_handler(item_id: IdPath, session: SessionDep, fields: FieldsDep) -> Response:
        if stored := stored_record(session, kind, item_id, ANY_LANGUAGE, fields):
            return stored
        found = detail(session, item_id, Lang.vi)
        if found is None:
            raise missing(session, BY_SUBJECT[kind], item_id)
        return record_response(found, include=fields)

    detail_handler.__doc__ = f"One {singular}, with the quotes it comes from."
    router.add_api_route(
        "/{item_id}",
        detail_handler,
        methods=["GET"],
        summary=f"Get one {singular}",
        operation_id=f"get_{path}_item",
        response_model=public,
        responses=GONE,
    )
    add_write_routes(router, BY_SUBJECT[kind], detail, public, id_name="item_id")
    return router
