"""HTTP caching: validators, Cache-Control, compression, CORS options and a response cache.

Every successful GET gets a weak ETag (a hash of the request's representation inputs and the
rendered response, so it is the same in every worker and after a restart), `Cache-Control`,
`Last-Modified` from the dataset's last change and `Vary`; `If-None-Match` answers 304.

The response cache keeps rendered responses per worker, keyed by everything the application
reads from a request (path, query, `KEY_HEADERS`) and filed under the dataset version read from
the database before the handler runs. When the version changes the whole cache is dropped, so a
worker never serves a body older than the last committed seed run. A warm hit is answered here,
in front of routing, dependency injection, the ORM and pydantic. (With the cache off on
PostgreSQL, the version is only a header: it is left to the layer that reads the data, see
`DeferredVersion`.)

A handler that reads another request header must add it to `KEY_HEADERS`, or answer with
`Cache-Control: private` or `no-store`, which this layer never stores.
"""

import asyncio
import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Protocol

import brotli  # type: ignore[import-untyped]
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.db import get_session
from app.middleware import assign_request_id
from app.queries.revision import DatasetVersion, RevisionReader, revision_reader

KEY_HEADERS = (b"accept", b"accept-language", b"host", b"x-forwarded-host", b"x-forwarded-proto")
_READ_HEADERS = frozenset(
    (
        *KEY_HEADERS,
        b"if-none-match",
        b"if-modified-since",
        b"accept-encoding",
        b"authorization",
        b"origin",
        b"x-request-id",
    )
)
# Downloads stream whole files: never held in memory here (they carry their own validators).
UNCACHED_PREFIXES = ("/healthz", "/readyz", "/downloads/", "/metrics")
COMPRESS_MIN_BYTES = 1024
_GZIP_LEVEL = 6
_BROTLI_QUALITY = 5
_NOT_STORED = (b"private", b"no-store", b"no-cache")
_DROPPED = frozenset((b"content-length", b"vary", b"etag", b"last-modified", b"x-request-id"))
NO_STORE = (b"cache-control", b"no-store")

CORS_EXPOSED = [
    "ETag",
    "Link",
    "Content-Language",
    "X-Total-Count",
    "X-Request-ID",
    "Content-Range",
    "Content-Disposition",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
]
CORS_REQUEST_HEADERS = [
    "Accept",
    "Accept-Language",
    "If-None-Match",
    "If-Modified-Since",
    "If-Range",
    "Range",
    "X-Request-ID",
]

Key = tuple[Any, ...]

# What the cache counts is what it holds, measured on CPython 3.11 with sys.getsizeof: a bytes
# object is 33 bytes and its length; a header is a tuple (56) of two bytes and its list slot (8);
# an entry is its object, its OrderedDict node, its key tuple and variants dict (rounded up).
# Counting a header as 64 bytes let a 60 KB query string hold ten times the budget.
BYTES_OVERHEAD = 33
HEADER_OVERHEAD = 56 + 8 + 2 * BYTES_OVERHEAD
ENTRY_OVERHEAD = 1024


def sized(data: bytes) -> int:
    return BYTES_OVERHEAD + len(data)


def headers_size(headers: list[tuple[bytes, bytes]]) -> int:
    return sum(HEADER_OVERHEAD + len(name) + len(value) for name, value in headers)


def cors_options() -> dict[str, Any]:
    """Arguments for Starlette's CORSMiddleware: read-only, from the allowed origins."""
    settings = get_settings()
    return {
        "allow_origins": settings.cors_origins,
        "allow_methods": ["GET", "HEAD", "OPTIONS"],
        "allow_headers": CORS_REQUEST_HEADERS,
        "expose_headers": CORS_EXPOSED,
        "max_age": settings.cors_max_age,
    }


