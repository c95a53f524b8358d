"""Key tasks, solutions, achievements, limitations and directives: one shape, one query set."""

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Select, bindparam, func
from sqlmodel import Session, col, select

from app.models import ANY_LANGUAGE, SubjectKind, TermItemBase
from app.queries.renditions import BodyPages, Found
from app.queries.sorting import SortKey, order_by
from app.reads import Steps

Item = TypeVar("Item", bound=TermItemBase)


def _statements(
    model: type[Item],
    *,
    term_id: str | BindParameter[Any] | None,
    ids: Select[str] | None,
    updated_since: datetime | BindParameter[Any] | None,
    sort: Sequence[SortKey],
) -> tuple[Select[tuple[Item]], Select[tuple[Item]]]:
    """The filtered items, and the same in the list's order (term, position, id by default);
    filter values may be bound parameters."""
    statement = select(model)
    if term_id is not None:
        statement = statement.where(col(model.term_id) == term_id)
    if ids is not None:
        statement = statement.where(col(model.id).in_(ids))  # type: ignore[attr-defined]
    if updated_since is not None:
        statement = statement.where(col(model.updated_at) >= updated_since)  # type: ignore[attr-defined]
    default = [model.term_id, model.position, model.id]  # type: ignore[attr-defined]
    return statement, statement.order_by(*order_by(model, sort, default))  # type: ignore[return-value]


def list_items(
    session: Session,
    model: type[Item],
    *,
    term_id: str | None = None,
    ids: Select[str] | None = None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[Item], int]:
    """A page of items in the list's order and the total count."""
    statement, ordered = _statements(
        model, term_id=term_id, ids=ids, updated_since=updated_since, sort=sort
    )
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    return list(session.exec(ordered.limit(limit).offset(offset))), total  # type: ignore[call-overload]


def item_body_steps(
    model: type[Item],
    kind: SubjectKind,
    *,
    term_id: str | None = None,
    ids: Select[str] | None = None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> Steps[Found]:
    """The same page as `list_items`, as the items' stored bodies (None if one is missing)."""
    table = model.__table__  # type: ignore[attr-defined]
    if ids is None:
        pages = _body_pages(
            model, kind, term_id is not None, updated_since is not None, tuple(sort)
        )
    else:  # a text filter's subquery: not worth keeping
        filtered, ordered = _statements(
            model, term_id=term_id, ids=ids, updated_since=updated_since, sort=sort
        )
        pages = BodyPages.of(filtered, ordered, table, kind.value, unfiltered=False)
    parameters = {
        "term_id": term_id,
        "updated_since": updated_since,
        "lang": ANY_LANGUAGE,
        "limit": limit,
        "offset": offset,
    }
    return pages.steps(parameters)


@cache
def _body_pages(
    model: type[Item], kind: SubjectKind, by_term: bool, since: bool, sort: tuple[SortKey, ...]
) -> BodyPages:
    filtered, ordered = _statements(
        model,
        term_id=bindparam("term_id") if by_term else None,
        ids=None,
        updated_since=bindparam("updated_since") if since else None,
        sort=sort,
    )
    table = model.__table__  # type: ignore[attr-defined]
    return BodyPages.of(filtered, ordered, table, kind.value, unfiltered=not by_term and not since)


def items_of_terms(session: Session, model: type[Item], term_ids: list[str]) -> list[Item]:
    statement = (
        select(model)
        .where(col(model.term_id).in_(term_ids))
        .order_by(col(model.term_id), col(model.position), col(model.id))  # type: ignore[attr-defined]
    )
    return list(session.exec(statement))


def get_item(session: Session, model: type[Item], item_id: str) -> Item | None:
    return session.get(model, item_id)
