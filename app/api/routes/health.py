import asyncio

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.api.responses import problems
from app.config import get_settings
from app.db import SessionDep
from app.faults import RETRY_AFTER_SECONDS, database_fault
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
async def get_readiness(session: SessionDep) -> Status:
    """Answers 200 when the database is reachable, migrated to the newest revision and seeded;
    503 with a problem naming the cause otherwise, within `READYZ_TIMEOUT` seconds even when
    the database does not answer at all."""
    deadline = get_settings().readyz_timeout
    check = asyncio.get_running_loop().run_in_executor(None, _readiness, session.get_bind())
    try:
        # The check goes on in its thread after the deadline; its own timeouts end it.
        problem = await asyncio.wait_for(check, deadline)
    except TimeoutError:
        problem = f"The database did not answer within {deadline:g} s."
    if problem is not None:
        raise NotReadyError(problem, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return Status()


def _readiness(bind: Engine | Connection) -> str | None:
    try:
        with Session(bind) as session:
            return readiness_problem(session=session)
    except SQLAlchemyError as exc:
        return database_fault(exc) or "The database cannot be read."
