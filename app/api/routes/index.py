from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.api.rendering import public_base_url
from app.api.responses import COMMON, problems
from app.db import SessionDep
from app.problems import NotReadyError
from app.queries.documents import dataset_info, list_documents
from app.schemas.documents import DatasetInfo, DocumentPublic

router = APIRouter(tags=["index"], responses=COMMON)

COLLECTIONS = [
    "terms",
    "tasks",
    "solutions",
    "achievements",
    "limitations",
    "directives",
    "statistics",
    "people",
    "organizations",
    "events",
    "documents",
    "memberships",
    "areas",
    "changes",
]


class ApiIndex(BaseModel):
    """Where everything is."""

    dataset: DatasetInfo
    links: dict[str, str] = Field(description="Collection name to absolute URL.")
    documents: list[DocumentPublic] = Field(description="The source documents.")
    feed: str = Field(description="Atom feed of the newest changes.")
    openapi: str
    docs: str


@router.get("/api/v1", summary="API index", operation_id="get_index", responses=problems(503))
def get_index(request: Request, session: SessionDep) -> ApiIndex:
    """Links to every collection, the dataset's revision and the source documents."""
    dataset = dataset_info(session)
    if dataset is None:
        raise NotReadyError("The dataset has not been seeded.")
    base = public_base_url(request)
    documents, _ = list_documents(session, limit=500, offset=0)
    return ApiIndex(
        dataset=dataset,
        links={name: f"{base}/api/v1/{name}" for name in COLLECTIONS},
        documents=documents,
        feed=f"{base}/feed.atom",
        openapi=f"{base}/openapi.json",
        docs=f"{base}/docs",
    )
