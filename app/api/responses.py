"""OpenAPI declarations shared by the routes: problem responses and the CSV alternative."""

from typing import Any

from app.problems import Problem

_DESCRIPTIONS = {
    400: "An unknown query parameter (`detail` names it and the closest known one), or a "
    "body that is not valid JSON or TOML (`detail` says where).",
    401: "No valid bearer token; see `WWW-Authenticate`.",
    403: "The token's scope does not allow this.",
    404: "No such resource.",
    405: "Method not allowed; `Allow` lists the methods that are.",
    409: "Conflicts with the data: the id exists, or others refer to the record.",
    410: "The record was retired; its history is still readable.",
    412: "The record changed since the ETag in If-Match; `current_etag` is the new one.",
    413: "The body is larger than MAX_BODY_BYTES.",
    414: "The query string is longer than MAX_QUERY_BYTES.",
    415: "The body's Content-Type is not one this operation takes.",
    422: "A parameter or field is invalid; `errors` points at each one.",
    428: "If-Match is required: send the ETag of the version you read.",
    431: "The request headers are larger than MAX_HEADER_BYTES.",
    500: "Unexpected error; it was logged with the request id.",
    503: "The database is unavailable or not ready; try again after `Retry-After` seconds.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}


COMMON = problems(405, 414, 422, 431, 500, 503)
NOT_FOUND = problems(404)
GONE = problems(404, 410)
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of items: JSON, or CSV on `Accept: text/csv` or `format=csv`.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
