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
from app.queries.documents import get_document, get_document_text, list_documents
from app.queries.sorting import SortKey
from app.schemas.common import Page
from app.schemas.documents import DocumentPublic

router = APIRouter(prefix="/documents", tags=["documents"])
SortDep = Annotated[list[SortKey], Depends(sort_by(("title", "updated_at", "id"), "by id"))]
FieldsDep = Annotated[Selection, Depends(select_fields(DocumentPublic))]
KIND = BY_COLLECTION["documents"]


@router.get(
    "",
    summary="List source documents",
    operation_id="list_documents",
    response_model=Page[DocumentPublic],
    responses=LIST_RESPONSES,
)
def list_documents_handler(
    request: Request,
    session: SessionDep,
    page: PageDep,
    fmt: FormatDep,
    since: UpdatedSinceDep,
    sort: SortDep,
    fields: FieldsDep,
) -> Response:
    """List the source articles the data comes from, with their credits. Ordered by id."""
    rows, total = list_documents(
        session, updated_since=since, sort=sort, limit=page.limit, offset=page.offset
    )
    result = Page[DocumentPublic](
        items=rows,
        total=total,
        limit=page.limit,
        offset=page.offset,
        links=page_links(request, page, total),
    )
    return list_response(request, result, page, fmt, DocumentPublic, fields)


@router.get(
    "/{document_id}",
    summary="Get one source document",
    operation_id="get_document",
    response_model=DocumentPublic,
    responses=GONE,
)
def get_document_handler(document_id: IdPath, session: SessionDep, fields: FieldsDep) -> Response:
    """One source article: title, section, dateline as printed, publisher, author, photo credit."""
    document = get_document(session, document_id)
    if document is None:
        raise missing(session, KIND, document_id)
    return record_response(document, include=fields)


@router.get(
    "/{document_id}/text",
    summary="Get the text of a source document",
    operation_id="get_document_text",
    response_class=Response,
    responses={
        200: {
            "description": "The text, NFC.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **GONE,
    },
)
def get_document_text_handler(document_id: IdPath, session: SessionDep) -> Response:
    """The full text of the article, exactly as stored. Every citation's `start`/`end` are
    code-point offsets into this text: `text[start:end] == quote`."""
    text = get_document_text(session, document_id)
    if text is None:
        raise missing(session, KIND, document_id)
    return Response(text, media_type="text/plain; charset=utf-8")


add_write_routes(
    router, KIND, lambda s, i, _lang: get_document(s, i), DocumentPublic, id_name="document_id"
)
