"""Peak RSS against req/s of the cache-off server under variants of its environment, in one run.

    .venv/bin/python -m bench.memory_ab --database-url sqlite:///data/bench/seed.db \\
        --variant 'threads 40=THREADS=40' --variant 'threads 8=THREADS=8' \\
        --variant 'threads 8, arena 2=THREADS=8 MALLOC_ARENA_MAX=2'

Each variant (`label=NAME=VALUE NAME=VALUE ...`) starts `uvicorn app.main:app` (one worker,
RESPONSE_CACHE=false, pinned to CPU 0) on the database, takes its RSS after the first term
summary, runs wrk (pinned to CPU 1) on the cold term summary at 1, 32 and 128 connections and
the list of 20 at 32, then reads the peak RSS (VmHWM). The variants alternate for `--rounds`
rounds, so the neighbours' load falls on all of them alike. Prints one line per variant and
round; writes nothing.
"""

import argparse
import os
import sys

from bench.load import LIST, PORT, SUMMARY, Process, _peak_rss_kb, _uvicorn, wrk


def _current_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--variant", action="append", required=True, help="label=NAME=VALUE ...")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=4)
    args = parser.parse_args()
    variants: dict[str, dict[str, str]] = {}
    for variant in args.variant:
        label, _, assignments = variant.partition("=")
        variants[label] = dict(a.split("=", 1) for a in assignments.split())
    base = f"http://127.0.0.1:{PORT}"
    for round_ in range(args.rounds):
        for label, env in variants.items():
            process = Process(
                _uvicorn("app.main:app"),
                {"DATABASE_URL": args.database_url, "RESPONSE_CACHE": "false", **env},
                SUMMARY,
            )
            try:
                start = _current_rss_mb(process.process.pid)
                load = os.getloadavg()[0]
                rates = [
                    wrk(base + path, seconds=args.duration, connections=connections)[0]
                    for path, connections in (
                        (SUMMARY, 1),
                        (SUMMARY, 32),
                        (LIST, 32),
                        (SUMMARY, 128),
                    )
                ]
                peak = _peak_rss_kb(process.process.pid) / 1024
            finally:
                process.stop()
            print(
                f"round {round_} {label:<28} start {start:5.0f} MB peak {peak:5.0f} MB | summary "
                f"c1 {rates[0]:5.0f} c32 {rates[1]:5.0f} c128 {rates[3]:5.0f} | list c32 "
                f"{rates[2]:5.0f} req/s | load {load:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    if sys.platform != "linux":
        sys.exit("bench.memory_ab reads /proc: Linux only")
    main()
