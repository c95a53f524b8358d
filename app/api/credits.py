"""Credits of source documents: who published and wrote what a card or graph cites."""

from fastapi import Request
from sqlmodel import Session

from app.api.rendering import public_base_url
from app.cards import Credit, documents_cited
from app.queries.documents import documents_with_credits
from app.schemas.common import Source


def credits_for(session: Session, request: Request, sources: list[Source]) -> list[Credit]:
    """Each document the quotes come from, with its publisher's and author's names."""
    base = public_base_url(request)
    return [
        Credit(
            document=document,
            publisher=publisher,
            author=author,
            url=f"{base}/api/v1/documents/{document.id}",
            text_url=f"{base}/api/v1/documents/{document.id}/text",
        )
        for document, publisher, author in documents_with_credits(session, documents_cited(sources))
    ]
