"""Cold reads answered from the bodies stored on write, in front of the router.

A term's summary, a stored record, or a page of a list (all of it or one term's, JSON or CSV)
is one or two indexed statements and the bytes they return: most of what such a read cost was
the framework around them (routing tries the operations in order, every parameter is validated
on its own, a sync handler is a trip to the thread pool). This layer answers those reads
itself, with the handlers' own query functions and response builders
(`app.api.etags.stored_record`, `app.api.rendering.stored_list_response`), so its bytes are the
routes' bytes.

It answers only what needs no validation beyond a pattern: any other parameter, a value not in
its plain form, a repeated name, JSON-LD or a byte-order mark asked for, a body not stored yet,
a database fault or error goes on to FastAPI, which answers as it always did (and says what is
wrong). `tests/test_stored_reads.py` sends the same requests to the application with and
without this layer and compares status, headers and bytes.

It also settles the request's `DeferredVersion` (app.caching), when the HTTP cache left one: a
stored read on PostgreSQL takes the dataset's version in its body's round trip; a request it
leaves to FastAPI has the version read first, as the cache would have.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    Format,
    ListFormat,
    PageParams,
    negotiated_format,
)
from app.api.etags import stored_record_response
from app.api.rendering import stored_list_response
from app.caching import DEFERRED_VERSION, DeferredVersion
from app.db import get_session
from app.faults import database_fault
from app.i18n import Lang, request_lang
from app.jsonld import JSONLD_MEDIA_TYPE
from app.models import ANY_LANGUAGE, SubjectKind
from app.models.base import ID_MAX, ID_PATTERN
from app.queries.items import item_body_steps
from app.queries.renditions import SUMMARY, Found, stored_body_steps
from app.queries.statistics import statistic_body_steps
from app.queries.terms import term_body_steps
from app.reads import Steps, read_steps, read_steps_and_version
from app.schemas.statistics import StatisticPublic
from app.schemas.terms import TermPublic

_ID = re.compile(ID_PATTERN)
_COUNT = re.compile(r"0|[1-9][0-9]{0,8}")
_LANGS = frozenset(lang.value for lang in Lang)
_FORMATS = frozenset(f.value for f in Format)
PAGE = frozenset({"limit", "offset", "format"})
OF_A_TERM = PAGE | {"term"}

# What a list's page is of: its language, page and term (None: every term's).
Bodies = Callable[[Lang, PageParams, str | None], Steps[Found]]
T = TypeVar("T")


async def _read(steps: Steps[T], deferred: DeferredVersion | None) -> T:
    if deferred is None:
        return await read_steps(steps)
    found, version = await read_steps_and_version(steps)
    deferred.settle(version)
    return found


@dataclass(frozen=True)
class RecordRead:
    """`GET {collection}/{id}`: a record's body, stored per language or once for all (or a
    term's summary, whose JSON-LD form is negotiated and rendered by the handler)."""

    template: str
    kind: str
    per_language: bool
    jsonld: bool = False
    parameters: ClassVar[frozenset[str]] = frozenset()

    async def answer(
        self, *, lang: Lang, record_id: str, deferred: DeferredVersion | None
    ) -> Response | None:
        stored_lang = lang.value if self.per_language else ANY_LANGUAGE
        steps = stored_body_steps(self.kind, record_id, stored_lang)
        return stored_record_response(await _read(steps, deferred))


@dataclass(frozen=True)
class ListRead:
    """`GET {collection}` in its default order, of every term or (with `term` among its
    `parameters`) of one: a page of stored bodies, as JSON or CSV."""

    template: str
    item: type[BaseModel]
    bodies: Bodies
    parameters: frozenset[str] = PAGE
    jsonld: ClassVar[bool] = False

    async def answer(
        self,
        *,
        request: Request,
        lang: Lang,
        page: PageParams,
        term: str | None,
        fmt: ListFormat,
        deferred: DeferredVersion | None,
    ) -> Response | None:
        found, total = await _read(self.bodies(lang, page, term), deferred)
        if found is None:
            return None
        return stored_list_response(request, found, total, page, fmt, self.item)


def _terms(_lang: Lang, page: PageParams, _term: str | None) -> Steps[Found]:
    return term_body_steps(organization_id=None, limit=page.limit, offset=page.offset)


def _statistics(lang: Lang, page: PageParams, term: str | None) -> Steps[Found]:
    return statistic_body_steps(
        lang,
        category=None,
        term_id=term,
        key=None,
        limit=page.limit,
        offset=page.offset,
    )


def _statements(model: Any, kind: SubjectKind) -> Bodies:
    def bodies(_lang: Lang, page: PageParams, term: str | None) -> Steps[Found]:
        return item_body_steps(model, kind, term_id=term, limit=page.limit, offset=page.offset)

    return bodies


