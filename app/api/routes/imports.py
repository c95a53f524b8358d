from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from app.api.auth import BearerDep
from app.api.bodies import JSON, TOML, SeedFileBody
from app.api.responses import problems
from app.db import WriteSessionDep
from app.editing import commands
from app.problems import ConflictError

router = APIRouter(prefix="/imports", tags=["imports"])


class ImportResult(BaseModel):
    """What the import changed (or, for a dry run, would change), as `collection/id`."""

    dry_run: bool
    revision: int = Field(
        description="The dataset revision the import made (for a dry run, would make)."
    )
    created: list[str] = Field(examples=[["tasks/bac-ninh-2025-2030-task-1"]])
    updated: list[str]
    unchanged: list[str]
    retired: list[str] = Field(
        description="In the file but retired in the dataset: left retired (an admin reverts "
        "the retirement to restore one)."
    )


@router.post(
    "",
    summary="Import a seed file",
    operation_id="create_import",
    response_model=ImportResult,
    responses=problems(400, 401, 403, 409, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                TOML: {"schema": {"type": "string", "description": "A seed file, TOML."}},
                JSON: {"schema": {"$ref": "#/components/schemas/SeedFile"}},
            },
        }
    },
)
def create_import_handler(
    body: SeedFileBody,
    token: BearerDep,
    session: WriteSessionDep,
    dry_run: Annotated[bool, Query(description="Report what would change, write nothing.")] = False,
) -> ImportResult:
    """Apply a whole seed file (the format of `seed/*.toml`, as `application/toml`, or the
    same structure as `application/json`) in one transaction: this is how an article comes in
    with all its records. Documents give their text inline (`text = \"\"\"...\"\"\"`) instead of
    `file`. Records may refer to records already in the dataset. Every quote is located in its
    document; any problem is a 422 pointing into the file (`#/key_tasks/3/sources/0/quote`)
    and nothing is written. With `dry_run=true` nothing is written either: the answer says
    what would be created, updated and left unchanged."""
    editor = token.editor(session)
    if not isinstance(body, dict):
        raise commands.seed_file_not_object()
    try:
        report = commands.import_records(session, editor.name, body)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(
            "The file conflicts with records in the dataset (two records at one position?)."
        ) from None
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return ImportResult(
        dry_run=dry_run,
        revision=report.revision,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        retired=report.retired,
    )
