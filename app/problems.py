"""RFC 9457 problem details: the one shape of every 4xx and 5xx response."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import STATUS_TITLES, pick, request_lang

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    pointer: str = Field(
        description="JSON pointer to the offending input.", examples=["#/query/limit"]
    )
    detail: str = Field(examples=["Input should be less than or equal to 500"])


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="URI identifying the problem type.")
    title: str = Field(description="Short summary of the problem type.", examples=["Not Found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str | None = Field(default=None, description="Explanation of this occurrence.")
    instance: str | None = Field(default=None, description="The request path that failed.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="Per-field validation errors."
    )
    request_id: str | None = Field(default=None, description="Quote this when reporting a problem.")
    current_etag: str | None = Field(
        default=None,
        description="412 only: the record's current strong ETag, to re-read and re-apply.",
        examples=['"7.5f0c3e1d9a2b4c6d8e0f1a2b3c4d5e6f"'],
    )


class ApiError(Exception):
    """A domain error with its HTTP status; rendered by the one problem handler."""

    status_code = HTTPStatus.INTERNAL_SERVER_ERROR

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldProblem] | None = None,
        headers: Mapping[str, str] | None = None,
        current_etag: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.current_etag = current_etag


class BadRequestError(ApiError):
    status_code = HTTPStatus.BAD_REQUEST


class UnauthorizedError(ApiError):
    status_code = HTTPStatus.UNAUTHORIZED

    def __init__(self, detail: str) -> None:
        # RFC 6750: the scheme, and why a token that was sent is refused.
        challenge = 'Bearer realm="congress-api"'
        if "token" in detail.lower() and "missing" not in detail.lower():
            challenge += ', error="invalid_token"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class ForbiddenError(ApiError):
    status_code = HTTPStatus.FORBIDDEN


class NotFoundError(ApiError):
    status_code = HTTPStatus.NOT_FOUND


class ConflictError(ApiError):
    status_code = HTTPStatus.CONFLICT


class GoneError(ApiError):
    status_code = HTTPStatus.GONE


class PreconditionFailedError(ApiError):
    status_code = HTTPStatus.PRECONDITION_FAILED


class PayloadTooLargeError(ApiError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class UnsupportedMediaTypeError(ApiError):
    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


class InvalidRecordError(ApiError):
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY


class PreconditionRequiredError(ApiError):
    status_code = HTTPStatus.PRECONDITION_REQUIRED


class NotReadyError(ApiError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE


class DatabaseUnavailableError(ApiError):
    """The database is absent, unreachable, stalled, busy, read-only, corrupt or unmigrated."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE


def problem_response(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    errors: list[FieldProblem] | None = None,
    headers: Mapping[str, str] | None = None,
    current_etag: str | None = None,
) -> JSONResponse:
    lang = request_lang(request.scope)
    title = STATUS_TITLES.get(status)
    problem = Problem(
        title=pick(title, lang) if title else HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        request_id=getattr(request.state, "request_id", None),
        current_etag=current_etag,
    )
    response = JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )
    response.headers["Content-Language"] = lang.value
    return response


def pointer(loc: tuple[Any, ...]) -> str:
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in loc)


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(
        request,
        exc.status_code,
        exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        current_etag=exc.current_etag,
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if exc.status_code != 404 else f"No resource at {request.url.path}."
    return problem_response(request, exc.status_code, detail, headers=exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldProblem(pointer=pointer(e["loc"]), detail=e["msg"]) for e in exc.errors()]
    return problem_response(request, 422, "The request parameters are invalid.", errors=errors)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
