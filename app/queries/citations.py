"""Citations for many records in one statement."""

from collections import defaultdict
from collections.abc import Collection, Mapping

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from app.models import Citation, SubjectKind
from app.schemas.common import Source

Cited = dict[tuple[SubjectKind, str], list[Source]]


def sources_for(session: Session, wanted: Mapping[SubjectKind, Collection[str]]) -> Cited:
    """Sources per (kind, id), in citation order; ids without citations map to []."""
    conditions = [
        and_(col(Citation.subject_kind) == kind.value, col(Citation.subject_id).in_(list(ids)))
        for kind, ids in wanted.items()
        if ids
    ]
    found: Cited = defaultdict(list)
    if not conditions:
        return found
    statement = (
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
    for kind, subject_id, document, quote, start, end in session.execute(statement):
        found[(SubjectKind(kind), subject_id)].append(
            Source(document=document, quote=quote, start=start, end=end)
        )
    return found
