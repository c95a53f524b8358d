"""Load benchmark: the project against the ceiling and Datasette, at seed scale and at 100,000.

    .venv/bin/python -m bench.load            # or: make bench (every suite, both scales)
    .venv/bin/python -m bench.load --duration 4 --repeat 1 --scale 0   # quicker, seed scale only
    .venv/bin/python -m bench.load --only postgresql,workers           # some suites only

Each server runs alone, in turn, on loopback, as one process pinned to CPU 0 with `taskset`
(where it exists); wrk runs pinned to CPU 1 with one thread. Suites (`--only` takes their names):

- `sqlite`: the project (`uvicorn app.main:app`, one worker, access log off) on a SQLite file,
  with the response cache on and then off (RESPONSE_CACHE=false);
- `postgresql`: the project, cache off, one worker, on a PostgreSQL database of its own on the
  local server (`--postgres-url`, dropped and created again when its contents are not the
  ones this run needs; never `test`), loaded with the same seed files as the SQLite one.
  PostgreSQL's own processes are not pinned: they run on either CPU, beside the server or wrk;
- `workers`: the same PostgreSQL database, cache off, served by `congress-api serve` with
  WORKERS=1 and then WORKERS=2, the server not pinned (two workers need both CPUs), wrk still
  on CPU 1: the two rows are measured alike, so their ratio is the gain of the second worker;
  the CPU each request costs the server, PostgreSQL and wrk is measured beside them, which
  bounds what a second worker can add on two CPUs;
- `ceiling`: bare Starlette (`bench/ceiling.py`) returning the bytes of the project's term
  summary;
- `datasette`: Datasette serving the same SQLite file, installed into its own virtualenv under
  data/bench/ (never into the project's dependencies), run by uvicorn, access log off as well.

Writes bench/RESULTS.md (its tables; the hand-written sections from "## Analysis" on are kept).
With `--only`, the report goes to data/bench/RESULTS-only.md unless `--out` says otherwise, so a
partial run never replaces the full one. Needs wrk (`apt-get install -y wrk`) and, for the
PostgreSQL suites, a local PostgreSQL server; everything else it installs or builds itself under
data/bench/. The 100,000-record dataset comes from bench/generate.py.
"""

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from app.config import PROJECT_ROOT

WORK = PROJECT_ROOT / "data" / "bench"
RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
SEED_DIR = PROJECT_ROOT / "seed"
DATASETTE_REQUIREMENT = "datasette>=0.65,<0.66"
PORT = 8731
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/congress_load_bench"
SUITES = ("sqlite", "postgresql", "workers", "ceiling", "datasette")
CONNECTIONS = 32
MANY_CONNECTIONS = 128
REPEAT = 2

SUMMARY = "/api/v1/terms/bac-giang-2025-2030"
LIST = "/api/v1/statistics?limit=20"
LIST_OF_TERM = "/api/v1/statistics?term=bac-giang-2020-2025&limit=20"
CSV_LIST = "/api/v1/statistics?limit=20&format=csv"


SQLITE_COLD = "project, cache off"
POSTGRES_COLD = "project on PostgreSQL, cache off"
ONE_WORKER = "PostgreSQL, cache off, 1 worker unpinned"
TWO_WORKERS = "PostgreSQL, cache off, 2 workers unpinned"
DATASETTE = "Datasette"
DATASETTE_PAGE = "20-row page, JSON"


@dataclass
class Run:
    scale: str
    server: str
    scenario: str
    url: str
    connections: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    load_before: float
    body_bytes: int = 0
    other_rps: list[float] = field(default_factory=list)
    # CPU µs per request of the best try: the server's processes, PostgreSQL's, wrk's.
    cpu_us: dict[str, float] = field(default_factory=dict)


@dataclass
class Server:
    scale: str
    name: str
    cold_start_s: float
    peak_rss_mb: float = 0.0
    runs: list[Run] = field(default_factory=list)


