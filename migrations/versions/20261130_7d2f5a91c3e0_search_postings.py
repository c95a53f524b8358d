"""search postings: each record's words with their impact, ordered for top-k search

Revision ID: 7d2f5a91c3e0
Revises: 3b8e61d0f4a7
Create Date: 2026-11-30 16:40:00.000000

`search_word` holds, per searchable record (`search_doc.id`) and word, the word's impact in the
record (app/search/postings.py); its index `search_word_ranked` lists a word's records best
first, so a search reads the top of each word's list instead of ranking every hit (BM25 over
29,451 hits of `cong tac` was most of a search at 100,000 records). `search_word_count` holds
how many records hold each word, and under the empty word how many records there are: the two
numbers of a word's idf, read in one lookup instead of counted per search.

Both are kept in step by triggers, like the rest of the index. SQLite: the triggers of each
indexed table expand `search_postings()`, which is `app.search.postings.postings_json`,
registered on every connection by `app.db.make_engine` (as `fold()` is). PostgreSQL: triggers on
`search_doc` call `search_postings()`, its SQL image, which computes the same doubles. Counts are
upserted in word order, so concurrent writers lock them in one order; on PostgreSQL a bulk
writer defers them (`search.defer_counts`) and recounts once.

PostgreSQL's `search_doc.exact` tsvector only ranked records keeping tone marks; the postings do
that now, so it is dropped.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7d2f5a91c3e0"
down_revision: str | None = "3b8e61d0f4a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind -> (table, name, body), as SQL over the row `{r}`: as in 0426a2f856b7.
KINDS: dict[str, tuple[str, str, str]] = {
    "term": ("term", "{r}.label", "coalesce({r}.motto, '')"),
    "key_task": ("key_task", "''", "{r}.text"),
    "solution": ("solution", "''", "{r}.text"),
    "achievement": ("achievement", "''", "{r}.text"),
    "limitation": ("limitation", "''", "{r}.text"),
    "directive": ("directive", "''", "{r}.text"),
    "statistic": ("statistic", "{r}.label_vi", "{r}.label_en"),
    "person": ("person", "{r}.name", "''"),
    "organization": ("organization", "{r}.name", "''"),
    "event": ("event", "{r}.name", "{r}.date_text"),
    "document": ("document", "{r}.title", "{r}.text"),
}

_COUNT = (
    "INSERT INTO search_word_count (word, docs) "
    "SELECT word, {sign} FROM (SELECT word FROM search_word WHERE doc_id = {doc} "
    "UNION ALL SELECT '') AS words WHERE true ORDER BY word "
    "ON CONFLICT (word) DO UPDATE SET docs = search_word_count.docs + excluded.docs;"
)


# PostgreSQL: a count updated once per record written keeps every version of its row until the
# transaction ends, and each update walks them: a seed of 100,000 records in one transaction went
# quadratic. A bulk writer sets this and recounts once (app.search.index.counts_deferred).
_DEFERRED = "coalesce(current_setting('search.defer_counts', true), '') = 'on'"


def _sqlite_triggers(with_postings: bool) -> None:
    for kind, (table, name, body) in KINDS.items():
        doc = f"(SELECT id FROM search_doc WHERE kind = '{kind}' AND record_id = {{r}}.id)"
        new_name, new_body, new_doc = (part.format(r="NEW") for part in (name, body, doc))
        insert = (
            f"INSERT INTO search_doc (kind, record_id) VALUES ('{kind}', NEW.id); "
            "INSERT INTO search_fts (rowid, name, body, name_folded, body_folded) VALUES "
            f"(last_insert_rowid(), {new_name}, {new_body}, "
            f"fold({new_name}), fold({new_body}));"
        )
        old_doc = doc.format(r="OLD")
        delete = (
            "DELETE FROM search_fts WHERE rowid = "
            f"{old_doc}; "
            f"DELETE FROM search_doc WHERE kind = '{kind}' AND record_id = OLD.id;"
        )
        if with_postings:
            insert += (
                f" INSERT INTO search_word (doc_id, word, impact) SELECT {new_doc}, key, value "
                f"FROM json_each(search_postings({new_name}, {new_body})); "
                + _COUNT.format(sign="1", doc=new_doc)
            )
            delete = (
                _COUNT.format(sign="-1", doc=old_doc)
                + f" DELETE FROM search_word WHERE doc_id = {old_doc}; "
                + delete
            )
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER search_{table}_{event}")
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE ON {table} "
            f"BEGIN {delete} {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {delete} END"
        )


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE TABLE search_word ("
        " doc_id INTEGER NOT NULL,"
        " word TEXT NOT NULL,"
        " impact REAL NOT NULL,"
        " PRIMARY KEY (doc_id, word)) WITHOUT ROWID"
    )
    op.execute(
        "CREATE TABLE search_word_count (word TEXT PRIMARY KEY, docs INTEGER NOT NULL)"
        " WITHOUT ROWID"
    )
    op.execute(
        "INSERT INTO search_word (doc_id, word, impact) SELECT f.rowid, p.key, p.value "
        "FROM search_fts AS f, json_each(search_postings(f.name, f.body)) AS p"
    )
    _sqlite_triggers(with_postings=True)


def _postgresql_upgrade() -> None:
    # Weighing every record's words takes minutes at 100,000 records, past a server's per-query
    # timeout (DB_STATEMENT_TIMEOUT_MS); only this migration's transaction is exempt.
    op.execute("SET LOCAL statement_timeout = 0")
    # Same tokens as app.search.postings: folded words of name and text (counted for the length),
    # and the printed words (lowercase, NFC) that differ from their folding.
    op.execute(
        "CREATE FUNCTION search_postings(name text, body text) "
        "RETURNS TABLE (word text, impact float8) "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "WITH token AS ("
        " SELECT t.w, 10 AS f, true AS counted"
        "  FROM regexp_split_to_table(search_fold(name), ' ') AS t(w)"
        " UNION ALL SELECT t.w, 1, true"
        "  FROM regexp_split_to_table(search_fold(body), ' ') AS t(w)"
        " UNION ALL SELECT t.w, 10, false"
        "  FROM regexp_split_to_table(search_words(normalize(name, NFC)), ' ') AS t(w)"
        "  WHERE t.w <> search_fold(t.w)"
        " UNION ALL SELECT t.w, 1, false"
        "  FROM regexp_split_to_table(search_words(normalize(body, NFC)), ' ') AS t(w)"
        "  WHERE t.w <> search_fold(t.w)"
        "), size AS ("
        " SELECT 1.2::float8 * (1.0::float8 - 0.75::float8"
        "  + 0.75::float8 * count(*)::float8 / 32.0::float8) AS norm"
        " FROM token WHERE counted AND w <> ''"
        ") "
        "SELECT token.w, sum(token.f)::float8 * 2.2::float8 / (sum(token.f)::float8 + size.norm) "
        "FROM token, size WHERE token.w <> '' GROUP BY token.w, size.norm $$"
    )
    op.execute(
        "CREATE TABLE search_word ("
        " doc_id bigint NOT NULL,"
        " word text NOT NULL,"
        " impact float8 NOT NULL,"
        # Ranking looks a candidate's impacts up by (doc_id, word): with the impact in the key's
        # index that is an index-only scan, not a heap visit per lookup (on SQLite the table is
        # that index).
        " PRIMARY KEY (doc_id, word) INCLUDE (impact))"
    )
    op.execute("CREATE TABLE search_word_count (word text PRIMARY KEY, docs bigint NOT NULL)")
    op.execute(
        "INSERT INTO search_word (doc_id, word, impact) SELECT d.id, p.word, p.impact "
        "FROM search_doc AS d, search_postings(d.name, d.body) AS p"
    )
    op.execute(
        "CREATE FUNCTION search_doc_words() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "INSERT INTO search_word (doc_id, word, impact) "
        "SELECT NEW.id, p.word, p.impact FROM search_postings(NEW.name, NEW.body) AS p; "
        "IF NOT " + _DEFERRED + " THEN " + _COUNT.format(sign="1", doc="NEW.id") + " END IF; "
        "ELSE "
        "IF NOT " + _DEFERRED + " THEN " + _COUNT.format(sign="-1", doc="OLD.id") + " END IF; "
        "DELETE FROM search_word WHERE doc_id = OLD.id; "
        "END IF; "
        "RETURN NULL; "
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER search_doc_words AFTER INSERT OR DELETE ON search_doc "
        "FOR EACH ROW EXECUTE FUNCTION search_doc_words()"
    )
    op.execute("ALTER TABLE search_doc DROP COLUMN exact")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _postgresql_upgrade()
    op.execute(
        "INSERT INTO search_word_count (word, docs) "
        "SELECT word, count(*) FROM search_word GROUP BY word "
        "UNION ALL SELECT '', count(*) FROM search_doc"
    )
    # Built after the rows: one sort instead of 100,000 records' worth of page splits.
    op.execute("CREATE INDEX search_word_ranked ON search_word (word, impact DESC, doc_id)")
    op.execute("ANALYZE search_word")
    op.execute("ANALYZE search_word_count")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers(with_postings=False)
    else:
        op.execute("DROP TRIGGER search_doc_words ON search_doc")
        op.execute("DROP FUNCTION search_doc_words()")
        op.execute("DROP FUNCTION search_postings(text, text)")
        op.execute(
            "ALTER TABLE search_doc ADD COLUMN exact tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple'::regconfig, search_words(name)), 'A') ||"
            "setweight(to_tsvector('simple'::regconfig, search_words(body)), 'D')) STORED"
        )
    op.execute("DROP TABLE search_word_count")
    op.execute("DROP TABLE search_word")
