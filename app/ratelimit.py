"""Rate limiting per client, fixed windows as the `limits` library defines them (it parses the
policy, names the keys and, for RATE_LIMIT_STORAGE=redis://, keeps the shared counts; with
memory:// each worker counts its own): in front of the response cache, so warm hits count too.
Off unless RATE_LIMIT is set (a deployment behind a CDN or gateway limits there).

A client is its bearer token when it sends one (hashed: the secret never reaches the storage),
else its address (from X-Forwarded-For when the peer is in FORWARDED_ALLOW_IPS). Every limited
response carries the IETF RateLimit-Policy and RateLimit headers
(draft-ietf-httpapi-ratelimit-headers); over the budget the answer is a 429 problem with
Retry-After. Health endpoints are never limited."""

import hashlib
import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.storage import storage_from_string
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.caching import CORS_EXPOSED
from app.config import get_settings
from app.hosts import TrustedPeers, client_address
from app.problems import problem_response

logger = logging.getLogger("app.ratelimit")
UNLIMITED = frozenset({"/healthz", "/readyz"})
POLICY = "default"
KEYS_KEPT = 10_000


def client_key(scope: Scope, trusted: TrustedPeers) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                return "token:" + hashlib.sha256(token.strip()).hexdigest()[:32]
    # This layer runs before the one that applies forwarded headers: it asks the same question.
    return "address:" + (client_address(scope, trusted) or "unknown")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: str, storage: str, prefix: str) -> None:
        self.app = app
        self.item: RateLimitItem = parse(limit)
        # A fixed window, counted as limits' FixedWindowRateLimiter does, with one call for the
        # count and one for the reset time (the limiter's hit and stats take three).
        # In memory the windows are counted here, on the event loop that owns them: limits'
        # asyncio storage starts a task on every increment, and its threaded one a thread every
        # 10 ms to expire keys, which takes the GIL from the loop (measured: -24 % warm req/s,
        # p99 three times). A window that has ended is simply replaced when its client comes back.
        self.local: dict[str, list[float]] | None = None  # key → [end of window, count]
        self.shared: Storage | None = None
        if storage.startswith("memory"):
            self.local = {}
        else:
            found = storage_from_string(f"async+{storage}", implementation="redispy")
            assert isinstance(found, Storage)
            self.shared = found
        self.prefix = prefix
        self.trusted = TrustedPeers(get_settings().forwarded_allow_ips)
        # client → storage key: building one costs as much as counting
        self.keys: dict[str, str] = {}
        self.window = self.item.get_expiry()
        self.policy = f'"{POLICY}";q={self.item.amount};w={self.window}'.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED:
            await self.app(scope, receive, send)
            return
        client = client_key(scope, self.trusted)
        key = self.keys.get(client)
        if key is None:
            if len(self.keys) >= KEYS_KEPT:
                self.keys.clear()
            key = self.keys[client] = self.item.key_for(self.prefix, client)
        try:
            if self.local is not None:
                count, reset_at = self._count_locally(key)
            else:
                assert self.shared is not None
                count = await self.shared.incr(key, self.window)
                reset_at = await self.shared.get_expiry(key)
        except Exception:  # the storage is down: serve rather than refuse everyone
            logger.warning("rate limit storage unavailable; request not counted", exc_info=True)
            await self.app(scope, receive, send)
            return
        reset = max(0, math.ceil(reset_at - time.time()))
        remaining = max(0, self.item.amount - count)
        state = f'"{POLICY}";r={remaining};t={reset}'.encode()
        if count > self.item.amount:
            headers = {"RateLimit-Policy": self.policy.decode(), "RateLimit": state.decode()}
            headers |= _cors(scope)
            response = problem_response(
                Request(scope),
                429,
                f"More than {self.item.amount} requests in {self.item.get_expiry()} seconds; "
                f"try again in {reset} seconds.",
                detail_vi=f"Quá {self.item.amount} yêu cầu trong {self.item.get_expiry()} giây; "
                f"hãy thử lại sau {reset} giây.",
                headers={**headers, "Retry-After": str(reset), "Cache-Control": "no-store"},
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message["headers"],
                    (b"ratelimit-policy", self.policy),
                    (b"ratelimit", state),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _count_locally(self, key: str) -> tuple[int, float]:
        assert self.local is not None
        now = time.time()
        window = self.local.get(key)
        if window is None or window[0] <= now:
            if len(self.local) >= KEYS_KEPT:
                self.local = {k: w for k, w in self.local.items() if w[0] > now}
            window = self.local[key] = [now + self.window, 0]
        window[1] += 1
        return int(window[1]), window[0]


def _cors(scope: Scope) -> dict[str, str]:
    """The 429 is answered in front of the CORS middleware: a browser script may read it too."""
    origin = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"), None)
    allowed = get_settings().cors_origins
    if origin is None or ("*" not in allowed and origin not in allowed):
        return {}
    return {
        "Access-Control-Allow-Origin": "*" if "*" in allowed else origin,
        "Access-Control-Expose-Headers": ", ".join(CORS_EXPOSED),
    }
