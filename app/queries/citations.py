"""Citations for many records in one statement."""

from collections import defaultdict
from collections.abc import Collection, Mapping
from functools import cache

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlmodel import Session, col

from app.models import Citation, SubjectKind
from app.schemas.common import Source

Cited = dict[tuple[SubjectKind, str], list[Source]]


def sources_for(session: Session, wanted: Mapping[SubjectKind, Collection[str]]) -> Cited:
    """Sources per (kind, id), in citation order; ids without citations map to []."""
    asked = {kind: list(ids) for kind, ids in wanted.items() if ids}
    found: Cited = defaultdict(list)
    if not asked:
        return found
    statement = _statement(tuple(asked))
    parameters = {f"ids_{kind.value}": ids for kind, ids in asked.items()}
    for kind, subject_id, document, quote, start, end in session.execute(statement, parameters):
        found[(SubjectKind(kind), subject_id)].append(
            Source(document=document, quote=quote, start=start, end=end)
        )
    return found


@cache
def _statement(kinds: tuple[SubjectKind, ...]) -> Select[SubjectKind, str, str, str, int, int]:
    """Built once per combination of kinds, the ids bound at run time: building the statement
    cost more than running it."""
    conditions = [
        and_(
            col(Citation.subject_kind) == kind.value,
            col(Citation.subject_id).in_(bindparam(f"ids_{kind.value}", expanding=True)),
        )
        for kind in kinds
    ]
    return (
        select(
            col(Citation.subject_kind),
            col(Citation.subject_id),
            col(Citation.document_id),
            col(Citation.quote),
            col(Citation.start),
            col(Citation.end),
        )
        .where(or_(*conditions))
        .order_by(col(Citation.subject_kind), col(Citation.subject_id), col(Citation.position))
    )
