"""Citations for many records in one statement."""

from collections import defaultdict
from collections.abc import Collection, Mapping

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

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
        select(Citation)
        .where(or_(*conditions))
        .order_by(col(Citation.subject_kind), col(Citation.subject_id), col(Citation.position))
    )
    for citation in session.exec(statement):
        found[(SubjectKind(citation.subject_kind), citation.subject_id)].append(
            Source(
                document=citation.document_id,
                quote=citation.quote,
                start=citation.start,
                end=citation.end,
            )
        )
    return found
