"""What the access log costs: one worker with it on and off, in the same run, alternating.

    .venv/bin/python -m bench.access_log_bench [--duration 5] [--repeat 2]

Each configuration is `congress-api serve` (one worker, pinned to CPU 0; wrk on CPU 1, one
thread, 32 connections) with its standard output to a file, as under a process manager:

- off: ACCESS_LOG=false;
- on: ACCESS_LOG=true, LOG_FORMAT=json (the default when stdout is not a terminal);
- uvicorn's own access log, for reference: `uvicorn app.main:app --access-log` with ours off
  (what the server logged before issue 14).

Scenarios: the warm term summary (a cache hit) and the same with If-None-Match (a 304). Writes
the "Access log" section of bench/RESULTS.md. Needs wrk (`apt-get install -y wrk`).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.load import (
    PORT,
    RESULTS,
    SEED_DIR,
    SUMMARY,
    WORK,
    Process,
    _get,
    _machine,
    _pinned,
    prepare_database,
    wrk,
)

CONNECTIONS = 32
SECTION = "## Access log"
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User and system time of the server process, all its threads (the log writer's too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _configurations(database_url: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    serve = [sys.executable, "-c", "from app.cli import main; main()", "serve"]
    base = {"DATABASE_URL": database_url, "PORT": str(PORT), "LOG_LEVEL": "info"}
    uvicorn = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(PORT)]
    return {
        "access log off": (serve, {**base, "ACCESS_LOG": "false"}),
        "access log on (JSON)": (serve, {**base, "ACCESS_LOG": "true", "LOG_FORMAT": "json"}),
        "uvicorn's access log (before)": (
            [*uvicorn, "--access-log"],
            {**base, "ACCESS_LOG": "false"},
        ),
    }


def _in_process(database_url: str, access_log: bool) -> float:
    """CPU µs per warm hit with no network: the application called directly, its logging set
    up as `congress-api serve` sets it (standard output to /dev/null), the best of 7 rounds of
    5,000. What is left between the two configurations is the access log's own cost."""
    os.environ.update(DATABASE_URL=database_url, ACCESS_LOG=str(access_log).lower())
    import asyncio
    import logging.config

    from app.logs import log_config

    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of this process
    logging.config.dictConfig(log_config("json", "info"))
    from app.main import create_app

    app = create_app()
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": SUMMARY,
        "raw_path": SUMMARY.encode(),
        "root_path": "",
        "scheme": "http",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", PORT),
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: object) -> None:
        return None

    async def rounds() -> float:
        for _ in range(500):
            await app({**scope, "state": {}}, receive, send)
        best = float("inf")
        for _ in range(7):
            started = time.process_time()
            for _ in range(5000):
                await app({**scope, "state": {}}, receive, send)
            await asyncio.sleep(0.25)  # the log writer drains this round's records
            best = min(best, (time.process_time() - started) / 5000 * 1e6)
        return best

    return asyncio.run(rounds())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--in-process", choices=["on", "off"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    database = prepare_database(WORK / "seed.db", [SEED_DIR])
    if args.in_process:
        us = _in_process(f"sqlite:///{database}", args.in_process == "on")
        sys.stderr.write(f"{us:.2f}\n")
        return
    in_process: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(3):
        for mode in ("off", "on"):
            result = subprocess.run(
                _pinned(0, [sys.executable, "-m", "bench.access_log_bench", "--in-process", mode]),
                capture_output=True,
                text=True,
                check=True,
            )
            in_process[mode].append(float(result.stderr.strip().splitlines()[-1]))
    configurations = _configurations(f"sqlite:///{database}")
    url = f"http://127.0.0.1:{PORT}{SUMMARY}"
    rates: dict[tuple[str, str], list[float]] = {}
    cpu_us: dict[tuple[str, str], list[float]] = {}
    started = datetime.now(UTC)
    for _ in range(args.repeat):
        for name, (command, env) in configurations.items():
            server = Process(command, env, "/healthz")
            try:
                _status, headers, _body = _get(url)
                etag = headers["etag"]
                wrk(url, seconds=1, connections=CONNECTIONS)  # warm
                for scenario, extra in (
                    ("warm summary 200", {}),
                    ("304 (If-None-Match)", {"If-None-Match": etag}),
                ):
                    cpu = _cpu_seconds(server.process.pid)
                    rps, *_ = wrk(
                        url, seconds=args.duration, connections=CONNECTIONS, headers=extra
                    )
                    used = _cpu_seconds(server.process.pid) - cpu
                    rates.setdefault((name, scenario), []).append(rps)
                    cpu_us.setdefault((name, scenario), []).append(
                        used / (rps * args.duration) * 1e6
                    )
            finally:
                server.stop()
    lines = [
        SECTION,
        "",
        f"Measured by `.venv/bin/python -m bench.access_log_bench --duration {args.duration:g} "
        f"--repeat {args.repeat}` on {started:%Y-%m-%d %H:%M} UTC ({_machine()}): one worker "
        "pinned to CPU 0, wrk on CPU 1 (1 thread, 32 connections), standard output to a file; "
        "the configurations alternate, and each figure is the median of the runs "
        "(all runs in brackets). CPU per request is the server process's user and system time "
        "(every thread, the log writer's included) over the requests wrk completed: on a shared "
        "machine, where req/s follows the neighbours' load, it is the steadier measure of what "
        "the log costs, and a dedicated core's throughput is its inverse.",
        "",
        "| configuration | scenario | req/s | CPU µs per request | cost vs off (CPU) |",
        "|---|---|---:|---:|---:|",
    ]
    for (name, scenario), values in rates.items():
        cpu = statistics.median(cpu_us[(name, scenario)])
        off = statistics.median(cpu_us[("access log off", scenario)])
        runs = ", ".join(f"{v:,.0f}" for v in values)
        cpus = ", ".join(f"{v:.0f}" for v in cpu_us[(name, scenario)])
        cost = "" if name == "access log off" else f"{(cpu - off) / off:+.1%}"
        lines.append(
            f"| {name} | {scenario} | {statistics.median(values):,.0f} ({runs}) | "
            f"{cpu:.0f} ({cpus}) | {cost} |"
        )
    off, on = (statistics.median(in_process[m]) for m in ("off", "on"))
    lines += [
        "",
        "The access log's own cost, without the network: the application called in-process "
        "on the warm summary, logging set up as under `serve`, CPU µs per request (best of 7 "
        "rounds of 5,000 in each of 3 processes per configuration, alternating; median of the "
        f"3): off {off:.1f} ({', '.join(f'{v:.1f}' for v in in_process['off'])}), "
        f"on {on:.1f} ({', '.join(f'{v:.1f}' for v in in_process['on'])}): "
        f"{on - off:.1f} µs per request, to be set against the whole request's CPU above.",
    ]
    section = "\n".join(lines) + "\n"
    text = RESULTS.read_text()
    if SECTION in text:
        before, _, rest = text.partition(SECTION)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)
    print(section)


if __name__ == "__main__":
    main()
