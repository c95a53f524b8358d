"""The API docs, Swagger UI at /docs and ReDoc at /redoc, with every file served from here.

FastAPI's own docs pages load Swagger UI and ReDoc from a CDN, which portals behind networks
that block CDNs cannot reach. The files come from the `fastapi-offline` package instead.
"""

from pathlib import Path
from typing import Annotated

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse

from app.cards import environment
from app.problems import NotFoundError

router = APIRouter(include_in_schema=False)

ASSETS_PATH = "/docs/assets"
AssetName = Annotated[
    str, PathParam(max_length=100, pattern=r"^[A-Za-z0-9._-]+$", description="File name.")
]
_PACKAGED = Path(fastapi_offline.__file__).parent / "static"
_OURS = Path(__file__).resolve().parents[2] / "static"
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (_PACKAGED / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (_PACKAGED / "swagger-ui.css", "text/css"),
    "redoc.standalone.js": (_PACKAGED / "redoc.standalone.js", "text/javascript"),
    "favicon.png": (_PACKAGED / "favicon.png", "image/png"),
    "swagger-init.js": (_OURS / "swagger-init.js", "text/javascript"),
}


def _page(request: Request, template: str) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    body = environment.get_template(template).render(
        title=request.app.title,
        openapi_url=f"{root}{request.app.openapi_url}",
        assets=f"{root}{ASSETS_PATH}",
    )
    return HTMLResponse(body)


@router.get("/docs", operation_id="get_swagger_ui")
def get_swagger_ui(request: Request) -> HTMLResponse:
    """Interactive API documentation (Swagger UI)."""
    return _page(request, "docs/swagger.html")


@router.get("/redoc", operation_id="get_redoc")
def get_redoc(request: Request) -> HTMLResponse:
    """API reference documentation (ReDoc)."""
    return _page(request, "docs/redoc.html")


@router.get(ASSETS_PATH + "/{name}", operation_id="get_docs_asset")
def get_docs_asset(name: AssetName) -> FileResponse:
    """A script, stylesheet or icon of the docs pages."""
    if name not in ASSETS:
        raise NotFoundError(f"No docs asset '{name}'.")
    path, media_type = ASSETS[name]
    return FileResponse(
        path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
    )
