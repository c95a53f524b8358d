"""Bearer tokens on writes (RFC 6750). Reads stay anonymous."""

from typing import Annotated

from fastapi import Depends, Request

from app.db import SessionDep
from app.editing.tokens import Editor, authenticate
from app.models import TokenScope
from app.problems import ForbiddenError, UnauthorizedError


def editor(request: Request, session: SessionDep) -> Editor:
    """The editor whose token the request carries; 401 without a valid one."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedError(
            "Missing credentials: writes need `Authorization: Bearer <token>` "
            "(an operator creates one with `congress-api token create`)."
        )
    found = authenticate(session, secret.strip())
    if found is None:
        raise UnauthorizedError("The token is unknown, expired or revoked.")
    return found


def admin(found: Annotated[Editor, Depends(editor)]) -> Editor:
    if found.scope is not TokenScope.admin:
        raise ForbiddenError(f"This needs an admin token; '{found.name}' may only edit.")
    return found


EditorDep = Annotated[Editor, Depends(editor)]
AdminDep = Annotated[Editor, Depends(admin)]
