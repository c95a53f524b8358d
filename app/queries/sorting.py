"""`sort=` on lists: the asked-for columns, then the id, so every page boundary is stable."""

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement
from sqlmodel import col


class SortKey(NamedTuple):
    field: str
    descending: bool


def order_by(
    model: Any, sort: Sequence[SortKey], default: Sequence[Any]
) -> list[ColumnElement[Any]]:
    """The ORDER BY of a list: `default` (which ends in a unique key) when no sort is asked
    for, else the asked-for columns and then the id. NULLs go last either way, on SQLite as on
    PostgreSQL (whose own defaults differ)."""
    if not sort:
        return [col(column).asc() for column in default]
    clauses: list[ColumnElement[Any]] = []
    for key in sort:
        column = col(getattr(model, key.field))
        clauses.append((column.desc() if key.descending else column.asc()).nulls_last())
    if all(key.field != "id" for key in sort):
        clauses.append(col(model.id).asc())
    return clauses
