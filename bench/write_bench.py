"""Write benchmark: PATCH throughput and latency, and a 40-record import, on one uvicorn worker.

    .venv/bin/python -m bench.write_bench        # or: make bench-writes
    .venv/bin/python -m bench.write_bench --patches 100 --postgres-url ''   # quicker, SQLite only

For each database, a fresh one: a SQLite file under data/bench/, and the PostgreSQL database
named by --postgres-url on the local server (dropped and created again; never `test`). Each is
migrated and seeded, gets an edit token, and is served by `uvicorn app.main:app`, one worker,
pinned to CPU 0 with `taskset` (where it exists); this client runs pinned to CPU 1. PostgreSQL's
own processes are not pinned. Timings are client-side wall time per request, on keep-alive
connections (HTTP, JSON, the write and its commit included). Scenarios:

- sequential PATCH: one client, `--patches` merge patches of one key task's `text`, each sent
  with the ETag the previous answer carried (no GET in between), after 20 unmeasured ones;
- concurrent PATCH: `--clients` threads, each on its own connection and its own record (key
  tasks, solutions, achievements, ...), `--patches` in all, released together; every writer
  waits for the one dataset write lock, so this measures queueing, not parallel writes;
- import: `POST /api/v1/imports` (JSON) of a 40-record article of another province made by
  bench/generate.py (one document with its text inline, the province, its organizations,
  people and their posts, the term, the conference, key tasks, solutions, achievements,
  limitations, directives, statistics), a new province each time so that each creates 40
  records; then the first one again, which changes nothing.

Each PATCH scenario runs `--repeat` times and the best run is kept (other machine work only
slows a run), the others' writes/s in parentheses. Writes (or replaces) the "## Writes"
section at the end of bench/RESULTS.md; the rest of the file, and the section's hand-written
"### Analysis of the writes", are kept.
"""

import argparse
import os
import random
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, text

from app.config import PROJECT_ROOT
from app.db import make_engine, write_session
from app.editing.tokens import create_token
from app.migrate import upgrade
from app.models import TokenScope
from app.seeding.quotes import QuoteLocator
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from bench.generate import PROVINCES, _resolve, build_file
from bench.load import RESULTS, WORK, _machine, _pinned
from bench.search_bench import percentiles

SEED_DIR = PROJECT_ROOT / "seed"
PORT = 8741
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/congress_write_bench"
MERGE_PATCH = "application/merge-patch+json"
WARM_UP = 20
ARTICLE_RECORDS = 40
# Records with a free `text`, one per concurrent client.
TEXT_COLLECTIONS = ("tasks", "solutions", "achievements", "limitations", "directives")
SECTION = "\n## Writes"
ANALYSIS = "\n### Analysis of the writes"
TARGET_WRITES_PER_S = 100.0
TARGET_P99_MS = 50.0
TARGET_IMPORT_S = 1.0


@dataclass
class Run:
    database: str
    scenario: str
    clients: int
    samples: list[float]  # seconds per request
    wall_s: float
    errors: int
    load_before: float
    other_rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall_s if self.wall_s else 0.0

    def row(self) -> str:
        p50, p99 = percentiles(self.samples)
        others = (
            f" ({', '.join(f'{r:,.0f}' for r in self.other_rates)})" if self.other_rates else ""
        )
        return (
            f"| {self.database} | {self.scenario} | {self.clients} | {len(self.samples)} "
            f"| {self.rate:,.0f}{others} | {p50:.1f} | {p99:.1f} | {max(self.samples) * 1000:.1f} "
            f"| {self.errors} | {self.load_before:.2f} |"
        )


# --- databases and the server -----------------------------------------------------------------


def prepare(url: str) -> str:
    """A fresh database at `url`: migrated, seeded; returns an edit token's secret."""
    if url.startswith("postgresql"):
        name = make_url(url).database
        if not name or name == "test":
            raise SystemExit(f"bench: refusing to recreate the database {name!r}")
        maintenance = make_url(url).set(database="postgres").render_as_string(hide_password=False)
        admin = make_engine(maintenance).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    else:
        database = Path(make_url(url).database or "")
        for stale in database.parent.glob(database.name + "*"):
            stale.unlink()
    upgrade(url)
    engine = make_engine(url)
    with write_session(engine) as session, session.begin():
        write_dataset(session, read_dataset(seed_files(SEED_DIR)))
    with write_session(engine) as session, session.begin():
        secret = create_token(session, "write-bench", TokenScope.edit)
    engine.dispose()
    return secret


