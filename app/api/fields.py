"""The `fields=` parameter: a sparse projection of a list's items or of a record, applied
before serialization (JSON and CSV alike). The id is always included."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from app.api.sorting import invalid

Selection = frozenset[str] | None
FieldsDependency = Callable[..., Awaitable[Selection]]
# The OpenAPI document shows `fields` as a comma-separated array of this enum (app/openapi.py).
FIELDS_EXTENSION = "x-field-names"


def select_fields(model: type[BaseModel]) -> FieldsDependency:
    names = list(model.model_fields)

    async def fields_dependency(
        fields: Annotated[
            list[str] | None,
            Query(
                max_length=len(names),
                description="Only these fields, comma-separated (e.g. `id,name`); the id is "
                "always included. The fields left out are absent from the JSON (so a projected "
                "body lacks fields its schema otherwise requires) and from the CSV columns.",
                json_schema_extra={FIELDS_EXTENSION: names},
            ),
        ] = None,
    ) -> Selection:
        if fields is None:
            return None
        parts = [part for value in fields for part in value.split(",")]
        chosen = frozenset(parts)
        if len(chosen) != len(parts):
            raise invalid("fields", "a field may appear only once")
        unknown = sorted(chosen - set(names))
        if unknown:
            raise invalid("fields", f"unknown fields {', '.join(unknown)}; expected any of "
                          f"{', '.join(names)}")  # fmt: skip
        return chosen | ({"id"} & set(names))

    return fields_dependency
