"""Which host a request was for, and which peers may say so.

`X-Forwarded-For`, `-Proto` and `-Host` are believed only from `FORWARDED_ALLOW_IPS` (the
reverse proxy): from anyone else they are dropped before the application sees them. The host
that results must be well formed and, with `ALLOWED_HOSTS`, on the list, or the answer is a
400: it becomes the origin of every link unless `PUBLIC_BASE_URL` names one. The same layer
caps what one request can make the server hold (query string and header sizes).
"""

import ipaddress
import re
from functools import lru_cache

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.problems import problem_response

# A DNS name or an IP literal, then an optional port: nothing that could end a header value,
# a Link target or an HTML attribute.
_HOST = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?"
    r"|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?",
    re.IGNORECASE,
)
_FORWARDED = (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host")


class TrustedPeers:
    """FORWARDED_ALLOW_IPS: addresses, networks, literal names, or '*'."""

    def __init__(self, setting: str) -> None:
        self.any = False
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.names: set[str] = set()
        for peer in setting.split():
            if peer == "*":
                self.any = True
                continue
            try:
                self.networks.append(ipaddress.ip_network(peer, strict=False))
            except ValueError:
                self.names.add(peer)

    @lru_cache(maxsize=1024)  # noqa: B019 (one instance per application, as many as peers)
    def __contains__(self, peer: str) -> bool:
        if self.any or peer in self.names:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def nearest_untrusted(chain: bytes, trusted: TrustedPeers) -> str | None:
    """The client an X-Forwarded-For chain names: its last address that is not a trusted
    proxy (earlier ones are the client's word, and anyone can write them)."""
    addresses = [a.strip() for a in chain.decode("latin-1").split(",") if a.strip()]
    return next((a for a in reversed(addresses) if a not in trusted), None)


def client_address(scope: Scope, trusted: TrustedPeers) -> str | None:
    """The address of the request's client: the connection's peer or, when the peer is a
    trusted proxy, the address its X-Forwarded-For names."""
    client = scope.get("client")
    peer = client[0] if client else None
    if peer is None or peer not in trusted:
        return peer
    chain = b",".join(v for n, v in scope["headers"] if n == b"x-forwarded-for")
    return nearest_untrusted(chain, trusted) or peer


def host_allowed(host: str, allowed: list[str]) -> bool:
    """`host` (port removed, lower case) matches an entry of ALLOWED_HOSTS."""
    for entry in allowed:
        if entry == "*" or entry == host:
            return True
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
    return False


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[: host.index("]") + 1]
    return host.rsplit(":", 1)[0].rstrip(".")


class HostsMiddleware:
    """Drops untrusted forwarding headers, applies trusted ones, refuses bad hosts and
    oversized requests, and names in `Vary` what links still depend on."""

    def __init__(self, app: ASGIApp) -> None:
        settings = get_settings()
        self.app = app
        self.trusted = TrustedPeers(settings.forwarded_allow_ips)
        self.allowed = settings.allowed_hosts.split()
        self.max_query = settings.max_query_bytes
        self.max_headers = settings.max_header_bytes
        # Without a configured origin, links follow the (forwarded) host and scheme.
        self.vary = (
            ["X-Forwarded-Host", "X-Forwarded-Proto"]
            if settings.public_base_url is None and settings.forwarded_allow_ips
            else []
        )
        self.hsts = (
            f"max-age={settings.hsts_max_age}"
            if settings.public_base_url
            and settings.public_base_url.startswith("https:")
            and settings.hsts_max_age
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope["query_string"]) > self.max_query:
            await self._refuse(scope, receive, send, 414, "The query string is too long.")
            return
        if sum(len(n) + len(v) for n, v in scope["headers"]) > self.max_headers:
            await self._refuse(scope, receive, send, 431, "The request headers are too large.")
            return
        client = scope.get("client")
        trusted = client is not None and client[0] in self.trusted
        forwarded: dict[bytes, bytes] = {}
        headers: list[tuple[bytes, bytes]] = []
        for name, value in scope["headers"]:
            if name in _FORWARDED:
                forwarded[name] = forwarded[name] + b"," + value if name in forwarded else value
            else:
                headers.append((name, value))
        if forwarded:
            scope = {**scope, "headers": headers}
            if trusted:
                scope = self._apply(scope, forwarded)
        host = next((v for n, v in scope["headers"] if n == b"host"), b"").decode("latin-1")
        if host and not _HOST.fullmatch(host):
            await self._refuse(
                scope, receive, send, 400, "The Host header is malformed.", "invalid-host"
            )
            return
        if not host_allowed(_hostname(host.lower()), self.allowed):
            await self._refuse(
                scope, receive, send, 400, "This server does not serve that host.", "invalid-host"
            )
            return
        if not self.vary and self.hsts is None:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name in self.vary:
                    response_headers.add_vary_header(name)
                if self.hsts is not None:
                    response_headers.setdefault("Strict-Transport-Security", self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _apply(self, scope: Scope, forwarded: dict[bytes, bytes]) -> Scope:
        """The nearest proxy's word (the last value of each list) replaces what the
        connection says."""
        scope = {**scope}
        proto = forwarded.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[-1].strip()
        if proto in {"http", "https"}:
            scope["scheme"] = proto
        host = forwarded.get(b"x-forwarded-host", b"").decode("latin-1").split(",")[-1].strip()
        if host:
            scope["headers"] = [
                *[(n, v) for n, v in scope["headers"] if n != b"host"],
                (b"host", host.encode("latin-1")),
            ]
        address = nearest_untrusted(forwarded.get(b"x-forwarded-for", b""), self.trusted)
        if address is not None:
            scope["client"] = (address, 0)
        return scope

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        detail: str,
        problem_type: str | None = None,
    ) -> None:
        # Without the Host: a malformed one would not even parse as the URL of the problem.
        bare = {**scope, "headers": [(n, v) for n, v in scope["headers"] if n != b"host"]}
        response = problem_response(Request(bare), status, detail, problem_type=problem_type)
        await response(bare, receive, send)
