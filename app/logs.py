"""Structured logs: one JSON object per line on standard output (text on a terminal, or as
LOG_FORMAT says), written by a thread of their own so the event loop never formats or writes.

Every record may carry `request_id`; an access record also `method`, `path` (the route's
template, never the query string), `status` and `duration_ms`. Nothing here reads headers or
bodies, so no token reaches a log line.
"""

import atexit
import json
import logging
import logging.handlers
import queue
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

_FIELDS = ("request_id", "method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = record.__dict__.get("request_id")
        return f"{text} [{request_id}]" if request_id else text


class _DeferredQueueHandler(logging.handlers.QueueHandler):
    """Queues the record as it is: formatting happens in the writer's thread (the stock
    handler formats in the caller's, which is the event loop)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


# An access record as the event loop hands it over: (time, request id, method, route template,
# status, duration in ms). Formatted into a line by the writer's thread.
AccessRecord = tuple[float, str, str, str, int, float]


class _BatchWriter(threading.Thread):
    """Wakes every `interval` seconds, formats what was queued since and writes it at once.
    Woken per record instead, the thread took the GIL from the event loop once per request,
    which cost more than the formatting (bench/RESULTS.md, "Access log")."""

    def __init__(self, sink: logging.StreamHandler[Any], json_lines: bool) -> None:
        super().__init__(name="log-writer", daemon=True)
        self.records: queue.SimpleQueue[logging.LogRecord | AccessRecord] = queue.SimpleQueue()
        self.sink = sink
        self.json_lines = json_lines
        self.stopping = threading.Event()
        self.interval = 0.1
        self._second = -1
        self._stamp = ""

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.drain()
        self.drain()

    def drain(self) -> None:
        lines = []
        while True:
            try:
                record = self.records.get_nowait()
            except queue.Empty:
                break
            if isinstance(record, tuple):
                lines.append(self._access_line(record))
                continue
            try:
                lines.append(self.sink.format(record))
            except Exception:
                self.sink.handleError(record)
        if lines:
            self.sink.stream.write("\n".join(lines) + "\n")
            self.sink.flush()

    def _access_line(self, record: AccessRecord) -> str:
        at, request_id, method, path, status, duration_ms = record
        second = int(at)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        stamp = f"{self._stamp}.{int((at - second) * 1000):03d}Z"
        if not self.json_lines:
            line = f"{stamp} INFO app.access {method} {path} {status} {duration_ms}ms"
            return f"{line} [{request_id}]"
        # The JsonFormatter's fields, assembled directly: this runs once per request. Nothing
        # needs escaping: the method is an HTTP token (the server's parser checked it), the
        # path a route template of this code, the request id matched [A-Za-z0-9._-].
        return (
            f'{{"time": "{stamp}", "level": "info", "logger": "app.access", '
            f'"message": "{method} {path} {status}", "request_id": "{request_id}", '
            f'"method": "{method}", "path": "{path}", "status": {status}, '
            f'"duration_ms": {duration_ms}}}'
        )

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


_writer: _BatchWriter | None = None


def access_writer() -> "Callable[[AccessRecord], None] | None":
    """Where the access layer puts its records when `queued_stdout` is the log's handler
    (`congress-api serve`): straight onto the writer's queue, without a LogRecord (which cost
    the event loop some 20 µs a request). Elsewhere None: records go through `logging`."""
    return _writer.records.put if _writer is not None else None


def queued_stdout(format: str = "json") -> logging.Handler:
    """A handler for logging's dictConfig (uvicorn's `log_config`): records go through a
    queue to a thread that formats them and writes them to standard output in batches."""
    global _writer
    sink = logging.StreamHandler(sys.stdout)
    sink.setFormatter(JsonFormatter() if format == "json" else TextFormatter())
    writer = _writer = _BatchWriter(sink, json_lines=format == "json")
    writer.start()
    atexit.register(writer.stop)
    return _DeferredQueueHandler(writer.records)


def log_config(log_format: str | None, level: str) -> dict[str, Any]:
    """uvicorn's `log_config`: every logger, uvicorn's included, to one queued handler.
    uvicorn's access log is off (`app.access` writes one record per request instead)."""
    chosen = log_format or ("text" if sys.stdout.isatty() else "json")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"stdout": {"()": "app.logs.queued_stdout", "format": chosen}},
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
