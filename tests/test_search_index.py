"""The search index the migration builds: in step with the records, folding as `app.text.fold`."""

import sqlite3
import unicodedata

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, make_url, text
from sqlmodel import Session, select

from app.migrate import upgrade
from app.models import Document, KeyTask, Organization, Person, Statistic
from app.search.terms import words
from app.text import fold

# Every Vietnamese letter with a tone mark or a hat, both cases, and đ/Đ.
VIETNAMESE = "".join(
    unicodedata.normalize("NFC", base + hat + tone)
    for base, hats in {"a": ["", "\u0306", "\u0302"], "e": ["", "\u0302"], "i": [""],
                       "o": ["", "\u0302", "\u031b"], "u": ["", "\u031b"], "y": [""]}.items()
    for hat in hats
    for tone in ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
) + "đ"  # fmt: skip
VIETNAMESE += VIETNAMESE.upper()


def test_every_record_is_found_by_its_own_words_typed_without_marks(
    client: TestClient, session: Session
) -> None:
    records = [
        *[("person", p.id, p.name) for p in session.exec(select(Person))],
        *[("organization", o.id, o.name) for o in session.exec(select(Organization))],
        *[("key_task", t.id, t.text) for t in session.exec(select(KeyTask))],
        *[("statistic", s.id, s.label_vi) for s in session.exec(select(Statistic))],
        *[("document", d.id, d.title) for d in session.exec(select(Document))],
    ]
    assert len(records) > 15
    for kind, record_id, printed in records:
        q = " ".join(fold(word) for word in words(printed)[:6]).upper()
        hits = client.get("/api/v1/search", params={"q": q, "type": kind, "limit": 500}).json()
        assert record_id in [hit["id"] for hit in hits["items"]], (kind, q)


def test_postgresql_fold_function_agrees_with_fold(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite's index calls app.text.fold itself")
    samples = [
        VIETNAMESE,
        unicodedata.normalize("NFD", VIETNAMESE),
        "Bí thư Tỉnh ủy Bắc Giang Dương Văn Thái; HĐND các cấp, 2020-2025 “tự diễn biến”",
        *connection.execute(text("SELECT text FROM key_task ORDER BY id")).scalars(),
        *connection.execute(text("SELECT name FROM person ORDER BY id")).scalars(),
    ]
    for sample in samples:
        in_sql = connection.execute(text("SELECT search_fold(:s)"), {"s": sample}).scalar_one()
        assert in_sql.split() == words(fold(sample)), sample


def test_sqlite_write_without_the_fold_function_fails_instead_of_drifting(
    fresh_database_url: str,
) -> None:
    if not fresh_database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL folds in SQL, so every client keeps the index in step")
    upgrade(fresh_database_url)
    raw = sqlite3.connect(str(make_url(fresh_database_url).database))
    with pytest.raises(sqlite3.OperationalError, match="no such function: fold"):
        raw.execute("INSERT INTO person (id, name) VALUES ('x', 'Đào Duy Anh')")
    assert raw.execute("SELECT count(*) FROM search_doc").fetchone() == (0,)
    raw.close()
