"""Key tasks, solutions, achievements, limitations and directives: one shape, one query set."""

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from app.models import TermItemBase
from app.queries.sorting import SortKey, order_by

Item = TypeVar("Item", bound=TermItemBase)


def list_items(
    session: Session,
    model: type[Item],
    *,
    term_ids: list[str] | None = None,
    ids: Select[str] | None = None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[Item], int]:
    """A page of items in source order (term, position, id) and the total count."""
    statement = select(model)
    if term_ids is not None:
        statement = statement.where(col(model.term_id).in_(term_ids))
    if ids is not None:
        statement = statement.where(col(model.id).in_(ids))  # type: ignore[attr-defined]
    if updated_since is not None:
        statement = statement.where(col(model.updated_at) >= updated_since)  # type: ignore[attr-defined]
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    default = [model.term_id, model.position, model.id]  # type: ignore[attr-defined]
    ordered = statement.order_by(*order_by(model, sort, default))
    return list(session.exec(ordered.limit(limit).offset(offset))), total


def items_of_terms(session: Session, model: type[Item], term_ids: list[str]) -> list[Item]:
    statement = (
        select(model)
        .where(col(model.term_id).in_(term_ids))
        .order_by(col(model.term_id), col(model.position), col(model.id))  # type: ignore[attr-defined]
    )
    return list(session.exec(statement))


def get_item(session: Session, model: type[Item], item_id: str) -> Item | None:
    return session.get(model, item_id)
