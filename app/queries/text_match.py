"""Which records of a kind match a free-text `q`, ignoring case, tone marks and đ/Đ."""

from sqlalchemy import Select, String, false, literal, select
from sqlmodel import Session

from app.models import SubjectKind
from app.search.index import matching_ids as indexed_ids
from app.search.kinds import SearchKind
from app.search.terms import Terms


def matching_ids(session: Session, kind: SubjectKind, q: str) -> Select[str]:
    """The ids containing every word of `q` after folding, as a subquery (the search index's)."""
    terms = Terms.parse(q)
    if not terms:
        return select(literal("", String)).where(false())  # no word, no match
    return indexed_ids(session, SearchKind(kind.value), terms)