# --- processes --------------------------------------------------------------------------------


def _pinned(cpu: int, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if shutil.which("taskset") else command


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server's processes, by PostgreSQL's (every process whose
    command line starts with `postgres`), and by this script's finished children (wrk)."""
    postgres = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if command.startswith(b"postgres"):
                postgres += _cpu_seconds(int(entry.name))
    children = os.times()
    return {
        "server": sum(_cpu_seconds(pid) for pid in _tree(server_pid)),
        "postgres": postgres,
        "wrk": children.children_user + children.children_system,
    }


def _peak_rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


class Process:
    """A server started pinned to CPU 0 (unless `pinned` is false); `cold_start` is from spawn
    to the first 200."""

    def __init__(
        self, command: list[str], env: dict[str, str], ready_path: str, *, pinned: bool = True
    ) -> None:
        self.log = open(WORK / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        started = time.perf_counter()
        self.process = subprocess.Popen(
            _pinned(0, command) if pinned else command,
            env={**os.environ, **env},
            cwd=PROJECT_ROOT,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = started + 60
        while True:
            try:
                if _get(f"http://127.0.0.1:{PORT}{ready_path}")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"server did not start: {' '.join(command)}")
            time.sleep(0.005)
        self.cold_start = time.perf_counter() - started

    def peak_rss_mb(self) -> float:
        """The process's peak resident set, plus its children's (uvicorn's workers)."""
        return sum(_peak_rss_kb(pid) for pid in _tree(self.process.pid)) / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- wrk --------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"not a wrk latency: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str, *, seconds: float, connections: int, headers: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p99 ms and errors (socket errors, timeouts, non-2xx/3xx)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        _pinned(1, [*command, url]), capture_output=True, text=True, check=True
    ).stdout
    with open(WORK / "wrk.log", "a") as log:
        log.write(f"$ {' '.join(command)} {url}\n{output}\n")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    distribution = output[output.index("Latency Distribution") :]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", distribution, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", distribution, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(n) for n in socket.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return rps, p50, p99, errors


# --- preparation ------------------------------------------------------------------------------


def _run(command: list[str], **env: str) -> str:
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_database(path: Path, seed_dirs: list[Path]) -> Path:
    """A migrated SQLite file with each seed folder loaded in turn; reused when complete."""
    done = path.with_suffix(".done")
    cli = str(PROJECT_ROOT / ".venv" / "bin" / "congress-api")
    url = f"sqlite:///{path}"
    if path.exists() and done.exists():
        _run([cli, "migrate"], DATABASE_URL=url)
        return path
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    _run([cli, "migrate"], DATABASE_URL=url)
    for seed_dir in seed_dirs:
        _run([cli, "seed"], DATABASE_URL=url, SEED_DIR=str(seed_dir))
    done.write_text("ok\n")
    return path


def prepare_postgres(url: str, seed_dirs: list[Path], *, fresh: bool = False) -> str:
    """A PostgreSQL database of its own, migrated, with each seed folder loaded in turn; reused
    when a comment on it says it was loaded with these folders (`fresh` drops it anyway)."""
    from sqlalchemy import make_url, text

    from app.db import make_engine

    name = make_url(url).database
    if not name or name in {"test", "postgres"} or name.startswith("test"):
        raise SystemExit(f"bench: refusing to use the database {name!r}")
    stamp = "congress load bench: " + ", ".join(str(d) for d in seed_dirs)
    cli = str(PROJECT_ROOT / ".venv" / "bin" / "congress-api")
    maintenance = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    admin = make_engine(maintenance).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :name"
                ),
                {"name": name},
            ).first()
            if found is not None and found[0] == stamp and not fresh:
                _run([cli, "migrate"], DATABASE_URL=url)
                return url
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _run([cli, "migrate"], DATABASE_URL=url)
        for seed_dir in seed_dirs:
            _run([cli, "seed"], DATABASE_URL=url, SEED_DIR=str(seed_dir))
        with admin.connect() as conn:
            conn.execute(text(f'COMMENT ON DATABASE "{name}" IS ' + "'" + stamp + "'"))
    finally:
        admin.dispose()
    return url


