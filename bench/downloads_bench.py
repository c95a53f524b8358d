"""Download builds at scale: time and size of each distribution at 100,000 synthetic records.

    .venv/bin/python -m bench.downloads_bench [--records 100000] [--database-url URL]

Generates the seed files with bench/generate.py (same seed, same files), seeds a fresh SQLite
database under data/bench/ (or the PostgreSQL database given, which is emptied first) through
the write path, then calls each registered builder once, in one read snapshot as the download
store does, and prints a Markdown table of seconds and bytes per distribution. The figures are
wall time on a shared machine: noisy, compare within one run.
"""

import argparse
import shutil
import time

from sqlalchemy import text
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.db import make_engine, write_session
from app.downloads.registry import DISTRIBUTIONS
from app.migrate import upgrade
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from bench.generate import generate

WORK = PROJECT_ROOT / "data" / "bench" / "downloads"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (emptied first)")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    seed = WORK / "seed"
    generate(args.records, seed, 0)
    url = args.database_url or f"sqlite:///{WORK / 'data.db'}"
    if args.database_url:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with write_session(engine) as session, session.begin():
        report = write_dataset(session, read_dataset(seed_files(seed)))
    print(f"seeded {report.inserted} records in {time.perf_counter() - started:.1f} s")
    rows = []
    with Session(engine) as session:
        for distribution in DISTRIBUTIONS:
            target = WORK / distribution.file_name(report.revision)
            started = time.perf_counter()
            distribution.builder(session, target, base_url="https://data.example.gov.vn")
            seconds = time.perf_counter() - started
            rows.append((distribution.name, seconds, target.stat().st_size))
    engine.dispose()
    database = "PostgreSQL" if args.database_url else "SQLite"
    print("\n| database | distribution | records | build s | bytes |\n|---|---|---:|---:|---:|")
    for name, seconds, size in rows:
        print(f"| {database} | {name} | {report.inserted} | {seconds:.1f} | {size:,} |")


if __name__ == "__main__":
    main()
