"""The `sort=` parameter of a list: field names from the list's own set, `-` for descending,
several separated by commas. The id is always the final tiebreaker (app/queries/sorting.py)."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from app.queries.sorting import SortKey

SortDependency = Callable[..., Awaitable[list[SortKey]]]
# The OpenAPI document shows `sort` as a comma-separated array of this enum (app/openapi.py).
SORT_EXTENSION = "x-sort-fields"


def sort_by(fields: Sequence[str], default: str) -> SortDependency:
    """A dependency reading `sort=` over these field names; `default` says the order without
    it, for the documentation."""
    names = "|".join(sorted(fields, key=len, reverse=True))
    pattern = rf"^-?({names})(,-?({names})){{0,{len(fields) - 1}}}$"
    longest = sum(len(f) + 2 for f in fields)

    async def sort_dependency(
        sort: Annotated[
            str | None,
            Query(
                pattern=pattern,
                max_length=longest,
                description=f"Order by these fields, comma-separated, `-` before a field for "
                f"descending (e.g. `-{fields[0]},id`): {', '.join(f'`{f}`' for f in fields)}. "
                f"The id is always the last tiebreaker, so paging is stable. Default: "
                f"{default}.",
                json_schema_extra={SORT_EXTENSION: list(fields)},
            ),
        ] = None,
    ) -> list[SortKey]:
        if sort is None:
            return []
        keys = [SortKey(part.lstrip("-"), part.startswith("-")) for part in sort.split(",")]
        if len({key.field for key in keys}) != len(keys):
            raise RequestValidationError(
                [
                    {
                        "loc": ("query", "sort"),
                        "msg": "a field may appear only once",
                        "type": "value_error",
                    }
                ]
            )
        return keys

    return sort_dependency
