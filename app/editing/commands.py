"""The write commands: create, replace, patch, retire, revert, import and the seed run.

Each takes a session inside a transaction the caller commits (or rolls back, for a dry run),
validates with the seed file's models, locates every quote with the seed loader's locator,
checks references, and writes through one `Writer`: records, history, one revision bump.
Errors are `ApiError`s whose `errors` point into the request body (`#/sources/2/quote`).
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session

from app.editing import states
from app.editing.kinds import BY_SEED_LIST, BY_SUBJECT, KINDS, Kind
from app.editing.merge_patch import merge_patch
from app.editing.renditions import Rendered
from app.editing.states import State, Stored
from app.editing.writer import Writer, is_retired, last_changes
from app.models import Change, Citation, Document, EventChair, Operation, SubjectKind
from app.problems import (
    ConflictError,
    FieldProblem,
    GoneError,
    InvalidRecordError,
    NotFoundError,
    PreconditionFailedError,
    pointer,
)
from app.seeding.quotes import QuoteAmbiguous, QuoteNotFound, locator_for
from app.seeding.reader import (
    NOT_COLUMNS,
    Dataset,
    SeedError,
    SeedProblem,
    build_dataset,
    parse_raw,
)
from app.seeding.schema import SeedRecord

SEED_ACTOR = "seed"
# Actors whose changes a seed run may overwrite: its own, and the migration's baseline.
_SEED_ACTORS = frozenset((SEED_ACTOR, "migration"))


# --- preconditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class IfMatch:
    """The versions a client says it is changing; `any_version` for `If-Match: *`."""

    revisions: frozenset[int]
    any_version: bool = False

    def allows(self, revision: int) -> bool:
        return self.any_version or revision in self.revisions


class StaleVersion(PreconditionFailedError):
    """412; the route adds the current ETag, which needs the current representation."""

    def __init__(self, kind: Kind, record_id: str) -> None:
        super().__init__(
            f"The {kind.singular} '{record_id}' has changed since that version was read; "
            "GET it again, re-apply the change and send the new ETag in If-Match."
        )
        self.kind = kind
        self.record_id = record_id


# --- results ------------------------------------------------------------------------------


@dataclass
class Written:
    kind: Kind
    record_id: str
    revision: int  # the dataset revision now current
    changed: bool
    # What reads will serve of the records and summaries the write changed.
    bodies: Rendered = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), as `kind/id` names."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # in the file, retired in the dataset
    kept: list[str] = field(default_factory=list)  # changed over the API, left as they are
    revision: int = 0


# --- single records -----------------------------------------------------------------------


def missing(session: Session, kind: Kind, record_id: str) -> Exception:
    """410 for a retired record, 404 for one that never existed."""
    if is_retired(session, kind, record_id):
        return GoneError(
            f"The {kind.singular} '{record_id}' was retired; its history is at "
            f"/api/v1/{kind.collection}/{record_id}/history."
        )
    return NotFoundError(f"No {kind.singular} with id '{record_id}'.")


def create(session: Session, actor: str, kind: Kind, data: Any) -> Written:
    writer = Writer.begin(session, actor)
    body = _validate(kind, data)
    exists = bool(states.load(session, kind, [body.id]))
    retired = not exists and is_retired(session, kind, body.id)
    if exists or retired:
        raise ConflictError(
            f"A {kind.singular} with id '{body.id}' "
            + ("was retired; revert its retirement to restore it." if retired else "exists.")
        )
    state = build_state(session, kind, body, current=None)
    writer.apply(kind, [states.Write(body.id, state, None)])
    return Written(kind, body.id, writer.finish(), True, writer.rendered)


def replace(
    session: Session, actor: str, kind: Kind, record_id: str, data: Any, if_match: IfMatch
) -> Written:
    writer = Writer.begin(session, actor)
    current = _current(session, kind, record_id, if_match)
    return _replace(writer, kind, record_id, data, current)


def patch(
    session: Session, actor: str, kind: Kind, record_id: str, data: Any, if_match: IfMatch
) -> Written:
    """JSON Merge Patch (RFC 7396) over the record in its request shape; `null` removes."""
    writer = Writer.begin(session, actor)
    current = _current(session, kind, record_id, if_match)
    if not isinstance(data, dict):
        raise _invalid([("", "a merge patch must be a JSON object")])
    if "sources" in data:
        texts: dict[str, str | None] = {}
        patched = merge_patch(as_body(session, kind, current.state, texts), data)
        return _replace(writer, kind, record_id, patched, current, texts)
    # The sources stay as they are, spans included: nothing to locate again.
    unchanged = {k: v for k, v in current.state.items() if k != "sha256"}
    unchanged["sources"] = [
        {"document": s["document"], "quote": s["quote"]} for s in current.state["sources"]
    ]
    patched = merge_patch(unchanged, data)
    return _replace(writer, kind, record_id, patched, current, keep_sources=True)


def _replace(
    writer: Writer,
    kind: Kind,
    record_id: str,
    data: Any,
    current: Stored,
    texts: dict[str, str | None] | None = None,
    *,
    keep_sources: bool = False,
) -> Written:
    if isinstance(data, dict):
        data = {"id": record_id, **data}
    body = _validate(kind, data)
    if body.id != record_id:
        raise _invalid([("id", f"must be '{record_id}', the id in the URL")])
    state = build_state(
        writer.session,
        kind,
        body,
        current=current,
        texts=texts,
        sources=current.state["sources"] if keep_sources else None,
    )
    writer.apply(kind, [states.Write(record_id, state, current)])
    return Written(kind, record_id, writer.finish(), state != current.state, writer.rendered)


def retire(session: Session, actor: str, kind: Kind, record_id: str, if_match: IfMatch) -> Written:
    writer = Writer.begin(session, actor)
    current = _current(session, kind, record_id, if_match)
    _refuse_if_referenced(session, kind, record_id)
    writer.apply(kind, [states.Write(record_id, None, current)])
    return Written(kind, record_id, writer.finish(), True, writer.rendered)


def revert(session: Session, actor: str, change_id: int) -> Written:
    """Restores the state before change `change_id` as a new change; history is kept."""
    writer = Writer.begin(session, actor)
    change = session.get(Change, change_id)
    if change is None:
        raise NotFoundError(f"No change number {change_id}.")
    kind = BY_SUBJECT[SubjectKind(change.kind)]
    current = states.load(session, kind, [change.record_id]).get(change.record_id)
    target = change.before
    if target is None:
        if current is None:
            raise ConflictError(f"The {kind.singular} '{change.record_id}' is already absent.")
        _refuse_if_referenced(session, kind, change.record_id)
    else:
        _check_restorable(session, kind, target, current)
    writer.apply(
        kind,
        [states.Write(change.record_id, target, current)],
        operation=Operation.revert,
        reverts=change_id,
    )
    return Written(kind, change.record_id, writer.finish(), True, writer.rendered)


def _current(session: Session, kind: Kind, record_id: str, if_match: IfMatch) -> Stored:
    current = states.load(session, kind, [record_id]).get(record_id)
    if current is None:
        raise missing(session, kind, record_id)
    if not if_match.allows(current.revision):
        raise StaleVersion(kind, record_id)
    return current


def _validate(kind: Kind, data: Any) -> SeedRecord:
    try:
        return kind.body.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecordError(
            f"The {kind.singular} is invalid; `errors` points at each problem.",
            errors=[FieldProblem(pointer=pointer(e["loc"]), detail=e["msg"]) for e in exc.errors()],
        ) from None


def _invalid(problems: list[tuple[str, str]], what: str = "record") -> InvalidRecordError:
    return InvalidRecordError(
        f"The {what} is invalid; `errors` points at each problem.",
        errors=[
            FieldProblem(pointer="#/" + path if path else "#", detail=d) for path, d in problems
        ],
    )


# --- states from request bodies -----------------------------------------------------------


def build_state(
    session: Session,
    kind: Kind,
    body: SeedRecord,
    *,
    current: Stored | None,
    texts: dict[str, str | None] | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> State:
    """The state a valid body describes: references checked, every quote located. `texts` are
    document texts already read in this transaction; `sources`, when given, are the record's
    stored sources, kept as they are instead of located again."""
    problems: list[tuple[str, str]] = []
    row = body.model_dump(mode="json", exclude=set(NOT_COLUMNS | {"file"}))
    own_text: str | None = None
    if kind.subject is SubjectKind.document:
        if getattr(body, "file", None) is not None:
            # A request must not name a path on the server.
            raise _invalid([("file", "give the text inline as `text`")], kind.singular)
        own_text = unicodedata.normalize("NFC", str(getattr(body, "text", None) or ""))
        if current is not None and own_text != current.state["text"]:
            problems.append(
                (
                    "text",
                    "a document's text cannot change (its quotes would move); "
                    "publish the corrected text as a new document",
                )
            )
        row["text"] = own_text
        row["sha256"] = _sha256(own_text)
    if kind.position_scope is not None:
        row["position"] = _position(session, kind, body.id, row, current, problems)
    for column, target in kind.references.items():
        value = row.get(column)
        if value is None or (current is not None and current.state.get(column) == value):
            continue  # unchanged: the record it names cannot have gone (it would refuse)
        if column == "parent_id" and value == body.id:
            problems.append((column, "an organization cannot be its own parent"))
        elif not _exists(session, target, value):
            problems.append((column, _no_such(session, target, value)))
    chair_ids: list[str] = list(getattr(body, "chair_ids", []) or [])
    kept = set(current.state.get("chair_ids", [])) if current is not None else set()
    for index, person_id in enumerate(chair_ids):
        if person_id not in kept and not _exists(session, BY_SEED_LIST["people"], person_id):
            problems.append(
                (f"chair_ids/{index}", _no_such(session, BY_SEED_LIST["people"], person_id))
            )
    located: list[dict[str, Any]] = []
    texts = {} if texts is None else texts
    for index, source in enumerate(body.sources if sources is None else []):
        document_id = source.document or (body.id if own_text is not None else None)
        if document_id is None:
            problems.append(
                (f"sources/{index}/document", "required: the id of the quoted document")
            )
            continue
        if document_id not in texts:
            texts[document_id] = (
                own_text
                if document_id == body.id and own_text is not None
                else _document_text(session, document_id)
            )
        text = texts[document_id]
        if text is None:
            problems.append(
                (
                    f"sources/{index}/document",
                    _no_such(session, BY_SEED_LIST["documents"], document_id),
                )
            )
            continue
        try:
            start, end = locator_for(text).locate(source.quote, source.occurrence)
        except (QuoteNotFound, QuoteAmbiguous) as exc:
            problems.append((f"sources/{index}/quote", str(exc)))
            continue
        located.append(
            {"document": document_id, "quote": text[start:end], "start": start, "end": end}
        )
    if problems:
        raise _invalid(problems, kind.singular)
    state: State = {**row, "sources": located if sources is None else sources}
    if kind.subject is SubjectKind.event:
        state["chair_ids"] = chair_ids
    return state


def as_body(
    session: Session, kind: Kind, state: State, texts: dict[str, str | None] | None = None
) -> dict[str, Any]:
    """A stored state in the shape a client sends: quotes with the occurrence that finds the
    same span again, the text of a document inline, no derived fields. The texts it reads are
    left in `texts`."""
    body = {k: v for k, v in state.items() if k not in ("sources", "sha256")}
    texts = {} if texts is None else texts
    sources = []
    for source in state["sources"]:
        document_id = source["document"]
        if document_id not in texts:
            texts[document_id] = (
                state["text"]
                if kind.subject is SubjectKind.document and document_id == state["id"]
                else _document_text(session, document_id)
            )
        entry: dict[str, Any] = {"document": document_id, "quote": source["quote"]}
        occurrence = occurrence_of(texts[document_id] or "", source)
        if occurrence is not None:
            entry["occurrence"] = occurrence
        sources.append(entry)
    body["sources"] = sources
    return body


def occurrence_of(text: str, source: dict[str, Any]) -> int | None:
    """Which match of the quote the stored span is, when the quote occurs more than once."""
    locator = locator_for(text)
    try:
        locator.locate(source["quote"])
        return None
    except QuoteAmbiguous:
        pass
    except QuoteNotFound:
        return None
    occurrence = 1
    while True:
        try:
            span = locator.locate(source["quote"], occurrence)
        except QuoteNotFound:
            return None
        if span == (source["start"], source["end"]):
            return occurrence
        occurrence += 1


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _position(
    session: Session,
    kind: Kind,
    record_id: str,
    row: dict[str, Any],
    current: Stored | None,
    problems: list[tuple[str, str]],
) -> int:
    table = kind.table
    scope = kind.position_scope
    in_scope = [table.c[scope] == row[scope]] if scope else []
    given = row.get("position")
    same_scope = current is not None and (not scope or current.state[scope] == row[scope])
    if given is None:
        if current is not None and same_scope:
            return int(current.state["position"])
        last = session.execute(select(func.max(table.c.position)).where(*in_scope)).scalar()
        return int(last or 0) + 1
    if current is not None and same_scope and current.state["position"] == given:
        return int(given)  # it holds that place already
    holder = session.execute(
        select(table.c.id).where(*in_scope, table.c.position == given, table.c.id != record_id)
    ).first()
    if holder is not None:
        problems.append(("position", f"position {given} is taken by '{holder[0]}'"))
    return int(given)


def _exists(session: Session, kind: Kind, record_id: str) -> bool:
    table = kind.table
    return session.execute(select(table.c.id).where(table.c.id == record_id)).first() is not None


def _no_such(session: Session, kind: Kind, record_id: str) -> str:
    if is_retired(session, kind, record_id):
        return f"the {kind.singular} '{record_id}' is retired"
    return f"no {kind.singular} with id '{record_id}'"


def _document_text(session: Session, document_id: str) -> str | None:
    table = Document.__table__  # type: ignore[attr-defined]
    text: str | None = session.execute(
        select(table.c.text).where(table.c.id == document_id)
    ).scalar()
    return text


def _refuse_if_referenced(session: Session, kind: Kind, record_id: str) -> None:
    """A record others name cannot be retired: they would point at nothing."""
    users: list[str] = []
    for other in KINDS:
        for column, target in other.references.items():
            if target is kind:
                table = other.table
                rows = session.execute(
                    select(table.c.id).where(table.c[column] == record_id).order_by(table.c.id)
                )
                users += [f"{other.collection}/{r[0]}" for r in rows]
    if kind.subject is SubjectKind.person:
        rows = session.execute(
            select(EventChair.event_id).where(EventChair.person_id == record_id)  # type: ignore[call-overload]
        )
        users += [f"events/{r[0]}" for r in rows]
    if kind.subject is SubjectKind.document:
        rows = session.execute(
            select(Citation.subject_kind, Citation.subject_id)  # type: ignore[call-overload]
            .where(Citation.document_id == record_id)
            .distinct()
        )
        users += [
            f"{BY_SUBJECT[SubjectKind(k)].collection}/{i}"
            for k, i in rows
            if not (k == kind.subject.value and i == record_id)
        ]
    if users:
        shown = ", ".join(sorted(set(users))[:10])
        more = f" and {len(set(users)) - 10} more" if len(set(users)) > 10 else ""
        raise ConflictError(
            f"The {kind.singular} '{record_id}' is referred to by {shown}{more}; "
            "change or retire those first."
        )


def _check_restorable(session: Session, kind: Kind, target: State, current: Stored | None) -> None:
    problems: list[tuple[str, str]] = []
    for column, other in kind.references.items():
        value = target.get(column)
        if value is not None and not _exists(session, other, value):
            problems.append((column, _no_such(session, other, value)))
    for person_id in target.get("chair_ids", []):
        if not _exists(session, BY_SEED_LIST["people"], person_id):
            problems.append(("chair_ids", _no_such(session, BY_SEED_LIST["people"], person_id)))
    for index, source in enumerate(target["sources"]):
        document_id = source["document"]
        text = (
            target["text"]
            if kind.subject is SubjectKind.document and document_id == target["id"]
            else _document_text(session, document_id)
        )
        if text is None or text[source["start"] : source["end"]] != source["quote"]:
            problems.append(
                (f"sources/{index}", _no_such(session, BY_SEED_LIST["documents"], document_id))
            )
    if kind.position_scope is not None:
        scope = kind.position_scope
        table = kind.table
        taken = select(table.c.id).where(
            table.c.position == target["position"], table.c.id != target["id"]
        )
        if scope:
            taken = taken.where(table.c[scope] == target[scope])
        holder = session.execute(taken).first()
        if holder is not None:
            problems.append(
                ("position", f"position {target['position']} is taken by '{holder[0]}'")
            )
    if problems:
        raise ConflictError(
            "The earlier state cannot be restored: "
            + "; ".join(f"{path}: {detail}" for path, detail in problems)
        )


# --- datasets: seed runs and imports ------------------------------------------------------


def apply_dataset(
    writer: Writer, dataset: Dataset, *, protect: bool, revive: bool, report: ImportReport
) -> None:
    """Brings the records of `dataset` into the database. With `protect` (a seed run without
    --force), a record whose newest change was not made by a seed run is left as it is; a
    retired record is restored only with `revive` (a seed run with --force)."""
    session = writer.session
    sources: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for citation in sorted(dataset.citations, key=lambda c: c["position"]):
        sources.setdefault((citation["subject_kind"], citation["subject_id"]), []).append(
            {
                "document": citation["document_id"],
                "quote": citation["quote"],
                "start": citation["start"],
                "end": citation["end"],
            }
        )
    chairs: dict[str, list[str]] = {}
    for chair in sorted(dataset.chairs, key=lambda c: c["position"]):
        chairs.setdefault(chair["event_id"], []).append(chair["person_id"])
    for kind in KINDS:
        rows = dataset.rows.get(kind.seed_list, [])
        if not rows:
            continue
        current = states.load(session, kind, [row["id"] for row in rows])
        last = last_changes(session, kind)
        writes: list[states.Write] = []
        for row in rows:
            record_id = row["id"]
            name = f"{kind.collection}/{record_id}"
            state: State = {**row, "sources": sources.get((kind.subject.value, record_id), [])}
            if kind.subject is SubjectKind.event:
                state["chair_ids"] = chairs.get(record_id, [])
            stored = current.get(record_id)
            newest = last.get(record_id)
            if newest is not None and newest.retired and stored is None and not revive:
                report.retired.append(name)
                continue
            edited = protect and newest is not None and newest.actor not in _SEED_ACTORS
            if edited and (stored is None or stored.state != state):
                report.kept.append(name)
                continue
            if stored is None:
                report.created.append(name)
            elif stored.state != state:
                report.updated.append(name)
            else:
                report.unchanged.append(name)
            writes.append(states.Write(record_id, state, stored))
        if kind.position_scope is not None:
            moving = [
                w.record_id
                for w in writes
                if w.current is not None
                and w.state is not None
                and w.current.state["position"] != w.state["position"]
            ]
            states.park_positions(session, kind, moving)
        writer.apply(kind, writes)


def import_records(
    session: Session, actor: str, raw: dict[str, Any], *, source: str = "request"
) -> ImportReport:
    """Applies one seed file's worth of records (texts inline) as one change set."""
    writer = Writer.begin(session, actor)
    problems: list[SeedProblem] = []
    parsed = parse_raw(Path(source), raw, problems)
    if parsed is None:
        raise _seed_invalid(problems)
    known = {
        kind.seed_list: set(session.execute(select(kind.table.c.id)).scalars()) for kind in KINDS
    }
    cited = {
        s.document
        for kind in KINDS
        for record in getattr(parsed.seed, kind.seed_list)
        for s in record.sources
        if s.document
    }
    known_texts = {d: t for d in cited if (t := _document_text(session, d)) is not None}
    try:
        dataset = build_dataset([parsed], known=known, known_texts=known_texts, inline_only=True)
    except SeedError as exc:
        raise _seed_invalid(exc.problems) from None
    for document in dataset.rows["documents"]:
        stored = known_texts.get(document["id"]) or _document_text(session, document["id"])
        if stored is not None and stored != document["text"]:
            index = [d.id for d in parsed.seed.documents].index(document["id"])
            raise _seed_invalid(
                [
                    SeedProblem(
                        source,
                        f"documents[{index}]",
                        "text",
                        "a document's text cannot change; publish it as a new document",
                    )
                ]
            )
    report = ImportReport()
    apply_dataset(writer, dataset, protect=False, revive=False, report=report)
    report.revision = writer.finish()
    return report


def seed_file_not_object() -> InvalidRecordError:
    return _invalid([("", "a seed file is an object of record arrays")], "file")


_RECORD = re.compile(r"^(\w+)\[(\d+)\]")


def _seed_invalid(problems: list[SeedProblem]) -> InvalidRecordError:
    errors = []
    for problem in problems:
        parts: list[str] = []
        match = _RECORD.match(problem.record)
        if match:
            parts += [match.group(1), match.group(2)]
        if problem.field != "-":
            parts += [p for p in re.split(r"[.\[\]]+", problem.field) if p]
        errors.append(FieldProblem(pointer="#/" + "/".join(parts), detail=problem.message))
    return InvalidRecordError(
        "The file is invalid; nothing was written. `errors` points at each problem.",
        errors=errors,
    )
