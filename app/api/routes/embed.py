"""Embeddable HTML cards for portals: a term, a person, a term's statistics."""

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from app.api.credits import credits_for
from app.api.deps import MAX_LIMIT, IdPath
from app.api.rendering import public_base_url
from app.api.responses import COMMON, NOT_FOUND
from app.cards import PROVIDER_NAME, Theme, json_for_script, render, text
from app.db import SessionDep
from app.i18n import Lang
from app.jsonld import Urls, article, document, person, statistics_dataset, term_graph
from app.models.base import ID_MAX, ID_PATTERN
from app.problems import NotFoundError
from app.queries.people import get_area, get_organization, get_person
from app.queries.statistics import list_statistics
from app.queries.terms import get_term, term_summary
from app.schemas.terms import SummarySection

router = APIRouter(prefix="/embed", tags=["embed"])

S = SummarySection
CARD_SECTIONS = {
    S.organization,
    S.area,
    S.conference,
    S.key_tasks,
    S.solutions,
    S.statistics,
    S.people,
    S.documents,
}
# The default response class is kept so that errors are documented as the problems they are;
# the 200 is HTML, returned as such.
HTML_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The card, HTML.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
    **NOT_FOUND,
    **COMMON,
}


def theme(
    theme: Annotated[
        Theme,
        Query(description="`light`, `dark`, or `auto` (the reader's system setting)."),
    ] = Theme.auto,
) -> Theme:
    return theme


ThemeDep = Annotated[Theme, Depends(theme)]


def card_language(
    lang: Annotated[Lang, Query(description="`vi` (default) or `en`.")] = Lang.vi,
) -> Lang:
    # Not Accept-Language: a portal's readers share one card URL, and the portal chose it.
    return lang


LangDep = Annotated[Lang, Depends(card_language)]


def _links(request: Request, lang: Lang, theme: Theme, title: str) -> dict[str, str]:
    """The card's own URL, its other-language twin and its oEmbed discovery URL."""
    base = public_base_url(request)
    here = base + request.url.path
    extra = [("term", request.query_params["term"])] if "term" in request.query_params else []
    style = [("theme", theme.value)] if theme is not Theme.auto else []
    other = Lang.en if lang is Lang.vi else Lang.vi
    card_url = here + _query([*extra, *([("lang", "en")] if lang is Lang.en else []), *style])
    return {
        "card_url": card_url,
        "other_lang_url": here + _query([*extra, *([("lang", "en")] if other is Lang.en else [])]),
        "oembed_url": f"{base}/oembed?url={quote(card_url, safe='')}&format=json",
        "feed_url": f"{base}/feed.atom",
        "title": title,
    }


def _query(params: list[tuple[str, str]]) -> str:
    return "?" + urlencode(params) if params else ""


def _html(body: str) -> HTMLResponse:
    # The framing policy for /embed/ is set in app.middleware, from the settings.
    return HTMLResponse(body, headers={"Cache-Control": "public, max-age=300"})


@router.get(
    "/terms/{term_id}",
    summary="Embeddable card of a term",
    operation_id="embed_term",
    responses=HTML_RESPONSES,
)
def embed_term(
    term_id: IdPath, request: Request, session: SessionDep, lang: LangDep, theme: ThemeDep
) -> HTMLResponse:
    """A self-contained HTML card for portals: the term, its key tasks and breakthrough
    solutions, headline statistics, its leaders (the chairs of the conference, then the people
    holding posts in the term's organizations, in the source's order), and the source
    article with its credit. Every fact opens to its quote. No scripts, fonts or images;
    readable from 280 to 1200 px; framable by the origins in `EMBED_FRAME_ANCESTORS`.

    Paste the URL into an oEmbed-aware CMS, or use it as an `<iframe src>`."""
    summary = term_summary(session, term_id, CARD_SECTIONS, lang)
    if summary is None:
        raise NotFoundError(f"No term with id '{term_id}'.")
    credits = credits_for(session, request, [s for d in summary.documents or [] for s in d.sources])
    organization = summary.organization.name if summary.organization else ""
    title = f"{organization} — {summary.label}" if organization else summary.label
    names = {key: text(key, lang) for key in ("key_tasks", "solutions", "statistics")}
    graph = term_graph(summary, credits, Urls(public_base_url(request)), lang, names)
    return _html(
        render(
            "embed/term.html",
            lang,
            theme,
            summary=summary,
            credits=credits,
            json_url=f"{public_base_url(request)}/api/v1/terms/{summary.id}",
            jsonld=json_for_script(graph),
            **_links(request, lang, theme, title),
        )
    )


@router.get(
    "/people/{person_id}",
    summary="Embeddable card of a person",
    operation_id="embed_person",
    responses=HTML_RESPONSES,
)
def embed_person(
    person_id: IdPath, request: Request, session: SessionDep, lang: LangDep, theme: ThemeDep
) -> HTMLResponse:
    """A self-contained HTML card of a person: the name as printed, every post held and the
    organization of each, each with its quote, and the source article with its credit."""
    found = get_person(session, person_id)
    if found is None:
        raise NotFoundError(f"No person with id '{person_id}'.")
    sources = found.sources + [s for post in found.posts for s in post.sources]
    credits = credits_for(session, request, sources)
    urls = Urls(public_base_url(request))
    graph = document([person(found, urls, lang), *(article(c, urls) for c in credits)])
    return _html(
        render(
            "embed/person.html",
            lang,
            theme,
            person=found,
            credits=credits,
            json_url=urls.api("people", found.id),
            jsonld=json_for_script(graph),
            **_links(request, lang, theme, found.name),
        )
    )


@router.get(
    "/statistics",
    summary="Embeddable card of a term's statistics",
    operation_id="embed_statistics",
    responses=HTML_RESPONSES,
)
def embed_statistics(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    theme: ThemeDep,
    term: Annotated[
        str,
        Query(
            max_length=ID_MAX,
            pattern=ID_PATTERN,
            description="The term id, e.g. `bac-giang-2020-2025`.",
        ),
    ],
) -> HTMLResponse:
    """A self-contained HTML card of the statistics recorded for one term: each figure with
    how the source qualifies it ("trên" is "more than"), its unit, its period and its quote."""
    found = get_term(session, term)
    if found is None:
        raise NotFoundError(f"No term with id '{term}'.")
    statistics, _total = list_statistics(
        session, lang, category=None, term_id=term, key=None, limit=MAX_LIMIT, offset=0
    )
    credits = credits_for(session, request, [s for stat in statistics for s in stat.sources])
    organization = get_organization(session, found.organization_id)
    area = (
        get_area(session, organization.area_id) if organization and organization.area_id else None
    )
    heading = f"{organization.name} — {found.label}" if organization else found.label
    urls = Urls(public_base_url(request))
    name = f"{text('statistics_kicker', lang)} — {heading}"
    dataset = statistics_dataset(found, statistics, credits, urls, lang, name=name, area=area)
    graph = document([dataset, *(article(c, urls) for c in credits)] if statistics else [])
    return _html(
        render(
            "embed/statistics.html",
            lang,
            theme,
            term=found,
            heading=heading,
            statistics=statistics,
            credits=credits,
            json_url=urls.statistics(found.id),
            jsonld=json_for_script(graph),
            provider=PROVIDER_NAME,
            **_links(request, lang, theme, name),
        )
    )
