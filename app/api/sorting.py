"""The `sort=` parameter of a list: field names from the list's own set, `-` for descending,
several separated by commas (or the parameter repeated, as some generated clients send
arrays). The id is always the final tiebreaker (app/queries/sorting.py)."""

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

from app.queries.sorting import SortKey

SortDependency = Callable[..., Awaitable[list[SortKey]]]
# The OpenAPI document shows `sort` as a comma-separated array of this enum (app/openapi.py).
SORT_EXTENSION = "x-sort-fields"


def invalid(name: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def sort_by(fields: Sequence[str], default: str) -> SortDependency:
    """A dependency reading `sort=` over these field names; `default` says the order without
    it, for the documentation."""
    names = "|".join(sorted(fields, key=len, reverse=True))
    pattern = re.compile(rf"^-?({names})(,-?({names})){{0,{len(fields) - 1}}}$")

    async def sort_dependency(
        sort: Annotated[
            list[str] | None,
            Query(
                max_length=len(fields),
                description=f"Order by these fields, comma-separated, `-` before a field for "
                f"descending (e.g. `-{fields[0]}`): {', '.join(f'`{f}`' for f in fields)}. "
                f"NULLs come last either way. The id (or number) is always the last tiebreaker, "
                f"so paging is stable. Default: {default}.",
                json_schema_extra={SORT_EXTENSION: list(fields)},
            ),
        ] = None,
    ) -> list[SortKey]:
        if sort is None:
            return []
        joined = ",".join(sort)
        if not pattern.match(joined):
            raise invalid("sort", f"expected fields among {', '.join(fields)}, comma-separated")
        parts = joined.split(",")
        if len(set(parts)) != len(parts):
            raise invalid("sort", "a value may appear only once")
        keys: dict[str, SortKey] = {}
        for part in parts:  # a field given again changes nothing: the first wins
            keys.setdefault(part.lstrip("-"), SortKey(part.lstrip("-"), part.startswith("-")))
        return list(keys.values())

    return sort_dependency


# The history lists: by change number, oldest first unless `sort=-n`.
ChangeSortDep = Annotated[list[SortKey], Depends(sort_by(("n",), "oldest first (by number)"))]
