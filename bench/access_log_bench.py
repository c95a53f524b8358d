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
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    database = prepare_database(WORK / "seed.db", [SEED_DIR])
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
