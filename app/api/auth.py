"""Bearer tokens on writes (RFC 6750). Reads stay anonymous.

The header is checked before a body is read (no credentials, no upload); the token is looked up
in the request's write session after, so a write request holds one session and one connection.
"""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from app.db import WriteSessionDep
from app.editing.tokens import Editor, authenticate
from app.models import TokenScope
from app.problems import ForbiddenError, UnauthorizedError

# Declares the scheme in the OpenAPI document; the header is read below, to answer as a problem.
_scheme = HTTPBearer(auto_error=False, description="A token from `congress-api token create`.")


async def bearer_secret(
    request: Request, _declared: Annotated[object, Depends(_scheme)] = None
) -> str:
    """The token the request presents; 401 before anything else when there is none."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedError(
            "Missing credentials: writes need `Authorization: Bearer <token>` "
            "(an operator creates one with `congress-api token create`)."
        )
    return secret.strip()


BearerSecret = Annotated[str, Depends(bearer_secret)]


def editor(secret: BearerSecret, session: WriteSessionDep) -> Editor:
    """The editor whose token the request carries; 401 unless it is valid."""
    found = authenticate(session, secret)
    if found is None:
        raise UnauthorizedError("The token is unknown, expired or revoked.")
    return found


def admin(found: Annotated[Editor, Depends(editor)]) -> Editor:
    if found.scope is not TokenScope.admin:
        raise ForbiddenError(f"This needs an admin token; '{found.name}' may only edit.")
    return found


EditorDep = Annotated[Editor, Depends(editor)]
AdminDep = Annotated[Editor, Depends(admin)]
