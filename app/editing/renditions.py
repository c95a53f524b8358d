"""Render on write: the representations a write changes are rendered again in its transaction.

Reads outnumber writes by orders of magnitude, so a record's JSON and a term's whole summary are
rendered once per change (here, from `Writer.finish`, for every write path: the API, imports,
seed runs and reverts) and served as stored bytes (app.queries.renditions). The bodies are the
ones the read routes would render, byte for byte; `check` proves it for a whole database.

What is stored:
- the record of each kind whose representation shows only itself and its sources (terms as in
  the terms list, the five kinds of term statements, statistics in each language);
- each term's summary with every section, in each language;
- how many records of each of those kinds there are: the `total` of their unfiltered lists,
  which at 100,000 records cost a count of the whole table on every read.

Which summaries a change touches follows from what a summary shows: its term and the terms it
covers (a planned term's summary includes the reviewed term's statements), the statements and
statistics of those terms, and the conference. People, posts, organizations, areas and documents
reach summaries in more ways (post holders of a whole organization tree, the documents any
statement cites), so a change to one of them renders every summary (but the creation of a
person, organization, area or document, which nothing refers to yet).
"""

import json
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, bindparam, delete, func, insert, select, tuple_, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.editing import states
from app.editing.kinds import BY_SUBJECT
from app.i18n import Lang
from app.models import (
    ANY_LANGUAGE,
    Achievement,
    Directive,
    Event,
    KeyTask,
    Limitation,
    Rendition,
    Solution,
    Statistic,
    SubjectKind,
    Term,
    TermItemBase,
)
from app.models.base import Stamps
from app.queries.citations import sources_for
from app.queries.renditions import SUMMARY, TOTAL
from app.queries.statistics import statistics_public
from app.queries.terms import item_public, term_summaries, terms_public
from app.schemas.items import (
    AchievementPublic,
    DirectivePublic,
    KeyTaskPublic,
    LimitationPublic,
    SolutionPublic,
)
from app.schemas.statistics import StatisticPublic
from app.schemas.terms import SummarySection, TermPublic, TermSummary

LANGS = tuple(Lang)
# Bump when a representation renders differently without its schema changing: `congress-api
# migrate` then renders every stored one again.
RENDER_VERSION = 2
_RENDERER = "renderer"  # the row that names the version the stored bodies were rendered by
_TABLE = Rendition.__table__  # type: ignore[attr-defined]

# (kind, record id, lang) -> (revision, body)
Rendered = dict[tuple[str, str, str], tuple[int, str]]

_ITEMS: dict[SubjectKind, tuple[type[TermItemBase], type[BaseModel]]] = {
    SubjectKind.key_task: (KeyTask, KeyTaskPublic),
    SubjectKind.solution: (Solution, SolutionPublic),
    SubjectKind.achievement: (Achievement, AchievementPublic),
    SubjectKind.limitation: (Limitation, LimitationPublic),
    SubjectKind.directive: (Directive, DirectivePublic),
}
# Kinds whose summaries follow from their `term_id`.
_OF_A_TERM = frozenset((*_ITEMS, SubjectKind.statistic))
# Kinds that reach summaries in many ways: any change renders every summary, but the creation
# of a record nothing refers to yet.
_EVERYWHERE = frozenset(
    (
        SubjectKind.person,
        SubjectKind.membership,
        SubjectKind.organization,
        SubjectKind.area,
        SubjectKind.document,
    )
)
# A new post is referred to at once: its holder joins the people of the terms of its
# organization and of those above it.
_POSTS = frozenset((SubjectKind.membership,))


def _items(session: Session, kind: SubjectKind, ids: list[str]) -> Rendered:
    model, public = _ITEMS[kind]
    rows = session.execute(select(model).where(col(model.id).in_(ids))).scalars().all()  # type: ignore[attr-defined]
    cited = sources_for(session, {kind: [row.id for row in rows]})
    rendered: Rendered = {}
    for row in rows:
        body = item_public(public, row, kind, cited).model_dump_json()
        rendered[(kind.value, row.id, ANY_LANGUAGE)] = (row.revision, body)
    return rendered


def _statistics(session: Session, kind: SubjectKind, ids: list[str]) -> Rendered:
    rows = list(session.execute(select(Statistic).where(col(Statistic.id).in_(ids))).scalars())
    rendered: Rendered = {}
    for lang in LANGS:
        for statistic in statistics_public(session, rows, lang):
            body = statistic.model_dump_json()
            rendered[(kind.value, statistic.id, lang.value)] = (statistic.revision, body)
    return rendered


