"""Where the downloads live, how each revision's files get built once, and pruning.

Files sit in `DOWNLOADS_DIR`, named with the revision they hold (`congress-r12.sqlite`), beside
a manifest per revision (`congress-r12.manifest.json`) that records each file's size, SHA-256
and the dataset's modification time, so listing them never re-reads a file.

One builder at a time: in a worker, requests that find files missing queue on an asyncio lock
(they hold no thread and no database connection while they wait); across workers, machines
sharing the folder excepted, the build itself runs under an exclusive `fcntl` lock on
`DOWNLOADS_DIR/.build.lock`. Whoever gets the lock second finds the manifest complete and
serves it. Each file is written in a private temporary folder and renamed into place, so a
reader sees a whole file or none.

A build reads one snapshot of the database (SQLite's read transaction; PostgreSQL's REPEATABLE
READ): every file of a revision describes the same data, even while writers commit. Builds use
an engine of their own, so they never take a connection the request pool promised to a
request.

URLs baked into the files start with the origin of the build's trigger: `PUBLIC_BASE_URL` when
set, else the origin of the request that found the files missing (`http://localhost:8000` for
`congress-api build-downloads`). The manifest records it, and every file of the revision uses
it; a request arriving later by another origin gets the same files. Set `PUBLIC_BASE_URL` for
URLs that do not depend on who asked first.
"""

import asyncio
import fcntl
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import anyio.to_thread
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.config import get_settings
from app.db import make_engine
from app.downloads.registry import DISTRIBUTIONS, FILE_PREFIX, Distribution
from app.downloads.sqlite import utc as _utc
from app.editing.replay import snapshot_session
from app.models import DatasetState
from app.queries.revision import DatasetVersion, RevisionReader, revision_reader

logger = logging.getLogger("app.downloads")

LOCK_FILE = ".build.lock"
MANIFEST_SUFFIX = ".manifest.json"
_WORK_PREFIX = ".build-"
_REVISION_FILE = re.compile(rf"{FILE_PREFIX}-r(?P<revision>[1-9][0-9]{{0,17}})\.")
_HASH_CHUNK = 1 << 20


class DatasetNotReadyError(RuntimeError):
    """There is no seeded dataset to build from."""


class ManifestFile(BaseModel):
    file: str = Field(description="File name in DOWNLOADS_DIR (and in the download URL).")
    media_type: str
    bytes: int
    sha256: str
    built_at: datetime
    build_seconds: float


class Manifest(BaseModel):
    """What was built for one revision."""

    revision: int
    modified_at: datetime = Field(description="When the dataset last changed, at this revision.")
    base_url: str = Field(description="The origin the files' URLs start with.")
    files: dict[str, ManifestFile] = Field(default_factory=dict)  # by distribution name

    def complete(self) -> bool:
        return all(d.name in self.files for d in DISTRIBUTIONS)

    def of(self, revision: int, modified_at: datetime) -> bool:
        """Whether it describes this dataset: the revision alone would also match another
        database's (a test's, a restored backup's) revision of the same number."""
        return self.revision == revision and self.modified_at == _utc(modified_at)


@dataclass(frozen=True)
class Found:
    """A download on disk, ready to serve."""

    path: Path
    entry: ManifestFile
    manifest: Manifest
    stat: os.stat_result


def downloads_dir() -> Path:
    return get_settings().downloads_dir


def revision_of(file_name: str) -> int | None:
    match = _REVISION_FILE.match(file_name)
    return int(match["revision"]) if match else None


def manifest_path(directory: Path, revision: int) -> Path:
    return directory / f"{FILE_PREFIX}-r{revision}{MANIFEST_SUFFIX}"


def read_manifest(directory: Path, revision: int) -> Manifest | None:
    try:
        return Manifest.model_validate_json(manifest_path(directory, revision).read_bytes())
    except (FileNotFoundError, ValidationError):
        return None


def find(file_name: str) -> Found | None:
    """The file if a manifest lists it and it is on disk whole."""
    revision = revision_of(file_name)
    if revision is None:
        return None
    directory = downloads_dir()
    manifest = read_manifest(directory, revision)
    if manifest is None:
        return None
    entry = next((e for e in manifest.files.values() if e.file == file_name), None)
    if entry is None:
        return None
    path = directory / file_name
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    if stat.st_size != entry.bytes:
        return None
    return Found(path, entry, manifest, stat)


# --- building -------------------------------------------------------------------------------


@contextmanager
def _engine() -> Iterator[Engine]:
    """An engine of the builds' own, on DATABASE_URL; never one that creates a SQLite file."""
    url = get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (
        parsed.database and Path(parsed.database).is_file()
    ):
        raise DatasetNotReadyError("the database does not exist")
    engine = make_engine(url, pool_size=1)
    try:
        yield engine
    finally:
        engine.dispose()


