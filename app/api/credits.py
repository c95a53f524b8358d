"""Credits of source documents: who published and wrote what a card or graph cites."""

from collections.abc import Sequence

from fastapi import Request
from sqlmodel import Session

from app.api.rendering import public_base_url
from app.cards import Credit, documents_cited
from app.queries.documents import documents_with_credits
from app.schemas.common import Source


def credits_for(session: Session, request: Request, sources: list[Source]) -> list[Credit]:
    """Each document the quotes come from, with its publisher's and author's names."""
    return credits_for_each(session, request, [sources])[0]


def credits_for_each(
    session: Session, request: Request, sources: Sequence[list[Source]]
) -> list[list[Credit]]:
    """`credits_for` of each list of quotes, with one read of all their documents (the catalog
    read them term by term: 500 terms took a second)."""
    base = public_base_url(request)
    cited = [documents_cited(quotes) for quotes in sources]
    every = list(dict.fromkeys(document_id for ids in cited for document_id in ids))
    credits = {
        document.id: Credit(
            document=document,
            publisher=publisher,
            author=author,
            url=f"{base}/api/v1/documents/{document.id}",
            text_url=f"{base}/api/v1/documents/{document.id}/text",
        )
        for document, publisher, author in documents_with_credits(session, every)
    }
    return [[credits[i] for i in ids if i in credits] for ids in cited]
