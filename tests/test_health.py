from fastapi.testclient import TestClient

from app.db import get_session
from app.main import create_app


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_on_a_migrated_seeded_database(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_problem_on_an_unmigrated_database(fresh_database_url: str) -> None:
    from sqlmodel import Session

    from app.db import make_engine

    engine = make_engine(fresh_database_url)
    app = create_app()

    def session() -> object:
        with Session(engine) as s:
            yield s

    app.dependency_overrides[get_session] = session
    with TestClient(app) as client:
        response = client.get("/readyz")
    engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and "not" in body["detail"]


def test_readyz_is_503_when_migrated_but_not_seeded(fresh_database_url: str) -> None:
    from sqlmodel import Session

    from app.db import make_engine
    from app.migrate import upgrade

    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    app = create_app()

    def session() -> object:
        with Session(engine) as s:
            yield s

    app.dependency_overrides[get_session] = session
    with TestClient(app) as client:
        response = client.get("/readyz")
    engine.dispose()
    assert response.status_code == 503
    assert response.json()["detail"] == "The dataset has not been seeded."
