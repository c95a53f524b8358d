"""RFC 9457 problem details: the one shape of every 4xx and 5xx response."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.rendering import public_base_url
from app.i18n import Lang, pick, request_lang
from app.problem_types import BY_STATUS, PROBLEM_PATH, PROBLEM_TYPES

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    pointer: str = Field(
        description="JSON pointer to the offending input.", examples=["#/query/limit"]
    )
    detail: str = Field(examples=["Input should be less than or equal to 500"])


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(
        max_length=2000,
        description="URI of the problem type; it resolves to a page describing it.",
        examples=["https://data.example.gov.vn/problems/not-found"],
    )
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
    problem_type = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        detail_vi: str | None = None,
        errors: list[FieldProblem] | None = None,
        headers: Mapping[str, str] | None = None,
        current_etag: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_vi = detail_vi
        self.errors = errors
        self.headers = dict(headers or {})
        self.current_etag = current_etag


class BadRequestError(ApiError):
    status_code = HTTPStatus.BAD_REQUEST
    problem_type = "invalid-body"


class UnauthorizedError(ApiError):
    status_code = HTTPStatus.UNAUTHORIZED
    problem_type = "unauthorized"

    def __init__(self, detail: str) -> None:
        # RFC 6750: the scheme, and why a token that was sent is refused.
        challenge = 'Bearer realm="congress-api"'
        if "token" in detail.lower() and "missing" not in detail.lower():
            challenge += ', error="invalid_token"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class UnknownParameterError(BadRequestError):
    problem_type = "unknown-parameter"


class ForbiddenError(ApiError):
    status_code = HTTPStatus.FORBIDDEN
    problem_type = "forbidden"


class NotFoundError(ApiError):
    status_code = HTTPStatus.NOT_FOUND
    problem_type = "not-found"


class ConflictError(ApiError):
    status_code = HTTPStatus.CONFLICT
    problem_type = "conflict"


class GoneError(ApiError):
    status_code = HTTPStatus.GONE
    problem_type = "gone"


class PreconditionFailedError(ApiError):
    status_code = HTTPStatus.PRECONDITION_FAILED
    problem_type = "precondition-failed"


class PayloadTooLargeError(ApiError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    problem_type = "content-too-large"


class UnsupportedMediaTypeError(ApiError):
    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    problem_type = "unsupported-media-type"


class InvalidRecordError(ApiError):
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    problem_type = "invalid-parameters"


class PreconditionRequiredError(ApiError):
    status_code = HTTPStatus.PRECONDITION_REQUIRED
    problem_type = "precondition-required"


class NotReadyError(ApiError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    problem_type = "not-ready"


class DatabaseUnavailableError(ApiError):
    """The database is absent, unreachable, stalled, busy, read-only, corrupt or unmigrated."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    problem_type = "database-unavailable"


def problem_response(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    detail_vi: str | None = None,
    problem_type: str | None = None,
    errors: list[FieldProblem] | None = None,
    headers: Mapping[str, str] | None = None,
    current_etag: str | None = None,
) -> JSONResponse:
    lang = request_lang(request.scope)
    if lang is Lang.vi and detail is not None and detail_vi is None:
        lang = Lang.en  # the title follows the detail: no Vietnamese title over English words
    kind = PROBLEM_TYPES.get(problem_type or "") or BY_STATUS.get(status)
    problem = Problem(
        type=public_base_url(request) + PROBLEM_PATH + kind.slug if kind else "about:blank",
        title=pick(kind.title, lang) if kind else HTTPStatus(status).phrase,
        status=status,
        detail=detail_vi if lang is Lang.vi else detail,
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
        detail_vi=exc.detail_vi,
        problem_type=exc.problem_type,
        errors=exc.errors,
        headers=exc.headers,
        current_etag=exc.current_etag,
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        path = request.url.path
        return problem_response(
            request,
            404,
            f"No resource at {path}.",
            detail_vi=f"Không có tài nguyên nào tại {path}.",
            headers=exc.headers,
        )
    if exc.status_code == 405:
        return problem_response(
            request,
            405,
            f"{request.method} is not allowed here; see Allow.",
            detail_vi=f"Không nhận phương thức {request.method} tại đây; xem tiêu đề Allow.",
            headers=exc.headers,
        )
    return problem_response(request, exc.status_code, exc.detail, headers=exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldProblem(pointer=pointer(e["loc"]), detail=e["msg"]) for e in exc.errors()]
    return problem_response(
        request,
        422,
        "The request parameters are invalid.",
        detail_vi="Tham số của yêu cầu không hợp lệ.",
        errors=errors,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
