"""The outermost layer: gives each request its id, times it, and writes one access record
(and, with METRICS=true, counts it) when the response is done."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.logs import access_writer
from app.middleware import assign_request_id

logger = logging.getLogger("app.access")
UNMATCHED = "(unmatched)"


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/api/v1/tasks/{id}`): a log or metric label
    that names the endpoint without the ids, query strings or junk a client sent."""
    template: str | None = scope.get("state", {}).get("route")
    return template or UNMATCHED


class AccessMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        settings = get_settings()
        self.app = app
        self.log = settings.access_log
        self.write = access_writer()
        self.metrics = None
        if settings.metrics:
            from app.metrics import RequestMetrics

            self.metrics = RequestMetrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.log or self.metrics):
            await self.app(scope, receive, send)
            return
        request_id = assign_request_id(scope)
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            template = route_template(scope)
            if self.log and self.write is not None:
                if logger.isEnabledFor(logging.INFO):
                    duration_ms = round(seconds * 1000, 3)
                    method = scope["method"]
                    self.write((time.time(), request_id, method, template, status, duration_ms))
            elif self.log:
                logger.info(
                    "%s %s %d",
                    scope["method"],
                    template,
                    status,
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": template,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                    },
                )
            if self.metrics is not None:
                self.metrics.observe(scope["method"], template, status, seconds)


class RouteTemplateMiddleware:
    """Innermost: keeps the template of the route the router chose on the request's state,
    where the layers outside it (which may hold a copy of the scope) can read it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            route = scope.get("route")
            if route is not None and scope["type"] == "http":
                # An included router's route knows its path without the prefix; FastAPI keeps
                # the whole one beside it.
                effective = scope.get("fastapi", {}).get("effective_route_context")
                template = getattr(effective, "path", None) or getattr(route, "path", None)
                scope.setdefault("state", {})["route"] = template
