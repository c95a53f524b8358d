"""The `fields=` parameter: a sparse projection of a list's items or of a record, applied
before serialization (JSON and CSV alike). The id is always included."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

Selection = frozenset[str] | None
FieldsDependency = Callable[..., Awaitable[Selection]]
# The OpenAPI document shows `fields` as a comma-separated array of this enum (app/openapi.py).
FIELDS_EXTENSION = "x-field-names"


def select_fields(model: type[BaseModel]) -> FieldsDependency:
    names = list(model.model_fields)
    alternatives = "|".join(sorted(names, key=len, reverse=True))
    pattern = rf"^({alternatives})(,({alternatives}))*$"

    async def fields_dependency(
        fields: Annotated[
            str | None,
            Query(
                pattern=pattern,
                max_length=sum(len(n) + 1 for n in names),
                description="Only these fields of each item, comma-separated (e.g. "
                "`id,name`); the id is always included. The fields left out are absent "
                "from the JSON and from the CSV columns.",
                json_schema_extra={FIELDS_EXTENSION: names},
            ),
        ] = None,
    ) -> Selection:
        if fields is None:
            return None
        return frozenset(fields.split(",")) | ({"id"} & set(names))

    return fields_dependency
