"""search index: folded full-text index over every searchable kind, kept in step by triggers

Revision ID: 0426a2f856b7
Revises: 9ef1901192fc
Create Date: 2026-11-28 09:28:41.000000

One row per searchable record in `search_doc` (kind, record id), with its `name` (what the record
is called) and `body` (its text), both as printed and folded. Triggers on the source tables keep it
in step with every write, whoever makes it (the seed loader, a migration, a SQL shell).

SQLite: `search_fts`, an FTS5 table with rowid = `search_doc.id`. Its triggers call `fold()`,
which is `app.text.fold` itself, registered on every connection by `app.db.make_engine`; a
connection without it cannot write the indexed tables, so the index never silently drifts.
(Pure SQL cannot do it: SQLite has no translate(), and ~270 nested replace() overflow its parser.)

PostgreSQL: tsvector columns generated from `search_fold()`, an IMMUTABLE SQL image of
`app.text.fold` over the Latin letters with diacritics (Latin-1, Latin Extended-A, Vietnamese ơ/ư
and the Vietnamese block) and their combining marks, with a GIN index. tests/test_search_index.py
checks it still agrees with `fold`; if `fold` changes, add a migration that redefines it.

None of this is in the SQLModel metadata: migrations/env.py keeps it out of `alembic check`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0426a2f856b7"
down_revision: str | None = "9ef1901192fc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíî"
    "ïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚ"
    "ěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏ"
    "ŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻ"
    "żŽžſƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾế"
    "ỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủ"
    "ỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
)
FOLD_TO = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiii"
    "inooooouuuuyyaaaaaaccccccccddddeeeeeeeee"
    "egggggggghhiiiiiiiiijjkkllllllnnnnnnoooo"
    "oorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzz"
    "zzzsoouuaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
    "eeeeeeeeiiiioooooooooooooooooooooooouuuu"
    "uuuuuuuuuuyyyyyyyy"
)
# Combining marks of those letters, for text stored decomposed (NFD); folding drops them.
FOLD_DROP = (
    "\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308"
    "\u0309\u030a\u030b\u030c\u031b\u0323\u0327\u0328"
)

# kind -> (table, name, body), as SQL over the row `{r}` (NEW or OLD).
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


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE TABLE search_doc ("
        " id INTEGER PRIMARY KEY,"
        " kind TEXT NOT NULL,"
        " record_id TEXT NOT NULL,"
        " UNIQUE (kind, record_id))"
    )
    # Column order matters: the search query weighs them by position in bm25().
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "name, body, name_folded, body_folded, tokenize = 'unicode61 remove_diacritics 0')"
    )
    for kind, (table, name, body) in KINDS.items():
        new_name, new_body = name.format(r="NEW"), body.format(r="NEW")
        insert = (
            f"INSERT INTO search_doc (kind, record_id) VALUES ('{kind}', NEW.id); "
            "INSERT INTO search_fts (rowid, name, body, name_folded, body_folded) VALUES "
            f"(last_insert_rowid(), {new_name}, {new_body}, "
            f"fold({new_name}), fold({new_body}));"
        )
        delete = (
            "DELETE FROM search_fts WHERE rowid = "
            f"(SELECT id FROM search_doc WHERE kind = '{kind}' AND record_id = OLD.id); "
            f"DELETE FROM search_doc WHERE kind = '{kind}' AND record_id = OLD.id;"
        )
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
        op.execute(f"INSERT INTO search_doc (kind, record_id) SELECT '{kind}', id FROM {table}")
        row_name, row_body = name.format(r="t"), body.format(r="t")
        op.execute(
            "INSERT INTO search_fts (rowid, name, body, name_folded, body_folded) "
            f"SELECT d.id, {row_name}, {row_body}, fold({row_name}), fold({row_body}) "
            f"FROM {table} AS t JOIN search_doc AS d "
            f"ON d.kind = '{kind}' AND d.record_id = t.id"
        )


def _sqlite_downgrade() -> None:
    for table, _name, _body in KINDS.values():
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER search_{table}_{event}")
    op.execute("DROP TABLE search_fts")
    op.execute("DROP TABLE search_doc")


def _postgresql_upgrade() -> None:
    # lower() for case, translate() for the letters, then only letters and digits are words:
    # the text parser would otherwise read '2020-2025' as 2020 and -2025.
    op.execute(
        "CREATE FUNCTION search_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT "
        "regexp_replace(translate(lower(value), "
        f"{_quote(FOLD_FROM + FOLD_DROP)}, {_quote(FOLD_TO)}), '[^[:alnum:]]+', ' ', 'g') $$"
    )
    op.execute(
        "CREATE FUNCTION search_words(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT "
        "regexp_replace(lower(value), '[^[:alnum:]]+', ' ', 'g') $$"
    )
    op.execute(
        "CREATE TABLE search_doc ("
        " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " kind text NOT NULL,"
        " record_id text NOT NULL,"
        " name text NOT NULL,"
        " body text NOT NULL,"
        " folded tsvector GENERATED ALWAYS AS ("
        "  setweight(to_tsvector('simple'::regconfig, search_fold(name)), 'A') ||"
        "  setweight(to_tsvector('simple'::regconfig, search_fold(body)), 'D')) STORED,"
        " exact tsvector GENERATED ALWAYS AS ("
        "  setweight(to_tsvector('simple'::regconfig, search_words(name)), 'A') ||"
        "  setweight(to_tsvector('simple'::regconfig, search_words(body)), 'D')) STORED,"
        " UNIQUE (kind, record_id))"
    )
    op.execute("CREATE INDEX search_doc_folded ON search_doc USING gin (folded)")
    for kind, (table, name, body) in KINDS.items():
        op.execute(
            f"CREATE FUNCTION search_sync_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
            f"DELETE FROM search_doc WHERE kind = '{kind}' AND record_id = OLD.id; "
            "END IF; "
            "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
            "INSERT INTO search_doc (kind, record_id, name, body) VALUES "
            f"('{kind}', NEW.id, {name.format(r='NEW')}, {body.format(r='NEW')}); "
            "END IF; "
            "RETURN NULL; "
            "END $$"
        )
        op.execute(
            f"CREATE TRIGGER search_sync AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_sync_{table}()"
        )
        op.execute(
            "INSERT INTO search_doc (kind, record_id, name, body) "
            f"SELECT '{kind}', t.id, {name.format(r='t')}, {body.format(r='t')} FROM {table} AS t"
        )


def _postgresql_downgrade() -> None:
    for table, _name, _body in KINDS.values():
        op.execute(f"DROP TRIGGER search_sync ON {table}")
        op.execute(f"DROP FUNCTION search_sync_{table}()")
    op.execute("DROP TABLE search_doc")
    op.execute("DROP FUNCTION search_words(text)")
    op.execute("DROP FUNCTION search_fold(text)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _postgresql_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_downgrade()
    else:
        _postgresql_downgrade()
