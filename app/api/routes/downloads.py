"""The whole dataset in one file per format: the list of the current revision's downloads
(`/api/v1/downloads`) and the files themselves (`/downloads/{file}`).

The files bypass the response cache (`app/caching.py` passes `/downloads/` through untouched):
it would otherwise hold a whole file in memory to hash and compress it. They carry their own
validators instead: a strong ETag from the SHA-256 and a long `Cache-Control`, since a name
carries its revision and its bytes never change. The small list stays cacheable; it is filed
under the revision like any read.
"""

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from app.api.deps import LangDep
from app.api.rendering import public_base_url
from app.api.responses import problems
from app.caching import etag_matches
from app.downloads.ranges import requested_ranges
from app.downloads.registry import DISTRIBUTIONS
from app.downloads.schemas import DownloadList, DownloadPublic
from app.downloads.store import (
    DatasetNotReadyError,
    Manifest,
    current_version,
    ensure_current,
    find,
    revision_of,
)
from app.i18n import Lang
from app.problems import ApiError, NotFoundError, NotReadyError, Problem

IMMUTABLE = "public, max-age=31536000, immutable"

router = APIRouter(prefix="/downloads", tags=["downloads"])
files_router = APIRouter(tags=["downloads"])


async def current_downloads(request: Request) -> Manifest:
    """The current revision's downloads, built first if missing (once, whoever else asks).

    Declare it before any session dependency: a request waiting for a build must not hold one
    of the connections the pool keeps for requests."""
    try:
        return await ensure_current(public_base_url(request))
    except DatasetNotReadyError as exc:
        raise NotReadyError("The dataset has not been seeded.") from exc


CurrentDownloadsDep = Annotated[Manifest, Depends(current_downloads)]


def download_url(base: str, file: str) -> str:
    return f"{base}/downloads/{file}"


def downloads_public(manifest: Manifest, base: str, lang: Lang) -> list[DownloadPublic]:
    items = []
    for distribution in DISTRIBUTIONS:
        entry = manifest.files[distribution.name]
        items.append(
            DownloadPublic(
                name=distribution.name,
                title=distribution.title_vi if lang is Lang.vi else distribution.title,
                url=download_url(base, entry.file),
                media_type=entry.media_type,
                bytes=entry.bytes,
                sha256=entry.sha256,
                revision=manifest.revision,
                modified=manifest.modified_at,
            )
        )
    return items


@router.get(
    "",
    summary="List the whole-dataset downloads",
    operation_id="list_downloads",
    response_model=DownloadList,
    responses=problems(503),
)
async def list_downloads(
    manifest: CurrentDownloadsDep, request: Request, lang: LangDep
) -> DownloadList:
    """The whole dataset at the current revision, one file per format, each with its URL,
    media type, size and SHA-256:

    - `sqlite`: the public tables in one SQLite file (`sqlite3`, Datasette, any SQLite tool),
      with a `dataset` table naming its revision;
    - `datapackage`: a Frictionless Data Package, a zip of one CSV per table with their
      schemas, and the source texts;
    - `jsonld`: the records as one schema.org/Popolo JSON-LD graph;
    - `annotations`: every citation as a W3C Web Annotation on its source document.

    Files are built on the first request after a change (this request may wait for it) and
    the last `DOWNLOADS_KEEP` revisions stay downloadable."""
    base = public_base_url(request)
    return DownloadList(
        revision=manifest.revision,
        modified=manifest.modified_at,
        items=downloads_public(manifest, base, lang),
    )


class RangeNotSatisfiableError(ApiError):
    status_code = HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE


