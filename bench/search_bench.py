"""Search latency at scale: /api/v1/search on one uvicorn worker, beside a naive LIKE scan.

    .venv/bin/python -m bench.search_bench --records 100000 \\
        --database-url sqlite:////tmp/search-bench.db

generates the synthetic dataset (bench/generate.py), loads it with the normal loader into a fresh
database, starts `congress-api serve` with one worker, and times sequential requests for two-word
queries on one keep-alive connection (client-side wall time, so HTTP and JSON are included). The
baseline is the same words found by `lower(column) LIKE '%word%'` over the same records, timed as
SQL alone; it folds neither tone marks nor đ, so it finds less, and still scans everything.

The response cache is off in the server, so every request searches.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import make_engine
from app.migrate import upgrade
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import vacuum_after_bulk_seed, write_dataset
from bench.generate import generate

URL = "/api/v1/search"
QUERIES = ["phong chong", "nong thon", "chuyen doi", "nguyen van", "cong tac"]

# (table, name, body) of every searched kind: what the search index holds.
SCANNED = [
    ("term", "label", "coalesce(motto, '')"),
    ("key_task", "''", "text"),
    ("solution", "''", "text"),
    ("achievement", "''", "text"),
    ("limitation", "''", "text"),
    ("directive", "''", "text"),
    ("statistic", "label_vi", "label_en"),
    ("person", "name", "''"),
    ("organization", "name", "''"),
    ("event", "name", "date_text"),
    ("document", "title", "text"),
]


def load(url: str, records: int) -> tuple[float, int]:
    """Fresh schema, synthetic data in; returns (seconds to load, records)."""
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        Path(engine.url.database or "").unlink(missing_ok=True)
    engine.dispose()
    upgrade(url)
    with tempfile.TemporaryDirectory() as folder:
        generate(records, Path(folder))
        started = time.perf_counter()
        dataset = read_dataset(seed_files(Path(folder)))
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            write_dataset(session, dataset)
        vacuum_after_bulk_seed(engine)  # as `congress-api seed` does after a bulk run
        engine.dispose()
    return time.perf_counter() - started, dataset.count()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def like_scan(engine: Engine, q: str) -> Callable[[], object]:
    words = q.split()
    union = " UNION ALL ".join(
        f"SELECT '{table}' AS kind, id, {name} AS name, {body} AS body FROM {table}"
        for table, name, body in SCANNED
    )
    where = " AND ".join(
        f"(lower(name) LIKE :w{i} OR lower(body) LIKE :w{i})" for i in range(len(words))
    )
    statement = text(
        f"SELECT kind, id, count(*) OVER () FROM ({union}) AS records WHERE {where} "
        "ORDER BY kind, id LIMIT 20"
    )
    params = {f"w{i}": f"%{word}%" for i, word in enumerate(words)}

    def run() -> object:
        with engine.connect() as conn:
            return conn.execute(statement, params).all()

    return run


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORT": str(port),
        "WORKERS": "1",
        "LOG_LEVEL": "warning",
        "RESPONSE_CACHE": "false",
    }
    server = subprocess.Popen([str(Path(sys.executable).parent / "congress-api"), "serve"], env=env)
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("bench: the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description="Search latency at scale.")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", required=True, help="emptied and loaded; never `test`")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per query")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded database")
    args = parser.parse_args()

    if not args.skip_load:
        seconds, count = load(args.database_url, args.records)
        print(f"loaded {count} records in {seconds:.1f} s")
    engine = make_engine(args.database_url)
    with engine.connect() as conn:
        indexed = conn.execute(text("SELECT count(*) FROM search_doc")).scalar_one()
    print(f"searchable records: {indexed}")

    server = serve(args.database_url, args.port)
    all_http: list[float] = []
    print("query | hits | search p50 ms | search p99 ms | LIKE scan p50 ms | LIKE scan p99 ms")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{args.port}") as client:
            for q in QUERIES:
                hits = client.get(URL, params={"q": q}).json()["total"]
                request = partial(client.get, URL, params={"q": q})
                timed(request, 20)  # warm-up
                http = timed(request, args.requests)
                all_http += http
                like = timed(like_scan(engine, q), max(10, args.requests // 10))
                (p50, p99), (like50, like99) = percentiles(http), percentiles(like)
                print(f"{q} | {hits} | {p50:.2f} | {p99:.2f} | {like50:.1f} | {like99:.1f}")
    finally:
        server.terminate()
        server.wait()
        engine.dispose()
    p50, p99 = percentiles(all_http)
    print(f"all queries: search p50 {p50:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
