"""Settings: the only place that reads the environment."""

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A CSP source expression: '*', 'self', 'none', a scheme, or [scheme://][*.]host[:port]. Nothing
# that could end the directive (';', ',') or the header.
_FRAME_SOURCE = re.compile(
    r"\*|'self'|'none'|[a-z][a-z0-9+.-]*:|"
    r"(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d{1,5}|\*))?",
    re.IGNORECASE,
)

_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(?::\d{1,5})?", re.IGNORECASE)
_BASE_URL = re.compile(
    r"https?://(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?(?:/[A-Za-z0-9._~/-]*)?", re.IGNORECASE
)
# An allowed host: a name, optionally with a leading '*.' for its subdomains, or an IP literal.
_HOST_PATTERN = re.compile(r"(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\]")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'congress.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    seed_dir: Path = PROJECT_ROOT / "seed"
    db_pool_size: int = Field(
        default=40,
        ge=1,
        le=200,
        description="Connections (and sessions in flight) per worker; at least THREADS, so no "
        "thread waits on the pool.",
    )
    threads: int = Field(
        default=8,
        ge=1,
        le=200,
        description="Threads per worker that run handlers and render responses (AnyIO's "
        "thread limiter, 40 by default): each holds one render's objects, and more threads "
        "than a few add memory, not throughput, to a worker that holds the GIL.",
    )
    db_connect_timeout: int = Field(
        default=3,
        ge=2,
        le=60,
        description="PostgreSQL: seconds to connect (libpq's minimum is 2) before a 503.",
    )
    db_statement_timeout_ms: int = Field(
        default=30_000,
        ge=100,
        description="PostgreSQL: milliseconds one statement may run (statement_timeout).",
    )
    db_prepared_statements: bool = Field(
        default=True,
        description="PostgreSQL: let psycopg prepare repeated statements on the server. Turn off "
        "behind PgBouncer in transaction mode (before 1.21), which cannot route them.",
    )
    db_prepare_threshold: int = Field(
        default=5,
        ge=0,
        le=1000,
        description="PostgreSQL: executions of a statement on one connection before psycopg "
        "prepares it on the server (0: at once).",
    )
    db_pool_timeout: float = Field(
        default=10.0, gt=0, le=300, description="Seconds to wait for a pooled connection."
    )
    readyz_timeout: float = Field(
        default=2.0, gt=0, le=60, description="Seconds /readyz waits for the database."
    )
    public_base_url: str | None = Field(
        default=None,
        description="Origin used in Link headers and embeds, e.g. https://data.example.gov.vn.",
    )
    allowed_hosts: str = Field(
        default="*",
        description="Host names the server answers to (Host header), separated by commas or "
        "spaces; '*.example.vn' matches subdomains; '*' answers any well-formed host.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Peers (IP addresses or networks, '*' for any) whose X-Forwarded-For, "
        "-Proto and -Host are believed: the reverse proxy. Uvicorn's own setting.",
    )
    hsts_max_age: int = Field(
        default=31_536_000,
        ge=0,
        description="Strict-Transport-Security max-age sent when PUBLIC_BASE_URL is https; "
        "0 sends none.",
    )
    max_query_bytes: int = Field(
        default=8192, ge=256, le=65536, description="Longest query string answered (else 414)."
    )
    max_header_bytes: int = Field(
        default=16384,
        ge=1024,
        le=262144,
        description="Largest total of request header names and values answered (else 431).",
    )
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        description="Set by `congress-api serve` when METRICS=true: where workers share metrics.",
    )
    log_level: str = "info"
    log_format: Literal["json", "text"] | None = Field(
        default=None,
        description="json (one object per line) or text; unset: json unless stdout is a terminal.",
    )
    access_log: bool = Field(default=True, description="One log record per request.")
    metrics: bool = Field(
        default=False,
        description="Serve Prometheus metrics at /metrics (on the public port: keep it to the "
        "scraper at the proxy).",
    )
    embed_frame_ancestors: str = Field(
        default="*",
        description="Who may frame the embeddable cards: CSP frame-ancestors sources, "
        "space-separated, e.g. 'https://*.gov.vn https://portal.example.vn'; '*' allows any.",
    )
    catalog_publisher: str = Field(
        default="Congress-term summary API maintainers",
        min_length=1,
        max_length=200,
        description="Publisher named in the DCAT catalog (/catalog.jsonld) for harvesting portals.",
    )
    cache_control: str = Field(
        default="public, max-age=60, stale-while-revalidate=300",
        min_length=1,
        description="Cache-Control sent with every successful public read.",
    )
    cors_allow_origins: str = Field(
        default="*",
        description="Origins that may read the API from a browser, separated by commas or "
        "spaces, e.g. 'https://portal.example.vn https://data.gov.vn'; '*' allows any.",
    )
    cors_max_age: int = Field(
        default=86400, ge=0, le=86400, description="Seconds a browser may cache a preflight."
    )
    response_cache: bool = Field(
        default=True, description="Keep rendered public reads in memory, per worker."
    )
    response_cache_mb: int = Field(
        default=32, ge=1, le=4096, description="Memory bound of the response cache, per worker."
    )

    downloads_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "downloads",
        description="Where the whole-dataset downloads are built and served from.",
    )
    downloads_keep: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Revisions whose downloads are kept on disk; older ones are pruned.",
    )

    max_body_bytes: int = Field(
        default=4 << 20,
        ge=1024,
        le=256 << 20,
        description="Largest request body the write API reads (a seed file with its texts).",
    )
    rate_limit: str | None = Field(
        default=None,
        description="Requests per client, e.g. `120/minute` (the `limits` notation); unset: off.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        pattern=r"^(memory://|redis://\S+)$",
        description="Where budgets are counted: `memory://` per process, or "
        "`redis://host:port` shared by every instance.",
    )
    rate_limit_prefix: str = Field(
        default="congress-api",
        pattern=r"^[A-Za-z0-9._:-]{1,64}$",
        description="Prefix of the budget keys, to keep deployments sharing a Redis apart.",
    )

    @field_validator("database_url")
    @classmethod
    def _parse_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {value!r}") from exc
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(f"unsupported database {url.get_backend_name()!r}")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _parse_rate_limit(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            parse(value)
        except ValueError:
            raise ValueError(f"not a rate limit like 120/minute: {value!r}") from None
        return value.strip()

    @field_validator("public_base_url")
    @classmethod
    def _parse_public_base_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _BASE_URL.fullmatch(value):
            raise ValueError(f"not an http(s) origin with an optional path: {value!r}")
        return value.rstrip("/")

    @field_validator("allowed_hosts")
    @classmethod
    def _parse_allowed_hosts(cls, value: str) -> str:
        hosts = value.replace(",", " ").lower().split()
        if not hosts:
            raise ValueError("give at least one host, or '*' for any")
        for host in hosts:
            if host != "*" and not _HOST_PATTERN.fullmatch(host):
                raise ValueError(f"not a host name: {host!r}")
        return " ".join(hosts)

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _parse_forwarded_allow_ips(cls, value: str) -> str:
        peers = value.replace(",", " ").split()
        for peer in peers:
            if peer == "*":
                continue
            try:
                ipaddress.ip_network(peer, strict=False)
            except ValueError:
                # Uvicorn also takes literal names (a Unix socket's peer, a test client's).
                if not re.fullmatch(r"[A-Za-z0-9._:/-]{1,200}", peer):
                    raise ValueError(f"not an address or network: {peer!r}") from None
        return " ".join(peers)

    @field_validator("embed_frame_ancestors")
    @classmethod
    def _parse_frame_ancestors(cls, value: str) -> str:
        sources = value.split()
        if not sources:
            raise ValueError("give at least one source, or '*' for any")
        for source in sources:
            if not _FRAME_SOURCE.fullmatch(source):
                raise ValueError(f"not a frame-ancestors source: {source!r}")
        return " ".join(sources)

    @field_validator("cors_allow_origins")
    @classmethod
    def _parse_cors_origins(cls, value: str) -> str:
        origins = value.replace(",", " ").split()
        if not origins:
            raise ValueError("give at least one origin, or '*' for any")
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
        return " ".join(origins)

    @property
    def cors_origins(self) -> list[str]:
        return self.cors_allow_origins.split()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class SettingsError(RuntimeError):
    """A setting in the environment is malformed; the message is one line for the operator."""


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid configuration: {details}") from None
