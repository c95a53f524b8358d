"""The postings the search ranks from: in step with the records, the same bits on both
databases, and read from the top of the lists in the same order as ranking every hit."""

import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, text
from sqlmodel import Session

from app.db import make_engine
from app.migrate import upgrade
from app.models import Limitation, Person
from app.search.index import _Cutoff, _Query, _Ranked, _settled, search
from app.search.kinds import SearchKind
from app.search.postings import postings
from app.search.terms import Terms
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import write_dataset
from bench.generate import generate
from tests.test_search_index import VIETNAMESE

# Broad and narrow, with and without marks, over the generated dataset's vocabulary.
QUERIES = [
    "cong tac", "phong chong", "nong thon", "chuyen doi", "nguyen van", "kinh te", "dang bo tinh",
    "Công tác", "phòng chống", "Nguyễn Văn", "đảng bộ", "thể", "the", "ha noi", "2020",
]  # fmt: skip


def _texts(connection: Connection) -> dict[int, tuple[str, str]]:
    source = "search_fts" if connection.dialect.name == "sqlite" else "search_doc"
    key = "rowid" if connection.dialect.name == "sqlite" else "id"
    rows = connection.execute(text(f"SELECT {key}, name, body FROM {source}"))
    return {int(doc_id): (name, body) for doc_id, name, body in rows}


def _assert_postings_in_step(connection: Connection) -> None:
    stored: dict[int, dict[str, float]] = {}
    for doc_id, word, impact in connection.execute(
        text("SELECT doc_id, word, impact FROM search_word")
    ):
        stored.setdefault(int(doc_id), {})[word] = impact
    texts = _texts(connection)
    assert len(texts) > 20
    for doc_id, (name, body) in texts.items():
        assert stored.pop(doc_id, {}) == postings(name, body), (doc_id, name)
    assert stored == {}  # no postings of a record that is gone
    counts: dict[str, int] = dict(
        connection.execute(text("SELECT word, docs FROM search_word_count")).all()
    )
    recounted = dict(
        connection.execute(text("SELECT word, count(*) FROM search_word GROUP BY word")).all()
    )
    recounted[""] = len(texts)
    assert {word: n for word, n in counts.items() if n} == recounted


def test_stored_postings_are_each_records_words_weighed_bit_for_bit(
    connection: Connection,
) -> None:
    _assert_postings_in_step(connection)


STAMPS: dict[str, Any] = {
    "created_at": datetime.now(UTC),
    "updated_at": datetime.now(UTC),
    "revision": 1,
}


def test_postings_and_counts_follow_inserts_updates_and_deletes(session: Session) -> None:
    person = Person(id="dinh-thi-dao", name="Đinh Thị Đào", **STAMPS)
    limitation = Limitation(
        id="postings-test", term_id="bac-giang-2020-2025", position=99,
        text="Công tác cán bộ còn hạn chế; công tác dân vận chưa đều.", **STAMPS,
    )  # fmt: skip
    session.add_all([person, limitation])
    session.flush()
    _assert_postings_in_step(session.connection())

    person.name = "Đặng Thị Đào"
    limitation.text = "Chỉ tiêu về thu hút đầu tư chưa đạt."
    session.add_all([person, limitation])
    session.flush()
    _assert_postings_in_step(session.connection())

    session.delete(person)
    session.delete(limitation)
    session.flush()
    _assert_postings_in_step(session.connection())


