"""statistic order index: the statistics list is ordered by (position, id)

Revision ID: 5c1d7e0a9b42
Revises: 0426a2f856b7
Create Date: 2026-11-28 09:40:00.000000

Without it, every page of /api/v1/statistics sorted the whole table: at 100,000 records a cold
page took 6 ms instead of 2 ms (bench/PROFILE.md).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1d7e0a9b42"
down_revision: str | None = "0426a2f856b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_statistic_position_id", "statistic", ["position", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_statistic_position_id", table_name="statistic")