FileName = Annotated[
    str,
    Path(
        max_length=100,
        pattern=r"^congress-r[1-9][0-9]{0,17}(\.[a-z0-9]+)+$",
        description="A file name from `/api/v1/downloads`, e.g. `congress-r12.sqlite`.",
    ),
]
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_MEDIA_TYPES = dict.fromkeys(d.media_type for d in DISTRIBUTIONS)


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The whole file, as an attachment.",
        "content": {media_type: _BINARY for media_type in _MEDIA_TYPES},
        "headers": {
            "ETag": _header('Strong: the file\'s SHA-256, e.g. `"9f86d0…"`.'),
            "Content-Length": _header("The file's size in bytes."),
            "Accept-Ranges": _header("`bytes`: send `Range` to resume (`curl -C -`)."),
            "Content-Disposition": _header('`attachment; filename="congress-r12.sqlite"`.'),
            "Cache-Control": _header("Long and immutable: the name carries the revision."),
            "Last-Modified": _header("When the data in the file last changed."),
        },
    },
    206: {
        "description": "The byte range asked for with `Range` (several ranges come as "
        "`multipart/byteranges`). `If-Range` with the ETag makes it conditional.",
        "content": {
            **{media_type: _BINARY for media_type in _MEDIA_TYPES},
            "multipart/byteranges": _BINARY,
        },
        "headers": {"Content-Range": _header("`bytes first-last/size`.")},
    },
    304: {"description": "`If-None-Match` holds the file's ETag: you have it already."},
    **problems(404, 405, 422, 500),
    416: {
        "model": Problem,
        "description": "No requested range lies in the file; `Content-Range: bytes */size` "
        "gives its size.",
    },
}


class _FileDownload(FileResponse):
    """Starlette's FileResponse streams from a worker thread and answers `Range`; it reads the
    header from the request itself, so it is handed the ranges decided here (or none), and
    never meets a header it would answer with a plain-text 400 or 416."""

    def __init__(self, *args: Any, ranges: list[tuple[int, int]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ranges = ranges

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(n, v) for n, v in scope["headers"] if n not in (b"range", b"if-range")]
        if self.ranges:
            spec = ",".join(f"{first}-{last}" for first, last in self.ranges)
            headers.append((b"range", f"bytes={spec}".encode()))
        await super().__call__({**scope, "headers": headers}, receive, send)


@files_router.get(
    "/downloads/{file}",
    summary="Download a whole-dataset file",
    operation_id="get_download",
    response_class=Response,
    responses=FILE_RESPONSES,
)
@files_router.head("/downloads/{file}", include_in_schema=False)
async def get_download(file: FileName, request: Request) -> Response:
    """A file listed by `/api/v1/downloads`. Verify it with its `sha256`
    (`sha256sum congress-r12.sqlite`). `Range` requests are answered (206), so an interrupted
    download resumes: `curl -C - -O URL`. The files of the last `DOWNLOADS_KEEP` revisions
    are kept; older ones are 404."""
    found = await anyio.to_thread.run_sync(find, file)
    revision = revision_of(file)
    current = await current_version()
    if (
        found is not None
        and current is not None
        and found.manifest.revision == current.revision
        and not found.manifest.of(current.revision, current.modified_at)
    ):
        found = None  # another database's file of the same revision number: rebuild it
    if (
        found is None
        and revision is not None
        and _is_distribution(file, revision)
        and (current is None or revision == current.revision)
    ):
        # The current revision's files may not be built yet: build them, then look again.
        try:
            manifest = await ensure_current(public_base_url(request))
        except DatasetNotReadyError:
            manifest = None
        if manifest is not None and any(e.file == file for e in manifest.files.values()):
            found = await anyio.to_thread.run_sync(find, file)
    if found is None:
        raise NotFoundError(f"No download {file}; /api/v1/downloads lists the current files.")
    etag = f'"{found.entry.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE,
        "Last-Modified": format_datetime(found.manifest.modified_at, usegmt=True),
    }
    if _not_modified(request, etag, found.manifest.modified_at):
        return Response(status_code=304, headers=headers)
    ranges = None
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    size = found.stat.st_size
    if range_header is not None and (
        if_range is None or if_range.strip() in (etag, headers["Last-Modified"])
    ):
        ranges = requested_ranges(range_header, size)
        if ranges == []:
            raise RangeNotSatisfiableError(
                f"The file has {size} bytes; no range asked for lies within it.",
                headers={"Content-Range": f"bytes */{size}"},
            )
    return _FileDownload(
        found.path,
        media_type=found.entry.media_type,
        filename=file,
        headers=headers,
        stat_result=found.stat,
        ranges=ranges,
    )


def _is_distribution(file: str, revision: int) -> bool:
    return any(file == d.file_name(revision) for d in DISTRIBUTIONS)


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """If-None-Match, else If-Modified-Since (RFC 9110 §13.1.3: the date is ignored when an
    entity tag is sent)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match.encode(), etag.encode())
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return int(modified.timestamp()) <= since.timestamp()
