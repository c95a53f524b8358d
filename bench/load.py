"""Load benchmark: the project against the ceiling and Datasette, at seed scale and at 100,000.

    .venv/bin/python -m bench.load            # or: make bench
    .venv/bin/python -m bench.load --duration 5 --scale 0   # quicker, seed scale only

Each server runs alone, in turn, on loopback, as one process pinned to CPU 0 with `taskset`
(where it exists); wrk runs pinned to CPU 1 with one thread. Servers:

- the project (`uvicorn app.main:app`, one worker, access log off), with the response cache on
  and then off (RESPONSE_CACHE=false);
- the ceiling (`bench/ceiling.py`): bare Starlette returning the bytes of the project's term
  summary;
- Datasette serving the same SQLite file, installed into its own virtualenv under data/bench/
  (never into the project's dependencies), run by uvicorn with the access log off as well.

Writes bench/RESULTS.md. Needs wrk (`apt-get install -y wrk`); everything else it installs or
builds itself under data/bench/. The 100,000-record dataset comes from bench/generate.py.
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
CONNECTIONS = 32
MANY_CONNECTIONS = 128
REPEAT = 2

SUMMARY = "/api/v1/terms/bac-giang-2025-2030"
LIST = "/api/v1/statistics?limit=20"
LIST_OF_TERM = "/api/v1/statistics?term=bac-giang-2020-2025&limit=20"
CSV_LIST = "/api/v1/statistics?limit=20&format=csv"


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


class Process:
    """A server started pinned to CPU 0; `cold_start` is from spawn to the first 200."""

    def __init__(self, command: list[str], env: dict[str, str], ready_path: str) -> None:
        self.log = open(WORK / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        started = time.perf_counter()
        self.process = subprocess.Popen(
            _pinned(0, command),
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
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) / 1024 if match else 0.0

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
) -> Run:
    url = f"http://127.0.0.1:{PORT}{path}"
    status, _headers, body = _get(url, headers)
    if status not in (200, 304):
        raise RuntimeError(f"{url} answered {status}")
    tries = []
    for _ in range(REPEAT):
        load = os.getloadavg()[0]
        tries.append((wrk(url, seconds=seconds, connections=connections, headers=headers), load))
    # The best of the tries: interference from other work on the machine only ever slows a run.
    (rps, p50, p99, errors), load = max(tries, key=lambda t: t[0][0])
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
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def project_suite(
    scale: str, database: Path, seconds: float, cache: bool
) -> tuple[Server, bytes | None]:
    env = {"DATABASE_URL": f"sqlite:///{database}", "RESPONSE_CACHE": "true" if cache else "false"}
    name = "project" if cache else "project, cache off"
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
    server = Server(scale, "Datasette", process.cold_start)
    try:
        wrk(f"http://127.0.0.1:{PORT}{path}", seconds=1, connections=CONNECTIONS)
        _measure(server, "20-row page, JSON", path, seconds=seconds)
        server.peak_rss_mb = process.peak_rss_mb()
    finally:
        process.stop()
    return server


def scale_suite(scale: str, database: Path, python: Path, seconds: float) -> list[Server]:
    print(f"{scale}: {database}", flush=True)
    project, summary = project_suite(scale, database, seconds, cache=True)
    cold, _ = project_suite(scale, database, seconds, cache=False)
    assert summary is not None
    ceiling = ceiling_suite(scale, summary, seconds)
    datasette = datasette_suite(scale, database, python, seconds)
    return [project, cold, ceiling, datasette]


# --- the report -------------------------------------------------------------------------------


def _versions(python: Path) -> dict[str, str]:
    found = {"python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    for package in ("fastapi", "starlette", "uvicorn", "pydantic", "sqlalchemy", "sqlmodel"):
        found[package] = metadata.version(package)
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


def report(servers: list[Server], versions: dict[str, str], command: str, seconds: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- Machine: {_machine()}.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        f"- Method: each server alone, one process pinned to CPU 0; wrk (1 thread) pinned to "
        f"CPU 1; {seconds:g} s per measurement after a 1 s warm-up, {REPEAT} tries, the best "
        "kept (the other tries' req/s in parentheses; p50, p99 and load are the best try's); "
        "errors summed over the tries; loopback; access logs off. "
        "The 1-minute load average before each measurement is in the last column: the two "
        "CPUs are shared with other work, so figures taken under load are noisy.",
        "- Ratios: requests/s divided by the ceiling's (same scale) and by Datasette's 20-row "
        "page (same scale).",
        "",
    ]
    scales = list(dict.fromkeys(s.scale for s in servers))
    for scale in scales:
        here = [s for s in servers if s.scale == scale]
        ceiling = next(
            (r.requests_per_s for s in here if s.name == "ceiling" for r in s.runs), None
        )
        datasette = next(
            (r.requests_per_s for s in here if s.name == "Datasette" for r in s.runs), None
        )
        lines += [
            f"## {scale}",
            "",
            "| server | scenario | conns | req/s | p50 ms | p99 ms | errors | x ceiling "
            "| x Datasette | body bytes | load |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for server in here:
            for run in server.runs:
                lines.append(
                    f"| {server.name} | {run.scenario} | {run.connections} "
                    f"| {run.requests_per_s:,.0f}{_others(run)} | {run.p50_ms:.2f} "
                    f"| {run.p99_ms:.2f} "
                    f"| {run.errors} | {_ratio(run.requests_per_s, ceiling)} "
                    f"| {_ratio(run.requests_per_s, datasette)} | {run.body_bytes:,} "
                    f"| {run.load_before:.2f} |"
                )
        lines += [
            "",
            "| server | cold start (spawn to first 200) | peak RSS |",
            "|---|---:|---:|",
        ]
        lines += [f"| {s.name} | {s.cold_start_s:.2f} s | {s.peak_rss_mb:.0f} MB |" for s in here]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=8, help="seconds per measurement")
    parser.add_argument(
        "--scale", type=int, default=100_000, help="synthetic records for the second run; 0: skip"
    )
    parser.add_argument("--repeat", type=int, default=2, help="tries per measurement; best kept")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the report")
    args = parser.parse_args()
    global REPEAT
    REPEAT = max(1, args.repeat)
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is missing; install it with `apt-get install -y wrk`")
    WORK.mkdir(parents=True, exist_ok=True)
    for log in ("wrk.log", "server.log"):
        (WORK / log).unlink(missing_ok=True)
    python = datasette_python()
    servers = scale_suite(
        "Seed dataset", prepare_database(WORK / "seed.db", [SEED_DIR]), python, args.duration
    )
    if args.scale:
        synthetic = synthetic_seed(args.scale)
        if synthetic is None:
            print("bench: bench/generate.py is missing; skipping the synthetic scale", flush=True)
        else:
            database = prepare_database(WORK / f"congress-{args.scale}.db", [SEED_DIR, synthetic])
            servers += scale_suite(
                f"Seed plus {args.scale:,} synthetic records", database, python, args.duration
            )
    command = (
        "make bench"
        if os.environ.get("MAKELEVEL")
        else " ".join([".venv/bin/python -m bench.load", *sys.argv[1:]])
    )
    text = report(servers, _versions(python), command, args.duration)
    (WORK / "results.json").write_text(
        json.dumps([s.__dict__ | {"runs": [r.__dict__ for r in s.runs]} for s in servers], indent=1)
    )
    existing = args.out.read_text() if args.out.exists() else ""
    marker = "\n## Analysis"
    analysis = existing[existing.index(marker) :] if marker in existing else ""
    args.out.write_text(text + analysis)
    print(f"bench: wrote {args.out}")


if __name__ == "__main__":
    main()
