"""The ASGI application: `app.main:app`."""

from fastapi import FastAPI

from app.api.routes import health
from app.problems import install_problem_handlers


def create_app() -> FastAPI:
    app = FastAPI(
        title="Congress-term summary API",
        version="1.0.0",
        summary="Key tasks, breakthrough solutions, people, statistics and limitations of a "
        "provincial Party Committee's congress term, every fact cited to its source sentence.",
    )
    install_problem_handlers(app)
    app.include_router(health.router)
    return app


app = create_app()
