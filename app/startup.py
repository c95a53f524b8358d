"""`congress-api serve` checks the database before it binds, and stops with one line naming the
problem: a server that starts on a missing, unmigrated, unwritable, corrupt or unreachable
database only answers 503s, and one on bodies rendered by another version serves them."""

import os
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.db import IMMEDIATE, make_engine, sqlite_read_only
from app.editing.renditions import fingerprint, rendered_by
from app.faults import database_fault, first_line
from app.queries.health import readiness_problem

_READ_ONLY_HINT = "serve it with ?mode=ro (?immutable=1 on a read-only volume) in DATABASE_URL"


def database_problem(url: str) -> str | None:
    """None when the database can be served, else one line for the operator."""
    parsed = make_url(url)
    read_only = False
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).resolve()
        if not path.is_file():
            return f"database file {path} does not exist; run `congress-api migrate` first"
        read_only = sqlite_read_only(url)
        if not read_only and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return f"database file {path} or its folder is read-only; {_READ_ONLY_HINT}"
    engine = make_engine(url, pool_size=1, create=False)
    try:
        with Session(engine) as session:
            problem = readiness_problem(session=session)
            if problem is None and rendered_by(session) != fingerprint():
                problem = (
                    "its stored representations were rendered by another version of the API; "
                    "run `congress-api migrate`"
                )
        if problem is None and parsed.get_backend_name() == "sqlite" and not read_only:
            # Takes the write lock and lets it go: fails on a file the OS will not let us
            # write, whatever the permission bits say (a read-only mount, chattr +i).
            with engine.execution_options(**{IMMEDIATE: True}).begin():
                pass
    except SQLAlchemyError as exc:
        reason = database_fault(exc)
        if reason is not None and "read-only" in reason:
            return f"the database is read-only; {_READ_ONLY_HINT}"
        if reason is not None and "cannot be opened" in reason:
            # The file is there (checked above): SQLite could not open it or its journal.
            return (
                "the database file cannot be opened (unreadable, or a WAL file in a read-only "
                "folder); serve a read-only copy with ?immutable=1 in DATABASE_URL"
            )
        return f"the database cannot be served: {reason or first_line(exc)}"
    finally:
        engine.dispose()
    return f"the database is not ready: {problem}" if problem is not None else None
