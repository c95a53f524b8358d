"""Reading seed files into table rows: validation, cross-references and quote location.

Nothing here touches a database, so `congress-api check` runs it alone.
"""

import hashlib
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import SQLModel

from app.models import (
    Achievement,
    Area,
    Directive,
    Document,
    Event,
    KeyTask,
    Limitation,
    Membership,
    Organization,
    Person,
    Solution,
    Statistic,
    SubjectKind,
    Term,
)
from app.seeding.quotes import QuoteAmbiguous, QuoteLocator, QuoteNotFound
from app.seeding.schema import SeedFile, SeedRecord

# Seed list -> (table, citation subject kind), in an order that satisfies every foreign key
# except organization.parent_id, which is sorted separately.
KINDS: dict[str, tuple[type[SQLModel], SubjectKind]] = {
    "areas": (Area, SubjectKind.area),
    "people": (Person, SubjectKind.person),
    "organizations": (Organization, SubjectKind.organization),
    "documents": (Document, SubjectKind.document),
    "terms": (Term, SubjectKind.term),
    "events": (Event, SubjectKind.event),
    "memberships": (Membership, SubjectKind.membership),
    "key_tasks": (KeyTask, SubjectKind.key_task),
    "solutions": (Solution, SubjectKind.solution),
    "achievements": (Achievement, SubjectKind.achievement),
    "limitations": (Limitation, SubjectKind.limitation),
    "directives": (Directive, SubjectKind.directive),
    "statistics": (Statistic, SubjectKind.statistic),
}

# Which seed list a reference field points into.
REFERENCES = {
    "area_id": "areas",
    "parent_id": "organizations",
    "organization_id": "organizations",
    "organizer_id": "organizations",
    "publisher_id": "organizations",
    "person_id": "people",
    "author_id": "people",
    "issuer_id": "people",
    "term_id": "terms",
    "reviewed_term_id": "terms",
}

ORDERED_PER_TERM = {"key_tasks", "solutions", "achievements", "limitations", "directives"}
# Fields of a seed record that are not columns of its table (a document's `file` is neither
# and is dropped; its `text` is the column, read from the file or given inline).
NOT_COLUMNS = frozenset(("sources", "chair_ids"))
# Seed list -> the column whose value scopes `position` ("" for one order over the whole list).
POSITION_SCOPES = {
    **dict.fromkeys(ORDERED_PER_TERM, "term_id"),
    "memberships": "person_id",
    "statistics": "",
}


@dataclass(frozen=True)
class SeedProblem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