def _terms(session: Session, kind: SubjectKind, ids: list[str]) -> Rendered:
    rows = session.execute(select(Term).where(col(Term.id).in_(ids))).scalars().all()
    return {
        (kind.value, public.id, ANY_LANGUAGE): (public.revision, public.model_dump_json())
        for public in terms_public(session, rows)
    }


_RECORDS: dict[SubjectKind, Callable[[Session, SubjectKind, list[str]], Rendered]] = {
    **{kind: _items for kind in _ITEMS},
    SubjectKind.statistic: _statistics,
    SubjectKind.term: _terms,
}


def _from_state(
    kind: SubjectKind, record_id: str, state: Mapping[str, Any], stamps: Stamps
) -> Rendered:
    """A record's bodies from the state just written and its stamps, without reading it back:
    the same bytes as `render_records` gives (which `check` proves)."""
    data = {**state, "created_at": stamps.created_at, "updated_at": stamps.updated_at}
    data["revision"] = stamps.revision
    if kind is SubjectKind.statistic:
        return {
            (kind.value, record_id, lang.value): (
                stamps.revision,
                StatisticPublic.model_validate(
                    {**data, "label": state["label_vi" if lang is Lang.vi else "label_en"]}
                ).model_dump_json(),
            )
            for lang in LANGS
        }
    public = _ITEMS[kind][1] if kind in _ITEMS else TermPublic
    body = public.model_validate(data).model_dump_json()
    return {(kind.value, record_id, ANY_LANGUAGE): (stamps.revision, body)}


def render_records(session: Session, kind: SubjectKind, ids: Iterable[str]) -> Rendered:
    """The stored bodies of these records as they are now (retired ones have none)."""
    rendered: Rendered = {}
    for chunk in states.chunks(sorted(ids)):
        rendered |= _RECORDS[kind](session, kind, chunk)
    return rendered


def render_summaries(session: Session, term_ids: Iterable[str]) -> Rendered:
    rendered: Rendered = {}
    for term_id in sorted(term_ids):
        summaries = term_summaries(session, term_id, set(SummarySection), LANGS)
        for lang, summary in (summaries or {}).items():
            body = summary.model_dump_json(exclude_unset=True)
            rendered[(SUMMARY, term_id, lang.value)] = (summary.revision, body)
    return rendered


def render_totals(session: Session, kinds: Iterable[SubjectKind]) -> Rendered:
    """How many records of each kind there are (revision 0: a count has no version)."""
    totals: Rendered = {}
    for kind in kinds:
        count = select(func.count()).select_from(BY_SUBJECT[kind].table)
        totals[(TOTAL, kind.value, ANY_LANGUAGE)] = (0, str(session.execute(count).scalar_one()))
    return totals


def _coverers(session: Session, term_ids: Collection[str]) -> set[str]:
    """Terms whose summary includes these terms' statements (through their conference's
    reviewed term)."""
    if not term_ids:
        return set()
    rows = session.execute(
        select(col(Event.term_id)).where(
            col(Event.reviewed_term_id).in_(term_ids), col(Event.term_id).is_not(None)
        )
    )
    return {term_id for (term_id,) in rows}


def _affected(changes: Iterable[Mapping[str, Any]]) -> tuple[set[str], set[str], bool]:
    """What a set of changes (the history's rows) reaches, before looking anything up: terms,
    terms whose statements changed (their coverers too), and whether it is every term."""
    terms: set[str] = set()
    statement_terms: set[str] = set()
    everything = False
    for change in changes:
        kind = SubjectKind(change["kind"])
        states = [s for s in (change["before"], change["after"]) if s is not None]
        if kind is SubjectKind.term:
            statement_terms.add(change["record_id"])
        elif kind in _OF_A_TERM:
            statement_terms.update(s["term_id"] for s in states if s.get("term_id"))
        elif kind is SubjectKind.event:
            for state in states:
                terms.update(t for t in (state["term_id"], state["reviewed_term_id"]) if t)
        elif kind in _EVERYWHERE and (change["before"] is not None or kind in _POSTS):
            everything = True
    return terms, statement_terms, everything


def affected_summaries(session: Session, changes: Iterable[Mapping[str, Any]]) -> set[str]:
    """The terms whose summary a set of changes (the history's rows) may alter."""
    terms, statement_terms, everything = _affected(changes)
    if everything:
        return set(session.execute(select(col(Term.id))).scalars())
    return terms | statement_terms | _coverers(session, statement_terms)


