"""OpenAPI declarations shared by the routes: problem responses and the CSV alternative."""

from typing import Any

from app.problems import Problem

_DESCRIPTIONS = {
    404: "No such resource.",
    405: "Method not allowed; `Allow` lists the methods that are.",
    422: "A parameter is invalid; `errors` points at each one.",
    500: "Unexpected error; it was logged with the request id.",
    503: "Not ready.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}


COMMON = problems(405, 422, 500)
NOT_FOUND = problems(404)
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of items: JSON, or CSV on `Accept: text/csv` or `format=csv`.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
