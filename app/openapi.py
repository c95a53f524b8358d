"""The finishing touches of the OpenAPI document that FastAPI cannot express from the routes:
parameters as clients should send them, and what every response carries."""

from typing import Any

from app.api.fields import FIELDS_EXTENSION
from app.api.sorting import SORT_EXTENSION


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter is absent, never null: `X | None` is documented as X."""
    options = schema.get("anyOf")
    if options and len(options) == 2 and {"type": "null"} in options:
        kept = next(o for o in options if o != {"type": "null"})
        extra = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**kept, **extra}
    return schema


def _comma_separated(parameter: dict[str, Any], values: list[str], most: int) -> None:
    schema = parameter["schema"]
    parameter["schema"] = {
        "type": "array",
        "items": {"type": "string", "enum": values},
        "maxItems": most,
        "uniqueItems": True,
        **{k: schema[k] for k in ("title", "description") if k in schema},
    }
    parameter["style"] = "form"
    parameter["explode"] = False


def _finish_parameter(parameter: dict[str, Any]) -> None:
    schema = _without_null(parameter.get("schema", {}))
    parameter["schema"] = schema
    if SORT_EXTENSION in schema:
        fields = schema.pop(SORT_EXTENSION)
        values = [value for field in fields for value in (field, f"-{field}")]
        _comma_separated(parameter, values, len(fields))
    elif FIELDS_EXTENSION in schema:
        names = schema.pop(FIELDS_EXTENSION)
        _comma_separated(parameter, names, len(names))


def finish_parameters(document: dict[str, Any]) -> dict[str, Any]:
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                _finish_parameter(parameter)
    return document
