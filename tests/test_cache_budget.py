"""The response cache keeps its byte budget in real memory: under a load of unique URLs with
long query strings, a worker's RSS grows by at most twice RESPONSE_CACHE_MB. The URLs are a
card's: cards ignore parameters they do not know (portals add their own), while the API answers
an unknown one with a 400 that is not cached."""

import os
from pathlib import Path

import httpx

from tests.test_caching import committed_database
from tests.test_concurrency import serving
from tests.test_supervision import _children

BUDGET_MB = 8
JUNK = 8000  # bytes of query string per request (MAX_QUERY_BYTES raised to let them in)
CARD = "/embed/terms/bac-giang-2025-2030"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _load(client: httpx.Client, start: int, count: int) -> None:
    for n in range(start, start + count):
        junk = f"{n:08d}" + "x" * (JUNK - 8)
        response = client.get(CARD, params={"utm_content": junk})
        assert response.status_code == 200


def test_rss_stays_within_twice_the_budget_under_unique_urls(tmp_path: Path) -> None:
    env = {"RESPONSE_CACHE_MB": str(BUDGET_MB), "MAX_QUERY_BYTES": str(JUNK + 1000)}
    with committed_database(tmp_path) as database, serving(database, **env) as base:
        (worker,) = _children(os.getpid())
        headers = {"Accept-Encoding": "gzip"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            _load(client, 0, 10)  # code paths and pools warmed; the cache holds a few entries
            before = _rss_mb(worker)
            # Some five budgets of entries pass through the cache.
            _load(client, 10, 800)
            after = _rss_mb(worker)
    assert after - before <= 2 * BUDGET_MB, f"RSS grew {after - before:.0f} MB"
