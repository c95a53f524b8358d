"""`congress-api verify`: replaying the history from empty reproduces the tables, or the first
difference is named."""

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import insert, select, text
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine, write_session
from app.editing import commands
from app.editing.commands import IfMatch
from app.editing.kinds import BY_COLLECTION, KINDS
from app.editing.replay import verify
from app.migrate import alembic_config, upgrade
from app.models import Change
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from tests.conftest import SEED_DIR

runner = CliRunner()
ANY = IfMatch(frozenset(), any_version=True)
EDITOR = "editor@example"
TASK = "bac-giang-2025-2030-task-1"
PERSON = "duong-van-thai"
DOCUMENT = "ttxvn-bac-giang-xay-dung-dang"
BEFORE_EDITING = "5c1d7e0a9b42"  # the revision before the history existed


def _difference(session: Session) -> str:
    result = verify(session)
    assert result.difference is not None, "verify should have found a difference"
    return result.difference


def _last_change(session: Session, record_id: str) -> int:
    table = Change.__table__  # type: ignore[attr-defined]
    return int(
        session.execute(
            select(sa.func.max(table.c.id)).where(table.c.record_id == record_id)
        ).scalar_one()
    )


# --- the history reproduces the tables --------------------------------------------------------


def test_freshly_seeded_database_verifies(session: Session) -> None:
    result = verify(session)
    assert result.difference is None
    records = sum(
        session.execute(select(sa.func.count()).select_from(k.table)).scalar_one() for k in KINDS
    )
    assert result.records == records > 0
    assert result.changes >= records


def test_edits_through_the_commands_verify(session: Session) -> None:
    tasks = BY_COLLECTION["tasks"]
    commands.create(
        session,
        EDITOR,
        tasks,
        {
            "id": "bac-giang-2025-2030-task-3",
            "term_id": "bac-giang-2025-2030",
            "text": "Một nhiệm vụ thêm",
            "sources": [{"document": DOCUMENT, "quote": "Bắc Giang", "occurrence": 2}],
        },
    )
    commands.patch(session, EDITOR, tasks, TASK, {"text": "Đã sửa"}, ANY)
    patched = _last_change(session, TASK)
    commands.patch(
        session,
        EDITOR,
        BY_COLLECTION["events"],
        "bac-giang-hoi-nghi-tong-ket-xay-dung-dang-2020-2025",
        {"chair_ids": [PERSON]},
        ANY,
    )
    commands.retire(session, EDITOR, tasks, "bac-giang-2025-2030-task-3", ANY)
    retired = _last_change(session, "bac-giang-2025-2030-task-3")
    assert verify(session).difference is None
    # Restoring a retired record inserts its row again: created_at is the revert's time.
    commands.revert(session, EDITOR, retired)
    commands.revert(session, EDITOR, patched)
    commands.retire(
        session, EDITOR, BY_COLLECTION["achievements"], "bac-giang-2020-2025-achievement-6", ANY
    )

    result = verify(session)
    assert result.difference is None
    assert result.changes > result.records


