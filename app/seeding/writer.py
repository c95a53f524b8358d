"""Writing the seed files' dataset through the write path, as the actor `seed`.

A seed run is one change set: one history entry per record it creates or changes, one dataset
revision. It never overwrites what an editor changed over the API since (the record is reported
and kept, unless `force`), never restores a retired record (unless `force`), and never deletes:
a record missing from the seed files is reported and kept, since removing published data is an
editorial decision (DELETE over the API), not a side effect of a seed run.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from app.db import autocommit
from app.editing.commands import SEED_ACTOR, ImportReport, apply_dataset
from app.editing.kinds import KINDS
from app.editing.writer import Writer
from app.search.index import counts_deferred
from app.seeding.reader import Dataset

# Records in a seed run from which it is a bulk write: the search index's counts are taken once
# at the end, PostgreSQL's statistics refreshed, and its tables vacuumed after the commit.
BULK = 1_000


@dataclass
class SeedReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    revision: int = 0
    bulk: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)

    def summary(self) -> str:
        lines = [
            f"seed: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged; "
            f"dataset revision {self.revision}"
        ]
        lines += [
            f"kept (changed over the API since the last seed run; --force overwrites): {name}"
            for name in self.edited
        ]
        lines += [f"left retired (--force restores): {name}" for name in self.retired]
        lines += [f"kept (not in the seed files, not deleted): {name}" for name in self.kept]
        return "\n".join(lines)


def write_dataset(session: Session, dataset: Dataset, *, force: bool = False) -> SeedReport:
    """Brings the database in line with the dataset inside the caller's transaction."""
    writer = Writer.begin(session, SEED_ACTOR)
    result = ImportReport()
    bulk = dataset.count() >= BULK
    with counts_deferred(session) if bulk else nullcontext():
        apply_dataset(writer, dataset, protect=not force, revive=force, report=result)
    report = SeedReport(
        bulk=bulk,
        inserted=len(result.created),
        updated=len(result.updated),
        unchanged=len(result.unchanged),
        edited=result.kept,
        retired=result.retired,
    )
    for kind in KINDS:
        listed = {row["id"] for row in dataset.rows.get(kind.seed_list, [])}
        stored = session.execute(select(kind.table.c.id).order_by(kind.table.c.id)).scalars()
        report.kept += [
            f"{kind.table.name} {record_id!r}" for record_id in stored if record_id not in listed
        ]
    report.revision = writer.finish()
    postgresql = session.get_bind().dialect.name == "postgresql"
    if bulk and postgresql:
        # Until (auto)analyze runs, which may be never, the planner takes the tables for the
        # empty ones they were: the search's top-of-list statements then hashed every posting of
        # a word, 50-300 ms instead of 5 at 100,000 records. Own rows count in the same transaction.
        session.execute(text("ANALYZE"))
    return report


def vacuum_after_bulk_seed(engine: Engine) -> None:
    """After a bulk seed run has committed, on PostgreSQL: VACUUM, which marks the pages just
    written all-visible. Until then an index-only scan (a search's reads of the top of a word's
    list and its lookups of a record's impacts) visits the table for every row it returns, and
    nothing else vacuums where autovacuum is off or has not come round yet. Nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    with autocommit(engine).connect() as connection:
        # As long as the seed took, not the 30 s a request may: lifted for this statement only.
        connection.execute(text("SET statement_timeout = 0"))
        try:
            connection.execute(text("VACUUM"))
        finally:
            connection.execute(text("RESET statement_timeout"))
