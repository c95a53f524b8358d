"""Every response the test suite receives is checked against the OpenAPI document: its status,
its body (openapi-core) and its headers (each one the server sends must be documented on that
response). `ValidatingClient` is the `client` fixture of tests/conftest.py."""

import re
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import json_loads, plain_loads
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_core.validation.response.exceptions import DataValidationError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from app.main import create_app

# Transport headers: described by HTTP itself and the media types, not by the API.
TRANSPORT = {"content-type", "content-length", "content-encoding", "transfer-encoding", "date"}
TRANSPORT |= {"server", "connection"}


@cache
def document() -> dict[str, Any]:
    return create_app().openapi()


@cache
def openapi() -> OpenAPI:
    text = {"text/csv": plain_loads, "text/xml": plain_loads, "application/atom+xml": plain_loads}
    as_json = {"application/problem+json": json_loads, "application/ld+json": json_loads}
    config = Config(extra_media_type_deserializers={**text, **as_json})
    return OpenAPI.from_dict(document(), config=config)


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile("^" + re.sub(r"\{[^}/]+\}", "[^/]+", path) + "$"), path)
        for path in document()["paths"]
    ]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


class _Request:
    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes) -> None:
        parts = urlsplit(url)
        self.host_url = f"{parts.scheme}://{parts.netloc}"
        self.path = parts.path
        self.method = method.lower()
        self.body = body or None
        self.content_type = headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(parts.query, keep_blank_values=True)),
            header=Headers(headers),
            cookie=ImmutableMultiDict(),
        )


class _Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code = status
        self.headers = Headers(headers)
        self.content_type = headers.get("content-type", "")
        self.data = body


def check_response(method: str, url: str, request_headers: dict[str, str], request_body: bytes,
                   status: int, headers: dict[str, str], body: bytes) -> None:  # fmt: skip
    """Raises AssertionError when the response is not the one the document describes."""
    if method.upper() in {"HEAD", "OPTIONS"}:
        return  # HEAD is GET without a body; OPTIONS is a CORS preflight, not an operation
    path = urlsplit(url).path
    template = next((t for pattern, t in _templates() if pattern.match(path)), None)
    if template is None:
        return  # not an operation of the API (the docs pages, their files)
    operation = document()["paths"][template].get(method.lower())
    where = f"{method.upper()} {url} -> {status}"
    assert operation is not None or status == 405, f"{where}: undocumented method"
    if operation is None:
        return
    responses = operation["responses"]
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    assert response is not None, f"{where}: status not documented"
    declared = {name.lower() for name in _resolve(response).get("headers", {})}
    sent = {name.lower() for name in headers} - TRANSPORT
    assert sent <= declared, f"{where}: undocumented headers {sorted(sent - declared)}"
    request = _Request(method, url, request_headers, request_body)
    projected = "fields" in parse_qs(urlsplit(url).query)
    try:
        errors = list(openapi().iter_response_errors(request, _Response(status, headers, body)))
    except PathNotFound:
        return
    if projected:  # `fields=` leaves out what the schema requires, as its description says
        errors = [e for e in errors if not isinstance(e, DataValidationError)]
    details = [f"{e!r}: {getattr(e, '__cause__', None)!r}"[:2000] for e in errors]
    assert not details, f"{where}: {details}"


class ValidatingClient(TestClient):
    """A TestClient that checks every response it receives against the OpenAPI document."""

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().request(method, url, *args, **kwargs)
        sent = response.request
        check_response(
            sent.method,
            str(sent.url),
            dict(sent.headers),
            sent.content,
            response.status_code,
            dict(response.headers),
            response.content,
        )
        return response