@dataclass(slots=True)
class Entry:
    """A rendered 200 response and the encodings of its body made so far."""

    headers: list[tuple[bytes, bytes]]
    not_modified: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    compressible: bool
    modified_at_second: float | None
    size: int
    stored: bool = False
    route: str | None = None  # the route's template, for the access log of a hit
    variants: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = field(default_factory=dict)

    def variant(self, encoding: str) -> tuple[bytes, list[tuple[bytes, bytes]], int]:
        """Body and headers in `encoding`, and how many bytes were added to make them."""
        found = self.variants.get(encoding)
        if found is not None:
            return found[0], found[1], 0
        body = self.body
        headers = [*self.headers]
        if encoding != "identity":
            encoded = (
                brotli.compress(body, quality=_BROTLI_QUALITY)
                if encoding == "br"
                else gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)
            )
            if len(encoded) < len(body):
                body = encoded
                headers.append((b"content-encoding", encoding.encode()))
                if not self.etag.startswith(b"W/"):
                    # A strong validator names one representation, coding included (RFC 9110
                    # §8.8.3.3); app/api/etags.py accepts either form in If-Match.
                    tag = variant_etag(self.etag, encoding)
                    headers = [(n, tag if n == b"etag" else v) for n, v in headers]
        headers.append((b"content-length", str(len(body)).encode()))
        self.variants[encoding] = (body, headers)
        added = (sized(body) if body is not self.body else 0) + headers_size(headers)
        self.size += added
        return body, headers, added


# Where a request's `DeferredVersion` waits, in the ASGI scope's state.
DEFERRED_VERSION = "deferred_version"


@dataclass(slots=True)
class DeferredVersion:
    """The dataset's version of a request, when the HTTP cache has no use for it before the
    handler runs (no response cache), reading it costs a round trip (PostgreSQL) and no other
    request is in flight to share that read with.

    The layer in front of the router settles it: a stored read takes the version in the same
    round trip as its body (`app.reads.read_steps_and_version`); anything else has it `read`, as
    this layer would have, before a handler reads. Either way it is no newer than the body, so a
    client's `If-Modified-Since` never hides a later change. Unsettled, a response simply has no
    `Last-Modified`."""

    reader: RevisionReader
    version: DatasetVersion | None = None
    settled: bool = False

    def settle(self, version: DatasetVersion | None) -> None:
        self.version, self.settled = version, True

    def fault(self, scope: Scope, reason: str) -> None:
        """The data's read met a database fault: the handler answers it at once, as when the
        version's read meets one, instead of waiting it out again."""
        scope.setdefault("state", {})["database_fault"] = reason
        self.settle(None)

    async def read(self, scope: Scope) -> None:
        if not self.settled:
            self.settle(await read_version(self.reader, scope))


async def read_version(reader: RevisionReader, scope: Scope) -> DatasetVersion | None:
    """The dataset's version now. When the database is at fault, the request's handler is told
    so, and its session answers 503 at once instead of waiting out the same fault."""
    version = await reader.read()
    if version is None and reader.fault is not None:
        scope.setdefault("state", {})["database_fault"] = reader.fault
    return version


class CacheObserver(Protocol):
    """Told what the cache does (app.metrics.CacheMetrics, when metrics are on)."""

    def hit(self) -> None: ...
    def miss(self) -> None: ...
    def evicted(self, count: int) -> None: ...
    def size(self, size: int) -> None: ...
    def revision(self, revision: int) -> None: ...


class ResponseCache:
    """Least-recently-used entries, bounded in bytes, all of one dataset version."""

    def __init__(self, max_bytes: int, observer: CacheObserver | None = None) -> None:
        self.max_bytes = max_bytes
        self.observer = observer
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.size = 0
        self.version: DatasetVersion | None = None

    def get(self, key: Key, version: DatasetVersion) -> Entry | None:
        if version != self.version:
            self.clear()
            self.version = version
            return None
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: Key, version: DatasetVersion, entry: Entry) -> None:
        # A response rendered under a version that has since been replaced is not kept.
        if version != self.version or entry.size > self.max_bytes // 8:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            old.stored = False
            self.size -= old.size
        self.entries[key] = entry
        entry.stored = True
        self.size += entry.size
        self._evict()

    def grew(self, entry: Entry, added: int) -> None:
        if entry.stored and added:
            self.size += added
            self._evict()

    def clear(self) -> None:
        for entry in self.entries.values():
            entry.stored = False
        self.entries.clear()
        self.size = 0

    def _evict(self) -> None:
        evicted = 0
        while self.size > self.max_bytes and self.entries:
            _key, entry = self.entries.popitem(last=False)
            entry.stored = False
            self.size -= entry.size
            evicted += 1
        if self.observer is not None:
            if evicted:
                self.observer.evicted(evicted)
            self.observer.size(self.size)