def test_database_seeded_before_the_history_existed_verifies(fresh_database_url: str) -> None:
    """The editing migration backfills a `create` change for every record already there."""
    config = alembic_config(fresh_database_url)
    command.upgrade(config, BEFORE_EDITING)
    dataset = read_dataset(seed_files(SEED_DIR))
    engine = make_engine(fresh_database_url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.begin() as conn:
        for kind in KINDS:
            if dataset.rows[kind.seed_list]:
                conn.execute(insert(metadata.tables[kind.table.name]), dataset.rows[kind.seed_list])
        conn.execute(insert(metadata.tables["eventchair"]), dataset.chairs)
        conn.execute(insert(metadata.tables["citation"]), dataset.citations)
        conn.execute(
            insert(metadata.tables["datasetstate"]),
            [{"id": 1, "revision": 3, "modified_at": datetime(2026, 3, 7, tzinfo=UTC)}],
        )
    upgrade(fresh_database_url)
    with Session(engine) as session:
        result = verify(session)
    engine.dispose()
    assert result.difference is None
    assert result.changes == result.records == dataset.count()


# --- differences are named --------------------------------------------------------------------


def test_a_row_changed_outside_the_write_path_is_named(session: Session) -> None:
    session.execute(text("UPDATE key_task SET text = 'x' WHERE id = :id"), {"id": TASK})
    difference = _difference(session)
    assert difference.startswith(f"key_task '{TASK}': text: the history gives 'Tiếp tục")
    assert "the table has 'x'" in difference


def test_a_row_inserted_outside_the_write_path_is_named(session: Session) -> None:
    now = datetime.now(UTC)
    person = BY_COLLECTION["people"].table
    session.execute(
        insert(person),
        [{"id": "ai-do", "name": "Ai đó", "created_at": now, "updated_at": now, "revision": 1}],
    )
    assert _difference(session) == (
        "person 'ai-do': in the table but not in the history (written outside the write path?)"
    )


def test_a_row_deleted_outside_the_write_path_is_named(session: Session) -> None:
    session.execute(text("DELETE FROM citation WHERE subject_id = :id"), {"id": TASK})
    session.execute(text("DELETE FROM key_task WHERE id = :id"), {"id": TASK})
    assert _difference(session).startswith(
        f"key_task '{TASK}': missing from the table; the history (change "
    )


def test_a_changed_stamp_is_named(session: Session) -> None:
    session.execute(text("UPDATE person SET revision = 99 WHERE id = :id"), {"id": PERSON})
    difference = _difference(session)
    assert difference.startswith(f"person '{PERSON}': revision: the history gives ")
    assert "the table has 99" in difference


def test_a_changed_citation_is_named(session: Session) -> None:
    session.execute(
        text("UPDATE citation SET quote = 'x' WHERE subject_kind = 'person' AND subject_id = :id"),
        {"id": PERSON},
    )
    difference = _difference(session)
    assert difference.startswith(f"person '{PERSON}': sources[0].quote: the history gives ")


def test_a_citation_of_no_record_is_named(session: Session) -> None:
    session.execute(
        text(
            "INSERT INTO citation (subject_kind, subject_id, position, document_id, quote, "
            "start, \"end\") VALUES ('person', 'ai-do', 1, :doc, 'x', 0, 1)"
        ),
        {"doc": DOCUMENT},
    )
    assert _difference(session) == "a citation of person 'ai-do', which the history lacks"


def test_a_history_that_does_not_chain_is_named(session: Session) -> None:
    """A change whose `before` is not what the changes before it left: the tables agree with
    its `after`, but the history does not chain."""
    current = verify(session)
    assert current.difference is None
    table = Change.__table__  # type: ignore[attr-defined]
    after = session.execute(
        select(table.c.after).where(table.c.record_id == PERSON).order_by(table.c.id.desc())
    ).scalar_one()
    before: dict[str, Any] = {**after, "name": "Người khác"}
    session.execute(
        insert(table),
        [
            {
                "revision": 1,
                "at": datetime.now(UTC),
                "actor": "intruder",
                "operation": "update",
                "kind": "person",
                "record_id": PERSON,
                "before": before,
                "after": after,
            }
        ],
    )
    number = _last_change(session, PERSON)
    difference = _difference(session)
    assert difference.startswith(
        f"change {number} (update person '{PERSON}'): its `before` is not the state the "
        "history left: name: the history left 'Dương Văn Thái' (by change "
    )
    assert difference.endswith(", the change has 'Người khác'")


# --- the command ------------------------------------------------------------------------------


@pytest.fixture
def seeded(env_database: str) -> str:
    upgrade(env_database)
    engine = make_engine(env_database)
    with write_session(engine) as session, session.begin():
        write_dataset(session, read_dataset(seed_files(SEED_DIR)))
    engine.dispose()
    return env_database


def test_verify_command_exits_0_with_a_summary(seeded: str) -> None:
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "verify: 42 changes replayed, 42 records match, and every stored representation "
        "equals a fresh render\n"
    )


def test_verify_command_exits_1_naming_a_stored_body_that_a_render_does_not_give(
    seeded: str,
) -> None:
    engine = make_engine(seeded)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE rendition SET body = '{}' WHERE kind = 'summary' AND lang = 'en'")
        )
    engine.dispose()
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 1
    assert result.stderr == (
        "verify: a stored representation is not what a fresh render gives: "
        "summary/bac-giang-2020-2025/en: the stored body differs from a fresh render\n"
    )


def test_verify_command_exits_1_naming_the_first_difference(seeded: str) -> None:
    engine = make_engine(seeded)
    with engine.begin() as conn:
        conn.execute(text("UPDATE key_task SET text = 'x' WHERE id = :id"), {"id": TASK})
        conn.execute(text("UPDATE person SET name = 'y' WHERE id = :id"), {"id": PERSON})
    engine.dispose()
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 1
    assert result.stdout == ""
    # Kinds in foreign-key order: the person comes before the key task.
    assert result.stderr.startswith(
        "verify: the history does not reproduce the tables (42 changes replayed): "
        f"person '{PERSON}': name: the history gives 'Dương Văn Thái', the table has 'y'"
    )
