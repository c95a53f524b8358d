"""Structured logs: `congress-api serve` writes JSON lines (not on a terminal), one access
record per request with its id, method, route template, status and duration."""

import json
import logging
from pathlib import Path

import httpx

from app.logs import JsonFormatter, TextFormatter
from tests.test_caching import committed_database
from tests.test_concurrency import _free_port, serving_process

SERVE = ["-c", "from app.cli import main; main()", "serve"]


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.__dict__.update(extra)
    return record


def test_a_json_line_has_time_level_and_the_request_fields() -> None:
    line = json.loads(JsonFormatter().format(_record(request_id="r-1", status=200, path="/x")))
    assert line["level"] == "info" and line["message"] == "GET /x" and line["time"].endswith("Z")
    assert (line["request_id"], line["status"], line["path"]) == ("r-1", 200, "/x")


def test_a_text_line_ends_with_the_request_id() -> None:
    assert TextFormatter().format(_record(request_id="r-2")).endswith("GET /x [r-2]")


def test_the_server_writes_one_json_access_record_per_request(tmp_path: Path) -> None:
    output = tmp_path / "server.log"
    with committed_database(tmp_path) as database, output.open("w") as sink:
        port = _free_port()
        env = {"PORT": str(port), "LOG_FORMAT": "json"}
        with serving_process(SERVE, port, database, output=sink, env=env) as base:
            ids = [f"log-test-{n}" for n in range(5)]
            for request_id in ids:
                response = httpx.get(
                    f"{base}/api/v1/tasks/bac-giang-2025-2030-task-1?lang=en",
                    headers={"X-Request-ID": request_id},
                )
                assert response.status_code == 200
            assert httpx.get(f"{base}/nowhere", headers={"X-Request-ID": "log-404"}).is_error
    lines = [json.loads(line) for line in output.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "app.access"]
    for request_id in ids:
        (record,) = [line for line in access if line.get("request_id") == request_id]
        assert record["method"] == "GET" and record["status"] == 200
        assert record["path"] == "/api/v1/tasks/{item_id}"  # the template: no id, no query
        assert isinstance(record["duration_ms"], float) and record["level"] == "info"
    (missing,) = [line for line in access if line.get("request_id") == "log-404"]
    assert missing["status"] == 404 and missing["path"] == "(unmatched)"
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
