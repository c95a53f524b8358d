"""Property-based conformance of the whole OpenAPI document, with schemathesis's default checks,
on positive and negative data. No operation or check is excluded.

The operations are driven directly (not with `schema.parametrize`) so the app can use the
migrated, seeded test database from the session fixtures.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from sqlalchemy import Engine
from sqlmodel import Session

from app.db import get_session
from app.main import create_app


@pytest.fixture(scope="module")
def api_schema(engine: Engine) -> Any:
    app = create_app()

    def session() -> Iterator[Session]:
        with Session(engine) as s:
            yield s

    app.dependency_overrides[get_session] = session
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _cases() -> list[tuple[str, GenerationMode]]:
    """Every operation with positive data; negative data where there is an input to make invalid
    (an operation without parameters has no negative case, and hypothesis rejects the attempt)."""
    schema = create_app().openapi()
    return [
        (f"{method.upper()} {path}", mode)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for mode in GenerationMode
        if mode is GenerationMode.POSITIVE or operation.get("parameters")
    ]


@pytest.mark.parametrize(("label", "mode"), _cases())
def test_api_conforms_to_its_openapi_document(
    api_schema: Any, label: str, mode: GenerationMode
) -> None:
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate()

    run()
