"""The citations of one record as W3C Web Annotations, for every collection."""

import json
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api.deps import IdPath
from app.api.rendering import public_base_url
from app.api.responses import GONE
from app.db import SessionDep
from app.downloads.formats.annotations import MEDIA_TYPE, record_annotations
from app.editing.commands import missing
from app.editing.kinds import BY_COLLECTION

router = APIRouter(tags=["annotations"])


class AnnotatedCollection(StrEnum):
    """The collections whose records carry citations: all of them."""

    terms = "terms"
    tasks = "tasks"
    solutions = "solutions"
    achievements = "achievements"
    limitations = "limitations"
    directives = "directives"
    statistics = "statistics"
    people = "people"
    memberships = "memberships"
    organizations = "organizations"
    areas = "areas"
    events = "events"
    documents = "documents"


assert {c.value for c in AnnotatedCollection} == set(BY_COLLECTION), "a collection is missing"

CollectionPath = Annotated[
    AnnotatedCollection,
    Path(description="The record's collection, as in its URL, e.g. `tasks`."),
]

_EXAMPLE = {
    "@context": "http://www.w3.org/ns/anno.jsonld",
    "id": "https://data.example.gov.vn/api/v1/tasks/bac-giang-2025-2030-task-1/annotations",
    "type": "AnnotationCollection",
    "total": 1,
    "first": {
        "type": "AnnotationPage",
        "items": [
            {
                "id": "https://data.example.gov.vn/api/v1/tasks/bac-giang-2025-2030-task-1"
                "/annotations#1",
                "type": "Annotation",
                "motivation": "describing",
                "body": {
                    "id": "https://data.example.gov.vn/api/v1/tasks/bac-giang-2025-2030-task-1",
                    "type": "Dataset",
                    "schema:additionalType": "key_task",
                },
                "target": {
                    "type": "SpecificResource",
                    "source": "https://data.example.gov.vn/api/v1/documents/"
                    "ttxvn-bac-giang-xay-dung-dang/text",
                    "selector": [
                        {
                            "type": "TextQuoteSelector",
                            "exact": "Hai nhiệm vụ trọng tâm là: ...",
                            "prefix": "...",
                            "suffix": "...",
                        },
                        {"type": "TextPositionSelector", "start": 824, "end": 1004},
                    ],
                },
            }
        ],
    },
}


@router.get(
    "/{collection}/{record_id}/annotations",
    summary="Get a record's citations as Web Annotations",
    operation_id="get_record_annotations",
    response_class=Response,
    responses={
        200: {
            "description": "An `AnnotationCollection` (W3C Web Annotation Data Model, JSON-LD) "
            "whose first page holds one `Annotation` per citation of the record, in order.",
            "content": {
                MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "required": ["@context", "id", "type", "total"],
                        "properties": {
                            "@context": {"const": "http://www.w3.org/ns/anno.jsonld"},
                            "id": {"type": "string", "format": "uri", "maxLength": 4000},
                            "type": {"const": "AnnotationCollection"},
                            "total": {"type": "integer", "minimum": 0},
                            "first": {"type": "object"},
                        },
                    },
                    "example": _EXAMPLE,
                }
            },
        },
        **GONE,
    },
)
def get_record_annotations(
    request: Request, collection: CollectionPath, record_id: IdPath, session: SessionDep
) -> Response:
    """The quotes a record comes from, as W3C Web Annotations that annotation tools read.

    Each citation is one `Annotation` (motivation `describing`): its `target` is the source
    document's text (`/api/v1/documents/{id}/text`) with a `TextQuoteSelector` (the exact
    quote, with up to 32 characters before and after) and a `TextPositionSelector` (start and
    end in Unicode code points, as in the record's `sources`); its `body` is the record. The
    whole dataset's annotations are one of the downloads. A retired record answers 410."""
    kind = BY_COLLECTION[collection.value]
    found = record_annotations(session, kind, record_id, base_url=public_base_url(request))
    if found is None:
        raise missing(session, kind, record_id)
    return Response(json.dumps(found, ensure_ascii=False), media_type=MEDIA_TYPE)
