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
            content = operation["responses"][status]["content"]
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
