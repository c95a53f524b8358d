"""Where a request's time goes: py-spy samples the server while wrk drives it.

    .venv/bin/python -m bench.profile                       # cold term summary, 1 connection
    .venv/bin/python -m bench.profile --connections 32 --url '/api/v1/statistics?limit=20'

Starts the project (one worker pinned to CPU 0, response cache off unless --cache) on the
benchmark's database (data/bench/, built by bench.load), installs py-spy into its own
virtualenv under data/bench/ (not the project's dependencies), records while wrk runs, and
writes bench/PROFILE.md: samples by library (own time), by step of the request (inclusive),
and the functions with the most own time.
"""

import argparse
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from app.config import PROJECT_ROOT
from bench.load import (
    PORT,
    SEED_DIR,
    SUMMARY,
    WORK,
    Process,
    _run,
    _uvicorn,
    prepare_database,
    wrk,
)

OUT = PROJECT_ROOT / "bench" / "PROFILE.md"
# Where idle threads sit: pool workers waiting for work, the event loop waiting in uvloop (whose
# C code shows as Runner.run). Sampled without --gil, so time in SQLite (which releases the GIL)
# is counted, these are dropped.
IDLE = ("Condition.wait (", "Runner.run (")
LIBRARIES = [
    ("/app/queries/", "app/queries (our query layer)"),
    ("/app/caching.py", "app/caching.py (HTTP cache, ETag, compression)"),
    ("/app/", "app (other)"),
    ("sqlalchemy", "SQLAlchemy"),
    ("sqlmodel", "SQLModel"),
    ("pydantic", "pydantic"),
    ("fastapi", "FastAPI"),
    ("starlette", "Starlette"),
    ("uvicorn", "uvicorn"),
    ("anyio", "anyio (thread pool)"),
    ("asyncio", "asyncio"),
    ("threading", "threading"),
    ("sqlite3", "sqlite3"),
]
STEPS = [
    ("term_summary (", "app.queries.terms.term_summary"),
    ("sources_for (", "  of which sources_for (citations)"),
    ("_execute_internal (", "SQLAlchemy Session.execute, all statements"),
    ("do_execute (", "  of which the driver's execute (SQLite/PostgreSQL itself)"),
    ("model_validate (", "pydantic model_validate (ORM rows to public models)"),
    ("serialize_response (", "FastAPI serialize_response (response_model check + JSON)"),
    ("solve_dependencies (", "FastAPI solve_dependencies"),
]


def py_spy() -> Path:
    venv = WORK / "tools-venv"
    binary = venv / "bin" / "py-spy"
    if not binary.exists():
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(venv / "bin" / "pip"), "install", "--quiet", "py-spy"])
    return binary


def _library(frame: str) -> str:
    for needle, name in LIBRARIES:
        if needle in frame:
            return name
    return "other (stdlib, C)"


def summarize(raw: Path, title: str) -> str:
    own: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    steps: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            continue
        total += count
        leaf = frames[-1]
        own[leaf] += count
        libraries[_library(leaf)] += count
        for needle, name in STEPS:
            if any(needle in frame for frame in frames):
                steps[name] += count
    if not total:
        return f"## {title}\n\nNo samples.\n"

    def share(n: int) -> str:
        return f"{100 * n / total:.1f} %"

    lines = [f"## {title}", "", f"{total} samples of busy threads (idle waits dropped).", ""]
    lines += ["| library (own time) | share |", "|---|---:|"]
    lines += [f"| {name} | {share(n)} |" for name, n in libraries.most_common()]
    lines += ["", "| step (inclusive) | share |", "|---|---:|"]
    lines += [f"| {name} | {share(steps[name])} |" for _needle, name in STEPS]
    lines += ["", "| function (own time) | share |", "|---|---:|"]
    lines += [f"| `{frame}` | {share(n)} |" for frame, n in own.most_common(15)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", default=SUMMARY)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--cache", action="store_true", help="keep the response cache on")
    parser.add_argument("--database", type=Path, help="SQLite file (default: the seed one)")
    parser.add_argument("--append", action="store_true", help="add to bench/PROFILE.md")
    args = parser.parse_args()
    binary = py_spy()
    database = args.database or prepare_database(WORK / "seed.db", [SEED_DIR])
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "RESPONSE_CACHE": "true" if args.cache else "false",
    }
    raw = WORK / "profile.txt"
    process = Process(_uvicorn("app.main:app"), env, args.url)
    try:
        url = f"http://127.0.0.1:{PORT}{args.url}"
        wrk(url, seconds=1, connections=args.connections)
        result: list[tuple[float, float, float, int]] = []
        load = threading.Thread(
            target=lambda: result.append(
                wrk(url, seconds=args.seconds, connections=args.connections)
            )
        )
        load.start()
        subprocess.run(
            [
                str(binary),
                "record",
                "--pid",
                str(process.process.pid),
                "--duration",
                str(args.seconds - 1),
                "--rate",
                "250",
                "--format",
                "raw",
                "--output",
                str(raw),
            ],
            check=True,
            capture_output=True,
        )
        load.join()
    finally:
        process.stop()
    rps, p50, p99, _errors = result[0]
    title = (
        f"`{args.url}`, cache {'on' if args.cache else 'off'}, {args.connections} connection(s), "
        f"{database.name}: {rps:,.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms (under py-spy)"
    )
    text = summarize(raw, title)
    header = (
        "# Profiles\n\nWritten by `.venv/bin/python -m bench.profile` (py-spy, 250 samples/s, "
        "one worker pinned to CPU 0, wrk on CPU 1).\n\n"
    )
    existing = OUT.read_text() if args.append and OUT.exists() else header
    OUT.write_text(existing + "\n" + text)
    print(text)


if __name__ == "__main__":
    main()
