"""Language of labels: Vietnamese by default, English on request. Content stays as printed."""

from enum import StrEnum

from starlette.datastructures import Headers, QueryParams
from starlette.types import Scope


class Lang(StrEnum):
    vi = "vi"
    en = "en"


def negotiate(query_lang: str | None, accept_language: str | None) -> Lang:
    """`?lang=` wins; otherwise the first supported language of Accept-Language by q-value."""
    if query_lang is not None and query_lang in Lang.__members__:
        return Lang(query_lang)
    best: tuple[float, Lang] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in Lang.__members__:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, Lang(primary))
    return best[1] if best else Lang.vi


CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "membership": ("Phát triển đảng viên", "Party membership"),
    "discipline": ("Kiểm điểm, kỷ luật", "Review and discipline"),
    "organization": ("Tổ chức bộ máy", "Organization"),
    "target": ("Mục tiêu", "Targets"),
    "milestone": ("Mốc thời gian", "Milestones"),
}


def pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang is Lang.vi else pair[1]


def request_lang(scope: Scope) -> Lang:
    """The language of one request, resolved once and kept on it, so the `Content-Language`
    header, the body and any problem agree. A repeated `lang` counts by its last value, as
    the framework reads query parameters."""
    state = scope.setdefault("state", {})
    lang: Lang | None = state.get("lang")
    if lang is None:
        query_lang = QueryParams(scope.get("query_string", b"")).get("lang")
        lang = state["lang"] = negotiate(query_lang, Headers(scope=scope).get("accept-language"))
    return lang
