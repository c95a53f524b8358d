"""The ASGI application: `app.main:app`."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.middleware.cors import CORSMiddleware

from app.access import AccessMiddleware, RouteTemplateMiddleware
from app.api.routes import (
    catalog,
    docs,
    downloads,
    editor,
    embed,
    feed,
    health,
    index,
    metrics,
    oembed,
    problem_types,
)
from app.api.stored_reads import StoredReadsMiddleware, stored_reads
from app.api.v1 import TERM_ITEMS, api_router
from app.api.writes import WRITE_BODIES
from app.caching import HttpCachingMiddleware, cors_options
from app.config import get_settings
from app.errors import install_error_handling
from app.hosts import HostsMiddleware
from app.middleware import HeadersMiddleware
from app.openapi import finish_document
from app.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from app.ratelimit import RateLimitMiddleware
from app.reads import close_reads
from app.seeding.schema import SeedFile
from app.supervision import exit_with_supervisor

DESCRIPTION = """
Open data on provincial Party Committee congress terms: key tasks (nhiệm vụ trọng tâm),
breakthrough solutions (giải pháp đột phá), people and their posts, membership and disciplinary
statistics, limitations, directives and the conference that decided them.

**Every fact is cited.** Each item carries `sources`: the exact quote of the source article with
its `start`/`end` offsets, which you can check against `/api/v1/documents/{id}/text`. Facts the
source does not state are not invented: the conference year is not printed, so it is `null`.

Lists take `limit`/`offset`, send an RFC 8288 `Link` header, and answer CSV with
`Accept: text/csv` or `format=csv`. Labels are Vietnamese by default, English with `lang=en` or
`Accept-Language: en`. Errors are RFC 9457 problem details.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # FastAPI resolves an included route (its parameters' validators) when a request first
    # meets its router: the first request after a start waited 0.4 s for all of them.
    for _ in iter_route_contexts(app.routes):
        pass
    # The thread pool that runs the `def` handlers and serializes their answers: each thread
    # busy on a cold render holds that render's objects (THREADS; bench/RESULTS.md).
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().threads
    yield
    await close_reads()


def create_app(*, answer_stored_reads: bool = True) -> FastAPI:
    """The application; `answer_stored_reads=False` leaves every read to the routes (tests
    compare the two)."""
    app = FastAPI(
        title="Congress-term summary API",
        version="1.0.0",
        summary="Provincial Party Committee congress-term summaries, every fact cited.",
        description=DESCRIPTION,
        contact={"name": "Congress-term summary API maintainers"},
        license_info={"name": "Data: CC BY 4.0; code: MIT", "identifier": "CC-BY-4.0"},
        generate_unique_id_function=lambda route: route.name,
        # Served by app.api.routes.docs from local files: FastAPI's own pages load a CDN.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    # Middleware added first runs innermost: errors become problems inside the layers that add
    # every response's headers.
    app.add_middleware(RouteTemplateMiddleware)
    if answer_stored_reads:
        app.add_middleware(StoredReadsMiddleware, reads=stored_reads(api_router.prefix, TERM_ITEMS))
    install_error_handling(app)
    app.add_middleware(HostsMiddleware)
    app.add_middleware(HeadersMiddleware)
    app.add_middleware(CORSMiddleware, **cors_options())
    # Added after the others (but for the rate limit and the access record), so a warm hit is
    # answered before any other middleware runs.
    app.add_middleware(HttpCachingMiddleware, defer_version=answer_stored_reads)
    settings = get_settings()
    if settings.rate_limit:  # in front of the cache: warm hits count too
        app.add_middleware(
            RateLimitMiddleware,
            limit=settings.rate_limit,
            storage=settings.rate_limit_storage,
            prefix=settings.rate_limit_prefix,
        )
    # Outside everything: the request id, the access record and the metrics of every request.
    app.add_middleware(AccessMiddleware)
    app.include_router(health.router)
    app.include_router(index.router)
    app.include_router(api_router)
    app.include_router(embed.router)
    app.include_router(oembed.router)
    app.include_router(catalog.router)
    app.include_router(downloads.files_router)
    app.include_router(feed.router)
    app.include_router(docs.router)
    app.include_router(editor.router)
    app.include_router(problem_types.router)
    if settings.metrics:
        app.include_router(metrics.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                contact=app.contact,
                license_info=app.license_info,
                tags=app.openapi_tags,
            )
            schema = _with_write_bodies(_problems_as_problem_json(schema))
            app.openapi_schema = finish_document(schema, get_settings().public_base_url)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _with_write_bodies(schema: dict[str, Any]) -> dict[str, Any]:
    """The write API parses its bodies itself (to answer 400/413/415 as problems); their
    models are declared here so the operations' `$ref`s resolve."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    models: list[type[BaseModel]] = [*WRITE_BODIES.values(), SeedFile]
    for model in models:
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(found.pop("$defs", {}))
        components[model.__name__] = found
    return schema


def _problems_as_problem_json(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are documented under the media type they are sent with."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


exit_with_supervisor()
app = create_app()
# Everything imported so far lives as long as the process: out of the collector's sight, a full
# collection no longer walks it (a cold request's p99 fell from 67 ms to 10 ms; bench/RESULTS.md).
gc.freeze()
