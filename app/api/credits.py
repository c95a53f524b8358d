"""Credits of source documents: who published and wrote what a card or graph cites."""

from fastapi import Request
from sqlmodel import Session

from app.api.rendering import public_base_url
from app.cards import Credit, documents_cited
from app.queries.documents import get_document
from app.queries.people import get_organization, get_person
from app.schemas.common import Source


def credits_for(session: Session, request: Request, sources: list[Source]) -> list[Credit]:
    """Each document the quotes come from, with its publisher's and author's names."""
    base = public_base_url(request)
    credits: list[Credit] = []
    for document_id in documents_cited(sources):
        found = get_document(session, document_id)
        if found is None:
            continue
        publisher = get_organization(session, found.publisher_id) if found.publisher_id else None
        author = get_person(session, found.author_id) if found.author_id else None
        credits.append(
            Credit(
                document=found,
                publisher=publisher.name if publisher else None,
                author=author.name if author else None,
                url=f"{base}/api/v1/documents/{found.id}",
                text_url=f"{base}/api/v1/documents/{found.id}/text",
            )
        )
    return credits
