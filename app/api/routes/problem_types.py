"""The pages that problem `type` URIs resolve to: what each kind of problem means, in
Vietnamese and English."""

import re
from html import escape
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from app.api.responses import problems
from app.problem_types import PROBLEM_TYPES, ProblemType
from app.problems import NotFoundError

router = APIRouter(prefix="/problems", tags=["problems"], responses=problems(405, 500))

ProblemSlug = Annotated[
    str,
    Path(max_length=40, pattern=r"^[a-z]+(-[a-z]+)*$", description="The problem type's name."),
]
HTML = "text/html; charset=utf-8"
_CODE = re.compile(r"`([^`]+)`")


def _prose(text: str) -> str:
    return _CODE.sub(r"<code>\1</code>", escape(text))


def render_problem_page(kind: ProblemType) -> str:
    title_vi, title_en = kind.title
    about_vi, about_en = kind.about
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title_vi)} / {escape(title_en)} ({kind.status})</title>
</head>
<body>
<main>
<section lang="vi">
<h1>{escape(title_vi)}</h1>
<p>HTTP {kind.status}. {_prose(about_vi)}</p>
</section>
<section lang="en">
<h1>{escape(title_en)}</h1>
<p>HTTP {kind.status}. {_prose(about_en)}</p>
</section>
<p><code>type</code>: <code>/problems/{kind.slug}</code> · RFC 9457</p>
</main>
</body>
</html>
"""


@router.get(
    "/{slug}",
    summary="Describe a problem type",
    operation_id="get_problem_type",
    responses={
        200: {
            "description": "A short page in Vietnamese and English.",
            "content": {"text/html": {"schema": {"type": "string", "maxLength": 10000}}},
        },
        **problems(404, 422),
    },
)
def get_problem_type(slug: ProblemSlug) -> HTMLResponse:
    """What a problem with this `type` means and what to do about it, in Vietnamese and
    English. Every problem the API answers carries the URI of one of these pages."""
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        raise NotFoundError(f"No problem type {slug}.", detail_vi=f"Không có loại lỗi {slug}.")
    return HTMLResponse(render_problem_page(kind), media_type=HTML)
