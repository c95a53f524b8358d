"""Prometheus metrics (METRICS=true): requests by route template and status, latency, the
response cache, the dataset revision and the database pool.

Imported only when metrics are on. Under `congress-api serve` every worker writes its values
to files in PROMETHEUS_MULTIPROC_DIR (the official client's multiprocess mode) and a scrape of
any worker adds them all up, so WORKERS>1 reports the whole server.
"""

import atexit
import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.pool import Pool

from app.config import get_settings

REQUESTS = Counter(
    "congress_http_requests_total",
    "Requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "congress_http_request_duration_seconds",
    "Seconds from request to the end of the response, by route template.",
    ["route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CACHE_HITS = Counter("congress_response_cache_hits_total", "Reads answered from the cache.")
CACHE_MISSES = Counter("congress_response_cache_misses_total", "Cacheable reads rendered.")
CACHE_EVICTIONS = Counter(
    "congress_response_cache_evictions_total", "Entries dropped to keep the byte budget."
)
CACHE_BYTES = Gauge(
    "congress_response_cache_bytes",
    "Bytes the response caches hold, counted as they count them.",
    multiprocess_mode="livesum",
)
REVISION = Gauge(
    "congress_dataset_revision", "Dataset revision last read.", multiprocess_mode="max"
)
POOL_IN_USE = Gauge(
    "congress_db_pool_connections_in_use",
    "Database connections checked out of the pools.",
    multiprocess_mode="livesum",
)
WORKER_STARTED = Gauge(
    "congress_worker_start_time_seconds",
    "When each worker process started (one series per live worker: its pid).",
    multiprocess_mode="liveall",
)


class RequestMetrics:
    """What the access layer counts; created once per application."""

    def __init__(self) -> None:
        WORKER_STARTED.set(time.time())
        directory = get_settings().prometheus_multiproc_dir
        if directory is not None:
            pid = os.getpid()
            atexit.register(multiprocess.mark_process_dead, pid, str(directory))
        event.listen(Pool, "checkout", _checked_out)
        event.listen(Pool, "checkin", _checked_in)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        REQUESTS.labels(method, route, str(status)).inc()
        DURATION.labels(route).observe(seconds)


class CacheMetrics:
    """What the response cache reports (app.caching calls these)."""

    def __init__(self) -> None:
        self._revision: int | None = None

    def hit(self) -> None:
        CACHE_HITS.inc()

    def miss(self) -> None:
        CACHE_MISSES.inc()

    def evicted(self, count: int) -> None:
        CACHE_EVICTIONS.inc(count)

    def size(self, size: int) -> None:
        CACHE_BYTES.set(size)

    def revision(self, revision: int) -> None:
        if revision != self._revision:
            self._revision = revision
            REVISION.set(revision)


def _checked_out(*_args: object) -> None:
    POOL_IN_USE.inc()


def _checked_in(*_args: object) -> None:
    POOL_IN_USE.dec()


def exposition() -> tuple[bytes, str]:
    """The Prometheus text format of every worker's metrics (or this process's alone)."""
    directory = get_settings().prometheus_multiproc_dir
    if directory is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST
