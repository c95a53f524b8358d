from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from app.api.responses import problems
from app.db import SessionDep
from app.problems import NotReadyError
from app.queries.health import readiness_problem

router = APIRouter(tags=["health"], responses=problems(405, 500))


class Status(BaseModel):
    status: str = "ok"


@router.get("/healthz", summary="Liveness", operation_id="get_health")
def get_health() -> Status:
    """Answers 200 while the process is alive. It does not touch the database."""
    return Status()


@router.get(
    "/readyz",
    summary="Readiness",
    operation_id="get_readiness",
    responses=problems(503),
)
def get_readiness(session: SessionDep) -> Status:
    """Answers 200 when the database is reachable, migrated to the newest revision and seeded;
    503 with a problem otherwise."""
    try:
        problem = readiness_problem(session=session)
    except SQLAlchemyError:
        problem = "The database is unreachable."
    if problem is not None:
        raise NotReadyError(problem)
    return Status()
