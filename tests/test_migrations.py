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