def postgres_url(base: str, records: int) -> str:
    """The database of one scale: the base name, with `_<records>` for a synthetic scale."""
    from sqlalchemy import make_url

    parsed = make_url(base)
    name = f"{parsed.database}_{records}" if records else parsed.database
    return parsed.set(database=name).render_as_string(hide_password=False)


def synthetic_seed(records: int) -> Path | None:
    if not (PROJECT_ROOT / "bench" / "generate.py").exists():
        return None
    out = WORK / f"synthetic-{records}"
    if not (out / "documents").exists():
        _run([sys.executable, "-m", "bench.generate", "--records", str(records), "--out", str(out)])
    return out


def datasette_python() -> Path:
    venv = WORK / "datasette-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        _run([sys.executable, "-m", "venv", str(venv)])
        _run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                DATASETTE_REQUIREMENT,
                "uvicorn[standard]",
            ]
        )
    return python


# --- the suites -------------------------------------------------------------------------------


def _measure(
    server: Server,
    scenario: str,
    path: str,
    *,
    seconds: float,
    connections: int = CONNECTIONS,
    headers: dict[str, str] | None = None,
    account: int | None = None,
) -> Run:
    """wrk against `path`, REPEAT times, the best kept; with `account` (the server's pid), the
    CPU each try's requests cost is measured too."""
    url = f"http://127.0.0.1:{PORT}{path}"
    status, _headers, body = _get(url, headers)
    if status not in (200, 304):
        raise RuntimeError(f"{url} answered {status}")
    tries = []
    for _ in range(REPEAT):
        load = os.getloadavg()[0]
        before = cpu_seconds(account) if account is not None else {}
        result = wrk(url, seconds=seconds, connections=connections, headers=headers)
        after = cpu_seconds(account) if account is not None else {}
        requests = result[0] * seconds
        cpu_us = {k: 1e6 * (after[k] - before[k]) / requests for k in before}
        tries.append((result, load, cpu_us))
    # The best of the tries: interference from other work on the machine only ever slows a run.
    (rps, p50, p99, errors), load, cpu_us = max(tries, key=lambda t: t[0][0])
    run = Run(
        server.scale,
        server.name,
        scenario,
        path,
        connections,
        rps,
        p50,
        p99,
        errors,
        load,
        len(body),
    )
    run.other_rps = sorted(t[0][0] for t in tries)[:-1]
    run.errors = sum(t[0][3] for t in tries)
    run.cpu_us = cpu_us
    server.runs.append(run)
    print(
        f"  {server.name:<18} {scenario:<34} c={connections:<3} {rps:>9.0f} req/s "
        f"p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  errors {errors}",
        flush=True,
    )
    return run


