"""The OpenAPI document is written for the people reading it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app().openapi()


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
    ]


def _resolve(openapi: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = openapi
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_document_has_title_version_contact_and_licence(openapi: dict[str, Any]) -> None:
    info = openapi["info"]
    assert info["title"] and info["version"] and info["description"]
    assert info["contact"]["name"] and info["license"]["name"]


def test_every_operation_is_documented_for_api_users(openapi: dict[str, Any]) -> None:
    ids = []
    for path, method, operation in _operations(openapi):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert len(operation.get("description", "")) > 30, where
        assert operation.get("tags"), where
        ids.append(operation["operationId"])
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where} {parameter['name']}"
    assert len(ids) == len(set(ids))
    assert all(i.replace("_", "").isalnum() for i in ids)


def test_api_operations_declare_their_problems_as_problem_json(openapi: dict[str, Any]) -> None:
    for path, method, operation in _operations(openapi):
        if not path.startswith("/api/"):
            continue
        expected = {"405", "422", "500"} | ({"404"} if "{" in path else set())
        assert expected <= set(operation["responses"]), f"{method} {path}"
        for status in expected:
            content = _resolve(openapi, operation["responses"][status])["content"]
            assert list(content) == ["application/problem+json"], f"{method} {path} {status}"


def test_lists_declare_csv_and_enums_are_named(openapi: dict[str, Any]) -> None:
    tasks = openapi["paths"]["/api/v1/tasks"]["get"]["responses"]["200"]["content"]
    assert set(tasks) == {"application/json", "text/csv"}
    schemas = openapi["components"]["schemas"]
    assert schemas["StatisticCategory"]["enum"] == [
        "membership",
        "discipline",
        "organization",
        "target",
        "milestone",
    ]


def test_served_openapi_matches(client: TestClient, openapi: dict[str, Any]) -> None:
    assert client.get("/openapi.json").json()["paths"].keys() == openapi["paths"].keys()


def test_every_tag_used_is_declared_with_a_description(openapi: dict[str, Any]) -> None:
    declared = {tag["name"]: tag["description"] for tag in openapi["tags"]}
    for path, method, operation in _operations(openapi):
        for tag in operation["tags"]:
            assert declared.get(tag), f"{method} {path} {tag}"


def test_servers_default_to_the_origin_the_document_is_served_from(
    openapi: dict[str, Any],
) -> None:
    assert [server["url"] for server in openapi["servers"]] == ["/"]


def test_servers_follow_public_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import get_settings

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://data.example.gov.vn/")
    get_settings.cache_clear()
    try:
        servers = create_app().openapi()["servers"]
    finally:
        monkeypatch.delenv("PUBLIC_BASE_URL")
        get_settings.cache_clear()
    assert [server["url"] for server in servers] == ["https://data.example.gov.vn"]


def test_reads_are_anonymous_and_writes_need_the_bearer_token(openapi: dict[str, Any]) -> None:
    for path, method, operation in _operations(openapi):
        if method == "get":
            assert operation["security"] == [], f"{method} {path}"
    assert openapi["paths"]["/api/v1/people"]["post"]["security"] == [{"HTTPBearer": []}]


def test_every_cacheable_read_declares_304_and_its_validators(openapi: dict[str, Any]) -> None:
    for path, method, operation in _operations(openapi):
        if method != "get" or path in {"/healthz", "/readyz"}:
            continue
        assert "304" in operation["responses"], path
        ok = operation["responses"]["200"]["headers"]
        assert {"ETag", "Last-Modified", "Cache-Control", "X-Request-ID"} <= set(ok), path


def test_lists_document_link_and_total_count_headers(openapi: dict[str, Any]) -> None:
    headers = openapi["paths"]["/api/v1/people"]["get"]["responses"]["200"]["headers"]
    assert {"Link", "X-Total-Count", "RateLimit", "RateLimit-Policy"} <= set(headers)


def test_every_operation_but_health_declares_429_with_retry_after(
    openapi: dict[str, Any],
) -> None:
    for path, method, operation in _operations(openapi):
        if path in {"/healthz", "/readyz"}:
            assert "429" not in operation["responses"]
            continue
        too_many = _resolve(openapi, operation["responses"]["429"])
        assert "Retry-After" in too_many["headers"], f"{method} {path}"


def test_cards_are_declared_as_html_only(openapi: dict[str, Any]) -> None:
    for path in ["/embed/terms/{term_id}", "/embed/people/{person_id}", "/embed/statistics"]:
        content = openapi["paths"][path]["get"]["responses"]["200"]["content"]
        assert list(content) == ["text/html"], path


def test_include_keeps_its_enum(openapi: dict[str, Any]) -> None:
    parameters = openapi["paths"]["/api/v1/terms/{term_id}"]["get"]["parameters"]
    (include,) = [p for p in parameters if p["name"] == "include"]
    assert "key_tasks" in include["schema"]["items"]["enum"]


def test_the_catalog_has_a_real_schema(openapi: dict[str, Any]) -> None:
    content = openapi["paths"]["/catalog.jsonld"]["get"]["responses"]["200"]["content"]
    schema = content["application/ld+json"]["schema"]
    assert {"@context", "@type", "dcat:dataset"} <= set(schema["required"])
    assert schema["properties"]["dcat:dataset"]["items"]["properties"]["@type"] == {
        "const": "dcat:Dataset"
    }


def test_every_schema_is_bounded(openapi: dict[str, Any]) -> None:
    unbounded: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")
        elif isinstance(node, dict):
            kind = node.get("type")
            if kind == "string" and not {"maxLength", "enum", "const"} & node.keys():
                unbounded.append(where)
            if kind == "integer" and not {"minimum", "maximum", "format"} <= node.keys():
                unbounded.append(where)
            if kind == "array" and "maxItems" not in node:
                unbounded.append(where)
            for key, value in node.items():
                if key not in {"example", "examples", "enum", "const", "default"}:
                    walk(value, f"{where}/{key}")

    walk(openapi["paths"], "#/paths")
    walk(openapi["components"], "#/components")
    assert unbounded == []


def test_fields_that_are_always_sent_are_required(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    directive = schemas["DirectivePublic"]
    assert set(directive["required"]) == set(directive["properties"])
    assert "issuer_id" in directive["required"]  # present, null when the source names none
    assert "key_tasks" not in schemas["TermSummary"]["required"]  # left out by include=
    assert "detail" not in schemas["Problem"]["required"]
