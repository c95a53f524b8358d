"""The finishing touches of the OpenAPI document that FastAPI cannot express from the routes:
parameters as clients should send them, and what every response carries."""

from typing import Any

from app.api.fields import FIELDS_EXTENSION
from app.api.sorting import SORT_EXTENSION


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter is absent, never null: `X | None` is documented as X."""
    options = schema.get("anyOf")
    if options and len(options) == 2 and {"type": "null"} in options:
        kept = next(o for o in options if o != {"type": "null"})
        extra = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**kept, **extra}
    return schema


def _comma_separated(parameter: dict[str, Any], values: list[str], most: int) -> None:
    schema = parameter["schema"]
    parameter["schema"] = {
        "type": "array",
        "items": {"type": "string", "enum": values},
        "minItems": 1,
        "maxItems": most,
        "uniqueItems": True,
        **{k: schema[k] for k in ("title", "description") if k in schema},
    }
    parameter["style"] = "form"
    parameter["explode"] = False


def _finish_parameter(parameter: dict[str, Any]) -> None:
    schema = _without_null(parameter.get("schema", {}))
    parameter["schema"] = schema
    if SORT_EXTENSION in schema:
        fields = schema.pop(SORT_EXTENSION)
        values = [value for field in fields for value in (field, f"-{field}")]
        _comma_separated(parameter, values, len(fields))
    elif FIELDS_EXTENSION in schema:
        names = schema.pop(FIELDS_EXTENSION)
        _comma_separated(parameter, names, len(names))


def finish_parameters(document: dict[str, Any]) -> dict[str, Any]:
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                _finish_parameter(parameter)
    return document


TAGS: dict[str, str] = {
    "index": "The entry point: links to every collection, the dataset revision, the sources.",
    "terms": "Congress terms (nhiệm kỳ); `/terms/{id}` is a term's whole summary in one call.",
    "tasks": "Key tasks (nhiệm vụ trọng tâm) set for a term, in the source's order.",
    "solutions": "Breakthrough solutions (giải pháp đột phá) of a term, in order.",
    "achievements": "Results (kết quả) the review of a term reports.",
    "limitations": "Limitations and shortcomings (hạn chế, tồn tại) the review found.",
    "directives": "What the leadership asked units to do (chỉ đạo).",
    "statistics": "Typed, point-in-time figures: value, qualifier, unit, period, quote.",
    "people": "People named in the sources, with every post they hold.",
    "memberships": "Posts: a person holding a role in an organization.",
    "areas": "Areas (provinces) the organizations belong to.",
    "organizations": "Organizations (Tỉnh ủy, Ban Thường vụ, UBND, ...) with their members.",
    "events": "The conferences (hội nghị) that reviewed and set the terms.",
    "documents": "The source articles, their credits and their exact text.",
    "search": "One accent-insensitive search across every kind of record.",
    "changes": "The history of every change, to follow the dataset.",
    "imports": "Writing many records at once from a seed file (editors).",
    "downloads": "The whole dataset at one revision, one file per format.",
    "annotations": "Citations as W3C Web Annotations of their documents.",
    "embed": "Server-rendered HTML cards for portals to embed.",
    "oembed": "oEmbed discovery of the cards for CMSs.",
    "catalog": "The DCAT catalog national open-data portals harvest.",
    "feed": "An Atom feed of the newest changes.",
    "health": "Liveness and readiness for operators; never rate limited.",
    "problems": "Pages describing each problem `type` (RFC 9457), in Vietnamese and English.",
}


def _with_tags(document: dict[str, Any]) -> dict[str, Any]:
    used = {
        tag
        for path in document["paths"].values()
        for operation in path.values()
        for tag in operation.get("tags", [])
    }
    document["tags"] = [
        {"name": name, "description": TAGS.get(name, f"The {name} collection.")}
        for name in sorted(used, key=lambda n: list(TAGS).index(n) if n in TAGS else len(TAGS))
    ]
    return document


def _header(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "schema": schema}


def _text(most: int, **more: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": most, **more}


SECONDS = {"type": "integer", "format": "int32", "minimum": 0, "maximum": 2**31 - 1}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": _header(
        "The request's id (the `X-Request-ID` you sent, if valid); quote it when reporting a "
        "problem.",
        _text(64, pattern=r"^[A-Za-z0-9._-]{1,64}$"),
    ),
    "Access-Control-Allow-Origin": _header(
        "CORS, on cross-origin requests from browsers: `*` unless `CORS_ALLOW_ORIGINS` names "
        "the origins allowed.",
        _text(2000),
    ),
    "Access-Control-Expose-Headers": _header(
        "CORS: the headers a browser script may read.", _text(2000)
    ),
    "Content-Security-Policy": _header(
        "What a browser may load or frame with this response.", _text(2000)
    ),
    "X-Content-Type-Options": _header(
        "`nosniff`: the media type is the one declared.", {"type": "string", "enum": ["nosniff"]}
    ),
    "Referrer-Policy": _header(
        "How much of this URL a browser passes on.",
        {"type": "string", "enum": ["strict-origin-when-cross-origin"]},
    ),
    "Vary": _header("The request headers the response depends on.", _text(200)),
    "Cache-Control": _header(
        "Successful reads: `CACHE_CONTROL` (default `public, max-age=60, "
        "stale-while-revalidate=300`); problems, writes and health: `no-store`.",
        _text(200),
    ),
    "Content-Language": _header(
        "The language of the labels (and of a problem's title and detail).",
        {"type": "string", "enum": ["vi", "en"]},
    ),
    "ETag": _header(
        'Weak (`W/"…"`) on lists and other reads; strong (`"revision.digest"`) on a '
        "record, the version to send back in `If-Match`. Send it in `If-None-Match` for a 304.",
        _text(200),
    ),
    "Last-Modified": _header(
        "When the dataset last changed (HTTP date); `If-Modified-Since` answers 304.",
        _text(40),
    ),
    "Link": _header(
        "RFC 8288: the `first`, `prev`, `next` and `last` pages, as in the body's `links`.",
        _text(20000),
    ),
    "X-Total-Count": _header(
        "CSV only: the number of items over all pages (JSON has `total`).",
        {"type": "integer", "format": "int32", "minimum": 0, "maximum": 2**31 - 1},
    ),
    "RateLimit-Policy": _header(
        "When `RATE_LIMIT` is set (never on health endpoints): the policy, "
        '`"default";q=<requests>;w=<seconds>` (IETF draft-ietf-httpapi-ratelimit-headers).',
        _text(200),
    ),
    "RateLimit": _header(
        "When `RATE_LIMIT` is set (never on health endpoints): the requests left and the "
        'seconds until the window resets, `"default";r=<remaining>;t=<seconds>`.',
        _text(200),
    ),
    "Retry-After": _header("Seconds to wait before the next request.", SECONDS),
    "WWW-Authenticate": _header(
        'RFC 6750: `Bearer realm="congress-api"`, with `error="invalid_token"` when the '
        "token sent is refused.",
        _text(200),
    ),
    "Allow": _header("The methods this address takes.", _text(100)),
    "Accept-Patch": _header(
        "The body media type a PATCH takes: `application/merge-patch+json`.", _text(100)
    ),
    "Location": _header("The URL of what was created.", _text(4000)),
    "Content-Range": _header(
        "`bytes first-last/size`, or `bytes */size` when the range is outside the file.",
        _text(100),
    ),
}
# Everything the middleware stack adds to every response (the caching layer answers a 304 in
# front of the security headers).
EVERY = ["X-Request-ID", "Vary", "Cache-Control", "Access-Control-Allow-Origin"]
EVERY += ["Access-Control-Expose-Headers", "RateLimit", "RateLimit-Policy"]
SECURITY = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"]
BY_STATUS = {
    "201": ["Location", "ETag"],
    "206": ["Content-Range"],
    "401": ["WWW-Authenticate"],
    "405": ["Allow"],
    "412": ["ETag"],
    "415": ["Accept-Patch"],
    "416": ["Content-Range"],
    "429": ["Retry-After"],
}
NOT_MODIFIED = "NotModified"
TOO_MANY_REQUESTS = {
    "description": "Too many requests from this client (its token, else its address) in the "
    "window of `RATE_LIMIT`; `Retry-After` says when to try again.",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _header_names(path: str, method: str, status: str, operation: dict[str, Any]) -> list[str]:
    names = list(EVERY)
    if status != "304":
        names += SECURITY
    if path.startswith("/api/") or status[0] in "45":
        names.append("Content-Language")
    is_read = method == "get" and (status[0] == "2" or status == "304")
    if is_read and "health" not in operation.get("tags", []):
        names += ["ETag", "Last-Modified"]
    if method in {"put", "patch"} and status == "200":
        names.append("ETag")
    takes = {p["name"] for p in operation.get("parameters", [])}
    if method == "get" and status == "200" and "format" in takes and "limit" in takes:
        names += ["Link", "X-Total-Count"]
    return names + BY_STATUS.get(status, [])


def _is_cacheable_get(method: str, operation: dict[str, Any]) -> bool:
    return method == "get" and "health" not in operation.get("tags", [])


def _intern(components: dict[str, Any], prefix: str, response: dict[str, Any]) -> dict[str, str]:
    """One shared `components/responses` entry per distinct problem response, so the document
    does not repeat the same headers a thousand times."""
    for suffix in range(100):
        name = f"{prefix}{'' if suffix == 0 else suffix + 1}"
        if name not in components:
            components[name] = response
            return {"$ref": f"#/components/responses/{name}"}
        if components[name] == response:
            return {"$ref": f"#/components/responses/{name}"}
    raise ValueError(f"too many variants of {prefix}")


def _with_headers(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    components["headers"] = HEADERS
    shared = components.setdefault("responses", {})
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if _is_cacheable_get(method, operation) and "304" not in responses:
                responses["304"] = {
                    "description": "Not Modified: the ETag in `If-None-Match` (or the date in "
                    "`If-Modified-Since`) is current; no body."
                }
            if "health" not in operation.get("tags", []) and "429" not in responses:
                responses["429"] = dict(TOO_MANY_REQUESTS)
            for status, response in list(responses.items()):
                content = response.get("content", {})
                # A route that returns a response of its own (HTML, text, CSV) is not JSON.
                if content.get("application/json") == {"schema": {}} and len(content) > 1:
                    del content["application/json"]
                headers = response.setdefault("headers", {})
                for name in _header_names(path, method, status, operation):
                    headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
                if status == "304":
                    responses[status] = _intern(shared, NOT_MODIFIED, response)
                elif status[0] in "45":
                    responses[status] = _intern(shared, f"Problem{status}", response)
    return document


def _with_security(document: dict[str, Any]) -> dict[str, Any]:
    """Reads are anonymous; the operations that need a token already name the scheme."""
    for item in document["paths"].values():
        for operation in item.values():
            operation.setdefault("security", [])
    return document


# The API's outer limits, for values with no narrower bound of their own: no text or list can
# reach the database through the API larger than the largest body it reads (MAX_BODY_BYTES'
# default), and integer columns are 32-bit on PostgreSQL.
TEXT_MAX = 4_194_304
ITEMS_MAX = 4_194_304
INT32 = (-(2**31), 2**31 - 1)
BOUNDS_NOTE = f"""