def _uvicorn(app: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(PORT),
        "--workers",
        "1",
        "--loop",
        "asyncio",  # as `congress-api serve` runs one worker
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def project_suite(
    scale: str, url: str, seconds: float, cache: bool, name: str | None = None
) -> tuple[Server, bytes | None]:
    env = {"DATABASE_URL": url, "RESPONSE_CACHE": "true" if cache else "false"}
    name = name or ("project" if cache else SQLITE_COLD)
    postgres = url.startswith("postgresql")
    process = Process(_uvicorn("app.main:app"), env, SUMMARY)
    server = Server(scale, name, process.cold_start)
    summary: bytes | None = None
    try:
        _status, headers, summary = _get(f"http://127.0.0.1:{PORT}{SUMMARY}")
        etag = headers.get("etag") or headers.get("ETag") or ""
        if cache:
            wrk(f"http://127.0.0.1:{PORT}{SUMMARY}", seconds=1, connections=CONNECTIONS)
            _measure(server, "term summary, warm", SUMMARY, seconds=seconds)
            _measure(
                server,
                "term summary, 304 revalidation",
                SUMMARY,
                seconds=seconds,
                headers={"If-None-Match": etag},
            )
            for path in (LIST, LIST_OF_TERM, CSV_LIST):
                wrk(f"http://127.0.0.1:{PORT}{path}", seconds=1, connections=CONNECTIONS)
            _measure(server, "list of 20, warm", LIST, seconds=seconds)
            _measure(server, "list of one term, warm", LIST_OF_TERM, seconds=seconds)
            _measure(server, "CSV list, warm", CSV_LIST, seconds=seconds)
        else:
            _measure(
                server, "term summary, cold, 1 connection", SUMMARY, seconds=seconds, connections=1
            )
            _measure(server, "term summary, cold", SUMMARY, seconds=seconds)
            _measure(server, "list of 20, cold", LIST, seconds=seconds)
            if not postgres:
                _measure(server, "list of one term, cold", LIST_OF_TERM, seconds=seconds)
                _measure(server, "CSV list, cold", CSV_LIST, seconds=seconds)
        _measure(
            server,
            "term summary, 128 connections",
            SUMMARY,
            seconds=seconds,
            connections=MANY_CONNECTIONS,
        )
        server.peak_rss_mb = process.peak_rss_mb()
    finally:
        process.stop()
    return server, summary


def workers_suite(scale: str, url: str, seconds: float) -> list[Server]:
    """`congress-api serve` with one and then two workers, cache off, not pinned; wrk on CPU 1."""
    cli = str(PROJECT_ROOT / ".venv" / "bin" / "congress-api")
    servers = []
    for workers, name in ((1, ONE_WORKER), (2, TWO_WORKERS)):
        env = {
            "DATABASE_URL": url,
            "RESPONSE_CACHE": "false",
            "HOST": "127.0.0.1",
            "PORT": str(PORT),
            "WORKERS": str(workers),
            "ACCESS_LOG": "false",
            "LOG_LEVEL": "warning",
        }
        process = Process([cli, "serve"], env, SUMMARY, pinned=False)
        server = Server(scale, name, process.cold_start)
        try:
            # Every worker up and past its first requests before the measurement.
            wrk(f"http://127.0.0.1:{PORT}{SUMMARY}", seconds=1, connections=CONNECTIONS)
            _measure(
                server,
                "term summary, cold",
                SUMMARY,
                seconds=seconds,
                account=process.process.pid,
            )
            server.peak_rss_mb = process.peak_rss_mb()
        finally:
            process.stop()
        servers.append(server)
    return servers


def summary_body(url: str) -> bytes:
    """The term summary's bytes, from a project server started for it alone."""
    process = Process(_uvicorn("app.main:app"), {"DATABASE_URL": url}, SUMMARY)
    try:
        return _get(f"http://127.0.0.1:{PORT}{SUMMARY}")[2]
    finally:
        process.stop()


def ceiling_suite(scale: str, body: bytes, seconds: float) -> Server:
    body_file = WORK / "summary.json"
    body_file.write_bytes(body)
    process = Process(_uvicorn("bench.ceiling:app"), {"CEILING_BODY": str(body_file)}, SUMMARY)
    server = Server(scale, "ceiling", process.cold_start)
    try:
        wrk(f"http://127.0.0.1:{PORT}{SUMMARY}", seconds=1, connections=CONNECTIONS)
        _measure(server, "term summary bytes", SUMMARY, seconds=seconds)
        server.peak_rss_mb = process.peak_rss_mb()
    finally:
        process.stop()
    return server


def datasette_suite(scale: str, database: Path, python: Path, seconds: float) -> Server:
    path = f"/{database.stem}/statistic.json?_size=20&_shape=array"
    launcher = (
        "import sys, uvicorn; from datasette.app import Datasette; "
        "uvicorn.run(Datasette([sys.argv[1]]).app(), host='127.0.0.1', port=int(sys.argv[2]), "
        "access_log=False, log_level='warning')"
    )
    process = Process([str(python), "-c", launcher, str(database), str(PORT)], {}, path)
    server = Server(scale, DATASETTE, process.cold_start)
    try:
        wrk(f"http://127.0.0.1:{PORT}{path}", seconds=1, connections=CONNECTIONS)
        _measure(server, DATASETTE_PAGE, path, seconds=seconds)
        server.peak_rss_mb = process.peak_rss_mb()
    finally:
        process.stop()
    return server


def scale_suite(
    scale: str,
    database: Path,
    postgres: str | None,
    python: Path | None,
    seconds: float,
    suites: set[str],
) -> list[Server]:
    """The suites of one dataset; `postgres` is the URL of its PostgreSQL copy (or None)."""
    print(f"{scale}: {database}" + (f" and {postgres}" if postgres else ""), flush=True)
    sqlite_url = f"sqlite:///{database}"
    servers: list[Server] = []
    summary: bytes | None = None
    if "sqlite" in suites:
        project, summary = project_suite(scale, sqlite_url, seconds, cache=True)
        cold, _ = project_suite(scale, sqlite_url, seconds, cache=False)
        servers += [project, cold]
    if postgres and "postgresql" in suites:
        servers.append(project_suite(scale, postgres, seconds, False, POSTGRES_COLD)[0])
    if postgres and "workers" in suites:
        servers += workers_suite(scale, postgres, seconds)
    if "ceiling" in suites:
        servers.append(ceiling_suite(scale, summary or summary_body(sqlite_url), seconds))
    if python is not None and "datasette" in suites:
        servers.append(datasette_suite(scale, database, python, seconds))
    return servers


# --- the report -------------------------------------------------------------------------------


def _versions(python: Path | None, postgres: str | None) -> dict[str, str]:
    found = {"python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    if postgres:
        from sqlalchemy import text

        from app.db import make_engine

        engine = make_engine(postgres)
        with engine.connect() as conn:
            found["PostgreSQL"] = str(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        found["psycopg"] = metadata.version("psycopg")
    for package in ("fastapi", "starlette", "uvicorn", "pydantic", "sqlalchemy", "sqlmodel"):
        found[package] = metadata.version(package)
    if python is not None:
        found["datasette"] = _run(
            [str(python), "-c", "import datasette.version as v; print(v.__version__)"]
        ).strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    found["wrk"] = (wrk_version.stdout or wrk_version.stderr).split("[")[0].strip()
    return found


def _machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {int(memory) // 1024} MiB RAM, "
        f"{platform.system()} {platform.release()}"
    )


def _others(run: Run) -> str:
    return f" ({', '.join(f'{r:,.0f}' for r in run.other_rps)})" if run.other_rps else ""


def _ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}x" if reference else "—"


def _find(servers: list[Server], scale: str, name: str, scenario: str) -> Run | None:
    return next(
        (
            run
            for server in servers
            if server.scale == scale and server.name == name
            for run in server.runs
            if run.scenario == scenario
        ),
        None,
    )


def _against_sqlite(servers: list[Server], server: Server, run: Run) -> str:
    """A PostgreSQL row's req/s over the same scenario's on SQLite, cache off, same scale."""
    if server.name not in (POSTGRES_COLD, ONE_WORKER, TWO_WORKERS):
        return ""
    sqlite = _find(servers, server.scale, SQLITE_COLD, run.scenario)
    return _ratio(run.requests_per_s, sqlite.requests_per_s if sqlite else None)


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "met" if ok else "**missed**"


def _two_worker_bound(servers: list[Server], scale: str) -> str:
    """Two workers can serve at most 2 CPUs over the CPU a request costs in all: the worker's
    (w), PostgreSQL's (p) and wrk's (k), which share the same two CPUs here."""
    one = _find(servers, scale, ONE_WORKER, "term summary, cold")
    if one is None or not one.cpu_us:
        return "—"
    w, p, k = one.cpu_us["server"], one.cpu_us["postgres"], one.cpu_us["wrk"]
    bound = (
        f"w {w:,.0f} µs, p {p:,.0f} µs, k {k:,.0f} µs per request: "
        f"at most {2 * w / (w + p + k):.2f}x"
    )
    two = _find(servers, scale, TWO_WORKERS, "term summary, cold")
    if two is None or not two.cpu_us:
        return bound
    # The bound holds these costs fixed; what a request cost with two workers shows if they grew.
    w2, p2, k2 = two.cpu_us["server"], two.cpu_us["postgres"], two.cpu_us["wrk"]
    return (
        f"{bound}; with two workers a request cost w {w2:,.0f} µs, p {p2:,.0f} µs, "
        f"k {k2:,.0f} µs ({(w2 + p2 + k2) / (w + p + k):.2f}x as much)"
    )


def _ratios(
    servers: list[Server],
    scales: list[str],
    over: tuple[str, str],
    under: tuple[str, str],
    at_least: float,
    p99_under: float | None = None,
) -> tuple[list[str], list[bool]]:
    """Per scale, the rate of `over` against that of `under` (each a server and a scenario) as
    a cell, and whether it reaches `at_least` (and `over`'s p99 is under `p99_under`, if given)."""
    cells, oks = [], []
    for scale in scales:
        top, bottom = _find(servers, scale, *over), _find(servers, scale, *under)
        if top is None or bottom is None:
            cells.append("—")
            continue
        ratio = top.requests_per_s / bottom.requests_per_s
        oks.append(ratio >= at_least and (p99_under is None or top.p99_ms < p99_under))
        cell = f"{top.requests_per_s:,.0f} / {bottom.requests_per_s:,.0f} req/s = {ratio:.2f}x"
        cells.append(cell + (f", p99 {top.p99_ms:.2f} ms" if p99_under else ""))
    return cells, oks


def _row(target: str, cells: list[str], oks: list[bool]) -> str:
    return f"| {target} | " + " | ".join(cells) + f" | {_verdict(all(oks) if oks else None)} |"


def targets(servers: list[Server]) -> list[str]:
    """Issue 12's done-when rows, read from this run's figures."""
    scales = list(dict.fromkeys(s.scale for s in servers))
    lines = [
        "## Targets of issue 12 (this run)",
        "",
        "| target | " + " | ".join(scales) + " | |",
        "|---|" + "---|" * len(scales) + "---|",
    ]
    for scenario, times, p99_under in (
        ("term summary, cold", 0.5, 50.0),
        ("list of 20, cold", 2.0, None),
    ):
        cells, oks = _ratios(
            servers, scales, (SQLITE_COLD, scenario), (DATASETTE, DATASETTE_PAGE), times, p99_under
        )
        what = scenario.split(",")[0]
        p99 = f", p99 < {p99_under:g} ms" if p99_under else ""
        target = (
            f"SQLite cold {what} ({CONNECTIONS} connections) ≥ {times:g}x Datasette's 20-row "
            f"page{p99}"
        )
        lines.append(_row(target, cells, oks))
    for scenario in ("term summary, cold, 1 connection", "term summary, cold", "list of 20, cold"):
        cells, oks = _ratios(
            servers, scales, (POSTGRES_COLD, scenario), (SQLITE_COLD, scenario), 1 / 1.5
        )
        connections = "1 connection" if "1 connection" in scenario else f"{CONNECTIONS} connections"
        what = scenario.split(",")[0]
        target = f"PostgreSQL cold {what} ({connections}) ≥ SQLite's / 1.5 (≥ 0.67x)"
        lines.append(_row(target, cells, oks))
    summary = "term summary, cold"
    cells, oks = _ratios(servers, scales, (TWO_WORKERS, summary), (ONE_WORKER, summary), 1.7)
    for i, scale in enumerate(scales):
        one, two, pinned = (
            _find(servers, scale, name, summary)
            for name in (ONE_WORKER, TWO_WORKERS, POSTGRES_COLD)
        )
        if one is not None and two is not None and pinned is not None:
            cells[i] += (
                f" (against the pinned worker: {two.requests_per_s / pinned.requests_per_s:.2f}x)"
            )
    target = f"PostgreSQL, 2 workers ≥ 1.7x one (cold term summary, {CONNECTIONS} connections)"
    lines.append(_row(target, cells, oks))
    lines.append(
        "| what two CPUs allow two workers, from one worker's CPU per request: 2w / (w + p + k) "
        "| " + " | ".join(_two_worker_bound(servers, scale) for scale in scales) + " | |"
    )
    cells, oks = [], []
    for scale in scales:
        cold = [s for s in servers if s.scale == scale and s.name in (SQLITE_COLD, POSTGRES_COLD)]
        oks += [s.peak_rss_mb < 150 for s in cold]
        cells.append(
            ", ".join(
                f"{s.peak_rss_mb:.0f} MB ({'SQLite' if s.name == SQLITE_COLD else 'PostgreSQL'})"
                for s in cold
            )
            or "—"
        )
    lines.append(_row("peak RSS, cache off, one worker < 150 MB", cells, oks))
    return [*lines, ""]


def report(servers: list[Server], versions: dict[str, str], command: str, seconds: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- Machine: {_machine()}.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        f"- Method: each server alone, one process pinned to CPU 0; wrk (1 thread) pinned to "
        f"CPU 1; PostgreSQL's own processes (the local server, a database of the bench's own "
        "loaded with the same seed files as the SQLite file) not pinned, so they compete with "
        "the server and wrk for both CPUs. The two-worker rows and the one-worker row beside "
        "them run `congress-api serve` (WORKERS=2, WORKERS=1) not pinned, wrk still on CPU 1, so "
        "the pair is measured alike; during them the CPU time of the server's processes, of "
        "PostgreSQL's and of wrk is read from /proc, per request. "
        f"{seconds:g} s per measurement after a 1 s warm-up, {REPEAT} tries, the best "
        "kept (the other tries' req/s in parentheses; p50, p99 and load are the best try's); "
        "errors summed over the tries; loopback; access logs off. "
        "The 1-minute load average before each measurement is in the last column: the two "
        "CPUs are shared with other work, so figures taken under load are noisy.",
        "- Ratios: requests/s divided by the ceiling's (same scale), by Datasette's 20-row "
        "page (same scale) and, for PostgreSQL, by SQLite's cache-off row of the same scenario "
        "(same scale). Peak RSS of several workers is the sum over the server's processes.",
        "",
    ]
    scales = list(dict.fromkeys(s.scale for s in servers))
    for scale in scales:
        here = [s for s in servers if s.scale == scale]
        ceiling = next(
            (r.requests_per_s for s in here if s.name == "ceiling" for r in s.runs), None
        )
        datasette = next(
            (r.requests_per_s for s in here if s.name == DATASETTE for r in s.runs), None
        )
        lines += [
            f"## {scale}",
            "",
            "| server | scenario | conns | req/s | p50 ms | p99 ms | errors | x ceiling "
            "| x Datasette | x SQLite | body bytes | load |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for server in here:
            for run in server.runs:
                lines.append(
                    f"| {server.name} | {run.scenario} | {run.connections} "
                    f"| {run.requests_per_s:,.0f}{_others(run)} | {run.p50_ms:.2f} "
                    f"| {run.p99_ms:.2f} "
                    f"| {run.errors} | {_ratio(run.requests_per_s, ceiling)} "
                    f"| {_ratio(run.requests_per_s, datasette)} "
                    f"| {_against_sqlite(servers, server, run)} | {run.body_bytes:,} "
                    f"| {run.load_before:.2f} |"
                )
        lines += [
            "",
            "| server | cold start (spawn to first 200) | peak RSS |",
            "|---|---:|---:|",
        ]
        lines += [f"| {s.name} | {s.cold_start_s:.2f} s | {s.peak_rss_mb:.0f} MB |" for s in here]
        lines.append("")
    lines += targets(servers)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=8, help="seconds per measurement")
    parser.add_argument(
        "--scale", type=int, default=100_000, help="synthetic records for the second run; 0: skip"
    )
    parser.add_argument("--repeat", type=int, default=2, help="tries per measurement; best kept")
    parser.add_argument(
        "--only",
        default=",".join(SUITES),
        help=f"comma-separated suites to run, of {', '.join(SUITES)} (default: all)",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="PostgreSQL database for the seed scale (`_<records>` is appended for the other); "
        "'' skips the PostgreSQL suites",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="rebuild the PostgreSQL databases even if loaded"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the report (default: bench/RESULTS.md; with --only, "
        "data/bench/RESULTS-only.md)",
    )
    args = parser.parse_args()
    suites = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = suites - set(SUITES)
    if unknown:
        parser.error(
            f"unknown suites {', '.join(sorted(unknown))}; choose from {', '.join(SUITES)}"
        )
    if not args.postgres_url:
        suites -= {"postgresql", "workers"}
    partial = suites != set(SUITES)
    out = args.out or (WORK / "RESULTS-only.md" if partial else RESULTS)
    global REPEAT
    REPEAT = max(1, args.repeat)
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is missing; install it with `apt-get install -y wrk`")
    WORK.mkdir(parents=True, exist_ok=True)
    for log in ("wrk.log", "server.log"):
        (WORK / log).unlink(missing_ok=True)
    python = datasette_python() if "datasette" in suites else None
    uses_postgres = bool(suites & {"postgresql", "workers"})
    seed_url = (
        prepare_postgres(args.postgres_url, [SEED_DIR], fresh=args.fresh) if uses_postgres else None
    )
    servers = scale_suite(
        "Seed dataset",
        prepare_database(WORK / "seed.db", [SEED_DIR]),
        seed_url,
        python,
        args.duration,
        suites,
    )
    if args.scale:
        synthetic = synthetic_seed(args.scale)
        if synthetic is None:
            print("bench: bench/generate.py is missing; skipping the synthetic scale", flush=True)
        else:
            database = prepare_database(WORK / f"congress-{args.scale}.db", [SEED_DIR, synthetic])
            scale_url = None
            if "postgresql" in suites:
                scale_url = prepare_postgres(
                    postgres_url(args.postgres_url, args.scale),
                    [SEED_DIR, synthetic],
                    fresh=args.fresh,
                )
            # Two workers are measured at seed scale only.
            servers += scale_suite(
                f"Seed plus {args.scale:,} synthetic records",
                database,
                scale_url,
                python,
                args.duration,
                suites - {"workers"},
            )
    command = (
        "make bench"
        if os.environ.get("MAKELEVEL")
        else " ".join([".venv/bin/python -m bench.load", *sys.argv[1:]])
    )
    text = report(servers, _versions(python, seed_url), command, args.duration)
    (WORK / "results.json").write_text(
        json.dumps([s.__dict__ | {"runs": [r.__dict__ for r in s.runs]} for s in servers], indent=1)
    )
    existing = out.read_text() if out.exists() else ""
    if partial and out == RESULTS:
        print("bench: note: a partial run replaces the tables of bench/RESULTS.md", flush=True)
    marker = "\n## Analysis"
    analysis = existing[existing.index(marker) :] if marker in existing else ""
    out.write_text(text + analysis)
    print(f"bench: wrote {out}")


if __name__ == "__main__":
    main()