def serve(url: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(PORT), "--workers", "1", "--no-access-log", "--log-level", "warning"]
    log = open(WORK / "write-server.log", "ab")  # noqa: SIM115 - the server's, until it exits
    server = subprocess.Popen(
        _pinned(0, command),
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz").status_code == 200:
                return server
        except (OSError, httpx.TransportError):
            time.sleep(0.05)
    server.kill()
    raise SystemExit(f"bench: the server did not start; see {WORK / 'write-server.log'}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- PATCH ------------------------------------------------------------------------------------


def patcher(client: httpx.Client, path: str, label: str) -> Callable[[int], tuple[float, bool]]:
    """A function doing patch number n of one record; each sends the previous answer's ETag."""
    etag = client.get(path).headers["etag"]

    def patch(n: int) -> tuple[float, bool]:
        nonlocal etag
        started = time.perf_counter()
        response = client.patch(
            path,
            json={"text": f"Bản sửa số {n} của {label}"},
            headers={"If-Match": etag, "Content-Type": MERGE_PATCH},
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            print(f"  {path}: {response.status_code} {response.text[:300]}", flush=True)
            return elapsed, False
        etag = response.headers["etag"]
        return elapsed, True

    return patch


def patches(base: str, token: str, paths: list[str], count: int, database: str) -> Run:
    """`count` PATCHes spread over one client per path, released together."""
    per_client = [count // len(paths) + (i < count % len(paths)) for i in range(len(paths))]
    barrier = threading.Barrier(len(paths) + 1)
    samples: list[list[float]] = [[] for _ in paths]
    errors = [0] * len(paths)

    def client_thread(index: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            patch = patcher(client, paths[index], f"bench {index}")
            for n in range(WARM_UP):
                patch(-n)
            barrier.wait()
            for n in range(per_client[index]):
                elapsed, ok = patch(n)
                samples[index].append(elapsed)
                errors[index] += not ok

    threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(len(paths))]
    for thread in threads:
        thread.start()
    load = os.getloadavg()[0]
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    scenario = (
        "PATCH one record, sequential"
        if len(paths) == 1
        else "PATCH, one record per client, concurrent"
    )
    merged = [s for per in samples for s in per]
    return Run(database, scenario, len(paths), merged, wall, sum(errors), load)


def best(runs: list[Run]) -> Run:
    kept = max(runs, key=lambda r: r.rate)
    kept.other_rates = sorted(r.rate for r in runs if r is not kept)
    return kept


# --- import -----------------------------------------------------------------------------------


def article(province: str, seed: int) -> dict[str, Any]:
    """A seed file of one made-up article about `province`, its text inline, as JSON."""
    builder = build_file(random.Random(seed), province, (2020, 2025), ARTICLE_RECORDS, True)
    document_text = builder.article.text()
    locator = QuoteLocator(document_text)
    body: dict[str, Any] = {}
    for kind, records in builder.lists.items():
        body[kind] = []
        for record in records:
            entry = {k: v for k, v in record.items() if k != "file"}
            entry["sources"] = [_resolve(locator, cite) for cite in record["sources"]]
            if kind == "documents":
                entry["text"] = document_text
            body[kind].append(entry)
    count = sum(len(records) for records in body.values())
    assert count == ARTICLE_RECORDS, count
    return body


def imports(base: str, token: str, count: int, database: str) -> tuple[Run, Run]:
    """(a new province each time, the first again unchanged)."""
    bodies = [article(province, index) for index, province in enumerate(PROVINCES[:count])]
    headers = {"Authorization": f"Bearer {token}"}
    created: list[float] = []
    errors = 0
    load = os.getloadavg()[0]
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        started = time.perf_counter()
        for body in bodies:
            began = time.perf_counter()
            response = client.post("/api/v1/imports", json=body)
            created.append(time.perf_counter() - began)
            if response.status_code != 200 or len(response.json()["created"]) != ARTICLE_RECORDS:
                print(f"  import: {response.status_code} {response.text[:300]}", flush=True)
                errors += 1
        wall = time.perf_counter() - started
        again_load = os.getloadavg()[0]
        began = time.perf_counter()
        response = client.post("/api/v1/imports", json=bodies[0])
        again = time.perf_counter() - began
        unchanged = response.status_code == 200
        unchanged = unchanged and len(response.json()["unchanged"]) == ARTICLE_RECORDS
    scenario = f"import a {ARTICLE_RECORDS}-record article, new"
    new = Run(database, scenario, 1, created, wall, errors, load)
    scenario = "import the same article again, unchanged"
    same = Run(database, scenario, 1, [again], again, 0 if unchanged else 1, again_load)
    return new, same


# --- the suite and the report -----------------------------------------------------------------


def suite(name: str, url: str, args: argparse.Namespace) -> list[Run]:
    print(f"{name}: preparing {url}", flush=True)
    token = prepare(url)
    server = serve(url)
    base = f"http://127.0.0.1:{PORT}"
    try:
        with httpx.Client(base_url=base) as client:
            texts = [
                f"/api/v1/{collection}/{item['id']}"
                for collection in TEXT_COLLECTIONS
                for item in client.get(f"/api/v1/{collection}").json()["items"]
            ]
        runs = []
        for paths in ([texts[0]], texts[: args.clients]):
            tries = [patches(base, token, paths, args.patches, name) for _ in range(args.repeat)]
            runs.append(best(tries))
            print(f"  {runs[-1].row()}", flush=True)
        for run in imports(base, token, args.imports, name):
            runs.append(run)
            print(f"  {run.row()}", flush=True)
    finally:
        stop(server)
    return runs


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(runs: list[Run], command: str, args: argparse.Namespace) -> str:
    lines = [
        SECTION.strip(),
        "",
        f"Generated by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        "(bench/write_bench.py; its docstring has the method).",
        "",
        f"- Machine: {_machine()}; the two CPUs are shared with other engineers' work, so "
        "the figures are noisy: the last column is the 1-minute load average before each "
        "measurement.",
        "- Server: one uvicorn worker pinned to CPU 0, response cache on (as deployed); "
        "client: this script on CPU 1, httpx, keep-alive; PostgreSQL's processes unpinned. "
        "Times are client-side wall time per request.",
        f"- PATCH rows: {args.patches} merge patches of `text`, each with the ETag of the "
        f"previous answer (no GET between), after {WARM_UP} unmeasured per client; best of "
        f"{args.repeat} runs by writes/s, the others in parentheses. writes/s = requests / wall "
        "time of the run.",
        f"- Import rows: `POST /api/v1/imports` (JSON) of a {ARTICLE_RECORDS}-record made-up "
        f"article (bench/generate.py), {args.imports} provinces, each creating "
        f"{ARTICLE_RECORDS} records in one transaction; writes/s there is imports per second.",
        "",
        "| database | scenario | clients | requests | writes/s | p50 ms | p99 ms | max ms "
        "| errors | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(run.row() for run in runs),
        "",
        "| target | database | measured | |",
        "|---|---|---|---|",
    ]
    for run in runs:
        p50, p99 = percentiles(run.samples)
        if run.scenario.startswith("PATCH"):
            ok = run.rate >= TARGET_WRITES_PER_S and p99 < TARGET_P99_MS
            lines.append(
                f"| ≥ {TARGET_WRITES_PER_S:.0f} writes/s, p99 < {TARGET_P99_MS:.0f} ms "
                f"({run.scenario}, {run.clients} client{'s' if run.clients > 1 else ''}) "
                f"| {run.database} | {run.rate:,.0f}/s, p99 {p99:.1f} ms | {_verdict(ok)} |"
            )
        elif run.scenario.endswith("new"):
            worst = max(run.samples)
            lines.append(
                f"| {ARTICLE_RECORDS}-record import < {TARGET_IMPORT_S:g} s | {run.database} "
                f"| p50 {p50 / 1000:.2f} s, max {worst:.2f} s "
                f"| {_verdict(worst < TARGET_IMPORT_S)} |"
            )
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replaces the Writes section (the file's last) or appends it; everything before it, and
    its hand-written analysis (from ANALYSIS on), are kept."""
    existing = path.read_text() if path.exists() else ""
    analysis = ""
    if SECTION in existing:
        existing, _, old = existing.partition(SECTION)
        if ANALYSIS in old:
            analysis = old[old.index(ANALYSIS) :]
    path.write_text(existing.rstrip("\n") + "\n\n" + section + analysis)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--patches", type=int, default=500, help="measured PATCHes per run")
    parser.add_argument("--clients", type=int, default=4, help="clients of the concurrent run")
    parser.add_argument("--repeat", type=int, default=2, help="runs per PATCH scenario")
    parser.add_argument("--imports", type=int, default=10, help="provinces imported")
    parser.add_argument(
        "--sqlite-url", default=f"sqlite:///{WORK / 'writes.db'}", help="'' skips SQLite"
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="'' skips PostgreSQL")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the section goes")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    runs: list[Run] = []
    if args.sqlite_url:
        runs += suite("SQLite", args.sqlite_url, args)
    if args.postgres_url:
        runs += suite("PostgreSQL", args.postgres_url, args)
    command = (
        "make bench-writes"
        if os.environ.get("MAKELEVEL")
        else shlex.join([".venv/bin/python", "-m", "bench.write_bench", *sys.argv[1:]])
    )
    write_section(args.out, report(runs, command, args))
    print(f"bench: wrote the Writes section of {args.out}")


if __name__ == "__main__":
    main()