class SeedError(Exception):
    """The seed files are invalid; every problem found is listed, nothing was written."""

    def __init__(self, problems: list[SeedProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Dataset:
    """Rows ready to write, per table in foreign-key order, plus chairs and citations."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    chairs: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


@dataclass
class _Parsed:
    path: Path
    raw: dict[str, Any]
    seed: SeedFile


def seed_files(seed_dir: Path) -> list[Path]:
    return sorted(seed_dir.glob("*.toml"))


def read_dataset(paths: list[Path]) -> Dataset:
    """Validates the files and resolves every quote; raises SeedError listing all problems."""
    problems: list[SeedProblem] = []
    if not paths:
        raise SeedError([SeedProblem("-", "-", "-", "no seed files (*.toml) found")])
    parsed = [p for p in (_parse(path, problems) for path in paths) if p is not None]
    if problems:
        raise SeedError(problems)
    return build_dataset(parsed)


def build_dataset(
    parsed: "list[_Parsed]",
    *,
    known: dict[str, set[str]] | None = None,
    known_texts: dict[str, str] | None = None,
    inline_only: bool = False,
) -> Dataset:
    """Checks references and locates quotes. `known` are ids already in the database (by seed
    list name) that records may refer to; `known_texts` the texts of its documents, which
    quotes may cite. `inline_only` refuses `file =` (a request must not name server paths)."""
    problems: list[SeedProblem] = []
    records = _index(parsed, problems)
    for kind, ids in (known or {}).items():
        records.setdefault(kind, set()).update(ids)
    _check_references(parsed, records, problems)
    texts = dict(known_texts or {})
    texts.update(_read_documents(parsed, problems, inline_only=inline_only))
    if problems:
        raise SeedError(problems)
    dataset = _build_rows(parsed, texts, problems)
    if problems:
        raise SeedError(problems)
    return dataset


def _parse(path: Path, problems: list[SeedProblem]) -> _Parsed | None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(SeedProblem(str(path), "-", "-", f"cannot read TOML: {exc}"))
        return None
    return parse_raw(path, raw, problems)


def parse_raw(path: Path, raw: dict[str, Any], problems: list[SeedProblem]) -> _Parsed | None:
    """Validates one file's parsed content; `path` names it in problems and anchors `file =`."""
    try:
        return _Parsed(path, raw, SeedFile.model_validate(raw))
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_problem_from(path, raw, error["loc"], error["msg"]))
        return None


def _problem_from(path: Path, raw: dict[str, Any], loc: tuple[Any, ...], msg: str) -> SeedProblem:
    if len(loc) >= 2 and isinstance(loc[1], int):
        kind, index = str(loc[0]), loc[1]
        item = raw.get(kind, [])[index] if isinstance(raw.get(kind), list) else None
        record_id = item.get("id") if isinstance(item, dict) else None
        record = f"{kind}[{index}]" + (f" (id {record_id!r})" if record_id else "")
        return SeedProblem(str(path), record, _field_path(loc[2:]) or "-", msg)
    return SeedProblem(str(path), "-", _field_path(loc) or "-", msg)


def _field_path(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _record_name(kind: str, index: int, record: SeedRecord) -> str:
    return f"{kind}[{index}] (id {record.id!r})"


def _index(parsed: list[_Parsed], problems: list[SeedProblem]) -> dict[str, set[str]]:
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for item in parsed:
        for kind in KINDS:
            for index, record in enumerate(getattr(item.seed, kind)):
                where = f"{item.path}: {_record_name(kind, index, record)}"
                if record.id in seen[kind]:
                    problems.append(
                        SeedProblem(
                            str(item.path),
                            _record_name(kind, index, record),
                            "id",
                            f"duplicate id, first defined at {seen[kind][record.id]}",
                        )
                    )
                else:
                    seen[kind][record.id] = where
    return {kind: set(ids) for kind, ids in seen.items()}


def _check_references(
    parsed: list[_Parsed], records: dict[str, set[str]], problems: list[SeedProblem]
) -> None:
    for item in parsed:
        for kind in KINDS:
            for index, record in enumerate(getattr(item.seed, kind)):
                for name, target in REFERENCES.items():
                    value = getattr(record, name, None)
                    if value is not None and value not in records.get(target, set()):
                        problems.append(
                            SeedProblem(
                                str(item.path),
                                _record_name(kind, index, record),
                                name,
                                f"no {target} record with id {value!r}",
                            )
                        )
        for index, event in enumerate(item.seed.events):
            for position, person_id in enumerate(event.chair_ids):
                if person_id not in records.get("people", set()):
                    problems.append(
                        SeedProblem(
                            str(item.path),
                            _record_name("events", index, event),
                            f"chair_ids[{position}]",
                            f"no people record with id {person_id!r}",
                        )
                    )


def _read_documents(
    parsed: list[_Parsed], problems: list[SeedProblem], *, inline_only: bool
) -> dict[str, str]:
    texts: dict[str, str] = {}
    for item in parsed:
        for index, document in enumerate(item.seed.documents):
            name = _record_name("documents", index, document)
            if document.text is not None:
                texts[document.id] = unicodedata.normalize("NFC", document.text)
                continue
            if inline_only:
                problems.append(
                    SeedProblem(str(item.path), name, "file", "give the text inline as `text`")
                )
                continue
            path = item.path.parent / str(document.file)
            try:
                texts[document.id] = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(
                    SeedProblem(
                        str(item.path),
                        name,
                        "file",
                        f"cannot read {path}: {exc.__class__.__name__}",
                    )
                )
    return texts


def _build_rows(
    parsed: list[_Parsed], texts: dict[str, str], problems: list[SeedProblem]
) -> Dataset:
    dataset = Dataset(rows={kind: [] for kind in KINDS})
    locators = {doc_id: QuoteLocator(text) for doc_id, text in texts.items()}
    positions: dict[tuple[str, str], int] = defaultdict(int)
    for item in parsed:
        default_document = item.seed.documents[0].id if len(item.seed.documents) == 1 else None
        for kind, (_model, subject_kind) in KINDS.items():
            for index, record in enumerate(getattr(item.seed, kind)):
                row = record.model_dump(mode="json", exclude=NOT_COLUMNS)
                scope = POSITION_SCOPES.get(kind)
                if scope is not None:
                    counter = (kind, row[scope] if scope else "")
                    given = row.pop("position")
                    positions[counter] = given or positions[counter] + 1
                    row["position"] = positions[counter]
                elif kind == "documents":
                    del row["file"]
                    row["text"] = texts[record.id]
                    row["sha256"] = hashlib.sha256(texts[record.id].encode()).hexdigest()
                dataset.rows[kind].append(row)
                name = _record_name(kind, index, record)
                for position, source in enumerate(record.sources, start=1):
                    document_id = source.document or (
                        record.id if kind == "documents" else default_document
                    )
                    where = f"sources[{position - 1}]"
                    if document_id is None or document_id not in locators:
                        problems.append(
                            SeedProblem(
                                str(item.path),
                                name,
                                f"{where}.document",
                                "unknown document"
                                if document_id
                                else "required: the file has several documents",
                            )
                        )
                        continue
                    try:
                        start, end = locators[document_id].locate(source.quote, source.occurrence)
                    except (QuoteNotFound, QuoteAmbiguous) as exc:
                        problems.append(
                            SeedProblem(str(item.path), name, f"{where}.quote", str(exc))
                        )
                        continue
                    dataset.citations.append(
                        {
                            "subject_kind": subject_kind.value,
                            "subject_id": record.id,
                            "position": position,
                            "document_id": document_id,
                            "quote": texts[document_id][start:end],
                            "start": start,
                            "end": end,
                        }
                    )
            if kind == "events":
                for event in item.seed.events:
                    dataset.chairs.extend(
                        {"event_id": event.id, "person_id": person_id, "position": position}
                        for position, person_id in enumerate(event.chair_ids, start=1)
                    )
    dataset.rows["organizations"] = _parents_first(dataset.rows["organizations"])
    return dataset


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {row["id"]: row for row in rows}
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()

    def place(row: dict[str, Any], trail: frozenset[str]) -> None:
        if row["id"] in placed or row["id"] in trail:
            return
        parent = by_id.get(row["parent_id"] or "")
        if parent is not None:
            place(parent, trail | {row["id"]})
        placed.add(row["id"])
        ordered.append(row)

    for row in rows:
        place(row, frozenset())
    return ordered
