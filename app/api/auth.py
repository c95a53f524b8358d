"""Bearer tokens on writes (RFC 6750). Reads stay anonymous.

The header is checked before a body is read (no credentials, no upload); the handler looks the
token up in the request's write session after, so a write request holds one session and one
connection.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlmodel import Session

from app.editing.tokens import Editor, authenticate
from app.models import TokenScope
from app.problems import ForbiddenError, UnauthorizedError

# Declares the scheme in the OpenAPI document; the header is read below, to answer as a problem.
_scheme = HTTPBearer(auto_error=False, description="A token from `congress-api token create`.")


@dataclass(frozen=True)
class Bearer:
    """The token a write presents, not checked yet: the handler checks it in its own thread and
    write session, so a write costs one trip to the thread pool, not two."""

    secret: str

    def editor(self, session: Session) -> Editor:
        """The editor whose token this is; 401 unless it is valid."""
        found = authenticate(session, self.secret)
        if found is None:
            raise UnauthorizedError("The token is unknown, expired or revoked.")
        return found

    def admin(self, session: Session) -> Editor:
        """The editor, who must hold an admin token; 401 or 403 otherwise."""
        found = self.editor(session)
        if found.scope is not TokenScope.admin:
            raise ForbiddenError(f"This needs an admin token; '{found.name}' may only edit.")
        return found


async def bearer(request: Request, _declared: Annotated[object, Depends(_scheme)] = None) -> Bearer:
    """The token the request presents; 401 before anything else when there is none."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedError(
            "Missing credentials: writes need `Authorization: Bearer <token>` "
            "(an operator creates one with `congress-api token create`)."
        )
    return Bearer(secret.strip())


BearerDep = Annotated[Bearer, Depends(bearer)]