@lru_cache(maxsize=256)
def choose_encoding(accept_encoding: bytes | None) -> str:
    """br, else gzip, else identity, as the client's Accept-Encoding (with q-values) allows."""
    if not accept_encoding:
        return "identity"
    weights: dict[str, float] = {}
    for part in accept_encoding.decode("latin-1").lower().split(","):
        coding, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        weights[coding.strip()] = weight
    star = weights.get("*", 0.0)
    for coding in ("br", "gzip"):
        if weights.get(coding, star) > 0:
            return coding
    return "identity"


def variant_etag(etag: bytes, encoding: str) -> bytes:
    """The strong ETag of a compressed representation: the coding appended inside the quotes."""
    return etag[:-1] + b"-" + encoding.encode() + b'"'


def _identity_tag(tag: bytes) -> bytes:
    tag = tag.strip().removeprefix(b"W/")
    for suffix in (b'-br"', b'-gzip"'):
        if tag.endswith(suffix):
            return tag[: -len(suffix)] + b'"'
    return tag


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): the W/ prefix is ignored on both sides, and so is
    the coding a strong tag names: every coding of one representation is fresh alike."""
    if if_none_match.strip() == b"*":
        return True
    opaque = etag.removeprefix(b"W/")
    return any(_identity_tag(tag) == opaque for tag in if_none_match.split(b","))


def _not_modified_since(if_modified_since: bytes, modified_at_second: float | None) -> bool:
    if modified_at_second is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return modified_at_second <= since.timestamp()


def _compressible(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media.startswith(b"text/") or media.endswith((b"json", b"xml", b"javascript"))


def _with_no_store(send: Send) -> Send:
    async def send_no_store(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(name.lower() == b"cache-control" for name, _ in headers):
                headers.append(NO_STORE)
            message = {**message, "headers": headers}
        await send(message)

    return send_no_store


class HttpCachingMiddleware:
    """Validators, Cache-Control, compression and the response cache for GET and HEAD.

    Installed outermost, so a warm hit skips every other middleware; it then adds itself what
    they add per request (X-Request-ID, the CORS answer to this Origin) and takes the rest of
    their headers from the stored response."""

    def __init__(self, app: ASGIApp, *, defer_version: bool = False) -> None:
        """`defer_version`: the application settles a `DeferredVersion` before its handlers
        read (app.api.stored_reads does)."""
        settings = get_settings()
        self.app = app
        self.cache_control = settings.cache_control.encode("latin-1")
        self.observer: CacheObserver | None = None
        if settings.metrics:
            from app.metrics import CacheMetrics

            self.observer = CacheMetrics()
        self.cache = (
            ResponseCache(settings.response_cache_mb << 20, self.observer)
            if settings.response_cache
            else None
        )
        origins = settings.cors_origins
        self.cors_any = "*" in origins
        self.cors_origins = frozenset(o.encode("latin-1") for o in origins)
        self.cors_expose = ", ".join(CORS_EXPOSED).encode()
        self._reader: RevisionReader | None = None
        self._reader_resolved = False
        self._rendering: dict[tuple[DatasetVersion, Key], asyncio.Future[Entry | None]] = {}
        # A request alone in the worker leaves the version to the data's read (one round trip
        # instead of two); requests in company share one read of it, which costs each less.
        self._defer = defer_version and self.cache is None
        self._in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                send = self._closing_on_shutdown(send)
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if (method != "GET" and method != "HEAD") or scope["path"].startswith(UNCACHED_PREFIXES):
            await self.app(scope, receive, _with_no_store(send))
            return
        request: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in _READ_HEADERS:
                request[name] = request[name] + b", " + value if name in request else value
        if b"authorization" in request:
            await self.app(scope, receive, _with_no_store(send))
            return
        self._in_flight += 1
        try:
            await self._respond(scope, receive, send, request)
        finally:
            self._in_flight -= 1

    async def _respond(
        self, scope: Scope, receive: Receive, send: Send, request: dict[bytes, bytes]
    ) -> None:
        reader = self._reader if self._reader_resolved else self._resolve_reader(scope)
        version = None
        if reader is not None and self._defer and reader.remote and self._in_flight == 1:
            scope.setdefault("state", {})[DEFERRED_VERSION] = DeferredVersion(reader)
        elif reader is not None:
            version = await read_version(reader, scope)
        key = (
            scope["path"],
            scope["query_string"],
            scope.get("root_path", ""),
            scope["scheme"],
            *[request.get(name) for name in KEY_HEADERS],
        )
        cache = self.cache if version is not None else None
        entry = cache.get(key, version) if cache is not None and version is not None else None
        if self.observer is not None and version is not None:
            self.observer.revision(version.revision)
            if cache is not None and entry is not None:
                self.observer.hit()
            elif cache is not None:
                self.observer.miss()
        if entry is None and cache is not None and version is not None:
            flight = self._rendering.get((version, key))
            if flight is not None:
                # Another request is rendering this very response: wait for it rather than
                # render it again (at 32 connections, a cold key was rendered 32 times at once).
                entry = await asyncio.shield(flight)
        if entry is None:
            rendered = await self._render_once(scope, receive, send, key, version)
            if rendered is None:
                return
            entry, per_request = rendered
        else:
            per_request = self._per_request_headers(scope, request)
            scope.setdefault("state", {})["route"] = entry.route
        await self._send(entry, request, scope["method"] == "HEAD", per_request, send)

    async def _render_once(
        self, scope: Scope, receive: Receive, send: Send, key: Key, version: DatasetVersion | None
    ) -> tuple[Entry, list[tuple[bytes, bytes]]] | None:
        if self.cache is None or version is None:
            return await self._render(scope, receive, send, key, version)
        flight_key = (version, key)
        flight: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self._rendering.setdefault(flight_key, flight)
        rendered = None
        try:
            rendered = await self._render(scope, receive, send, key, version)
            if rendered is not None:
                self.cache.put(key, version, rendered[0])
            return rendered
        finally:
            if self._rendering.get(flight_key) is flight:
                del self._rendering[flight_key]
            flight.set_result(rendered[0] if rendered is not None else None)

    def _per_request_headers(
        self, scope: Scope, request: dict[bytes, bytes]
    ) -> list[tuple[bytes, bytes]]:
        """What HeadersMiddleware and CORSMiddleware would add to this request's response."""
        headers = [(b"x-request-id", assign_request_id(scope).encode())]
        origin = request.get(b"origin")
        if origin is not None:
            if self.cors_any:
                headers.append((b"access-control-allow-origin", b"*"))
            elif origin in self.cors_origins:
                headers.append((b"access-control-allow-origin", origin))
            headers.append((b"access-control-expose-headers", self.cors_expose))
        return headers

    def _resolve_reader(self, scope: Scope) -> RevisionReader | None:
        self._reader_resolved = True
        # Tests that swap the session for one inside an uncommitted transaction serve data no
        # other connection can see; the revision read elsewhere would not describe it.
        overrides = getattr(scope.get("app"), "dependency_overrides", {})
        if get_session not in overrides:
            self._reader = revision_reader(get_settings().database_url)
        return self._reader

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: Key, version: DatasetVersion | None
    ) -> tuple[Entry, list[tuple[bytes, bytes]]] | None:
        """Runs the application. A cacheable 200 comes back as an entry and the headers that
        belong to this request only; anything else is sent as it is and gives None."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        is_head = scope["method"] == "HEAD"
        await self.app({**scope, "method": "GET"} if is_head else scope, receive, capture)
        if start is None:
            raise RuntimeError("the application sent no response")
        deferred: DeferredVersion | None = scope.get("state", {}).get(DEFERRED_VERSION)
        if deferred is not None:
            version = deferred.version
            if self.observer is not None and version is not None:
                self.observer.revision(version.revision)
        status: int = start["status"]
        headers: list[tuple[bytes, bytes]] = [
            (name.lower(), value) for name, value in start.get("headers", [])
        ]
        body = b"".join(chunks)
        cache_control = [value for name, value in headers if name == b"cache-control"]
        if (
            status != 200
            or any(h == b"set-cookie" for h, _ in headers)
            or (cache_control and any(word in cache_control[0].lower() for word in _NOT_STORED))
        ):
            if status >= 400 and not cache_control:
                headers.append(NO_STORE)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if is_head else body})
            return None
        per_request = [
            (name, value)
            for name, value in headers
            if name == b"x-request-id" or name.startswith(b"access-control-")
        ]
        stored = [
            (name, value) for name, value in headers if not name.startswith(b"access-control-")
        ]
        entry = self._entry(key, stored, body, version, bool(cache_control))
        entry.route = scope.get("state", {}).get("route")
        return entry, per_request

    def _entry(
        self,
        key: Key,
        app_headers: list[tuple[bytes, bytes]],
        body: bytes,
        version: DatasetVersion | None,
        has_cache_control: bool,
    ) -> Entry:
        headers = [(name, value) for name, value in app_headers if name not in _DROPPED]
        given = dict(app_headers)
        encoded = b"content-encoding" in given
        compressible = (
            not encoded
            and len(body) >= COMPRESS_MIN_BYTES
            and _compressible(given.get(b"content-type", b""))
        )
        etag = given.get(b"etag")
        if etag is None:
            digest = hashlib.blake2b(repr(key).encode(), digest_size=16)
            for name, value in sorted(headers):
                digest.update(b"\n" + name + b":" + value)
            digest.update(b"\n\n" + body)
            etag = b'W/"' + digest.hexdigest().encode() + b'"'
        vary = [v.strip() for v in given.get(b"vary", b"").split(b",") if v.strip()]
        if compressible or encoded:
            vary.append(b"Accept-Encoding")
        validators = [(b"etag", etag)]
        if not has_cache_control:
            validators.append((b"cache-control", self.cache_control))
        modified_at_second: float | None = None
        if version is not None:
            validators.append((b"last-modified", version.last_modified.encode()))
            modified_at_second = float(int(version.modified_at.timestamp()))
        if vary:
            validators.append((b"vary", b", ".join(dict.fromkeys(vary))))
        not_modified = [
            *validators,
            *[(n, v) for n, v in headers if n in (b"cache-control", b"content-location")],
        ]
        entry_headers = [*headers, *validators]
        return Entry(
            headers=entry_headers,
            not_modified=not_modified,
            body=body,
            etag=etag,
            compressible=compressible,
            modified_at_second=modified_at_second,
            size=ENTRY_OVERHEAD
            + sized(body)
            + len(repr(key))
            + headers_size(entry_headers)
            + headers_size(not_modified),
        )

    async def _send(
        self,
        entry: Entry,
        request: dict[bytes, bytes],
        head: bool,
        per_request: list[tuple[bytes, bytes]],
        send: Send,
    ) -> None:
        if_none_match = request.get(b"if-none-match")
        if if_none_match is not None:
            fresh = etag_matches(if_none_match, entry.etag)
        else:
            since = request.get(b"if-modified-since")
            fresh = since is not None and _not_modified_since(since, entry.modified_at_second)
        encoding = (
            choose_encoding(request.get(b"accept-encoding")) if entry.compressible else "identity"
        )
        body, headers, added = entry.variant(encoding)
        if added and self.cache is not None:
            self.cache.grew(entry, added)
        if fresh:
            # The 304 names the tag the 200 would have carried (a strong one names the coding).
            etag = next(v for n, v in headers if n == b"etag")
            not_modified = [(n, etag if n == b"etag" else v) for n, v in entry.not_modified]
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [*not_modified, *per_request],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {"type": "http.response.start", "status": 200, "headers": [*headers, *per_request]}
        )
        await send({"type": "http.response.body", "body": b"" if head else body})

    def _closing_on_shutdown(self, send: Send) -> Send:
        async def send_and_close(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete" and self._reader is not None:
                await self._reader.close()
            await send(message)

        return send_and_close