**Limits.** A string or a list with no narrower bound of its own is at most
{TEXT_MAX:,} characters or items long (the largest body the write API reads); integers are
32-bit. Lists page at most 500 items."""


def _bound(node: Any) -> None:
    """Adds the outer limits to every schema of the document that has none."""
    if isinstance(node, list):
        for item in node:
            _bound(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "string" and not {"maxLength", "enum", "const"} & node.keys():
        node["maxLength"] = 40 if node.get("format") == "date-time" else TEXT_MAX
    elif kind == "integer":
        node.setdefault("format", "int32")
        if "minimum" not in node and "exclusiveMinimum" not in node:
            node["minimum"] = INT32[0]
        if "maximum" not in node and "exclusiveMaximum" not in node:
            node["maximum"] = INT32[1]
    elif kind == "array":
        node.setdefault("maxItems", ITEMS_MAX)
    for key, value in node.items():
        if key not in {"example", "examples", "enum", "const", "default"}:
            _bound(value)


# Serialized whole: a field with a default is still sent (null when it has no value), so every
# field is present. (The term summary leaves out the sections `include=` did not ask for, and a
# problem its empty members: those keep their optional fields.)
SENT_WHOLE = ("OEmbed", "Status")


def _always_present_required(document: dict[str, Any]) -> None:
    for name, schema in document["components"]["schemas"].items():
        if name.endswith("Public") or name in SENT_WHOLE:
            schema["required"] = list(schema.get("properties", {}))


def finish_document(document: dict[str, Any], base_url: str | None) -> dict[str, Any]:
    document["servers"] = [
        {
            "url": base_url.rstrip("/") if base_url else "/",
            "description": "This deployment (production)"
            if base_url
            else "The server this document is served from (production, or a local test one)",
            "x-internal": False,
        }
    ]
    document["info"]["description"] = document["info"].get("description", "") + BOUNDS_NOTE
    document = finish_parameters(document)
    document = _with_tags(document)
    document = _with_security(document)
    document = _with_headers(document)
    _always_present_required(document)
    _bound(document["paths"])
    _bound(document["components"])
    return document
