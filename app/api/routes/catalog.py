"""The DCAT catalog national open-data portals harvest: one dataset per term."""

import json

from fastapi import APIRouter, Request, Response

from app.api.credits import credits_for
from app.api.deps import MAX_LIMIT
from app.api.rendering import public_base_url
from app.config import get_settings
from app.db import SessionDep
from app.i18n import Lang
from app.jsonld import JSONLD_MEDIA_TYPE, CatalogEntry, Urls, catalog
from app.models import KeyTask, Solution
from app.problems import NotReadyError, Problem
from app.queries.documents import dataset_info
from app.queries.items import list_items
from app.queries.people import get_area, get_organization
from app.queries.statistics import list_statistics
from app.queries.terms import list_terms
from app.schemas.people import AreaPublic, OrganizationPublic

router = APIRouter(tags=["catalog"])


@router.get(
    "/catalog.jsonld",
    summary="DCAT catalog of the datasets",
    operation_id="get_catalog",
    response_class=Response,
    responses={
        200: {
            "description": "A DCAT-AP style catalog, JSON-LD.",
            "content": {JSONLD_MEDIA_TYPE: {"schema": {"type": "object"}}},
        },
        503: {"model": Problem, "description": "The dataset has not been seeded."},
    },
)
def get_catalog(request: Request, session: SessionDep) -> Response:
    """A DCAT (DCAT-AP style) catalog for harvesting by national open-data portals: one
    `dcat:Dataset` per term with its title, description, publisher, licence (CC BY 4.0),
    spatial coverage (the province), temporal coverage (the term's years), modification date
    (the dataset revision's), source article, and distributions: the term summary as JSON and
    JSON-LD, and CSV lists of the term's key tasks, solutions and statistics."""
    dataset = dataset_info(session)
    if dataset is None:
        raise NotReadyError("The dataset has not been seeded.")
    terms, _total = list_terms(session, organization_id=None, limit=MAX_LIMIT, offset=0)
    organizations: dict[str, OrganizationPublic | None] = {}
    areas: dict[str, AreaPublic | None] = {}
    entries: list[CatalogEntry] = []
    for term in terms:
        if term.organization_id not in organizations:
            organizations[term.organization_id] = get_organization(session, term.organization_id)
        organization = organizations[term.organization_id]
        area_id = organization.area_id if organization else None
        if area_id and area_id not in areas:
            areas[area_id] = get_area(session, area_id)
        csv_lists: list[tuple[str, str]] = []
        for collection, title, model in (
            ("tasks", "Key tasks", KeyTask),
            ("solutions", "Breakthrough solutions", Solution),
        ):
            _rows, count = list_items(session, model, term_ids=[term.id], limit=1, offset=0)
            if count:
                csv_lists.append((collection, title))
        _stats, count = list_statistics(
            session, Lang.vi, category=None, term_id=term.id, key=None, limit=1, offset=0
        )
        if count:
            csv_lists.append(("statistics", "Statistics"))
        entries.append(
            CatalogEntry(
                term=term,
                organization_name=organization.name if organization else term.organization_id,
                area=areas.get(area_id) if area_id else None,
                credits=credits_for(session, request, term.sources),
                csv_lists=csv_lists,
            )
        )
    body = catalog(
        entries,
        Urls(public_base_url(request)),
        publisher=get_settings().catalog_publisher,
        modified=dataset.modified_at,
    )
    return Response(json.dumps(body, ensure_ascii=False), media_type=JSONLD_MEDIA_TYPE)
