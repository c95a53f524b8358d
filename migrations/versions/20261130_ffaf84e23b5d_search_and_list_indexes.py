"""search and list indexes: statistics of a term in list order; the GIN index without a pending list

Revision ID: ffaf84e23b5d
Revises: c82dc9c55879
Create Date: 2026-11-30 10:20:00.000000

`ix_statistic_term_id_position_id`: `/api/v1/statistics?term=` and a term's summary read a term's
statistics in (position, id) order; with it the page is read in order from the index instead of
fetching every statistic of the term and sorting them. It replaces `ix_statistic_term_id`, its
prefix: with both, PostgreSQL kept choosing the narrow index and a sort.

PostgreSQL: `search_doc_folded` without `fastupdate`. With it, inserts go to a pending list that
every search scans in full until (auto)vacuum merges it: right after loading 100,000 records a
two-word search spent 83 ms in the index instead of 1 ms (bench/plans/). Writes here are rare and
one record at a time, so each pays for its own index update instead.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ffaf84e23b5d"
down_revision: str | None = "c82dc9c55879"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_statistic_term_id_position_id", "statistic", ["term_id", "position", "id"])
    op.drop_index("ix_statistic_term_id", table_name="statistic")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX search_doc_folded SET (fastupdate = off)")
        # What is pending already stays pending until merged.
        op.execute("SELECT gin_clean_pending_list('search_doc_folded')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX search_doc_folded RESET (fastupdate)")
    op.create_index("ix_statistic_term_id", "statistic", ["term_id"])
    op.drop_index("ix_statistic_term_id_position_id", table_name="statistic")
