"""/metrics (METRICS=true) in Prometheus text format, added up across the workers of
`congress-api serve` (the official client's multiprocess mode); off by default."""

import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.test_caching import committed_database
from tests.test_concurrency import _free_port, serving_process

SERVE = ["-c", "from app.cli import main; main()", "serve"]
TASK = "/api/v1/tasks/bac-giang-2025-2030-task-1"


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_are_off_by_default(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_a_scrape_of_either_worker_counts_the_requests_of_both(tmp_path: Path) -> None:
    requests = 60
    with committed_database(tmp_path) as database:
        port = _free_port()
        env = {"PORT": str(port), "WORKERS": "2", "METRICS": "true", "LOG_LEVEL": "warning"}
        with serving_process(SERVE, port, database, env=env) as base:
            for _ in range(requests):
                # A new connection each time, so both workers take some.
                assert httpx.get(base + TASK, headers={"Connection": "close"}).is_success
            scrapes = [
                httpx.get(f"{base}/metrics", headers={"Connection": "close"}) for _ in range(6)
            ]
    for scrape in scrapes:
        assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
        samples = _samples(scrape.text)
        served = [
            value
            for labels, value in samples["congress_http_requests_total"]
            if labels == {"method": "GET", "route": "/api/v1/tasks/{item_id}", "status": "200"}
        ]
        assert served == [requests]
        workers = {labels["pid"] for labels, _ in samples["congress_worker_start_time_seconds"]}
        assert len(workers) == 2
        hits = samples["congress_response_cache_hits_total"][0][1]
        misses = samples["congress_response_cache_misses_total"][0][1]
        assert hits + misses == requests and 1 <= misses <= 2  # one render per worker
        assert samples["congress_dataset_revision"][0][1] >= 1
        buckets = samples["congress_http_request_duration_seconds_count"]
        assert any(labels["route"] == "/api/v1/tasks/{item_id}" for labels, _ in buckets)
        assert re.search(r"^congress_db_pool_connections_in_use ", scrape.text, re.MULTILINE)
