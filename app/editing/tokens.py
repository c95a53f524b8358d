"""Editors' bearer tokens: random secrets, stored only as SHA-256, known to the world by name."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.models import ApiToken, TokenScope

PREFIX = "cga_"  # lets secret scanners (and people) recognise a leaked token


class TokenError(ValueError):
    """A token command that cannot be carried out; the message is for the operator."""


def _digest(secret: str) -> str:
    # The secret is 256 random bits: a plain hash is as strong as a slow one here.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, name: str, scope: TokenScope, expires_days: int | None = None
) -> str:
    """Stores a new token and returns its secret, which is not kept and cannot be shown again."""
    if session.execute(select(ApiToken).where(col(ApiToken.name) == name)).first() is not None:
        raise TokenError(f"a token named {name!r} exists; revoke it or choose another name")
    now = datetime.now(UTC)
    secret = PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name,
            scope=scope,
            secret_sha256=_digest(secret),
            created_at=now,
            expires_at=now + timedelta(days=expires_days) if expires_days else None,
        )
    )
    session.flush()
    return secret


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.name))))


def revoke_token(session: Session, name: str) -> None:
    token = session.exec(select(ApiToken).where(col(ApiToken.name) == name)).first()
    if token is None:
        raise TokenError(f"no token named {name!r}")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        session.add(token)
        session.flush()


@dataclass(frozen=True)
class Editor:
    """Who is writing: the token's name is what history and logs show."""

    name: str
    scope: TokenScope


_TOKENS = ApiToken.__table__  # type: ignore[attr-defined]
# Built once: every write runs it.
_BY_DIGEST = select(
    _TOKENS.c.name, _TOKENS.c.scope, _TOKENS.c.revoked_at, _TOKENS.c.expires_at
).where(_TOKENS.c.secret_sha256 == bindparam("digest"))


def authenticate(session: Session, secret: str) -> Editor | None:
    """The editor a secret belongs to, or None when unknown, expired or revoked."""
    token = session.execute(_BY_DIGEST, {"digest": _digest(secret)}).first()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and _aware(token.expires_at) <= datetime.now(UTC):
        return None
    return Editor(token.name, TokenScope(token.scope))


def token_state(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and _aware(token.expires_at) <= datetime.now(UTC):
        return "expired"
    return "active"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
