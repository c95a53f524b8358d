"""Property-based conformance of the whole OpenAPI document, with schemathesis's default checks,
on positive and negative data. No operation is excluded, writes included: they are called with
a valid admin token, so they reach the write path rather than stopping at 401. One check is
left out where the document says why: a read projected by `fields=` is not held to the full
response schema.

The operations are driven directly (not with `schema.parametrize`) against a committed database
of this module's own (writes would otherwise change the data other tests read).
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
    response_schema_conformance,
)

from app.db import make_engine, write_session
from app.main import create_app
from app.models import TokenScope
from tests.conftest import issue_token
from tests.test_caching import committed_database, environment


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committed_database(tmp_path_factory.mktemp("schemathesis")) as url:
        yield url


@pytest.fixture(scope="module")
def token(database: str) -> str:
    engine = make_engine(database)
    with write_session(engine) as session, session.begin():
        secret = issue_token(session, "schemathesis", TokenScope.admin)
    engine.dispose()
    return secret


@pytest.fixture(scope="module")
def api_schema(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    downloads = str(tmp_path_factory.mktemp("downloads"))
    # Parameters within their declared lengths, percent-encoded, may exceed the default
    # MAX_QUERY_BYTES (414, tested in tests/test_hosts.py); here the contract of each is tested.
    with environment(DATABASE_URL=database, DOWNLOADS_DIR=downloads, MAX_QUERY_BYTES="65536"):
        yield schemathesis.openapi.from_asgi("/openapi.json", create_app())


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


def schema_valid_writes_are_accepted_or_refused_with_a_reason(
    _ctx: Any, response: Any, case: Any
) -> None:
    """The write API's stand-in for `positive_data_acceptance`. A schema cannot say which quotes
    are in a document, which ids exist or which ETag is current, so schema-valid data may still
    be refused, but only for one of those reasons, and a 422 must point at the input at fault."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    status = response.status_code
    assert status < 300 or status in (404, 409, 410, 412, 422, 428), f"refused with {status}"
    if status == 422:
        errors = response.json().get("errors") or []
        assert errors and all(e["pointer"].startswith("#") for e in errors), response.text


@pytest.mark.parametrize(("label", "mode"), _cases())
def test_api_conforms_to_its_openapi_document(
    api_schema: Any, token: str, label: str, mode: GenerationMode
) -> None:
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    writes = method != "GET"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        if not writes:
            # `fields=` leaves out fields the schema requires, as its description says.
            projected = bool(case.query and case.query.get("fields"))
            case.call_and_validate(
                excluded_checks=[response_schema_conformance] if projected else None
            )
            return
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=[positive_data_acceptance],
            additional_checks=[schema_valid_writes_are_accepted_or_refused_with_a_reason],
        )

    run()
