"""What a request that failed inside the application becomes: a database fault a 503 with
`Retry-After`, anything else a 500; either as a problem that passes back through every
middleware (request id, `no-store`, security and CORS headers), logged once with its id."""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.faults import RETRY_AFTER_SECONDS, database_fault, first_line
from app.problems import DatabaseUnavailableError, problem_response

logger = logging.getLogger("app.errors")


def database_unavailable(request: Request, reason: str) -> JSONResponse:
    return problem_response(
        request,
        DatabaseUnavailableError.status_code,
        reason,
        problem_type=DatabaseUnavailableError.problem_type,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SQLAlchemyError)
    reason = database_fault(exc)
    if reason is None:
        raise exc  # a bug, not a fault: the 500 below
    logger.warning(
        "database fault: %s (%s)",
        reason,
        first_line(exc),
        extra={"request_id": getattr(request.state, "request_id", None)},
    )
    return database_unavailable(request, reason)


class UnhandledErrorMiddleware:
    """Innermost: an exception no handler took becomes a 500 problem here, inside the
    middleware that adds the headers every response carries. Nothing reaches the server, so
    there is one log record per error (uvicorn would write a second traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            request_id = scope.get("state", {}).get("request_id")
            logger.exception("unhandled error", extra={"request_id": request_id})
            if started:
                return  # too late for a problem: the server closes the connection
            response = problem_response(
                Request(scope),
                500,
                "An unexpected error occurred; it has been logged.",
                detail_vi="Đã xảy ra lỗi không lường trước; lỗi đã được ghi nhật ký.",
            )
            await response(scope, receive, send)


def install_error_handling(app: FastAPI) -> None:
    app.add_exception_handler(SQLAlchemyError, _on_database_error)
    app.add_middleware(UnhandledErrorMiddleware)
