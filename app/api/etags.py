"""Strong ETags of records, and the If-Match preconditions of writes.

A record's detail (and a write's answer) carries `ETag: "<revision>.<digest>"`: `revision` is
the dataset revision of the record's last change, its version; `digest` is a hash of the body,
so the tag also changes when what the body shows of other records changes (a person's posts)
and differs between languages. `If-Match` compares only the version, so a tag read in any
language, from any representation of the record, is accepted until the record changes.

Compression: a compressed body is a different representation, so the response cache appends
the coding (`"7.ab…-br"`, `"7.ab…-gzip"`), as RFC 9110 wants of strong validators. `If-Match`
and `If-None-Match` accept the tag of any coding. Lists and other reads keep weak tags (W/).
"""

import hashlib
import re
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel

from app.api.projection import project
from app.editing.commands import IfMatch
from app.problems import PreconditionRequiredError
from app.queries.renditions import stored_body_steps
from app.reads import Reader, run_steps

JSON_MEDIA_TYPE = "application/json"
_STRONG = re.compile(r'^"(\d{1,12})\.[0-9a-f]{32}(?:-(?:br|gzip))?"$')


def strong_etag(revision: int, body: bytes) -> str:
    return f'"{revision}.{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def record_response(
    model: BaseModel,
    *,
    status_code: int = 200,
    exclude_unset: bool = False,
    headers: dict[str, str] | None = None,
    include: frozenset[str] | None = None,
) -> Response:
    """The record as JSON with its strong ETag; the same bytes for a GET and a write's answer.
    `include` projects it to those fields (`fields=`)."""
    projection = set(include) if include is not None else None
    body = model.model_dump_json(exclude_unset=exclude_unset, include=projection).encode()
    revision: Any = getattr(model, "revision", 0)
    return stored_response(int(revision), body, status_code=status_code, headers=headers)


def stored_response(
    revision: int, body: bytes, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A record's body as rendered on write (or just now), with its strong ETag."""
    return Response(
        body,
        status_code=status_code,
        media_type=JSON_MEDIA_TYPE,
        headers={"ETag": strong_etag(revision, body), **(headers or {})},
    )


def parse_if_match(value: str | None) -> IfMatch:
    if value is None or not value.strip():
        raise PreconditionRequiredError(
            "Send If-Match with the ETag of the version you read (GET the record first); "
            "writes without it could overwrite someone else's change."
        )
    if value.strip() == "*":
        return IfMatch(frozenset(), any_version=True)
    revisions = set()
    for tag in value.split(","):
        match = _STRONG.match(tag.strip())
        if match:  # weak tags never match (RFC 9110 §13.1.1: strong comparison)
            revisions.add(int(match.group(1)))
    return IfMatch(frozenset(revisions))


IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=2000,
        description="The strong ETag of the version being changed, as a GET of the record "
        "returned it. Required: without it 428, with a stale one 412.",
    ),
]


def stored_record(
    reader: Reader, kind: str, record_id: str, lang: str, fields: frozenset[str] | None = None
) -> Response | None:
    """The record's (or summary's) body stored on write, with its strong ETag, projected to
    `fields` if given; None if none is stored."""
    found = run_steps(reader, stored_body_steps(kind, record_id, lang))
    if found is not None and fields is not None:
        found = found[0], project(found[1], fields)
    return stored_record_response(found)


def stored_record_response(found: tuple[int, str] | None) -> Response | None:
    """A stored (revision, body) as its response; None for none."""
    return stored_response(found[0], found[1].encode()) if found else None
