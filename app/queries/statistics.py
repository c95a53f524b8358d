"""Statistics with labels in the asked language."""

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, bindparam, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.i18n import Lang
from app.models import Statistic, StatisticCategory, SubjectKind
from app.queries.citations import Cited, sources_for
from app.queries.renditions import BodyPages, Found
from app.queries.sorting import SortKey, order_by
from app.reads import Steps
from app.schemas.statistics import StatisticPublic


def statistics_public(
    session: Session, statistics: list[Statistic], lang: Lang
) -> list[StatisticPublic]:
    cited = sources_for(session, {SubjectKind.statistic: [s.id for s in statistics]})
    return build_statistics(statistics, lang, cited)


def build_statistics(
    statistics: list[Statistic], lang: Lang, cited: Cited
) -> list[StatisticPublic]:
    return [
        StatisticPublic.model_validate(
            s,
            update={
                "label": s.label_vi if lang is Lang.vi else s.label_en,
                "sources": cited[(SubjectKind.statistic, s.id)],
            },
        )
        for s in statistics
    ]


def statistics_statement(
    *,
    category: StatisticCategory | BindParameter[Any] | None = None,
    term_ids: list[str] | None = None,
    term_id: str | BindParameter[Any] | None = None,
    key: str | BindParameter[Any] | None = None,
    updated_since: datetime | BindParameter[Any] | None = None,
) -> SelectOfScalar[Statistic]:
    """The statistics the filters keep; their values may be bound parameters."""
    statement = select(Statistic)
    if category is not None:
        statement = statement.where(Statistic.category == category)
    if term_ids is not None:
        statement = statement.where(col(Statistic.term_id).in_(term_ids))
    if term_id is not None:
        statement = statement.where(Statistic.term_id == term_id)
    if key is not None:
        statement = statement.where(Statistic.key == key)
    if updated_since is not None:
        statement = statement.where(col(Statistic.updated_at) >= updated_since)
    return statement


def _ordered(
    statement: SelectOfScalar[Statistic], sort: Sequence[SortKey]
) -> SelectOfScalar[Statistic]:
    return statement.order_by(*order_by(Statistic, sort, [Statistic.position, Statistic.id]))


def _filters(
    category: StatisticCategory | None,
    term_id: str | None,
    key: str | None,
    updated_since: datetime | None,
) -> dict[str, Any]:
    """The list's filters as `statistics_statement` takes them."""
    return {
        "category": category,
        "term_id": term_id,
        "key": key,
        "updated_since": updated_since,
    }


def list_statistics(
    session: Session,
    lang: Lang,
    *,
    category: StatisticCategory | None,
    term_id: str | None,
    key: str | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[StatisticPublic], int]:
    statement = statistics_statement(**_filters(category, term_id, key, updated_since))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(_ordered(statement, sort).limit(limit).offset(offset)).all()
    return statistics_public(session, list(rows), lang), total


def statistic_body_steps(
    lang: Lang,
    *,
    category: StatisticCategory | None,
    term_id: str | None,
    key: str | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> Steps[Found]:
    """The same page as `list_statistics`, as stored bodies (None if one is missing)."""
    given = _filters(category, term_id, key, updated_since)
    pages = _body_pages(tuple(k for k, v in given.items() if v is not None), tuple(sort))
    return pages.steps({**given, "lang": lang.value, "limit": limit, "offset": offset})


@cache
def _body_pages(filters: tuple[str, ...], sort: tuple[SortKey, ...]) -> BodyPages:
    bound: dict[str, Any] = {name: bindparam(name) for name in filters}
    statement = statistics_statement(**bound)
    return BodyPages.of(
        statement,
        _ordered(statement, sort),
        Statistic.__table__,  # type: ignore[attr-defined]
        SubjectKind.statistic.value,
        unfiltered=not filters,
    )


def statistics_of_terms(session: Session, term_ids: list[str]) -> list[Statistic]:
    statement = statistics_statement(term_ids=term_ids).order_by(
        col(Statistic.position), col(Statistic.id)
    )
    return list(session.exec(statement))


def get_statistic(session: Session, statistic_id: str, lang: Lang) -> StatisticPublic | None:
    statistic = session.get(Statistic, statistic_id)
    return statistics_public(session, [statistic], lang)[0] if statistic else None
