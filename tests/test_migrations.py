from alembic import command
from sqlalchemy import Engine, inspect

from app.migrate import alembic_config, upgrade


def test_models_and_migrations_do_not_drift(engine: Engine, database_url: str) -> None:
    command.check(alembic_config(database_url))


def test_migrations_downgrade_to_empty_and_upgrade_again(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    command.downgrade(alembic_config(fresh_database_url), "base")
    from app.db import make_engine

    engine = make_engine(fresh_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(fresh_database_url)
    command.check(alembic_config(fresh_database_url))


def test_constraints_follow_the_naming_convention(engine: Engine) -> None:
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("key_task")["name"] == "pk_key_task"
    names = {fk["name"] for fk in inspector.get_foreign_keys("key_task")}
    assert names == {"fk_key_task_term_id_term"}


def test_the_head_revision_read_without_alembic_is_alembics_and_the_database_is_at_it(
    engine: Engine,
) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app.migrate import current_revision, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert (
            current_revision(connection)
            == MigrationContext.configure(connection).get_current_revision()
        )


def test_serving_and_readiness_import_no_alembic(engine: Engine, database_url: str) -> None:
    """Alembic with Mako and Pygments is ~10 MB of every worker's memory (bench/RESULTS.md)."""
    import os
    import subprocess
    import sys

    from app.config import PROJECT_ROOT

    code = (
        "import sys, app.main; from fastapi.testclient import TestClient; "
        "status = TestClient(app.main.app).get('/readyz').status_code; "
        "print(status, sorted(m for m in ('alembic', 'mako', 'pygments') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "200 []", done.stdout
