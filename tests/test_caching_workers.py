"""Two server processes on one database: a seed run is served by both at once."""

from pathlib import Path

import httpx

from tests.test_caching import SUMMARY, committed_database, seed
from tests.test_concurrency import serving


def test_a_seed_run_is_served_at_once_by_two_worker_processes(tmp_path: Path) -> None:
    with (
        committed_database(tmp_path) as url,
        serving(url) as first,
        serving(url) as second,
        # One Host for both, as behind one address: links and ETags depend on it.
        httpx.Client(headers={"Host": "data.example.vn"}) as client,
    ):
        before = {}
        for base in (first, second):
            # The second request of each pair is a warm hit from the worker's cache.
            for _ in range(2):
                response = client.get(base + SUMMARY)
                assert response.status_code == 200
                assert response.json()["label"] == "Nhiệm kỳ 2025 - 2030"
            before[base] = response.headers["etag"]
        assert before[first] == before[second]

        seed(url, {"label": "Nhiệm kỳ 2025 - 2030 (đã sửa)"})

        for base in (first, second):
            response = client.get(base + SUMMARY)
            assert response.json()["label"] == "Nhiệm kỳ 2025 - 2030 (đã sửa)"
            assert response.headers["etag"] != before[base]
            revalidated = client.get(base + SUMMARY, headers={"If-None-Match": before[base]})
            assert revalidated.status_code == 200
        again = [client.get(base + SUMMARY).headers["etag"] for base in (first, second)]
        assert again[0] == again[1]
