"""People with their posts, organizations with their members, areas."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from app.models import Area, Citation, Membership, Organization, Person, SubjectKind
from app.queries.citations import Cited, sources_for
from app.queries.sorting import SortKey, order_by
from app.schemas.people import (
    AreaPublic,
    MemberPublic,
    MembershipPublic,
    OrganizationPublic,
    PersonPublic,
    PostPublic,
)

PostRow = tuple[Membership, str]


def load_posts(session: Session, person_ids: list[str]) -> list[PostRow]:
    """The posts of these people with their organizations' names, in each person's order."""
    return list(
        session.exec(
            select(Membership, Organization.name)
            .join(Organization, col(Organization.id) == Membership.organization_id)
            .where(col(Membership.person_id).in_(person_ids))
            .order_by(col(Membership.person_id), col(Membership.position), col(Membership.id))
        ).all()
    )


def people_and_post_holders(
    session: Session, person_ids: list[str], organization_id: str
) -> tuple[dict[str, Person], list[str]]:
    """These people, and everyone holding a post in the organization or in any under it, in
    one statement. Returns the people by id, and the holders' ids in the order the source
    first names their posts (then by id)."""
    tree = select(Organization.id).where(Organization.id == organization_id).cte(recursive=True)
    tree = tree.union_all(
        select(Organization.id).join(tree, col(Organization.parent_id) == tree.c.id)
    )
    holders = (
        select(
            col(Membership.person_id).label("person_id"),
            func.min(Citation.start).label("first_cited"),
        )
        .join(
            Citation,
            (col(Citation.subject_kind) == SubjectKind.membership.value)
            & (col(Citation.subject_id) == Membership.id),
        )
        .where(col(Membership.organization_id).in_(select(tree.c.id)))
        .group_by(col(Membership.person_id))
        .subquery()
    )
    rows = session.exec(
        select(Person, holders.c.first_cited)
        .outerjoin(holders, holders.c.person_id == Person.id)
        .where(col(Person.id).in_(person_ids) | holders.c.person_id.is_not(None))
        .order_by(holders.c.first_cited, col(Person.id))
    ).all()
    people = {person.id: person for person, _ in rows}
    return people, [person.id for person, first in rows if first is not None]


def people_public(session: Session, people: list[Person]) -> list[PersonPublic]:
    """Each person with every post held, in two statements whatever the number of people."""
    ids = [p.id for p in people]
    rows = load_posts(session, ids)
    cited = sources_for(
        session, {SubjectKind.person: ids, SubjectKind.membership: [m.id for m, _ in rows]}
    )
    return build_people(people, rows, cited)


def build_people(people: list[Person], rows: list[PostRow], cited: Cited) -> list[PersonPublic]:
    posts: dict[str, list[PostPublic]] = defaultdict(list)
    for membership, organization_name in rows:
        posts[membership.person_id].append(
            PostPublic.model_validate(
                membership,
                update={
                    "organization_name": organization_name,
                    "sources": cited[(SubjectKind.membership, membership.id)],
                },
            )
        )
    return [
        PersonPublic.model_validate(
            p, update={"posts": posts[p.id], "sources": cited[(SubjectKind.person, p.id)]}
        )
        for p in people
    ]


def list_people(
    session: Session,
    *,
    organization_id: str | None,
    ids: Select[str] | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[PersonPublic], int]:
    statement = select(Person)
    if updated_since is not None:
        statement = statement.where(col(Person.updated_at) >= updated_since)
    if organization_id is not None:
        members = select(Membership.person_id).where(Membership.organization_id == organization_id)
        statement = statement.where(col(Person.id).in_(members))
    if ids is not None:
        statement = statement.where(col(Person.id).in_(ids))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(*order_by(Person, sort, [Person.id]))
    people = session.exec(ordered.limit(limit).offset(offset)).all()
    return people_public(session, list(people)), total


def get_person(session: Session, person_id: str) -> PersonPublic | None:
    person = session.get(Person, person_id)
    return people_public(session, [person])[0] if person else None


def organizations_public(
    session: Session, organizations: list[Organization]
) -> list[OrganizationPublic]:
    ids = [o.id for o in organizations]
    rows = session.exec(
        select(Membership, Person.name)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(col(Membership.organization_id).in_(ids))
        .order_by(col(Membership.organization_id), col(Membership.person_id), col(Membership.id))
    ).all()
    cited = sources_for(
        session,
        {SubjectKind.organization: ids, SubjectKind.membership: [m.id for m, _ in rows]},
    )
    members: dict[str, list[MemberPublic]] = defaultdict(list)
    for membership, person_name in rows:
        members[membership.organization_id].append(
            MemberPublic.model_validate(
                membership,
                update={
                    "person_name": person_name,
                    "sources": cited[(SubjectKind.membership, membership.id)],
                },
            )
        )
    return [
        OrganizationPublic.model_validate(
            o, update={"members": members[o.id], "sources": cited[(SubjectKind.organization, o.id)]}
        )
        for o in organizations
    ]


def list_organizations(
    session: Session,
    *,
    classification: str | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[OrganizationPublic], int]:
    statement = select(Organization)
    if updated_since is not None:
        statement = statement.where(col(Organization.updated_at) >= updated_since)
    if classification is not None:
        statement = statement.where(Organization.classification == classification)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(*order_by(Organization, sort, [Organization.id]))
    rows = session.exec(ordered.limit(limit).offset(offset)).all()
    return organizations_public(session, list(rows)), total


def get_organization(session: Session, organization_id: str) -> OrganizationPublic | None:
    organization = session.get(Organization, organization_id)
    return organizations_public(session, [organization])[0] if organization else None


def get_area(session: Session, area_id: str) -> AreaPublic | None:
    area = session.get(Area, area_id)
    if area is None:
        return None
    return build_area(area, sources_for(session, {SubjectKind.area: [area.id]}))


def build_area(area: Area, cited: Cited) -> AreaPublic:
    return AreaPublic.model_validate(area, update={"sources": cited[(SubjectKind.area, area.id)]})


def get_membership(session: Session, membership_id: str) -> MembershipPublic | None:
    row = session.exec(
        select(Membership, Person.name, Organization.name)
        .join(Person, col(Person.id) == Membership.person_id)
        .join(Organization, col(Organization.id) == Membership.organization_id)
        .where(Membership.id == membership_id)
    ).first()
    if row is None:
        return None
    return memberships_public(session, [row])[0]


def memberships_public(
    session: Session, rows: Sequence[tuple[Membership, str, str]]
) -> list[MembershipPublic]:
    cited = sources_for(session, {SubjectKind.membership: [m.id for m, _p, _o in rows]})
    return [
        MembershipPublic.model_validate(
            m,
            update={
                "person_name": person_name,
                "organization_name": organization_name,
                "sources": cited[(SubjectKind.membership, m.id)],
            },
        )
        for m, person_name, organization_name in rows
    ]


def list_memberships(
    session: Session,
    *,
    organization_id: str | None,
    person_id: str | None,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[MembershipPublic], int]:
    statement = (
        select(Membership, Person.name, Organization.name)
        .join(Person, col(Person.id) == Membership.person_id)
        .join(Organization, col(Organization.id) == Membership.organization_id)
    )
    if organization_id is not None:
        statement = statement.where(Membership.organization_id == organization_id)
    if person_id is not None:
        statement = statement.where(Membership.person_id == person_id)
    if updated_since is not None:
        statement = statement.where(col(Membership.updated_at) >= updated_since)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    default = [Membership.person_id, Membership.position, Membership.id]
    ordered = statement.order_by(*order_by(Membership, sort, default))
    rows = session.exec(ordered.limit(limit).offset(offset)).all()
    return memberships_public(session, list(rows)), total


def list_areas(
    session: Session,
    *,
    updated_since: datetime | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int,
) -> tuple[list[AreaPublic], int]:
    statement = select(Area)
    if updated_since is not None:
        statement = statement.where(col(Area.updated_at) >= updated_since)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(*order_by(Area, sort, [Area.id]))
    areas = list(session.exec(ordered.limit(limit).offset(offset)))
    cited = sources_for(session, {SubjectKind.area: [a.id for a in areas]})
    return [build_area(a, cited) for a in areas], total
