"""Terms, and the one-call summary of a term built in a fixed number of statements."""

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, bindparam, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.i18n import CATEGORY_LABELS, Lang, pick
from app.models import (
    ANY_LANGUAGE,
    Achievement,
    Area,
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
from app.queries.documents import build_events, documents_public, load_chairs
from app.queries.items import items_of_terms
from app.queries.people import build_area, build_people, load_posts, people_and_post_holders
from app.queries.renditions import BodyPages, Found
from app.queries.sorting import SortKey, order_by
from app.queries.statistics import build_statistics, statistics_of_terms
from app.reads import Steps
from app.schemas.documents import DocumentPublic, PersonRef
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


def _statements(
    organization_id: str | BindParameter[Any] | None,
    updated_since: datetime | BindParameter[Any] | None,
    sort: Sequence[SortKey],
) -> tuple[SelectOfScalar[Term], SelectOfScalar[Term]]:
    statement = select(Term)
    if updated_since is not None:
        statement = statement.where(col(Term.updated_at) >= updated_since)
    if organization_id is not None:
        statement = statement.where(Term.organization_id == organization_id)
    default = [Term.organization_id, Term.start_year, Term.id]
    return statement, statement.order_by(*order_by(Term, sort, default))


def list_terms(
    session: Session,
    *,
    organization_id: str | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[TermPublic], int]:
    statement, ordered = _statements(organization_id, updated_since, sort)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    return terms_public(session, session.exec(ordered.limit(limit).offset(offset)).all()), total


def all_terms(session: Session) -> list[TermPublic]:
    """Every term, in the list's default order: for the catalog, which pages nothing."""
    _statement, ordered = _statements(None, None, ())
    return terms_public(session, session.exec(ordered).all())


def term_body_steps(
    *,
    organization_id: str | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> Steps[Found]:
    """The same page as `list_terms`, as stored bodies (None if one is missing)."""
    pages = _body_pages(organization_id is not None, updated_since is not None, tuple(sort))
    parameters = {"organization_id": organization_id, "updated_since": updated_since}
    return pages.steps({**parameters, "lang": ANY_LANGUAGE, "limit": limit, "offset": offset})


@cache
def _body_pages(by_organization: bool, since: bool, sort: tuple[SortKey, ...]) -> BodyPages:
    filtered, ordered = _statements(
        bindparam("organization_id") if by_organization else None,
        bindparam("updated_since") if since else None,
        sort,
    )
    table = Term.__table__  # type: ignore[attr-defined]
    unfiltered = not by_organization and not since
    return BodyPages.of(filtered, ordered, table, SubjectKind.term.value, unfiltered=unfiltered)


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
    summaries = term_summaries(session, term_id, sections, (lang,))
    return summaries[lang] if summaries else None


def term_summaries(
    session: Session, term_id: str, sections: set[SummarySection], langs: Sequence[Lang]
) -> dict[Lang, TermSummary] | None:
    """The summary of a term in each of `langs`, with only the asked sections, from one load
    (only the statistics' labels differ between languages).

    Records are loaded first and their citations in one statement after, so the number of
    statements depends on the sections asked for, never on the amount of data."""
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

    wants_people = S.people in sections
    items = {
        section: items_of_terms(session, model, covers)
        for section, (model, _kind, _out) in _ITEM_SECTIONS.items()
        if section in sections or (section is S.directives and wants_people)
    }
    organization = (
        session.get(Organization, term.organization_id)
        if sections & {S.organization, S.area}
        else None
    )
    area = (
        session.get(Area, organization.area_id)
        if S.area in sections and organization is not None and organization.area_id
        else None
    )
    chairs = (
        load_chairs(session, [conference.id])
        if conference is not None and (S.conference in sections or wants_people)
        else {}
    )
    statistics = statistics_of_terms(session, covers) if S.statistics in sections else []
    people = (
        _people(session, chairs, term.organization_id, items[S.directives]) if wants_people else []
    )
    posts = load_posts(session, [p.id for p in people]) if people else []

    wanted: dict[SubjectKind, list[str]] = {
        SubjectKind.term: [term_id],
        SubjectKind.statistic: [s.id for s in statistics],
        SubjectKind.person: [p.id for p in people],
        SubjectKind.membership: [m.id for m, _ in posts],
        SubjectKind.area: [area.id] if area else [],
        SubjectKind.event: [conference.id] if conference and S.conference in sections else [],
    }
    for section, (_model, kind, _out) in _ITEM_SECTIONS.items():
        if section in sections:
            wanted[kind] = [i.id for i in items[section]]  # type: ignore[attr-defined]
    cited = sources_for(session, wanted)

    fields: dict[str, Any] = {"covers": covers, "sources": cited[(SubjectKind.term, term_id)]}
    for section, (_model, kind, model_out) in _ITEM_SECTIONS.items():
        if section in sections:
            fields[section.value] = [item_public(model_out, i, kind, cited) for i in items[section]]
    if S.organization in sections:
        fields["organization"] = (
            OrganizationRef(id=organization.id, name=organization.name) if organization else None
        )
    if S.area in sections:
        fields["area"] = build_area(area, cited) if area else None
    if S.conference in sections:
        fields["conference"] = build_events([conference], chairs, cited)[0] if conference else None
    if wants_people:
        fields["people"] = build_people(people, posts, cited)
    if S.documents in sections:
        fields["documents"] = _documents_citing(session, cited)
    summaries = {}
    for lang in langs:
        if S.statistics in sections:
            labelled = build_statistics(statistics, lang, cited)
            fields = {**fields, "statistics": _grouped(labelled, lang)}
        summaries[lang] = TermSummary.model_validate(term, update=fields)
    return summaries


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


def _people(
    session: Session,
    chairs: dict[str, list[PersonRef]],
    organization_id: str,
    directives: list[TermItemBase],
) -> list[Person]:
    """The conference's chairs in order, then the people holding posts in the term's
    organizations in the source's order, then the directives' issuers."""
    ordered = [chair.id for event_chairs in chairs.values() for chair in event_chairs]
    issuers = [getattr(directive, "issuer_id", None) for directive in directives]
    named = [*ordered, *(i for i in issuers if i)]
    people, holders = people_and_post_holders(session, named, organization_id)
    for person_id in [*holders, *issuers]:
        if person_id and person_id not in ordered:
            ordered.append(person_id)
    return [people[i] for i in ordered if i in people]


def _documents_citing(session: Session, cited: Cited) -> list[DocumentPublic]:
    """The documents quoted by the records of the summary."""
    document_ids = sorted({source.document for sources in cited.values() for source in sources})
    documents = session.exec(
        select(Document).where(col(Document.id).in_(document_ids)).order_by(col(Document.id))
    )
    return documents_public(session, list(documents))
