"""`congress-api serve | migrate | seed | check | token | ... | openapi`."""

import os
import re
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.config import SettingsError, get_settings
from app.db import get_engine, write_session
from app.editing import renditions
from app.editing.export import ExportError
from app.editing.export import export as export_files
from app.editing.replay import snapshot_session
from app.editing.replay import verify as verify_history
from app.editing.tokens import TokenError, create_token, list_tokens, revoke_token, token_state
from app.faults import first_line
from app.migrate import upgrade
from app.models import TokenScope
from app.seeding.reader import SeedError, read_dataset, seed_files
from app.seeding.writer import vacuum_after_bulk_seed, write_dataset
from app.startup import database_problem

_TOKEN_NAME = re.compile(r"[A-Za-z0-9._@-]{1,100}")

cli = typer.Typer(help="Congress-term summary API.", no_args_is_help=True, add_completion=False)

SeedDir = Annotated[
    Path | None, typer.Option(help="Folder of *.toml seed files (default: the SEED_DIR setting).")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _settings_or_exit() -> None:
    try:
        get_settings()
    except SettingsError as exc:
        raise _fail(str(exc), 2) from None


@cli.command()
def serve() -> None:
    """Serve the API with uvicorn on HOST:PORT with WORKERS processes, after checking that the
    database can be served."""
    from app.logs import log_config
    from app.serving import serve as serve_app

    _settings_or_exit()
    settings = get_settings()
    problem = database_problem(settings.database_url)
    if problem is not None:
        raise _fail(f"serve: {problem}")
    if settings.metrics:
        # The workers (and this process) find it in the environment: the client reads it there.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="congress-metrics-")
        get_settings.cache_clear()
    serve_app(
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=log_config(settings.log_format, settings.log_level),
        # app.access writes one structured record per request instead.
        access_log=False,
        # app.hosts applies X-Forwarded-* from FORWARDED_ALLOW_IPS itself, Host included.
        proxy_headers=False,
    )


@cli.command()
def migrate() -> None:
    """Apply every pending migration to DATABASE_URL."""
    _settings_or_exit()
    try:
        upgrade(get_settings().database_url)
    except SQLAlchemyError as exc:
        raise _fail(f"migrate: database error: {first_line(exc)}") from None
    typer.echo("migrate: database is at the newest revision")


@cli.command()
def seed(
    seed_dir: SeedDir = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Overwrite records changed over the API since the last seed run, and restore "
            "retired ones.",
        ),
    ] = False,
) -> None:
    """Load the seed files into the database in one transaction; a second run changes nothing.

    A record an editor changed over the API since the last seed run is reported and kept."""
    _settings_or_exit()
    paths = seed_files(seed_dir or get_settings().seed_dir)
    try:
        dataset = read_dataset(paths)
        with write_session() as session, session.begin():
            report = write_dataset(session, dataset, force=force)
    except SeedError as exc:
        raise _fail(f"seed: nothing was written:\n{exc}") from None
    except SQLAlchemyError as exc:
        raise _fail(f"seed: nothing was written: database error: {first_line(exc)}") from None
    typer.echo(report.summary())
    if report.bulk:
        try:
            vacuum_after_bulk_seed(get_engine())
        except SQLAlchemyError as exc:
            raise _fail(
                f"seed: written, but the VACUUM after it failed: {first_line(exc)}"
            ) from None


@cli.command()
def check(seed_dir: SeedDir = None) -> None:
    """Validate the seed files and every quote without touching a database."""
    _settings_or_exit()
    paths = seed_files(seed_dir or get_settings().seed_dir)
    try:
        dataset = read_dataset(paths)
    except SeedError as exc:
        raise _fail(str(exc)) from None
    typer.echo(
        f"check: {len(paths)} file(s), {dataset.count()} records, "
        f"{len(dataset.citations)} citations, all quotes found"
    )


token_cli = typer.Typer(help="Editors' API tokens.", no_args_is_help=True)
cli.add_typer(token_cli, name="token")


@token_cli.command("create")
def token_create(
    name: Annotated[
        str, typer.Option(help="Who it is for; history and logs show this name, never the token.")
    ],
    scope: Annotated[
        TokenScope, typer.Option(help="`edit` writes records; `admin` also reverts changes.")
    ],
    expires_days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Days until it stops working.")
    ] = None,
) -> None:
    """Create a token and print it, alone on standard output. Only its hash is stored: it
    cannot be shown again."""
    _settings_or_exit()
    if not _TOKEN_NAME.fullmatch(name):
        raise _fail("token: the name is 1-100 letters, digits, '.', '_', '-' or '@'", 2)
    try:
        with write_session() as session, session.begin():
            secret = create_token(session, name, scope, expires_days)
    except TokenError as exc:
        raise _fail(f"token: {exc}") from None
    except SQLAlchemyError as exc:
        raise _fail(f"token: database error: {exc.__class__.__name__}") from None
    typer.echo(secret)
    typer.echo(f"token: created {name!r} ({scope.value}); it is shown once, above", err=True)


@token_cli.command("list")
def token_list() -> None:
    """List the tokens: name, scope, state, dates. Secrets are not stored, so never shown."""
    _settings_or_exit()
    with Session(get_engine()) as session:
        tokens = list_tokens(session)
    for token in tokens:
        expires = token.expires_at.date().isoformat() if token.expires_at else "never"
        typer.echo(
            f"{token.name}\t{token.scope}\t{token_state(token)}\t"
            f"created {token.created_at.date().isoformat()}\texpires {expires}"
        )


@token_cli.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token: it stops working at once, and its name stays in the history."""
    _settings_or_exit()
    try:
        with write_session() as session, session.begin():
            revoke_token(session, name)
    except TokenError as exc:
        raise _fail(f"token: {exc}") from None
    typer.echo(f"token: revoked {name!r}")


@cli.command()
def verify() -> None:
    """Replay the history from empty and check that it reproduces the current tables exactly,
    and that every representation stored on write equals a fresh render; exit 1 naming the
    first difference otherwise."""
    _settings_or_exit()
    try:
        with snapshot_session(get_engine()) as session:
            result = verify_history(session)
            stale = renditions.check(session) if result.difference is None else None
    except SQLAlchemyError as exc:
        raise _fail(f"verify: database error: {exc.__class__.__name__}") from None
    if result.difference is not None:
        raise _fail(
            f"verify: the history does not reproduce the tables "
            f"({result.changes} changes replayed): {result.difference}"
        )
    if stale is not None:
        raise _fail(f"verify: a stored representation is not what a fresh render gives: {stale}")
    typer.echo(
        f"verify: {result.changes} changes replayed, {result.records} records match, and "
        "every stored representation equals a fresh render"
    )


@cli.command()
def export(
    directory: Annotated[
        Path, typer.Argument(file_okay=False, help="Folder to write into; created if missing.")
    ],
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Delete the *.toml files and documents/*.txt in the folder that this export "
            "does not write (a seed run would read them too).",
        ),
    ] = False,
) -> None:
    """Write the database back as seed files: one TOML file per document with the records
    whose first source cites it, and the text beside it. Seeding a fresh database from the
    folder reproduces every public representation; the same data gives the same bytes."""
    _settings_or_exit()
    try:
        with snapshot_session(get_engine()) as session:
            files = export_files(session)
    except ExportError as exc:
        raise _fail(f"export: nothing was written: {exc}") from None
    except SQLAlchemyError as exc:
        raise _fail(f"export: database error: {exc.__class__.__name__}") from None
    stale = files.stale(directory) if directory.is_dir() else []
    if stale and not prune:
        names = ", ".join(str(path) for path in stale)
        raise _fail(
            f"export: nothing was written: {directory} holds files this export would not "
            f"write, which a seed run would read too: {names}; remove them or pass --prune"
        )
    try:
        changed = files.write(directory)
        for path in stale:
            path.unlink()
    except OSError as exc:
        raise _fail(f"export: cannot write {directory}: {exc}") from None
    typer.echo(
        f"export: {files.records} records of {files.documents} documents in {directory}; "
        f"{len(changed)} files written, {len(files.files) - len(changed)} unchanged"
        + (f", {len(stale)} removed" if stale else "")
    )


@cli.command("build-downloads")
def build_downloads() -> None:
    """Build the current revision's downloads (SQLite, data package, JSON-LD, annotations) in
    DOWNLOADS_DIR ahead of the first request, and prune old revisions beyond DOWNLOADS_KEEP.
    URLs inside the files start with PUBLIC_BASE_URL, else http://localhost:8000. Prints the
    files' SHA-256 sums in `sha256sum` format."""
    from app.downloads.store import DatasetNotReadyError, build_current

    _settings_or_exit()
    base_url = (get_settings().public_base_url or "http://localhost:8000").rstrip("/")
    try:
        manifest = build_current(base_url)
    except DatasetNotReadyError as exc:
        raise _fail(f"build-downloads: {exc}") from None
    except SQLAlchemyError as exc:
        raise _fail(f"build-downloads: database error: {exc.__class__.__name__}") from None
    # Standard output is a SHA256SUMS file: `sha256sum -c` checks the folder against it.
    for entry in manifest.files.values():
        typer.echo(f"{entry.sha256}  {entry.file}")
    sizes = ", ".join(f"{entry.file} {entry.bytes} bytes" for entry in manifest.files.values())
    typer.echo(
        f"build-downloads: revision {manifest.revision} in {get_settings().downloads_dir}: {sizes}",
        err=True,
    )


@cli.command("download-check")
def download_check(
    file: Annotated[Path, typer.Argument(help="A downloaded SQLite snapshot (.sqlite).")],
) -> None:
    """Check a downloaded SQLite snapshot against the API on DATABASE_URL: each table's row
    count must equal the list's `total`. Exit 1 naming every mismatch; exit 2 when the file is
    not a snapshot or not of the database's current revision (compare only like with like)."""
    from app.downloads.check import SnapshotRefusedError, check_snapshot

    _settings_or_exit()
    try:
        with snapshot_session(get_engine()) as session:
            result = check_snapshot(file, session)
    except SnapshotRefusedError as exc:
        raise _fail(f"download-check: refused: {exc}", 2) from None
    except SQLAlchemyError as exc:
        raise _fail(f"download-check: database error: {exc.__class__.__name__}", 2) from None
    for line in result.lines:
        typer.echo(line)
    if result.mismatches:
        raise _fail(
            f"download-check: {file} does not match revision {result.revision}: "
            + "; ".join(result.mismatches)
        )
    typer.echo(f"download-check: {file} matches the API at revision {result.revision}")


@cli.command()
def openapi(
    file: Annotated[Path, typer.Argument(help="Where to write the document (JSON).")],
) -> None:
    """Write the OpenAPI document the server serves at /openapi.json to FILE, for linters and
    client generators; needs no database."""
    import json

    from app.main import create_app

    _settings_or_exit()
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(create_app().openapi(), ensure_ascii=False, indent=1) + "\n")


def main() -> None:
    cli()
