"""Every kind of read, each filter and shape, at scale, slowest first: a plan gone wrong shows.

    .venv/bin/python -m bench.reads_sweep sqlite:////tmp/search-bench.db \\
        postgresql://postgres@127.0.0.1:5432/search_bench

Each URL is a database loaded by `bench.search_bench` (100,000 synthetic records). One
`congress-api serve` worker per database, the response cache off; each path is requested once
to warm up, then five times on one keep-alive connection, and the median wall time is reported
(client side, so HTTP and JSON are included). Output: a Markdown table, slowest first.
"""

import argparse
import statistics
import time

import httpx
from sqlalchemy import text

from app.db import make_engine
from bench.search_bench import serve

ITEMS = ["tasks", "solutions", "achievements", "limitations", "directives"]


def _ids(url: str) -> dict[str, str]:
    """Records from the middle of each table, so that no path meets a first row by luck."""
    engine = make_engine(url)
    tables = {
        "term": "term",
        "person": "person",
        "organization": "organization",
        "task": "key_task",
        "statistic": "statistic",
        "document": "document",
    }
    ids = {}
    with engine.connect() as connection:
        for name, table in tables.items():
            middle = connection.execute(text(f"SELECT count(*) / 2 FROM {table}")).scalar_one()
            ids[name] = connection.execute(
                text(f"SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET :middle"),
                {"middle": middle},
            ).scalar_one()
    engine.dispose()
    return ids


def paths(ids: dict[str, str]) -> list[str]:
    term, person, org = ids["term"], ids["person"], ids["organization"]
    found = []
    for items in ITEMS:
        base = f"/api/v1/{items}"
        found += [
            base,
            f"{base}?q=cong+tac",
            f"{base}?q=zzzz",
            f"{base}?term={term}",
            f"{base}?sort=-position",
            f"{base}?updated_since=2020-01-01T00:00:00Z",
            f"{base}?offset=9000",
            f"{base}?format=csv&limit=500",
            f"{base}?fields=id,text",
            f"{base}?q=cong+tac&sort=-id&offset=2000",
        ]
    found += [
        f"/api/v1/tasks/{ids['task']}",
        f"/api/v1/tasks/{ids['task']}?fields=id,text",
        f"/api/v1/tasks/{ids['task']}/history",
        "/api/v1/terms",
        f"/api/v1/terms?organization={org}",
        "/api/v1/terms?sort=-updated_at",
        f"/api/v1/terms/{term}",
        f"/api/v1/terms/{term}?lang=en",
        f"/api/v1/terms/{term}?fields=id,label",
        f"/api/v1/terms/{term}?include=key_tasks",
        f"/api/v1/terms/{term}/history",
        "/api/v1/statistics",
        f"/api/v1/statistics?term={term}",
        "/api/v1/statistics?category=membership",
        "/api/v1/statistics?sort=-value",
        "/api/v1/statistics?offset=15000",
        f"/api/v1/statistics/{ids['statistic']}",
        "/api/v1/people",
        "/api/v1/people?q=nguyen+van",
        "/api/v1/people?q=zzzz",
        f"/api/v1/people?organization={org}",
        "/api/v1/people?sort=-name",
        f"/api/v1/people/{person}",
        "/api/v1/memberships",
        f"/api/v1/memberships?person={person}",
        f"/api/v1/memberships?organization={org}",
        "/api/v1/organizations",
        f"/api/v1/organizations/{org}",
        "/api/v1/events",
        f"/api/v1/events?term={term}",
        "/api/v1/documents",
        f"/api/v1/documents/{ids['document']}",
        f"/api/v1/documents/{ids['document']}/text",
        "/api/v1/changes",
        "/api/v1/changes?since=1000000",
        "/api/v1/changes?sort=-n",
        "/api/v1/changes?offset=50000",
        "/api/v1/search?q=cong+tac",
        "/api/v1/search?q=cong+tac&type=person",
        "/api/v1/search?q=cong+tac&offset=2000",
        "/api/v1/search?q=Công+tác",
        "/api/v1/search?q=cong&limit=500",
        f"/embed/terms/{term}",
        f"/embed/people/{person}",
        f"/embed/statistics?term={term}",
        "/catalog.jsonld",
        "/feed.atom",
    ]
    return found


def sweep(url: str, port: int, repeat: int) -> dict[str, tuple[float, int]]:
    """Median milliseconds and status of each path on one server over `url`."""
    ids = _ids(url)
    server = serve(url, port)
    timings = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for path in paths(ids):
                client.get(path)
                samples = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = client.get(path)
                    samples.append(time.perf_counter() - started)
                timings[path] = (statistics.median(samples) * 1000, response.status_code)
    finally:
        server.terminate()
        server.wait()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description="Every kind of read at scale, slowest first.")
    parser.add_argument("urls", nargs="+", help="databases loaded by bench.search_bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=8773)
    args = parser.parse_args()
    runs = [sweep(url, args.port, args.repeat) for url in args.urls]
    names = ["SQLite" if url.startswith("sqlite") else "PostgreSQL" for url in args.urls]
    print("| path | " + " | ".join(f"{name} ms (status)" for name in names) + " |")
    print("|---|" + "---|" * len(names))
    order = sorted(runs[0], key=lambda path: -max(run[path][0] for run in runs))
    for path in order:
        cells = " | ".join(f"{run[path][0]:.1f} ({run[path][1]})" for run in runs)
        print(f"| `{path}` | {cells} |")


if __name__ == "__main__":
    main()
