"""Turning a page of items into JSON or CSV with RFC 8288 Link headers."""

import csv
import io
import json
import re
import types
import typing
from functools import cache
from typing import Any, Union
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel

from app.api.deps import Format, ListFormat, PageParams
from app.api.fields import Selection
from app.api.projection import project
from app.config import get_settings
from app.schemas.common import Page, PageLinks

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection). OWASP's
# advice: make it text with a leading apostrophe. A plain number ("-3.5") is left as it is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def public_base_url(request: Request) -> str:
    """The origin clients reached: the configured one, else the request's (app.hosts has
    applied a trusted proxy's X-Forwarded-* and checked the host)."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    return f"{request.url.scheme}://{request.url.netloc}"


def page_links(request: Request, page: PageParams, total: int) -> PageLinks:
    """The pages around this one, with the request's other parameters kept."""
    base = public_base_url(request) + request.url.path
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in {"limit", "offset"}]

    def url(offset: int) -> str:
        return base + "?" + urlencode([*params, ("limit", page.limit), ("offset", offset)])

    last = max(0, (total - 1) // page.limit * page.limit)
    return PageLinks(
        self=url(page.offset),
        first=url(0),
        prev=url(max(0, min(page.offset - page.limit, last))) if page.offset > 0 else None,
        next=url(page.offset + page.limit) if page.offset + page.limit < total else None,
        last=url(last),
    )


def link_header(links: PageLinks) -> str:
    """RFC 8288: the same links as the body's `links`, but `self`."""
    targets = [("first", links.first), ("prev", links.prev), ("next", links.next)]
    targets.append(("last", links.last))
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in targets if url is not None)


def list_response(
    request: Request,
    page: Page[Any],
    params: PageParams,
    fmt: ListFormat,
    item: type[BaseModel],
    fields: Selection = None,
) -> Response:
    headers = {"Link": link_header(page.links)}
    if fmt.format is Format.csv:
        rows = [i.model_dump(mode="json", include=fields) for i in page.items]
        return _csv_response(item, rows, fields, fmt, page.total, headers)
    include: dict[str, Any] | None = None
    if fields is not None:
        include = {key: True for key in Page.model_fields}
        include["items"] = {"__all__": set(fields)}
    return Response(
        page.model_dump_json(include=include), media_type="application/json", headers=headers
    )


def stored_list_response(
    request: Request,
    bodies: list[str],
    total: int,
    params: PageParams,
    fmt: ListFormat,
    item: type[BaseModel],
    fields: Selection = None,
) -> Response:
    """`list_response` of a page whose items are bodies stored on write: the same bytes,
    without building a model per item."""
    links = page_links(request, params, total)
    headers = {"Link": link_header(links)}
    if fmt.format is Format.csv:
        rows = [json.loads(body) for body in bodies]
        if fields is not None:
            rows = [{k: v for k, v in row.items() if k in fields} for row in rows]
        return _csv_response(item, rows, fields, fmt, total, headers)
    if fields is not None:
        bodies = [project(body, fields) for body in bodies]
    envelope = (
        f'{{"items":[{",".join(bodies)}],"total":{total},"limit":{params.limit},'
        f'"offset":{params.offset},"links":{links.model_dump_json()}}}'
    )
    return Response(envelope, media_type="application/json", headers=headers)


def _csv_response(
    item: type[BaseModel],
    rows: list[dict[str, Any]],
    fields: Selection,
    fmt: ListFormat,
    total: int,
    headers: dict[str, str],
) -> Response:
    body = ("\ufeff" if fmt.bom else "") + to_csv(item, rows, fields)
    headers = {**headers, "X-Total-Count": str(total)}
    return Response(body, media_type=CSV_MEDIA_TYPE, headers=headers)


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside `X`, `X | None` or `list[X]`, if any."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


@cache
def csv_columns(model: type[BaseModel], prefix: str = "") -> tuple[str, ...]:
    columns: list[str] = []
    for name, field in model.model_fields.items():
        nested = _inner_model(field.annotation)
        if nested is not None:
            columns += csv_columns(nested, f"{prefix}{name}.")
        else:
            columns.append(prefix + name)
    return tuple(columns)


@cache
def _paths(columns: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(column.split(".")) for column in columns)


def _cell(data: dict[str, Any], path: tuple[str, ...]) -> str:
    if len(path) == 1:  # most columns: nothing nested to walk (a CSV page spent 2/3 in here)
        value = data.get(path[0])
        if isinstance(value, list):
            return neutralised("; ".join("" if v is None else str(v) for v in value))
        return neutralised("" if value is None else str(value))
    values: list[Any] = [data]
    for part in path:
        step: list[Any] = []
        for value in values:
            if isinstance(value, list):
                step += [v.get(part) if isinstance(v, dict) else None for v in value]
            elif isinstance(value, dict):
                step.append(value.get(part))
        values = step
    flat: list[str] = []
    for value in values:
        if isinstance(value, list):
            flat.append("; ".join("" if v is None else str(v) for v in value))
        else:
            flat.append("" if value is None else str(value))
    return neutralised(" | ".join(flat))


def neutralised(cell: str) -> str:
    """The cell as text a spreadsheet will not evaluate."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def to_csv(model: type[BaseModel], rows: list[dict[str, Any]], fields: Selection = None) -> str:
    """One row per item; nested objects become dotted columns, lists join with ' | '."""
    columns = csv_columns(model)
    if fields is not None:
        columns = tuple(c for c in columns if c.split(".", 1)[0] in fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    paths = _paths(columns)
    for row in rows:
        writer.writerow([_cell(row, path) for path in paths])
    return buffer.getvalue()
