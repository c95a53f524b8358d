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
    """Queues the record as it is: formatting happens in the listener's thread (the stock
    handler formats in the caller's, which is the event loop)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


def queued_stdout(format: str = "json") -> logging.Handler:
    """A handler for logging's dictConfig (uvicorn's `log_config`): records go through a
    queue to a thread that formats them and writes to standard output."""
    sink = logging.StreamHandler(sys.stdout)
    sink.setFormatter(JsonFormatter() if format == "json" else TextFormatter())
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = logging.handlers.QueueListener(records, sink, respect_handler_level=False)
    listener.start()
    atexit.register(listener.stop)
    return _DeferredQueueHandler(records)


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
