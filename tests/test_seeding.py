"""The seed loader: validation that names file, record and field; atomic, idempotent writes."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.migrate import upgrade
from app.models import Citation, Document, KeyTask, Membership, Statistic
from app.seeding.quotes import QuoteAmbiguous, QuoteLocator, QuoteNotFound
from app.seeding.reader import read_dataset, seed_files
from app.seeding.writer import BULK
from bench.generate import generate
from tests.conftest import SEED_DIR

SEED_FILE = "bac-giang-2020-2025.toml"
runner = CliRunner()


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(map(tuple, conn.execute(table.select())), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def _seed_copy(tmp_path: Path, replace: tuple[str, str] | None = None, append: str = "") -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    seed_file = target / SEED_FILE
    content = seed_file.read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in content, "the test's edit must apply"
        content = content.replace(replace[0], replace[1], 1)
    seed_file.write_text(content + append, encoding="utf-8")
    return target


@pytest.fixture
def seeded_url(env_database: str) -> str:
    upgrade(env_database)
    result = runner.invoke(cli, ["seed"])
    assert result.exit_code == 0, result.output
    return env_database


def test_every_citation_is_the_exact_span_of_its_document(session: Session) -> None:
    texts = {d.id: d.text for d in session.exec(select(Document))}
    citations = list(session.exec(select(Citation)))
    assert len(citations) > 40
    for citation in citations:
        assert texts[citation.document_id][citation.start : citation.end] == citation.quote


def test_quote_with_plain_space_matches_a_non_breaking_space_and_keeps_it() -> None:
    locator = QuoteLocator("các cấp ủy đã\xa0kịp thời ban hành")
    start, end = locator.locate("đã kịp thời")
    assert locator.text[start:end] == "đã\xa0kịp thời"


def test_quote_in_decomposed_unicode_matches_the_composed_text() -> None:
    locator = QuoteLocator("Bắc Giang")
    assert locator.locate("Ba\u0306\u0301c Giang") == (0, 9)


def test_ambiguous_quote_needs_an_occurrence() -> None:
    locator = QuoteLocator("Đồng Thúy ... Đồng Thúy")
    with pytest.raises(QuoteAmbiguous):
        locator.locate("Đồng Thúy")
    assert locator.locate("Đồng Thúy", occurrence=2) == (14, 23)
    with pytest.raises(QuoteNotFound):
        locator.locate("Đồng Thúy", occurrence=3)


def test_every_record_of_the_seed_cites_at_least_one_quote() -> None:
    dataset = read_dataset(seed_files(SEED_DIR))
    cited = {(c["subject_kind"], c["subject_id"]) for c in dataset.citations}
    from app.seeding.reader import KINDS

    for kind, (_model, subject) in KINDS.items():
        for row in dataset.rows[kind]:
            assert (subject.value, row["id"]) in cited, f"{kind} {row['id']} has no citation"


def test_seed_twice_changes_nothing(seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    before = _dump(engine)
    result = runner.invoke(cli, ["seed"])
    assert result.exit_code == 0
    assert "0 inserted, 0 updated" in result.output
    assert _dump(engine) == before
    engine.dispose()


def test_edited_seed_updates_the_record_in_place_and_bumps_the_revision(
    seeded_url: str, tmp_path: Path
) -> None:
    seed_dir = _seed_copy(
        tmp_path, ('label_en = "Party members admitted"', 'label_en = "Admitted"')
    )
    result = runner.invoke(cli, ["seed", "--seed-dir", str(seed_dir)])
    assert result.exit_code == 0, result.output
    assert "0 inserted, 1 updated" in result.output
    assert "dataset revision 2" in result.output
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        statistic = session.get(Statistic, "bac-giang-party-members-admitted-2020-2023")
        assert statistic is not None and statistic.label_en == "Admitted"
    engine.dispose()


def test_reordered_records_swap_positions_in_place(seeded_url: str, tmp_path: Path) -> None:
    seed_dir = _seed_copy(tmp_path)
    seed_file = seed_dir / SEED_FILE
    content = seed_file.read_text(encoding="utf-8")
    first = content.index('[[key_tasks]]\nid = "bac-giang-2025-2030-task-1"')
    second = content.index('[[key_tasks]]\nid = "bac-giang-2025-2030-task-2"')
    end = content.index("[[solutions]]")
    swapped = content[:first] + content[second:end] + content[first:second] + content[end:]
    seed_file.write_text(swapped, encoding="utf-8")
    result = runner.invoke(cli, ["seed", "--seed-dir", str(seed_dir)])
    assert result.exit_code == 0, result.output
    assert "0 inserted, 2 updated" in result.output
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        tasks = session.exec(select(KeyTask).order_by(col(KeyTask.position))).all()
        assert [t.id for t in tasks] == ["bac-giang-2025-2030-task-2", "bac-giang-2025-2030-task-1"]
    engine.dispose()


def test_record_removed_from_the_seed_is_reported_and_kept(seeded_url: str, tmp_path: Path) -> None:
    seed_dir = _seed_copy(tmp_path)
    seed_file = seed_dir / SEED_FILE
    content = seed_file.read_text(encoding="utf-8")
    block_start = content.index('[[memberships]]\nid = "le-anh-duong-chu-tich-ubnd-tinh"')
    block_end = content.index("[[terms]]")
    seed_file.write_text(content[:block_start] + content[block_end:], encoding="utf-8")
    result = runner.invoke(cli, ["seed", "--seed-dir", str(seed_dir)])
    assert result.exit_code == 0, result.output
    assert (
        "kept (not in the seed files, not deleted): membership 'le-anh-duong-chu-tich-ubnd-tinh'"
        in result.output
    )
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        assert session.get(Membership, "le-anh-duong-chu-tich-ubnd-tinh") is not None
    engine.dispose()


BAD_EDITS = {
    "unknown field": (
        (
            'id = "bac-giang-2025-2030-task-1"\n',
            'id = "bac-giang-2025-2030-task-1"\ncolour = "red"\n',
        ),
        (
            "key_tasks[0] (id 'bac-giang-2025-2030-task-1')",
            "colour",
            "Extra inputs are not permitted",
        ),
    ),
    "wrong type": (
        ("value = 145", 'value = "many"'),
        (
            "statistics[1] (id 'bac-giang-secretaries-chairing-peoples-councils')",
            "value",
            "valid number",
        ),
    ),
    "quote not in the text": (
        ('{ quote = "Đẩy mạnh công tác đấu tranh', '{ quote = "Đẩy lùi công tác đấu tranh'),
        ("solutions[2] (id 'bac-giang-2025-2030-solution-3')", "sources[0].quote", "not found"),
    ),
    "duplicate id": (
        ('id = "bac-giang-2025-2030-task-2"', 'id = "bac-giang-2025-2030-task-1"'),
        ("key_tasks[1] (id 'bac-giang-2025-2030-task-1')", "id", "duplicate id"),
    ),
    "dangling reference": (
        ('person_id = "le-thi-thu-hong"', 'person_id = "nobody"'),
        (
            "memberships[1] (id 'le-thi-thu-hong-pho-bi-thu-thuong-truc-tinh-uy')",
            "person_id",
            "no people record",
        ),
    ),
}


@pytest.mark.parametrize("case", list(BAD_EDITS))
def test_bad_seed_file_names_file_record_and_field_and_changes_nothing(
    case: str, seeded_url: str, tmp_path: Path
) -> None:
    edit, (record, field, message) = BAD_EDITS[case]
    # Also change a valid record, so a partial write would show in the dump.
    seed_dir = _seed_copy(tmp_path, edit, append="")
    seed_file = seed_dir / SEED_FILE
    seed_file.write_text(
        seed_file.read_text(encoding="utf-8").replace(
            'label_en = "Years of', 'label_en = "Changed'
        ),
        encoding="utf-8",
    )
    engine = make_engine(seeded_url)
    before = _dump(engine)
    result = runner.invoke(cli, ["seed", "--seed-dir", str(seed_dir)])
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if record in line)
    assert str(seed_file) in line and f": {field}: " in line and message in line
    assert _dump(engine) == before
    engine.dispose()


def test_check_validates_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never' / 'created.db'}")
    get_settings.cache_clear()
    result = runner.invoke(cli, ["check"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "all quotes found" in result.output
    assert not (tmp_path / "never").exists()


def test_check_reports_a_bad_file(tmp_path: Path) -> None:
    seed_dir = _seed_copy(tmp_path, ('category = "discipline"', 'category = "gossip"'))
    result = runner.invoke(cli, ["check", "--seed-dir", str(seed_dir)])
    assert result.exit_code == 1
    assert "statistics[2]" in result.output and ": category: " in result.output


def test_malformed_database_url_fails_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import get_settings

    monkeypatch.setenv("DATABASE_URL", "not a url")
    get_settings.cache_clear()
    result = runner.invoke(cli, ["migrate"])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "DATABASE_URL" in result.output


def test_seed_counts_match_the_article(session: Session) -> None:
    tasks = session.exec(select(KeyTask).order_by(col(KeyTask.position))).all()
    assert [t.id for t in tasks] == ["bac-giang-2025-2030-task-1", "bac-giang-2025-2030-task-2"]
    row = session.execute(text("SELECT count(*) FROM solution")).scalar_one()
    assert row == 3
    posts = session.exec(
        select(Membership.id)
        .where(Membership.person_id == "le-anh-duong")
        .order_by(col(Membership.position))
    )
    assert list(posts) == ["le-anh-duong-pho-bi-thu-tinh-uy", "le-anh-duong-chu-tich-ubnd-tinh"]


def test_a_bulk_seed_run_leaves_postgresql_tables_vacuumed(
    env_database: str, tmp_path: Path
) -> None:
    if not env_database.startswith("postgresql"):
        pytest.skip("PostgreSQL's visibility map: SQLite has none")
    upgrade(env_database)
    generate(1_200, tmp_path / "generated")
    assert read_dataset(seed_files(tmp_path / "generated")).count() >= BULK
    result = runner.invoke(cli, ["seed", "--seed-dir", str(tmp_path / "generated")])
    assert result.exit_code == 0, result.output
    engine = make_engine(env_database)
    try:
        with engine.connect() as conn:
            visible, pages = conn.execute(
                text("SELECT relallvisible, relpages FROM pg_class WHERE relname = 'search_word'")
            ).one()
    finally:
        engine.dispose()
    assert visible == pages > 0  # index-only scans of the postings skip the table
