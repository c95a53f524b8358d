"""Request bodies of the write API: media type, size and syntax checked before anything else.

A bad body is refused with a problem that says why (415, 413, 400 with the line or position)
and changes nothing. The size is enforced while reading, so an oversized body is refused before
it is held whole.
"""

import json
import tomllib
from typing import Annotated, Any

from fastapi import Depends, Request

from app.api.auth import BearerDep
from app.config import get_settings
from app.problems import (
    BadRequestError,
    FieldProblem,
    InvalidRecordError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    pointer,
)

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
TOML = "application/toml"


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _read(request: Request) -> bytes:
    limit = get_settings().max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"The body is {declared} bytes; the limit is {limit}.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"The body is over the limit of {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _without_nul(value: Any, path: tuple[Any, ...] = ()) -> Any:
    """Refuses a NUL character anywhere in the body: no text of the data holds one, and
    PostgreSQL cannot store one (it would be a 500 at the first query)."""
    if isinstance(value, str) and "\x00" in value:
        raise InvalidRecordError(
            "The body holds a NUL character.",
            errors=[FieldProblem(pointer=pointer(path), detail="NUL characters are not allowed")],
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _without_nul(key, path)
            _without_nul(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _without_nul(item, (*path, index))
    return value


def _parse_json(raw: bytes) -> Any:
    try:
        return _without_nul(json.loads(raw.decode("utf-8")))
    except UnicodeDecodeError as exc:
        raise BadRequestError(f"The body is not UTF-8 (byte {exc.start}).") from None
    except json.JSONDecodeError as exc:
        raise BadRequestError(
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


async def _body(request: Request, accepted: tuple[str, ...]) -> tuple[str, bytes]:
    """Only called once the request has presented credentials (see the dependencies below)."""
    media_type = _media_type(request)
    if media_type not in accepted:
        raise UnsupportedMediaTypeError(
            f"Send the body as {' or '.join(accepted)}, not {media_type or 'no Content-Type'}.",
            headers={"Accept-Patch": MERGE_PATCH} if MERGE_PATCH in accepted else None,
        )
    return media_type, await _read(request)


async def json_body(request: Request, _token: BearerDep) -> Any:
    _, raw = await _body(request, (JSON,))
    return _parse_json(raw)


async def merge_patch_body(request: Request, _token: BearerDep) -> Any:
    _, raw = await _body(request, (MERGE_PATCH,))
    return _parse_json(raw)


async def seed_file_body(request: Request, _token: BearerDep) -> Any:
    media_type, raw = await _body(request, (TOML, JSON))
    if media_type == JSON:
        return _parse_json(raw)
    try:
        return _without_nul(tomllib.loads(raw.decode("utf-8")))
    except UnicodeDecodeError as exc:
        raise BadRequestError(f"The body is not UTF-8 (byte {exc.start}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadRequestError(f"The body is not valid TOML: {exc}.") from None


JsonBody = Annotated[Any, Depends(json_body)]
MergePatchBody = Annotated[Any, Depends(merge_patch_body)]
SeedFileBody = Annotated[Any, Depends(seed_file_body)]
