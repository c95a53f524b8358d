"""Server-rendered embeddable cards: templates, wording, number formats and their CSP.

No SQL here: the routes fetch public models through `app.queries` and hand them over.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from app.i18n import Lang
from app.schemas.common import Source
from app.schemas.documents import DocumentPublic
from app.schemas.statistics import StatisticPublic

TEMPLATE_DIR = Path(__file__).parent / "templates"
CARD_CSS = (TEMPLATE_DIR / "embed" / "card.css").read_text(encoding="utf-8")
# The card's only stylesheet is inline, so its CSP names it by hash instead of 'unsafe-inline'.
CARD_STYLE_SOURCE = (
    "'sha256-" + base64.b64encode(hashlib.sha256(CARD_CSS.encode()).digest()).decode() + "'"
)
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"
PROVIDER_NAME = "Congress-term summary API"
EN_DASH = "\u2013"

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class Theme(StrEnum):
    auto = "auto"
    light = "light"
    dark = "dark"


def card_csp(frame_ancestors: str) -> str:
    """Nothing may load; the inline stylesheet is allowed by hash; framing per the setting."""
    return (
        f"default-src 'none'; style-src {CARD_STYLE_SOURCE}; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {frame_ancestors}"
    )


TEXT: dict[str, tuple[str, str]] = {
    "term_kicker": ("Tổng kết nhiệm kỳ", "Congress-term summary"),
    "conference": ("Hội nghị", "Conference"),
    "year_not_stated": ("nguồn không nêu năm", "the source does not state the year"),
    "chaired_by": ("Chủ trì", "Chaired by"),
    "key_tasks": ("Nhiệm vụ trọng tâm", "Key tasks"),
    "solutions": ("Giải pháp đột phá", "Breakthrough solutions"),
    "statistics": ("Số liệu chính", "Headline statistics"),
    "leaders": ("Lãnh đạo", "Leaders"),
    "posts": ("Chức vụ", "Posts"),
    "no_statistics": ("Nguồn không nêu số liệu cho nhiệm kỳ này.", "No figures for this term."),
    "statistics_kicker": ("Số liệu", "Statistics"),
    "person_kicker": ("Nhân vật", "Person"),
    "source": ("Nguồn", "Source"),
    "quote": ("Trích dẫn", "Quote"),
    "source_text": ("Văn bản nguồn", "Source text"),
    "data": ("Dữ liệu (JSON)", "Data (JSON)"),
    "author": ("Bài", "Text"),
    "photo": ("Ảnh", "Photo"),
    "license": ("Giấy phép dữ liệu", "Data licence"),
    "language_other": ("English", "Tiếng Việt"),
    "organization": ("Tổ chức", "Organization"),
    "achievements": ("Kết quả đạt được", "Achievements"),
    "limitations": ("Hạn chế, tồn tại", "Limitations"),
    "directives": ("Chỉ đạo", "Directives"),
}

_QUALIFIER: dict[str, tuple[str, str]] = {
    "exact": ("", ""),
    "more_than": ("trên ", "more than "),
    "at_least": ("ít nhất ", "at least "),
    "about": ("khoảng ", "about "),
    "range": ("", ""),
}
_UNIT: dict[str, tuple[str, str]] = {
    "people": (" người", " people"),
    "collectives": (" tập thể", " collectives"),
    "individuals": (" cá nhân", " individuals"),
    "percent_per_year": ("%/năm", "% a year"),
    "years": (" năm", " years"),
}


def text(key: str, lang: Lang) -> str:
    vi, en = TEXT[key]
    return vi if lang is Lang.vi else en


def number(value: float, lang: Lang) -> str:
    """Vietnamese groups thousands with '.' and uses ',' for decimals; English the reverse."""
    formatted = f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0")
    if lang is Lang.vi:
        formatted = formatted.translate(str.maketrans(",.", ".,"))
    return formatted


def statistic_value(statistic: StatisticPublic, lang: Lang) -> str:
    """The figure as a reader says it: 'trên 8.800 người', '3-4%/năm', '16 collectives'."""
    index = 0 if lang is Lang.vi else 1
    figure = number(statistic.value, lang)
    if statistic.value_max is not None:
        figure += EN_DASH + number(statistic.value_max, lang)
    prefix = _QUALIFIER[statistic.qualifier.value][index]
    return prefix + figure + _UNIT[statistic.unit.value][index]


def statistic_period(statistic: StatisticPublic, lang: Lang) -> str | None:
    """Vietnamese keeps the source's own time words; English says only what the years say."""
    if lang is Lang.vi:
        return statistic.as_of_text
    if statistic.period_start and statistic.period_end:
        return f"{statistic.period_start}{EN_DASH}{statistic.period_end}"
    if statistic.period_start:
        return f"since {statistic.period_start}"
    return None


@dataclass(frozen=True)
class Credit:
    """A source document with the names its ids point at, for the card's footer."""

    document: DocumentPublic
    publisher: str | None
    author: str | None
    url: str
    text_url: str


def documents_cited(sources: list[Source]) -> list[str]:
    """Ids of the documents a list of quotes comes from, in first-cited order."""
    return list(dict.fromkeys(source.document for source in sources))


def json_for_script(data: dict[str, Any]) -> Markup:
    """JSON that cannot close its <script> element or open a comment."""
    encoded = json.dumps(data, ensure_ascii=False, indent=1)
    escaped = encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped)  # every '<', '>' and '&' is escaped above


def render(
    template: str, lang: Lang, theme: Theme, *, credits: list[Credit], **context: Any
) -> str:
    return environment.get_template(template).render(
        lang=lang,
        credits=credits,
        text_urls={credit.document.id: credit.text_url for credit in credits},
        theme=theme.value,
        css=Markup(CARD_CSS),  # our own file; its hash is in the CSP
        t=lambda key: text(key, lang),
        statistic_value=lambda s: statistic_value(s, lang),
        statistic_period=lambda s: statistic_period(s, lang),
        license_url=LICENSE_URL,
        license_name=LICENSE_NAME,
        **context,
    )
