"""Strict query parameters under /api/v1: a name the operation does not take is a 400 naming
it, so a typo (`limt=5`) is not answered with the defaults as if it were right.

Cards, oEmbed and the docs are outside this router and keep ignoring unknown parameters:
portals and CMSs add their own (`utm_*`, cache busters)."""

import difflib

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.problems import UnknownParameterError

# The language of problems follows `lang` on every operation, whether or not it has labels.
ALWAYS_ACCEPTED = frozenset({"lang"})
_known: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _known_names(route: APIRoute) -> frozenset[str]:
    names = _known.get(id(route))
    if names is None:
        names = frozenset(_query_names(route.dependant)) | ALWAYS_ACCEPTED
        _known[id(route)] = names
    return names


async def reject_unknown_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _known_names(route)
    for name in request.query_params:
        if name in known:
            continue
        name = name[:64]
        close = difflib.get_close_matches(name, sorted(known - ALWAYS_ACCEPTED), n=1, cutoff=0.6)
        hint_en = f"; did you mean `{close[0]}`?" if close else "."
        hint_vi = f"; có phải ý bạn là `{close[0]}`?" if close else "."
        takes = ", ".join(f"`{n}`" for n in sorted(known)) or "none"
        raise UnknownParameterError(
            f"Unknown query parameter `{name}`{hint_en} This operation takes: {takes}.",
            detail_vi=f"Tham số truy vấn `{name}` không được hỗ trợ{hint_vi} "
            f"Thao tác này nhận: {takes}.",
        )
