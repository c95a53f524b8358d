"""Source documents, events and the dataset's revision."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    DatasetState,
    Document,
    Event,
    EventChair,
    Organization,
    Person,
    SubjectKind,
)
from app.queries.citations import Cited, sources_for
from app.queries.sorting import SortKey, order_by
from app.schemas.documents import DatasetInfo, DocumentPublic, EventPublic, PersonRef


def documents_public(session: Session, documents: list[Document]) -> list[DocumentPublic]:
    cited = sources_for(session, {SubjectKind.document: [d.id for d in documents]})
    return [
        DocumentPublic.model_validate(
            d, update={"length": len(d.text), "sources": cited[(SubjectKind.document, d.id)]}
        )
        for d in documents
    ]


def list_documents(
    session: Session,
    *,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[DocumentPublic], int]:
    statement = select(Document)
    if updated_since is not None:
        statement = statement.where(col(Document.updated_at) >= updated_since)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(*order_by(Document, sort, [Document.id]))
    rows = session.exec(ordered.limit(limit).offset(offset))
    return documents_public(session, list(rows)), total


def get_document(session: Session, document_id: str) -> DocumentPublic | None:
    document = session.get(Document, document_id)
    return documents_public(session, [document])[0] if document else None


def documents_with_credits(
    session: Session, document_ids: list[str]
) -> list[tuple[DocumentPublic, str | None, str | None]]:
    """Each document (in the order given) with its publisher's and author's names."""
    rows = session.exec(
        select(Document, Organization.name, Person.name)
        .outerjoin(Organization, col(Organization.id) == Document.publisher_id)
        .outerjoin(Person, col(Person.id) == Document.author_id)
        .where(col(Document.id).in_(document_ids))
    ).all()
    names = {document.id: (publisher, author) for document, publisher, author in rows}
    documents = {d.id: d for d in documents_public(session, [row[0] for row in rows])}
    return [(documents[i], *names[i]) for i in document_ids if i in documents]


def get_document_text(session: Session, document_id: str) -> str | None:
    return session.exec(select(Document.text).where(Document.id == document_id)).first()


def load_chairs(session: Session, event_ids: list[str]) -> dict[str, list[PersonRef]]:
    """Each event's chairs, in the source's order."""
    chairs: dict[str, list[PersonRef]] = defaultdict(list)
    rows = session.exec(
        select(EventChair.event_id, Person.id, Person.name)
        .join(Person, col(Person.id) == EventChair.person_id)
        .where(col(EventChair.event_id).in_(event_ids))
        .order_by(col(EventChair.event_id), col(EventChair.position), col(Person.id))
    )
    for event_id, person_id, name in rows:
        chairs[event_id].append(PersonRef(id=person_id, name=name))
    return chairs


def events_public(session: Session, events: list[Event]) -> list[EventPublic]:
    ids = [e.id for e in events]
    chairs = load_chairs(session, ids)
    return build_events(events, chairs, sources_for(session, {SubjectKind.event: ids}))


def build_events(
    events: list[Event], chairs: dict[str, list[PersonRef]], cited: Cited
) -> list[EventPublic]:
    return [
        EventPublic.model_validate(
            e, update={"chairs": chairs[e.id], "sources": cited[(SubjectKind.event, e.id)]}
        )
        for e in events
    ]


def list_events(
    session: Session,
    *,
    term_id: str | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[EventPublic], int]:
    statement = select(Event)
    if updated_since is not None:
        statement = statement.where(col(Event.updated_at) >= updated_since)
    if term_id is not None:
        statement = statement.where(
            (col(Event.term_id) == term_id) | (col(Event.reviewed_term_id) == term_id)
        )
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(*order_by(Event, sort, [Event.id]))
    rows = session.exec(ordered.limit(limit).offset(offset))
    return events_public(session, list(rows)), total


def get_event(session: Session, event_id: str) -> EventPublic | None:
    event = session.get(Event, event_id)
    return events_public(session, [event])[0] if event else None


def dataset_info(session: Session) -> DatasetInfo | None:
    state = session.get(DatasetState, 1)
    return DatasetInfo(revision=state.revision, modified_at=state.modified_at) if state else None
