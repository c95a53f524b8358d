"""The DCAT catalog national open-data portals harvest: one dataset per term."""

import json

from fastapi import APIRouter, Request, Response

from app.api.credits import credits_for_each
from app.api.rendering import public_base_url
from app.api.responses import problems
from app.api.routes.downloads import CurrentDownloadsDep, download_url
from app.config import get_settings
from app.db import SessionDep
from app.downloads.registry import DISTRIBUTIONS
from app.downloads.store import Manifest
from app.jsonld import JSONLD_MEDIA_TYPE, CatalogDownload, CatalogEntry, Urls, catalog
from app.problems import NotReadyError, Problem
from app.queries.documents import dataset_info
from app.queries.people import get_area, get_organization
from app.queries.terms import all_terms
from app.schemas.catalog import CATALOG_SCHEMA
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
            "content": {JSONLD_MEDIA_TYPE: {"schema": CATALOG_SCHEMA}},
        },
        503: {"model": Problem, "description": "The dataset has not been seeded."},
        **problems(405, 500),
    },
)
def get_catalog(downloads: CurrentDownloadsDep, request: Request, session: SessionDep) -> Response:
    """A DCAT (DCAT-AP style) catalog for harvesting by national open-data portals.

    The whole dataset is one `dcat:Dataset` whose distributions are the downloads of the
    current revision (SQLite, Frictionless Data Package, JSON-LD, W3C Web Annotations), each
    with `dcat:downloadURL`, `dcat:byteSize`, `spdx:checksum` (SHA-256), `dcat:mediaType` and
    `dct:modified`. Each term is a `dcat:Dataset` part of it, with its title, description,
    publisher, licence (CC BY 4.0), spatial coverage (the province), temporal coverage (the
    term's years), modification date, source article, and the term summary as JSON and
    JSON-LD."""
    dataset = dataset_info(session)
    if dataset is None:
        raise NotReadyError("The dataset has not been seeded.")
    terms = all_terms(session)
    organizations: dict[str, OrganizationPublic | None] = {}
    areas: dict[str, AreaPublic | None] = {}
    entries: list[CatalogEntry] = []
    credits = credits_for_each(session, request, [term.sources for term in terms])
    for term, credited in zip(terms, credits, strict=True):
        if term.organization_id not in organizations:
            organizations[term.organization_id] = get_organization(session, term.organization_id)
        organization = organizations[term.organization_id]
        area_id = organization.area_id if organization else None
        if area_id and area_id not in areas:
            areas[area_id] = get_area(session, area_id)
        entries.append(
            CatalogEntry(
                term=term,
                organization_name=organization.name if organization else term.organization_id,
                area=areas.get(area_id) if area_id else None,
                credits=credited,
            )
        )
    base = public_base_url(request)
    body = catalog(
        entries,
        _catalog_downloads(downloads, base),
        Urls(base),
        publisher=get_settings().catalog_publisher,
        modified=dataset.modified_at,
        revision=dataset.revision,
    )
    return Response(json.dumps(body, ensure_ascii=False), media_type=JSONLD_MEDIA_TYPE)


def _catalog_downloads(manifest: Manifest, base: str) -> list[CatalogDownload]:
    downloads = []
    for distribution in DISTRIBUTIONS:
        entry = manifest.files[distribution.name]
        downloads.append(
            CatalogDownload(
                title_vi=distribution.title_vi,
                title_en=distribution.title,
                url=download_url(base, entry.file),
                media_type=distribution.media_type.split(";", 1)[0],
                bytes=entry.bytes,
                sha256=entry.sha256,
                modified=manifest.modified_at,
                conforms_to=distribution.conforms_to,
                file_type=distribution.file_type,
            )
        )
    return downloads
