"""The ceiling: a bare Starlette app that answers every request with the same bytes.

    CEILING_BODY=file.json uvicorn bench.ceiling:app

serves the file's bytes (the project's term summary, saved by the benchmark) with its media type,
so the difference to the project is the cost of everything the project does per request.
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ.get("CEILING_BODY", "/dev/null")).read_bytes()
MEDIA_TYPE = os.environ.get("CEILING_MEDIA_TYPE", "application/json")


async def constant(_request: Request) -> Response:
    return Response(BODY, media_type=MEDIA_TYPE)


app = Starlette(routes=[Route("/{path:path}", constant)])
