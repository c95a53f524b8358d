"""Terms, and the one-call summary of a term built in a fixed number of statements."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import CATEGORY_LABELS, Lang, pick
from app.models import (
    Achievement,
    Directive,
    Document,
    Event,
    KeyTask,
    Limitation,
    Organization,
    Person,
    Solution,
    SubjectKind,
    Term,
    TermItemBase,
)
from app.queries.citations import Cited, sources_for
from app.queries.documents import documents_public, events_public
from app.queries.items import items_of_terms
from app.queries.people import get_area, people_public
from app.queries.statistics import statistics_of_terms
from app.schemas.items import (
    AchievementPublic,
    DirectivePublic,
    KeyTaskPublic,
    LimitationPublic,
    SolutionPublic,
)
from app.schemas.people import OrganizationRef
from app.schemas.terms import StatisticGroup, SummarySection, TermPublic, TermSummary

S = SummarySection

_ITEM_SECTIONS: dict[SummarySection, tuple[type[TermItemBase], SubjectKind, type[Any]]] = {
    S.key_tasks: (KeyTask, SubjectKind.key_task, KeyTaskPublic),
    S.solutions: (Solution, SubjectKind.solution, SolutionPublic),
    S.achievements: (Achievement, SubjectKind.achievement, AchievementPublic),
    S.limitations: (Limitation, SubjectKind.limitation, LimitationPublic),
    S.directives: (Directive, SubjectKind.directive, DirectivePublic),
}


def terms_public(session: Session, terms: Sequence[Term]) -> list[TermPublic]:
    cited = sources_for(session, {SubjectKind.term: [t.id for t in terms]})
    return [
        TermPublic.model_validate(t, update={"sources": cited[(SubjectKind.term, t.id)]})
        for t in terms
    ]


def list_terms(
    session: Session, *, organization_id: str | None, limit: int, offset: int
) -> tuple[list[TermPublic], int]:
    statement = select(Term)
    if organization_id is not None:
        statement = statement.where(Term.organization_id == organization_id)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(col(Term.organization_id), col(Term.start_year), col(Term.id))
    return terms_public(session, session.exec(ordered.limit(limit).offset(offset)).all()), total


def get_term(session: Session, term_id: str) -> TermPublic | None:
    term = session.get(Term, term_id)
    return terms_public(session, [term])[0] if term else None


def item_public(model_out: type[Any], item: TermItemBase, kind: SubjectKind, cited: Cited) -> Any:
    item_id = item.id  # type: ignore[attr-defined]
    return model_out.model_validate(item, update={"sources": cited[(kind, item_id)]})


def term_summary(
    session: Session, term_id: str, sections: set[SummarySection], lang: Lang
) -> TermSummary | None:
    """The summary of a term, with only the asked sections."""
    term = session.get(Term, term_id)
    if term is None:
        return None
    conference = session.exec(
        select(Event)
        .where((col(Event.term_id) == term_id) | (col(Event.reviewed_term_id) == term_id))
        .order_by(col(Event.id))
        .limit(1)
    ).first()
    covers = [term_id]
    if conference is not None and conference.term_id == term_id and conference.reviewed_term_id:
        covers.append(conference.reviewed_term_id)

    items = {
        section: items_of_terms(session, model, covers)
        for section, (model, _kind, _out) in _ITEM_SECTIONS.items()
        if section in sections or (section is S.directives and S.people in sections)
    }
    cited = sources_for(
        session,
        {
            SubjectKind.term: [term_id],
            **{
                kind: [i.id for i in items[section]]  # type: ignore[attr-defined]
                for section, (_m, kind, _o) in _ITEM_SECTIONS.items()
                if section in items
            },
        },
    )
    fields: dict[str, Any] = {"covers": covers, "sources": cited[(SubjectKind.term, term_id)]}
    for section, (_model, kind, model_out) in _ITEM_SECTIONS.items():
        if section in sections:
            fields[section.value] = [item_public(model_out, i, kind, cited) for i in items[section]]

    if S.organization in sections or S.area in sections:
        organization = session.get(Organization, term.organization_id)
        if S.organization in sections and organization is not None:
            fields["organization"] = OrganizationRef(id=organization.id, name=organization.name)
        if S.area in sections:
            area_id = organization.area_id if organization else None
            fields["area"] = get_area(session, area_id) if area_id else None
    event_public = events_public(session, [conference])[0] if conference else None
    if S.conference in sections:
        fields["conference"] = event_public
    if S.statistics in sections:
        fields["statistics"] = _grouped(statistics_of_terms(session, covers, lang), lang)
    if S.people in sections:
        fields["people"] = _people(session, event_public, items.get(S.directives, []))
    summary = TermSummary.model_validate(term, update=fields)
    if S.documents in sections:
        summary.documents = _documents_cited_by(session, summary)
    return summary


def _grouped(statistics: list[Any], lang: Lang) -> list[StatisticGroup]:
    groups: dict[str, StatisticGroup] = {}
    for statistic in statistics:
        category = statistic.category
        if category not in groups:
            groups[category] = StatisticGroup(
                category=category, label=pick(CATEGORY_LABELS[category], lang), items=[]
            )
        groups[category].items.append(statistic)
    return list(groups.values())


def _people(session: Session, event: Any, directives: list[TermItemBase]) -> list[Any]:
    ordered: list[str] = [chair.id for chair in event.chairs] if event else []
    for directive in directives:
        issuer = getattr(directive, "issuer_id", None)
        if issuer and issuer not in ordered:
            ordered.append(issuer)
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ordered)))}
    return people_public(session, [people[i] for i in ordered if i in people])


def _documents_cited_by(session: Session, summary: TermSummary) -> list[Any]:
    document_ids = _cited_documents(summary.model_dump())
    documents = session.exec(
        select(Document)
        .where(col(Document.id).in_(sorted(document_ids)))
        .order_by(col(Document.id))
    )
    return documents_public(session, list(documents))


def _cited_documents(value: Any) -> set[str]:
    """Ids of the documents named in every `sources` list nested in a dumped model."""
    if isinstance(value, list):
        return {d for item in value for d in _cited_documents(item)}
    if not isinstance(value, dict):
        return set()
    found = {s["document"] for s in value.get("sources") or []}
    return found | {d for k, v in value.items() if k != "sources" for d in _cited_documents(v)}