def _upsert(session: Session, rendered: Rendered) -> None:
    rows = [
        {"kind": k, "record_id": i, "lang": lang, "revision": revision, "body": body}
        for (k, i, lang), (revision, body) in rendered.items()
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(_TABLE)
    upsert = statement.on_conflict_do_update(
        index_elements=["kind", "record_id", "lang"],
        set_={"revision": statement.excluded.revision, "body": statement.excluded.body},
    )
    session.execute(upsert, rows)


def _drop(session: Session, kind: str, ids: Collection[str]) -> None:
    for chunk in states.chunks(sorted(ids)):
        session.execute(delete(_TABLE).where(_TABLE.c.kind == kind, _TABLE.c.record_id.in_(chunk)))


_COLUMNS = (_TABLE.c.kind, _TABLE.c.record_id, _TABLE.c.lang, _TABLE.c.revision, _TABLE.c.body)
_EVENTS = Event.__table__  # type: ignore[attr-defined]
# The stored bodies of (kind, id) pairs, and the summaries of the terms that cover the
# `reviewed` ones, in one round trip.
_READ = union_all(
    select(*_COLUMNS).where(
        tuple_(_TABLE.c.kind, _TABLE.c.record_id).in_(bindparam("pairs", expanding=True))
    ),
    select(*_COLUMNS)
    .select_from(
        _TABLE.join(
            _EVENTS, and_(_TABLE.c.kind == SUMMARY, _TABLE.c.record_id == _EVENTS.c.term_id)
        )
    )
    .where(_EVENTS.c.reviewed_term_id.in_(bindparam("reviewed", expanding=True))),
)


def _read(
    session: Session, keys: Iterable[tuple[str, str]], reviewed: Collection[str] = ()
) -> Rendered:
    """The stored bodies of these (kind, record id) pairs, in every language, and those of the
    summaries of the terms that cover the `reviewed` terms."""
    pairs, reviewed = sorted(set(keys)), sorted(reviewed)
    if not pairs and not reviewed:
        return {}
    rows = session.execute(_READ, {"pairs": pairs, "reviewed": reviewed})
    return {(k, i, lang): (revision, body) for k, i, lang, revision, body in rows}


# A statement's or statistic's place in a summary: what decides its section, its order, the
# people it names and the documents it cites. A change that keeps it changes the summary only
# where the record's own body is.
_PLACE = ("term_id", "position", "category", "issuer_id")


def _in_place(change: Mapping[str, Any]) -> bool:
    before, after = change["before"], change["after"]
    if SubjectKind(change["kind"]) not in _OF_A_TERM or before is None or after is None:
        return False

    def documents(state: Mapping[str, Any]) -> set[str]:
        return {source["document"] for source in state.get("sources", [])}

    return all(before.get(k) == after.get(k) for k in _PLACE) and documents(before) == documents(
        after
    )


def _spliced(summary: str, lang: str, old: Rendered, new: Rendered) -> str | None:
    """The summary with each record's old body replaced by its new one, or None when a body is
    not where it should be (then the summary is rendered whole)."""
    for (kind, record_id, body_lang), (_revision, before) in old.items():
        if body_lang not in (ANY_LANGUAGE, lang):
            continue
        found = summary.count(before)
        if found == 0 and f'"id":"{record_id}"' not in summary:
            continue  # not in this summary
        after = new.get((kind, record_id, body_lang))
        if found != 1 or after is None:
            return None
        summary = summary.replace(before, after[1])
    return summary


def refresh(
    session: Session,
    changes: list[dict[str, Any]],
    stamps: Mapping[tuple[SubjectKind, str], Stamps],
) -> Rendered:
    """Renders again, in the writer's transaction, what `changes` (the history rows of one
    revision, already written, with the `stamps` they were written with) alter, and stores it;
    returns the new bodies.

    A summary that only in-place changes touch (a corrected text, value or quote) is not
    rendered again: each record's old body in it is replaced by the new one."""
    in_place = [change for change in changes if _in_place(change)]
    whole_terms = affected_summaries(session, [c for c in changes if not _in_place(c)])
    _terms, statement_terms, _everything = _affected(in_place)  # only statement terms
    old = _read(
        session,
        [(c["kind"], c["record_id"]) for c in in_place] + [(SUMMARY, t) for t in statement_terms],
        reviewed=statement_terms,
    )
    # The coverers came with the read; one whose summary is not stored stays so (reads of it
    # render, and `check` names it).
    splice_terms = statement_terms | {i for k, i, _lang in old if k == SUMMARY}
    splice_terms -= whole_terms

    rendered: Rendered = {}
    retired: dict[SubjectKind, list[str]] = {}
    counted: set[SubjectKind] = set()
    for change in changes:
        kind, record_id = SubjectKind(change["kind"]), change["record_id"]
        if kind not in _RECORDS:
            continue
        if change["before"] is None or change["after"] is None:
            counted.add(kind)
        if change["after"] is None:
            retired.setdefault(kind, []).append(record_id)
        else:
            rendered |= _from_state(kind, record_id, change["after"], stamps[(kind, record_id)])
    for kind, ids in retired.items():
        _drop(session, kind.value, ids)

    old_bodies = {key: value for key, value in old.items() if key[0] != SUMMARY}
    spliced: Rendered = {}
    for (stored_kind, term_id, lang), (revision, body) in old.items():
        if stored_kind == SUMMARY and term_id not in whole_terms:
            new_body = _spliced(body, lang, old_bodies, rendered)
            if new_body is None:
                whole_terms.add(term_id)
            else:
                spliced[(SUMMARY, term_id, lang)] = (revision, new_body)
    whole_terms |= {t for t in splice_terms if (SUMMARY, t, LANGS[0].value) not in old}
    rendered |= {k: v for k, v in spliced.items() if k[1] not in whole_terms}
    summaries = render_summaries(session, whole_terms)
    _drop(session, SUMMARY, whole_terms - {t for _k, t, _lang in summaries})
    rendered |= summaries
    rendered |= render_totals(session, counted)
    _upsert(session, rendered)
    return rendered


@cache
def fingerprint() -> int:
    """Names the way bodies are rendered: RENDER_VERSION and the public models' schemas."""
    schemas = [m.model_json_schema() for m in (TermSummary, TermPublic, StatisticPublic)]
    schemas += [public.model_json_schema() for _model, public in _ITEMS.values()]
    text = json.dumps([RENDER_VERSION, schemas], sort_keys=True)
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


def rendered_by(session: Session) -> int | None:
    """The fingerprint of what rendered the stored bodies; None if nothing did yet."""
    return session.execute(
        select(_TABLE.c.revision).where(_TABLE.c.kind == _RENDERER)
    ).scalar_one_or_none()


def ensure_current(session: Session) -> int | None:
    """Renders every stored body again if another version of the code rendered them (or none
    did, as after the migration that made the table); returns how many, None if current."""
    if rendered_by(session) == fingerprint():
        return None
    return rebuild(session)


def rebuild(session: Session) -> int:
    """Renders every stored representation from scratch; returns how many there are."""
    session.execute(delete(_TABLE))
    session.execute(
        insert(_TABLE).values(
            kind=_RENDERER, record_id=_RENDERER, lang=ANY_LANGUAGE, revision=fingerprint(), body=""
        )
    )
    rendered = render_all(session)
    _upsert(session, rendered)
    return len(rendered)


def render_all(session: Session) -> Rendered:
    rendered: Rendered = {}
    for kind in _RECORDS:
        table = BY_SUBJECT[kind].table
        rendered |= render_records(session, kind, session.execute(select(table.c.id)).scalars())
    term_ids = session.execute(select(col(Term.id))).scalars().all()
    return rendered | render_summaries(session, term_ids) | render_totals(session, _RECORDS)


def stored(session: Session) -> Rendered:
    rows = session.execute(select(*_COLUMNS).where(_TABLE.c.kind != _RENDERER))
    return {(k, i, lang): (revision, body) for k, i, lang, revision, body in rows}


def check(session: Session) -> str | None:
    """The first stored representation that differs from a fresh render, missing or extra;
    None when every one matches."""
    if rendered_by(session) != fingerprint():
        return "the stored bodies were rendered by another version; run `congress-api migrate`"
    fresh = render_all(session)
    have = stored(session)
    for key in sorted(fresh.keys() | have.keys()):
        name = "/".join(key)
        if key not in have:
            return f"{name}: not stored"
        if key not in fresh:
            return f"{name}: stored, but the record is gone"
        if have[key] != fresh[key]:
            return f"{name}: the stored body differs from a fresh render"
    return None