def test_postgresql_postings_function_computes_the_same_doubles(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite's triggers call app.search.postings itself")
    samples = [
        (VIETNAMESE, unicodedata.normalize("NFD", VIETNAMESE)),
        ("Dương Văn Thái", "Bí thư Tỉnh ủy Bắc Giang; HĐND các cấp, 2020-2025 “tự diễn biến”"),
        ("", "công tác công tác CÔNG TÁC cong tac"),
        ("Đảng bộ", ""),
        ("", ""),
        *connection.execute(text("SELECT name, body FROM search_doc ORDER BY id LIMIT 200")).all(),
    ]
    for name, body in samples:
        in_sql = connection.execute(
            text("SELECT word, impact FROM search_postings(:name, :body)"),
            {"name": name, "body": body},
        ).all()
        assert dict(in_sql) == postings(name, body), (name, body)


@pytest.fixture
def generated(fresh_database_url: str, tmp_path: Path) -> Iterator[Session]:
    """A database holding a generated dataset of ~2,000 records: lists long enough to cut, and
    the generator's many records of one length and wording tie at the cut."""
    upgrade(fresh_database_url)
    generate(2_000, tmp_path / "generated")
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        with session.begin():
            write_dataset(session, read_dataset(seed_files(tmp_path / "generated")))
        yield session
    engine.dispose()


def test_reading_the_top_of_the_lists_ranks_as_ranking_every_hit(generated: Session) -> None:
    _assert_postings_in_step(generated.connection())
    settled_early = 0
    for q in QUERIES:
        terms = Terms.parse(q)
        for kinds in (None, {SearchKind.key_task, SearchKind.statistic}):
            for offset, limit in ((0, 1), (0, 10), (10, 10), (40, 25)):
                every_hit = search(
                    generated, terms, kinds, limit=limit, offset=offset, rank_all_hits=10**9
                )
                top_of_lists = search(
                    generated, terms, kinds, limit=limit, offset=offset,
                    rank_all_hits=0, first_depth=1,
                )  # fmt: skip
                assert top_of_lists == every_hit, (q, kinds, offset, limit)
        query = _Query(generated, terms, None)
        total, weights = query.measure()
        top, settled = query.rank_top(weights, 10, 40)
        if settled and total > 40:
            settled_early += 1
            assert top == query.rank_all(weights, 10, 0), q
    assert settled_early >= 3  # the lists' top settled it, not reading them to the end


def test_a_large_seed_run_leaves_postgresql_statistics_of_what_it_wrote(
    generated: Session,
) -> None:
    if generated.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite plans these statements without statistics")
    planned = generated.execute(
        text("SELECT reltuples FROM pg_class WHERE relname = 'search_word'")
    ).scalar_one()
    actual = generated.execute(text("SELECT count(*) FROM search_word")).scalar_one()
    assert planned == pytest.approx(actual, rel=0.2)


def _ranked(doc_id: int, score: float, exact: float = 0.0) -> _Ranked:
    return _Ranked(doc_id=doc_id, exact_score=exact, folded_score=score)


def test_a_record_above_what_outside_records_can_score_is_settled() -> None:
    cut = [_Cutoff(impact=1.0, doc_id=9, below=0.5), _Cutoff(impact=1.0, doc_id=9, below=0.5)]
    assert _settled(_ranked(50, 2.5), [1.0, 1.0], cut, folded=2)
    assert not _settled(_ranked(1, 1.5), [1.0, 1.0], cut, folded=2)


def test_a_tie_with_the_cut_is_settled_by_the_lists_order() -> None:
    cut = [_Cutoff(impact=1.0, doc_id=9, below=0.5), _Cutoff(impact=1.0, doc_id=7, below=0.5)]
    # An outside record scoring 2.0 comes after record 9 in the first list: after 9 and before.
    assert _settled(_ranked(9, 2.0), [1.0, 1.0], cut, folded=2)
    assert _settled(_ranked(3, 2.0), [1.0, 1.0], cut, folded=2)
    assert not _settled(_ranked(10, 2.0), [1.0, 1.0], cut, folded=2)
    # A lower impact that still reaches the score leaves it open.
    close = [_Cutoff(impact=1.0, doc_id=9, below=1.0 - 2**-60), cut[1]]
    assert not _settled(_ranked(3, 2.0), [1.0, 1.0], close, folded=2)


def test_a_word_whose_list_was_read_to_the_end_settles_it() -> None:
    cut = [None, _Cutoff(impact=5.0, doc_id=9, below=4.0)]
    assert _settled(_ranked(50, 0.1), [1.0, 1.0], cut, folded=2)


def test_records_keeping_the_marks_settle_only_when_no_outside_record_can_keep_them() -> None:
    folded_cut = _Cutoff(impact=1.0, doc_id=9, below=0.5)
    exact_cut = _Cutoff(impact=0.2, doc_id=9, below=0.1)
    # The last wanted record lacks the marks, an outside one may have them: open.
    assert not _settled(_ranked(1, 5.0), [1.0, 1.0], [folded_cut, exact_cut], folded=1)
    # The marked word's list was read to its end: no outside record keeps the marks.
    assert _settled(_ranked(1, 0.5, exact=0.3), [1.0, 1.0], [folded_cut, None], folded=1)


def test_a_candidate_lacking_a_word_of_the_query_is_never_ranked(session: Session) -> None:
    """Records keeping a marked word the user typed, but not every word, come up in that word's
    list; they are not hits, wherever the ranking statement meets them."""
    texts = [*["Công nghiệp."] * 5, *["Cong tac, written without the marks."] * 5]
    session.add_all(
        Limitation(
            id=f"marks-{i}",
            term_id="bac-giang-2020-2025",
            position=100 + i,
            text=text,
            **STAMPS,
        )
        for i, text in enumerate(texts)
    )
    session.flush()
    query = _Query(session, Terms.parse("Công tác"), None)
    total, weights = query.measure()
    # Deeper than every list: every candidate is read, and the lists' top is the whole answer.
    top, settled = query.rank_top(weights, total, depth=10**6)
    assert settled
    assert top == query.rank_all(weights, total, 0)
    ranked = {r.doc_id for r in top}
    assert _doc_ids(session, [f"marks-{i}" for i in range(5, 10)]) <= ranked  # hits, unmarked
    assert not _doc_ids(session, [f"marks-{i}" for i in range(5)]) & ranked  # no "tác"


def _doc_ids(session: Session, limitations: list[str]) -> set[int]:
    rows = session.execute(
        text(
            "SELECT id FROM search_doc WHERE kind = 'limitation' AND record_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": limitations},
    )
    return {int(doc_id) for (doc_id,) in rows}
