"""Database faults: what went wrong, in one sentence an operator can act on.

A fault is the database being absent, unreachable, stalled, busy, read-only, corrupt or not
migrated: the request was fine and may succeed later, so it is a 503 with `Retry-After`, not a
500. Anything else a driver raises is a bug and stays a 500.
"""

import sqlite3

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

RETRY_AFTER_SECONDS = 5

_SQLITE_FAULTS = (
    ("unable to open database file", "The database file is missing or cannot be opened."),
    ("file is not a database", "The database file is corrupt (not an SQLite database)."),
    ("malformed", "The database file is corrupt (malformed)."),
    (
        "readonly database",
        "The database is read-only; serve it with ?mode=ro (or ?immutable=1) in DATABASE_URL.",
    ),
    ("no such table", "The database is not migrated; run `congress-api migrate`."),
    ("database is locked", "The database is busy."),
    ("disk i/o error", "The database file cannot be read (disk I/O error)."),
    ("database or disk is full", "The database's disk is full."),
)


def driver_fault(error: BaseException) -> str | None:
    """The fault a DB-API exception (sqlite3 or psycopg) names, else None."""
    if isinstance(error, sqlite3.Error):
        message = str(error).lower()
        for fragment, reason in _SQLITE_FAULTS:
            if fragment in message:
                return reason
        return None
    if isinstance(error, pg_errors.QueryCanceled):
        return "The database did not answer in time (statement timeout)."
    if isinstance(error, pg_errors.UndefinedTable):
        return "The database is not migrated; run `congress-api migrate`."
    if isinstance(error, pg_errors.ReadOnlySqlTransaction):
        return "The database is read-only."
    if isinstance(error, pg_errors.InvalidCatalogName):
        return "The database does not exist."
    if isinstance(error, psycopg.OperationalError):
        if "timeout" in str(error).lower():
            return "The database did not answer in time (connect timeout)."
        return "The database is unreachable."
    if isinstance(error, psycopg.InterfaceError):
        return "The database connection was lost."
    return None


def database_fault(error: BaseException) -> str | None:
    """The fault an SQLAlchemy exception stands for, else None (a bug: a 500)."""
    if isinstance(error, PoolTimeoutError):
        return "No database connection became free in time."
    if isinstance(error, DBAPIError) and error.orig is not None:
        return driver_fault(error.orig)
    return None


def first_line(error: BaseException) -> str:
    """The driver's own message, first line only (no SQL, no parameters): for logs and the CLI."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause).strip().splitlines()
    name = cause.__class__.__name__
    return f"{name}: {text[0]}" if text else name
