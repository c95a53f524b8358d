"""Every citation as a W3C Web Annotation (https://www.w3.org/TR/annotation-model/).

One `Annotation` per citation: its target is the span of the source document's text
(`/api/v1/documents/{id}/text`), chosen by a `TextQuoteSelector` (the exact quote with up to 32
code points of text either side) and a `TextPositionSelector` (start and end in code points,
the same offsets as the API's `sources`); its body is the record the quote supports. The same
function makes an annotation for the whole-dataset file and for
`GET /api/v1/{collection}/{id}/annotations`, so the two cannot differ.
"""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from app.cards import LICENSE_URL
from app.downloads.formats.tables import (
    BY_NAME,
    Row,
    Urls,
    document_texts,
    revision,
    rfc3339,
    rows,
)
from app.editing.kinds import Kind
from app.models import Citation

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{CONTEXT}"'
CONTEXT_CHARS = 32  # code points of prefix and suffix, enough to find the quote again
CITATIONS = BY_NAME["citations"]
Node = dict[str, Any]

# Why "describing": the body is the record that restates, in structured form, what the quoted
# span says (a task's text, a figure with its unit and qualifier, a person's post), so the
# annotation describes its target. "linking" would only say that the record is related to the
# span, which loses that every field of the record is read off these words; "identifying" would
# claim the span names the record, which holds for a name but not for a task or a statistic.
MOTIVATION = "describing"


def annotation(citation: Row, text: str, urls: Urls) -> Node:
    """The annotation of one citation; `text` is the whole text of the document it quotes."""
    kind, record_id = citation["subject_kind"], citation["subject_id"]
    start, end = citation["start"], citation["end"]
    quote: Node = {"type": "TextQuoteSelector", "exact": citation["quote"]}
    prefix = text[max(0, start - CONTEXT_CHARS) : start]
    suffix = text[end : end + CONTEXT_CHARS]
    if prefix:
        quote["prefix"] = prefix
    if suffix:
        quote["suffix"] = suffix
    return {
        "id": f"{urls.annotations(kind, record_id)}#{citation['position']}",
        "type": "Annotation",
        "motivation": MOTIVATION,
        "rights": LICENSE_URL,
        "body": {
            "id": urls.of_kind(kind, record_id),
            "type": "Dataset",
            "format": "application/json",
            # The kind of record, with the `schema` prefix the annotation context defines.
            "schema:additionalType": kind,
        },
        "target": {
            "type": "SpecificResource",
            "source": urls.text(citation["document_id"]),
            "selector": [
                quote,
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }


def collection(collection_id: str, label: str, items: list[Node], **extra: Any) -> Node:
    """An `AnnotationCollection` holding all its annotations in its first and only page."""
    node: Node = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        **extra,
    }
    if items:
        node["first"] = {**_page(collection_id), "items": items}
    return node


def _page(collection_id: str) -> Node:
    return {
        "id": f"{collection_id}#page1",
        "type": "AnnotationPage",
        "partOf": collection_id,
        "startIndex": 0,
    }


def record_annotations(
    session: Session, kind: Kind, record_id: str, *, base_url: str
) -> Node | None:
    """The annotations of one record's citations; None when there is no such record."""
    table = kind.table
    if session.execute(select(table.c.id).where(table.c.id == record_id)).first() is None:
        return None
    c = Citation.__table__.c  # type: ignore[attr-defined]
    statement = (
        select(c.subject_kind, c.subject_id, c.position, c.document_id, c.quote, c.start, c.end)
        .where(and_(c.subject_kind == kind.subject.value, c.subject_id == record_id))
        .order_by(c.position)
    )
    cited = [dict(row) for row in session.execute(statement).mappings()]
    texts = document_texts(session, sorted({row["document_id"] for row in cited}))
    urls = Urls(base_url)
    items = [annotation(row, texts[row["document_id"]], urls) for row in cited]
    url = urls.annotations(kind.subject.value, record_id)
    return collection(url, f"Citations of {urls.of_kind(kind.subject.value, record_id)}", items)


def build(session: Session, target: Path, *, base_url: str) -> None:
    """Writes the annotations of every citation, one collection, at `target`: the collection
    as `collection()` makes it, with one annotation per line written as each is made."""
    urls = Urls(base_url)
    state = revision(session)
    texts = document_texts(session)
    citations = rows(session, CITATIONS)
    # The collection is one of the distributions `/api/v1/downloads` lists.
    collection_id = f"{urls.base}/api/v1/downloads#annotations"
    label = "Citations of the congress-term summary dataset: every fact's source quote"
    modified = rfc3339(state.modified_at)
    envelope = collection(collection_id, label, [], modified=modified)
    with target.open("w", encoding="utf-8") as out:
        if not citations:
            json.dump(envelope, out, ensure_ascii=False)
            out.write("\n")
            return
        # What `collection()` makes, with `first` (its last member) and the page's `items` (the
        # page's last) left open, so that each annotation is written as it is made.
        envelope["total"] = len(citations)
        out.write(json.dumps(envelope, ensure_ascii=False)[:-1] + ', "first": ')
        out.write(json.dumps(_page(collection_id))[:-1] + ', "items": [\n')
        for index, citation in enumerate(citations):
            item = annotation(citation, texts[citation["document_id"]], urls)
            out.write((",\n" if index else "") + json.dumps(item, ensure_ascii=False))
        out.write("\n]}}\n")