def _dataset(session: Session) -> DatasetState:
    try:
        state = session.get(DatasetState, 1)
    except SQLAlchemyError as exc:
        raise DatasetNotReadyError(f"the dataset cannot be read: {exc.__class__.__name__}") from exc
    if state is None:
        raise DatasetNotReadyError("the dataset has not been seeded")
    return state


def _on_disk(directory: Path, entry: ManifestFile) -> bool:
    try:
        return (directory / entry.file).stat().st_size == entry.bytes
    except FileNotFoundError:
        return False


def ready_manifest(revision: int, modified_at: datetime) -> Manifest | None:
    """The manifest of this revision when all its files are built; None otherwise. Takes no
    lock: a build puts files and manifests in place by renaming."""
    directory = downloads_dir()
    manifest = read_manifest(directory, revision)
    if (
        manifest is None
        or not manifest.of(revision, modified_at)
        or not manifest.complete()
        or not all(_on_disk(directory, entry) for entry in manifest.files.values())
    ):
        return None
    return manifest


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """One builder across every process using the folder."""
    with open(directory / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def build_current(base_url: str) -> Manifest:
    """Builds whatever the current revision is missing, prunes old revisions, and returns the
    manifest. Blocking: run it in a thread from async code (`ensure_current` does)."""
    settings = get_settings()
    directory = settings.downloads_dir
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory), _engine() as engine, snapshot_session(engine) as session:
        dataset = _dataset(session)  # the snapshot starts here: every builder reads it
        manifest = read_manifest(directory, dataset.revision)
        if manifest is None or not manifest.of(dataset.revision, dataset.modified_at):
            manifest = Manifest(
                revision=dataset.revision,
                modified_at=_utc(dataset.modified_at),
                base_url=base_url.rstrip("/"),
            )
        for distribution in DISTRIBUTIONS:
            entry = manifest.files.get(distribution.name)
            if entry is not None and _on_disk(directory, entry):
                continue
            manifest.files[distribution.name] = _build_one(
                session, directory, distribution, manifest
            )
            _write_manifest(directory, manifest)
        prune(directory, keep=settings.downloads_keep, current=dataset.revision)
    return manifest


def _build_one(
    session: Session, directory: Path, distribution: Distribution, manifest: Manifest
) -> ManifestFile:
    name = distribution.file_name(manifest.revision)
    work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=directory))
    try:
        target = work / name
        started = time.perf_counter()
        distribution.builder(session, target, base_url=manifest.base_url)
        seconds = time.perf_counter() - started
        size, digest = _size_and_sha256(target)
        os.replace(target, directory / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("downloads: built %s, %d bytes in %.2f s", name, size, seconds)
    return ManifestFile(
        file=name,
        media_type=distribution.media_type,
        bytes=size,
        sha256=digest,
        built_at=datetime.now(UTC),
        build_seconds=round(seconds, 3),
    )


def _size_and_sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _write_manifest(directory: Path, manifest: Manifest) -> None:
    path = manifest_path(directory, manifest.revision)
    partial_path = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial_path.write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(partial_path, path)


def prune(directory: Path, *, keep: int, current: int) -> list[Path]:
    """Deletes the files of all but the current revision and the `keep - 1` newest others, and
    what interrupted builds left behind. Call it under the build lock. Only names this module
    writes are touched; a download in progress keeps reading its file (POSIX unlink)."""
    revisions: set[int] = set()
    removed: list[Path] = []
    for path in directory.iterdir():
        if path.name.startswith(_WORK_PREFIX) or path.name.endswith(".tmp"):
            # No build is running (we hold the lock): this is an interrupted one's.
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
            continue
        revision = revision_of(path.name)
        if revision is not None:
            revisions.add(revision)
    others = sorted(revisions - {current}, reverse=True)
    kept = {current, *others[: max(keep - 1, 0)]}
    for path in sorted(directory.iterdir()):
        revision = revision_of(path.name)
        if revision is not None and revision not in kept:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


# --- from the event loop --------------------------------------------------------------------

_LOCKS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


def _worker_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _LOCKS.get(loop)
    if lock is None:
        lock = _LOCKS[loop] = asyncio.Lock()
    return lock


_reader: tuple[str, RevisionReader | None] | None = None


async def current_version() -> DatasetVersion | None:
    """The committed revision, read as the HTTP cache reads it: no pool, no thread."""
    global _reader
    url = get_settings().database_url
    if _reader is None or _reader[0] != url:
        if _reader is not None and _reader[1] is not None:
            await _reader[1].close()
        _reader = (url, revision_reader(url))
    reader = _reader[1]
    return await reader.read() if reader is not None else None


async def ensure_current(base_url: str) -> Manifest:
    """The current revision's manifest, building what is missing first. Requests of this worker
    that find files missing wait here for the one that builds them, on the event loop."""
    version = await current_version()
    if version is not None:
        found = await anyio.to_thread.run_sync(
            ready_manifest, version.revision, version.modified_at
        )
        if found is not None:
            return found
    async with _worker_lock():
        return await anyio.to_thread.run_sync(partial(build_current, base_url))
