"""oEmbed 1.0 provider: turns a card URL into an `<iframe>` a CMS can paste."""

import re
from enum import StrEnum
from html import escape
from typing import Annotated, Literal
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.api.rendering import public_base_url
from app.api.responses import COMMON, NOT_FOUND
from app.cards import PROVIDER_NAME, Theme, text
from app.db import SessionDep
from app.i18n import Lang
from app.models.base import ID_PATTERN
from app.problems import NotFoundError
from app.queries.people import get_organization, get_person
from app.queries.terms import get_term

router = APIRouter(tags=["embed"])

CACHE_AGE = 3600
# Ids are slugs: anything else names no record and never reaches the database (PostgreSQL
# refuses a NUL byte in a parameter with an error).
_TERM_CARD = re.compile(rf"/embed/terms/({ID_PATTERN.strip('^$')})")
_PERSON_CARD = re.compile(rf"/embed/people/({ID_PATTERN.strip('^$')})")
_ID = re.compile(ID_PATTERN)
# Default frame sizes per card; a consumer's maxwidth/maxheight only ever shrink them.
_SIZES = {"term": (640, 900), "person": (480, 420), "statistics": (640, 640)}


class OEmbedFormat(StrEnum):
    json = "json"
    xml = "xml"


class OEmbed(BaseModel):
    """An oEmbed 1.0 `rich` response: paste `html` where the card should appear."""

    version: Literal["1.0"] = "1.0"
    type: Literal["rich"] = "rich"
    title: str = Field(examples=["Đảng bộ tỉnh Bắc Giang — Nhiệm kỳ 2025 - 2030"])
    provider_name: str = Field(examples=[PROVIDER_NAME])
    provider_url: str = Field(description="The API's public origin.")
    cache_age: int = Field(description="Seconds a consumer may cache this response.")
    html: str = Field(description="An `<iframe>` of the card, with a title for screen readers.")
    width: int = Field(description="Frame width in pixels, at most `maxwidth`.")
    height: int = Field(description="Frame height in pixels, at most `maxheight`.")


def _card(session: SessionDep, url: str, base: str) -> tuple[str, str, str] | None:
    """(kind, canonical card URL, title) for a card URL this server serves, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: no URL at all, so none of ours
        return None
    ours = urlsplit(base)
    if parts.scheme not in {"http", "https"} or parts.netloc.lower() != ours.netloc.lower():
        return None
    prefix = ours.path.rstrip("/")
    if not parts.path.startswith(prefix + "/"):
        return None
    path = parts.path[len(prefix) :]
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    lang = Lang.en if params.get("lang") == "en" else Lang.vi
    keep = [("lang", "en")] if lang is Lang.en else []
    if params.get("theme") in {Theme.light.value, Theme.dark.value}:
        keep.append(("theme", params["theme"]))
    if match := _TERM_CARD.fullmatch(path):
        term = get_term(session, match.group(1))
        if term is None:
            return None
        organization = get_organization(session, term.organization_id)
        title = f"{organization.name} — {term.label}" if organization else term.label
        return "term", _url(base, path, keep), title
    if match := _PERSON_CARD.fullmatch(path):
        person = get_person(session, match.group(1))
        return ("person", _url(base, path, keep), person.name) if person else None
    if path == "/embed/statistics" and _ID.fullmatch(params.get("term", "")):
        term = get_term(session, params["term"])
        if term is None:
            return None
        title = f"{text('statistics_kicker', lang)} — {term.label}"
        return "statistics", _url(base, path, [("term", term.id), *keep]), title
    return None


def _url(base: str, path: str, params: list[tuple[str, str]]) -> str:
    return base + path + ("?" + urlencode(params) if params else "")


@router.get(
    "/oembed",
    summary="oEmbed for the embeddable cards",
    operation_id="get_oembed",
    response_model=OEmbed,
    responses={
        200: {
            "description": "oEmbed JSON, or XML with `format=xml`.",
            "content": {"text/xml": {"schema": {"type": "string"}}},
        },
        **NOT_FOUND,
        **COMMON,
    },
)
def get_oembed(
    request: Request,
    session: SessionDep,
    url: Annotated[
        str,
        Query(
            max_length=2000,
            description="A card URL: `/embed/terms/{id}`, `/embed/people/{id}` or "
            "`/embed/statistics?term={id}`, optionally with `lang=en` and `theme=`.",
        ),
    ],
    format: Annotated[
        OEmbedFormat, Query(description="`json` (default) or `xml`.")
    ] = OEmbedFormat.json,
    maxwidth: Annotated[
        int | None, Query(ge=1, le=10_000, description="Largest frame width, in pixels.")
    ] = None,
    maxheight: Annotated[
        int | None, Query(ge=1, le=10_000, description="Largest frame height, in pixels.")
    ] = None,
) -> Response:
    """oEmbed 1.0 (`type: rich`) for a card of this server: an `<iframe>` that an
    oEmbed-aware CMS (WordPress and others) inserts when an editor pastes the card URL.
    Every card page advertises this endpoint with a `<link rel="alternate"
    type="application/json+oembed">` tag. 404 for a URL this server does not serve."""
    base = public_base_url(request)
    card = _card(session, url, base)
    if card is None:
        raise NotFoundError("This server has no card at that URL.")
    kind, src, title = card
    width, height = _SIZES[kind]
    width = min(width, maxwidth) if maxwidth else width
    height = min(height, maxheight) if maxheight else height
    html = (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="{width}" '
        f'height="{height}" loading="lazy" style="border:0;max-width:100%" '
        'referrerpolicy="strict-origin-when-cross-origin" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>'
    )
    oembed = OEmbed(
        title=title,
        provider_name=PROVIDER_NAME,
        provider_url=base,
        cache_age=CACHE_AGE,
        html=html,
        width=width,
        height=height,
    )
    if format is OEmbedFormat.xml:
        return Response(_xml(oembed), media_type="text/xml; charset=utf-8")
    return Response(oembed.model_dump_json(), media_type="application/json")


def _xml(oembed: OEmbed) -> bytes:
    """oEmbed's XML format: one element per field, under <oembed>."""
    root = ElementTree.Element("oembed")
    for name, value in oembed.model_dump().items():
        ElementTree.SubElement(root, name).text = str(value)
    xml: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml
