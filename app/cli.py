"""`congress-api serve | migrate | seed | check`."""

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.config import SettingsError, get_settings
from app.db import get_engine
from app.editing.export import ExportError
from app.editing.export import export as export_files
from app.editing.replay import snapshot_session
from app.editing.replay import verify as verify_history
from app.migrate import upgrade
from app.seeding.reader import SeedError, read_dataset, seed_files
from app.seeding.writer import write_dataset

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
    """Serve the API with uvicorn on HOST:PORT with WORKERS processes."""
    import uvicorn

    _settings_or_exit()
    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        proxy_headers=True,
    )


@cli.command()
def migrate() -> None:
    """Apply every pending migration to DATABASE_URL."""
    _settings_or_exit()
    try:
        upgrade(get_settings().database_url)
    except SQLAlchemyError as exc:
        raise _fail(f"migrate: database error: {exc.__class__.__name__}: {exc.args[0]}") from None
    typer.echo("migrate: database is at the newest revision")


@cli.command()
def seed(seed_dir: SeedDir = None) -> None:
    """Load the seed files into the database in one transaction; a second run changes nothing."""
    _settings_or_exit()
    paths = seed_files(seed_dir or get_settings().seed_dir)
    try:
        dataset = read_dataset(paths)
        with Session(get_engine()) as session, session.begin():
            report = write_dataset(session, dataset)
    except SeedError as exc:
        raise _fail(f"seed: nothing was written:\n{exc}") from None
    except SQLAlchemyError as exc:
        raise _fail(
            f"seed: nothing was written: database error: {exc.__class__.__name__}"
        ) from None
    typer.echo(report.summary())


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


@cli.command()
def verify() -> None:
    """Replay the history from empty and check that it reproduces the current tables exactly;
    exit 1 naming the first difference otherwise."""
    _settings_or_exit()
    try:
        with snapshot_session(get_engine()) as session:
            result = verify_history(session)
    except SQLAlchemyError as exc:
        raise _fail(f"verify: database error: {exc.__class__.__name__}") from None
    if result.difference is not None:
        raise _fail(
            f"verify: the history does not reproduce the tables "
            f"({result.changes} changes replayed): {result.difference}"
        )
    typer.echo(f"verify: {result.changes} changes replayed, {result.records} records match")


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


def main() -> None:
    cli()
