"""renditions: representations rendered on write, served as stored bytes

Revision ID: 3b8e61d0f4a7
Revises: ffaf84e23b5d
Create Date: 2026-11-30 10:45:00.000000

The table starts empty: `congress-api migrate` renders what is missing after upgrading, and
until then reads render as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b8e61d0f4a7"
down_revision: str | None = "ffaf84e23b5d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rendition",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=120), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "record_id", "lang", name=op.f("pk_rendition")),
    )


def downgrade() -> None:
    op.drop_table("rendition")
