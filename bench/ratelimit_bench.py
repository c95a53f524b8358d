"""The cost of rate limiting on warm throughput: the term summary, answered from the response
cache, on one uvicorn worker pinned to CPU 0 and wrk on CPU 1 (bench/load.py's harness), with
RATE_LIMIT off, on with memory storage, and on with Redis at 127.0.0.1:6379. The budget is set
far above what wrk sends, so every request is counted and none is refused. Target: at most 10%
fewer requests per second with memory storage. Writes the "Rate limiting" section of
bench/RESULTS.md.

    .venv/bin/python -m bench.ratelimit_bench [--seconds 10] [--repeat 3]
"""

import argparse
import os
import statistics
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.load import (
    CONNECTIONS,
    PORT,
    RESULTS,
    SEED_DIR,
    SUMMARY,
    WORK,
    Process,
    _uvicorn,
    prepare_database,
    wrk,
)

SECTION = "## Rate limiting"
BUDGET = "1000000000/hour"
REDIS = "redis://127.0.0.1:6379"
TARGET = 0.10


Result = tuple[float, float, float, int, float]  # req/s, p50, p99, errors, CPU µs per request


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(env: dict[str, str], seconds: float) -> Result:
    """wrk's figures, and the server's own CPU time per request: on a shared machine the
    requests per second swing with the neighbours' load, the CPU a request costs much less."""
    server = Process(_uvicorn("app.main:app"), env, SUMMARY)
    try:
        url = f"http://127.0.0.1:{PORT}{SUMMARY}"
        wrk(url, seconds=2, connections=CONNECTIONS)  # warm-up: the cache is filled
        before = _cpu_seconds(server.process.pid)
        rps, p50, p99, errors = wrk(url, seconds=seconds, connections=CONNECTIONS)
        cpu = _cpu_seconds(server.process.pid) - before
        return rps, p50, p99, errors, cpu / (rps * seconds) * 1e6
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    database = prepare_database(WORK / "ratelimit.db", [SEED_DIR])
    base = {"DATABASE_URL": f"sqlite:///{database}"}
    configurations = {
        "off": {},
        "memory://": {"RATE_LIMIT": BUDGET, "RATE_LIMIT_STORAGE": "memory://"},
        "redis": {"RATE_LIMIT": BUDGET, "RATE_LIMIT_STORAGE": REDIS},
    }
    results: dict[str, list[Result]] = {k: [] for k in configurations}
    for _ in range(args.repeat):  # interleaved, so drift on the shared machine hits all alike
        for name, env in configurations.items():
            prefix = {"RATE_LIMIT_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}
            results[name].append(measure({**base, **env, **prefix}, args.seconds))
    off = statistics.median(r[0] for r in results["off"])
    off_cpu = statistics.median(r[4] for r in results["off"])
    lines = [
        SECTION,
        "",
        f"Measured by `.venv/bin/python -m bench.ratelimit_bench --seconds {args.seconds:g} "
        f"--repeat {args.repeat}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: warm "
        f"`GET {SUMMARY}` (a response-cache hit), one worker on CPU 0, wrk -c{CONNECTIONS} on "
        f"CPU 1, {args.repeat} interleaved runs of each, median; the budget ({BUDGET}) is never "
        "spent, so every request is counted. CPU per request is the server process's user+system "
        "time over the requests wrk completed. Target: at most 10% below `off` with memory "
        "storage.",
        "",
        "| RATE_LIMIT | req/s (median) | runs | p50 ms | p99 ms | errors | vs off | "
        "CPU µs/request | CPU vs off |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, runs in results.items():
        rps = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs)
        p99 = statistics.median(r[2] for r in runs)
        errors = sum(r[3] for r in runs)
        cpu = statistics.median(r[4] for r in runs)
        every = ", ".join(f"{r[0]:,.0f}" for r in runs)
        lines.append(
            f"| {name} | {rps:,.0f} | {every} | {p50:.2f} | {p99:.2f} | {errors} | "
            f"{(rps / off - 1) * 100:+.1f}% | {cpu:.0f} | {(cpu / off_cpu - 1) * 100:+.1f}% |"
        )
    memory = statistics.median(r[0] for r in results["memory://"])
    memory_cpu = statistics.median(r[4] for r in results["memory://"])
    met = "met" if memory_cpu <= off_cpu * (1 + TARGET) else "missed"
    lines += [
        "",
        f"Memory storage: {(memory / off - 1) * 100:+.1f}% requests per second, "
        f"{(memory_cpu / off_cpu - 1) * 100:+.1f}% CPU per request; by CPU per request the "
        f"10% target is {met}.",
        "",
    ]
    write_section("\n".join(lines))
    print("\n".join(lines))


def write_section(section: str) -> None:
    """Replaces this section of bench/RESULTS.md (up to the next `## `), or appends it."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    if SECTION in text:
        before, _, after = text.partition(SECTION)
        rest = after[after.find("\n## ") :] if "\n## " in after else ""
        text = before.rstrip("\n") + "\n\n" + section + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
