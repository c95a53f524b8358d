from collections.abc import Callable, Iterator
from typing import Any

import pydantic
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.test_caching import committed_database, environment


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committed_database(tmp_path_factory.mktemp("main")) as url:
        yield url


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/search?q=bac+giang",
        "/api/v1/people?limit=3",
        "/api/v1/terms/bac-giang-2025-2030",
        "/embed/terms/bac-giang-2025-2030",
    ],
)
def test_the_first_request_after_start_up_builds_no_validators(
    database: str, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """FastAPI builds an included route's validators when a request first meets its router, and
    the first request after a start waited 0.4 s for them: start-up builds them all instead."""
    built: list[object] = []
    build: Callable[..., None] = pydantic.TypeAdapter.__init__

    def counted(adapter: pydantic.TypeAdapter[Any], *args: Any, **kwargs: Any) -> None:
        built.append(args[0] if args else kwargs.get("type"))
        build(adapter, *args, **kwargs)

    # Every request reaches its route: none is answered by the cache or the stored-reads layer.
    with (
        environment(DATABASE_URL=database, RESPONSE_CACHE="false"),
        TestClient(create_app(answer_stored_reads=False)) as client,
    ):
        monkeypatch.setattr(pydantic.TypeAdapter, "__init__", counted)
        assert client.get(path).status_code == 200
    assert built == []
