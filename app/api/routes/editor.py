"""The editor at /editor/: static files (no build step), working over the write API."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse

from app.problems import NotFoundError

router = APIRouter(prefix="/editor", include_in_schema=False)

FileName = Annotated[
    str, PathParam(max_length=100, pattern=r"^[A-Za-z0-9._-]+$", description="File name.")
]
_DIR = Path(__file__).resolve().parents[2] / "static" / "editor"
FILES: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "editor.js": "text/javascript; charset=utf-8",
    "editor.css": "text/css; charset=utf-8",
    "i18n.js": "text/javascript; charset=utf-8",
    "schema-form.js": "text/javascript; charset=utf-8",
    "quotes.js": "text/javascript; charset=utf-8",
}


@router.get("", operation_id="editor_redirect")
def editor_redirect() -> RedirectResponse:
    return RedirectResponse("/editor/", status_code=308)


@router.get("/", operation_id="editor_page")
def editor_page() -> FileResponse:
    """The editor's page."""
    return _file("index.html")


@router.get("/{name}", operation_id="editor_file")
def editor_file(name: FileName) -> FileResponse:
    """A script or stylesheet of the editor."""
    return _file(name)


def _file(name: str) -> FileResponse:
    if name not in FILES:
        raise NotFoundError(f"No editor file '{name}'.")
    # Revalidated on every load: a new release must not leave an editor on old scripts.
    return FileResponse(_DIR / name, media_type=FILES[name], headers={"Cache-Control": "no-cache"})