def stored_reads(prefix: str, term_items: Sequence[tuple[Any, ...]]) -> list[RecordRead | ListRead]:
    """The reads answered here, under the API's `prefix`; `term_items` are the statement kinds'
    (path, table, kind, public model, ...), as `app.api.v1` mounts them."""
    reads: list[RecordRead | ListRead] = [
        RecordRead(f"{prefix}/terms/{{term_id}}", SUMMARY, per_language=True, jsonld=True),
        ListRead(f"{prefix}/terms", TermPublic, _terms),
        RecordRead(
            f"{prefix}/statistics/{{statistic_id}}", SubjectKind.statistic.value, per_language=True
        ),
        ListRead(f"{prefix}/statistics", StatisticPublic, _statistics, OF_A_TERM),
    ]
    for path, model, kind, public, *_ in term_items:
        reads.append(RecordRead(f"{prefix}/{path}/{{item_id}}", kind.value, per_language=False))
        reads.append(ListRead(f"{prefix}/{path}", public, _statements(model, kind), OF_A_TERM))
    return reads


class StoredReadsMiddleware:
    """Answers the stored reads it is given (see the module's docstring); sends the rest on."""

    def __init__(self, app: ASGIApp, reads: list[RecordRead | ListRead]) -> None:
        self.app = app
        self.lists = {read.template: read for read in reads if isinstance(read, ListRead)}
        # "/api/v1/terms/{term_id}" is found by its collection, "/api/v1/terms".
        self.records = {
            read.template.rsplit("/", 1)[0]: read for read in reads if isinstance(read, RecordRead)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = None
        if scope["type"] == "http" and scope["method"] == "GET":
            response = await self._answer(scope)
        if response is None:
            deferred: DeferredVersion | None = scope.get("state", {}).get(DEFERRED_VERSION)
            if deferred is not None:
                await deferred.read(scope)
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)

    async def _answer(self, scope: Scope) -> Response | None:
        path: str = scope["path"]
        read: RecordRead | ListRead | None = self.lists.get(path)
        record_id = ""
        if read is None:
            collection, _, record_id = path.rpartition("/")
            read = self.records.get(collection)
            if read is None or len(record_id) > ID_MAX or not _ID.fullmatch(record_id):
                return None
        state = scope.setdefault("state", {})
        overrides = getattr(scope.get("app"), "dependency_overrides", {})
        if "database_fault" in state or get_session in overrides:
            return None  # the handler answers the fault, or reads the session it is given
        query = _plain_query(scope, read.parameters)
        if query is None:
            return None
        accept = Headers(scope=scope).get("accept", "")
        if read.jsonld and JSONLD_MEDIA_TYPE in accept:
            return None
        lang = request_lang(scope)
        deferred: DeferredVersion | None = state.get(DEFERRED_VERSION)
        if isinstance(read, ListRead):
            page = PageParams(
                limit=int(query.get("limit", DEFAULT_LIMIT)), offset=int(query.get("offset", 0))
            )
            if not 1 <= page.limit <= MAX_LIMIT or page.offset > MAX_OFFSET:
                return None
            given = query.get("format")
            fmt = ListFormat(
                format=Format(given) if given else negotiated_format(accept), bom=False
            )
            answer = read.answer(
                request=Request(scope),
                lang=lang,
                page=page,
                term=query.get("term"),
                fmt=fmt,
                deferred=deferred,
            )
        else:
            answer = read.answer(lang=lang, record_id=record_id, deferred=deferred)
        try:
            response = await answer
        except SQLAlchemyError as error:
            reason = database_fault(error)
            if deferred is not None and reason is not None:
                deferred.fault(scope, reason)
            return None  # FastAPI meets the same error and answers it as a problem
        if response is not None:
            state["route"] = read.template
        return response


def _plain_query(scope: Scope, accepted: frozenset[str]) -> dict[str, str] | None:
    """The query as a dict when every name is `accepted` or `lang`, given once, with a plain
    value (a count without sign or leading zero, an id, a format's or a language's own name);
    else None."""
    query: dict[str, str] = {}
    for name, value in QueryParams(scope["query_string"]).multi_items():
        if name in query or (name != "lang" and name not in accepted):
            return None
        if name == "lang":
            plain = value in _LANGS
        elif name == "term":
            plain = len(value) <= ID_MAX and _ID.fullmatch(value) is not None
        elif name == "format":
            plain = value in _FORMATS
        else:
            plain = _COUNT.fullmatch(value) is not None
        if not plain:
            return None
        query[name] = value
    return query
