"""Pure ASGI middleware: request ids, security headers, and the language a response is in."""

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.cards import card_csp
from app.config import get_settings
from app.i18n import request_lang

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# Nothing of ours may be framed, except the cards (whose policy comes from the settings).
DEFAULT_CSP = "frame-ancestors 'none'"
# Exactly what Swagger UI needs: its own script and stylesheet from here (the start-up script
# is a file, not inline), the style attributes its React components set, data: icons in its
# CSS, and fetches of /openapi.json and "Try it out" requests to this origin.
SWAGGER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
# ReDoc injects its styles at run time (styled-components), runs its search index in a blob:
# worker, and draws icons from data: URIs.
REDOC_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# The editor: its own scripts and stylesheet only, requests to this origin, and the term's
# card (from this origin) framed as a preview. No inline script or style.
EDITOR_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


def assign_request_id(scope: Scope) -> str:
    """The request's id: the client's X-Request-ID when it is a safe token, else a new one;
    assigned once (by the outermost layer) and kept on the request for every other."""
    state = scope.setdefault("state", {})
    request_id: str | None = state.get("request_id")
    if request_id is None:
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = state["request_id"] = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    return request_id


def content_security_policy(path: str) -> str:
    if path.startswith("/embed/"):
        return card_csp(get_settings().embed_frame_ancestors)
    if path == "/docs" or path.startswith("/docs/"):
        return SWAGGER_CSP
    if path == "/redoc":
        return REDOC_CSP
    if path == "/editor" or path.startswith("/editor/"):
        return EDITOR_CSP
    return DEFAULT_CSP


class HeadersMiddleware:
    """Adds X-Request-ID, security headers, and Content-Language/Vary on API responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = assign_request_id(scope)
        is_api = scope["path"].startswith("/api/")
        is_card = scope["path"].startswith("/embed/")
        policy = content_security_policy(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Content-Security-Policy", policy)
                if is_card and "x-frame-options" in headers:
                    # Browsers without CSP frame-ancestors would obey it and refuse every portal.
                    del headers["x-frame-options"]
                if is_api:
                    if "content-language" not in headers:
                        headers["Content-Language"] = request_lang(scope).value
                    headers.add_vary_header("Accept")
                    headers.add_vary_header("Accept-Language")
            await send(message)

        await self.app(scope, receive, send_with_headers)
