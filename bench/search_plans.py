"""EXPLAIN (ANALYZE, BUFFERS) of the statement that ranks the top of the lists, as search sends it.

    .venv/bin/python -m bench.search_plans --query "chuyen doi" --depth 512 URL [URL ...]

Each URL is a PostgreSQL database loaded by `bench.search_bench`; the plans go to standard output.
"""

import argparse
from typing import Any

from sqlalchemy import Connection, event
from sqlmodel import Session

from app.db import make_engine
from app.search.index import _Query
from app.search.terms import Terms


def explain(url: str, q: str, depth: int, wanted: int = 50) -> list[str]:
    engine = make_engine(url)
    sent: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(
        _conn: Connection, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> None:
        sent.append((statement, parameters))

    try:
        with Session(engine) as session:
            query = _Query(session, Terms.parse(q), None)
            _total, weights = query.measure()
            sent.clear()
            query.rank_top(weights, wanted, depth)  # the first round's statement
            statement, parameters = sent[0]
            cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            for _ in range(4):  # the last of four runs: warm
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                lines = [line for (line,) in cursor.fetchall()]
            return lines
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--query", default="chuyen doi")
    parser.add_argument("--depth", type=int, default=512)
    args = parser.parse_args()
    for url in args.urls:
        print(f"-- {url.rsplit('/', 1)[-1]}")
        print("\n".join(explain(url, args.query, args.depth)))
        print()


if __name__ == "__main__":
    main()
