"""Readiness: is the database reachable, migrated to head and seeded?"""

from sqlmodel import Session

from app.migrate import current_revision, head_revision
from app.models import DatasetState


def readiness_problem(*, session: Session) -> str | None:
    """None when ready, else a sentence saying what is missing."""
    revision = current_revision(session.connection())
    if revision != head_revision():
        return f"Database schema is at {revision or 'no revision'}, not {head_revision()}."
    if session.get(DatasetState, 1) is None:
        return "The dataset has not been seeded."
    return None
