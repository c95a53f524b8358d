"""The write operations and the history of one collection, added to that resource's router.

Every collection gets the same five operations, so they are built here once: POST creates,
PUT replaces, PATCH merges (RFC 7396), DELETE retires, GET `/{id}/history` lists its changes.
The handlers are thin: they parse, call `app.editing.commands`, and answer with the record as
a GET of it would, with its strong ETag.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.api.auth import BearerDep
from app.api.bodies import JSON, MERGE_PATCH, JsonBody, MergePatchBody
from app.api.deps import LangDep, PageDep
from app.api.etags import (
    IfMatchHeader,
    parse_if_match,
    record_response,
    stored_record,
    stored_response,
    strong_etag,
)
from app.api.rendering import page_links, public_base_url
from app.api.responses import problems
from app.api.sorting import ChangeSortDep
from app.db import SessionDep, WriteSessionDep
from app.editing import commands
from app.editing.kinds import Kind
from app.i18n import Lang
from app.models import ANY_LANGUAGE, SubjectKind
from app.models.base import ID_MAX, ID_PATTERN
from app.problems import PreconditionFailedError
from app.queries.changes import list_changes
from app.queries.renditions import SUMMARY
from app.schemas.changes import ChangePublic
from app.schemas.common import Page

Detail = Callable[[Session, str, Lang], BaseModel | None]

# Body models of the write API, added to the OpenAPI components by app.main.
WRITE_BODIES: dict[str, type[BaseModel]] = {}

WRITE_PROBLEMS = problems(400, 401, 403, 413, 415, 422)
RECORD_PROBLEMS = problems(404, 410, 412, 428)


def render(
    session: Session, kind: Kind, detail: Detail, record_id: str, lang: Lang, **options: Any
) -> Response:
    model = detail(session, record_id, lang)
    if model is None:  # the command has just written it, in this transaction
        raise commands.missing(session, kind, record_id)
    return record_response(model, **options)


def add_write_routes(
    router: APIRouter,
    kind: Kind,
    detail: Detail,
    public: type[BaseModel],
    *,
    id_name: str,
    exclude_unset: bool = False,
) -> None:
    """POST, PUT, PATCH, DELETE and GET history for `kind` on its router; `id_name` is the
    path parameter's name in the router's detail route, so both document one path."""
    name = kind.singular
    path = "/{" + id_name + "}"
    RecordId = Annotated[
        str,
        Path(
            alias=id_name,
            max_length=ID_MAX,
            pattern=ID_PATTERN,
            description=f"The {name}'s stable id (a slug).",
        ),
    ]
    WRITE_BODIES[kind.body.__name__] = kind.body
    body_schema = {"$ref": f"#/components/schemas/{kind.body.__name__}"}

    # What a GET of the record answers: a term's is its summary.
    stored_as = SUMMARY if kind.subject is SubjectKind.term else kind.subject.value

    def answer(session: Session, written: commands.Written, lang: Lang, **options: Any) -> Response:
        """The record as a GET will answer it: as rendered by the write, else as stored, else
        rendered now."""
        record_id = written.record_id
        body = written.bodies.get((stored_as, record_id, lang)) or written.bodies.get(
            (stored_as, record_id, ANY_LANGUAGE)
        )
        if body is not None:
            response = stored_response(body[0], body[1].encode(), **options)
        else:
            response = stored_record(session, stored_as, record_id, lang) or render(
                session, kind, detail, record_id, lang, exclude_unset=exclude_unset
            )
            response.status_code = options.get("status_code", 200)
            response.headers.update(options.get("headers", {}))
        session.commit()
        return response

    @contextmanager
    def reporting_stale(session: Session, lang: Lang) -> Iterator[None]:
        """A stale If-Match becomes a 412 carrying the record's current ETag."""
        try:
            yield
        except commands.StaleVersion as exc:
            model = detail(session, exc.record_id, lang)
            body = model.model_dump_json(exclude_unset=exclude_unset).encode() if model else b""
            etag = strong_etag(int(getattr(model, "revision", 0)), body)
            raise PreconditionFailedError(
                exc.detail, current_etag=etag, headers={"ETag": etag}
            ) from None

    def create_handler(
        request: Request,
        body: JsonBody,
        token: BearerDep,
        session: WriteSessionDep,
        lang: LangDep,
    ) -> Response:
        editor = token.editor(session)
        written = commands.create(session, editor.name, kind, body)
        location = f"{public_base_url(request)}/api/v1/{kind.collection}/{written.record_id}"
        return answer(session, written, lang, status_code=201, headers={"Location": location})

    create_handler.__doc__ = (
        f"Create a {name}. The body has the shape of a `{kind.seed_list}` record of a seed "
        "file; each of its `sources` is a quote (`document`, `quote`, optional `occurrence`) "
        "that must be found in that document's text, or the answer is a 422 whose pointer "
        "names it (`#/sources/2/quote`). Needs an `edit` or `admin` token. Answers 201 with "
        "the record, its `Location` and its strong `ETag`."
    )
    router.add_api_route(
        "",
        create_handler,
        methods=["POST"],
        status_code=201,
        summary=f"Create a {name}",
        operation_id=f"create_{kind.collection}",
        response_model=public,
        responses={**WRITE_PROBLEMS, **problems(409)},
        openapi_extra={
            "requestBody": {"required": True, "content": {JSON: {"schema": body_schema}}}
        },
    )

    def replace_handler(
        record_id: RecordId,
        body: JsonBody,
        token: BearerDep,
        session: WriteSessionDep,
        lang: LangDep,
        if_match: IfMatchHeader = None,
    ) -> Response:
        precondition = parse_if_match(if_match)
        editor = token.editor(session)
        with reporting_stale(session, lang):
            written = commands.replace(session, editor.name, kind, record_id, body, precondition)
        return answer(session, written, lang)

    replace_handler.__doc__ = (
        f"Replace a {name} with the body (the same shape as for create; `id` may be left "
        "out). Send `If-Match` with the ETag you read: 428 without it, 412 if the record "
        "changed since (the problem carries the current ETag)."
    )
    router.add_api_route(
        path,
        replace_handler,
        methods=["PUT"],
        summary=f"Replace a {name}",
        operation_id=f"replace_{kind.collection}",
        response_model=public,
        responses={**WRITE_PROBLEMS, **RECORD_PROBLEMS, **problems(409)},
        openapi_extra={
            "requestBody": {"required": True, "content": {JSON: {"schema": body_schema}}}
        },
    )

    def patch_handler(
        record_id: RecordId,
        body: MergePatchBody,
        token: BearerDep,
        session: WriteSessionDep,
        lang: LangDep,
        if_match: IfMatchHeader = None,
    ) -> Response:
        precondition = parse_if_match(if_match)
        editor = token.editor(session)
        with reporting_stale(session, lang):
            written = commands.patch(session, editor.name, kind, record_id, body, precondition)
        return answer(session, written, lang)

    patch_handler.__doc__ = (
        f"Change some fields of a {name} with a JSON Merge Patch (RFC 7396, "
        "`application/merge-patch+json`): fields given replace, `null` removes an optional "
        "field, `sources` is replaced whole. Needs `If-Match` as PUT does."
    )
    router.add_api_route(
        path,
        patch_handler,
        methods=["PATCH"],
        summary=f"Change fields of a {name}",
        operation_id=f"patch_{kind.collection}",
        response_model=public,
        responses={**WRITE_PROBLEMS, **RECORD_PROBLEMS, **problems(409)},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    MERGE_PATCH: {
                        "schema": {
                            "type": "object",
                            "description": f"Fields of the {name} to change; null removes.",
                        }
                    }
                },
            }
        },
    )

    def retire_handler(
        record_id: RecordId,
        token: BearerDep,
        session: WriteSessionDep,
        lang: LangDep,
        if_match: IfMatchHeader = None,
    ) -> Response:
        precondition = parse_if_match(if_match)
        editor = token.editor(session)
        with reporting_stale(session, lang):
            commands.retire(session, editor.name, kind, record_id, precondition)
        session.commit()
        return Response(status_code=204)

    retire_handler.__doc__ = (
        f"Retire a {name}: it leaves every list, search, card and summary, its URL answers "
        "410 Gone, and its history stays readable (an admin can revert it). A record that "
        "others refer to cannot be retired (409). Needs `If-Match`."
    )
    router.add_api_route(
        path,
        retire_handler,
        methods=["DELETE"],
        status_code=204,
        summary=f"Retire a {name}",
        operation_id=f"retire_{kind.collection}",
        response_class=Response,
        responses={**problems(401, 403), **RECORD_PROBLEMS, **problems(409)},
    )

    def history_handler(
        request: Request,
        record_id: RecordId,
        session: SessionDep,
        page: PageDep,
        sort: ChangeSortDep,
    ) -> Page[ChangePublic]:
        items, total = list_changes(
            session,
            base=public_base_url(request),
            kind=kind,
            record_id=record_id,
            descending=bool(sort) and sort[0].descending,
            limit=page.limit,
            offset=page.offset,
        )
        if total == 0:
            raise commands.missing(session, kind, record_id)
        return Page[ChangePublic](
            items=items,
            total=total,
            limit=page.limit,
            offset=page.offset,
            links=page_links(request, page, total),
        )

    history_handler.__doc__ = (
        f"Every change of a {name}, oldest first, retired or not: who (the token's name, or "
        "`seed`), when, and the record before and after."
    )
    router.add_api_route(
        path + "/history",
        history_handler,
        methods=["GET"],
        summary=f"History of a {name}",
        operation_id=f"get_{kind.collection}_history",
        response_model=Page[ChangePublic],
        responses=problems(404),
    )
