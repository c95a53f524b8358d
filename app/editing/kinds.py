"""The kinds of record the write path handles, and how each is stored."""

from dataclasses import dataclass

from sqlalchemy import Table
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
from app.seeding.reader import POSITION_SCOPES, REFERENCES
from app.seeding.schema import (
    AreaSeed,
    DirectiveSeed,
    DocumentSeed,
    EventSeed,
    MembershipSeed,
    OrganizationSeed,
    PersonSeed,
    SeedRecord,
    StatisticSeed,
    TermItemSeed,
    TermSeed,
)


@dataclass(frozen=True)
class Kind:
    subject: SubjectKind
    collection: str  # the URL path segment under /api/v1
    seed_list: str  # the array name in seed files
    model: type[SQLModel]
    body: type[SeedRecord]  # what a client sends, the seed file's record shape
    singular: str

    @property
    def table(self) -> Table:
        table = self.model.__table__  # type: ignore[attr-defined]
        assert isinstance(table, Table)
        return table

    @property
    def position_scope(self) -> str | None:
        """The column that scopes `position` ("" for the whole table); None when unordered."""
        return POSITION_SCOPES.get(self.seed_list)

    @property
    def references(self) -> dict[str, "Kind"]:
        """Reference column -> the kind it names."""
        columns = {c.name for c in self.table.columns}
        return {
            name: BY_SEED_LIST[target] for name, target in REFERENCES.items() if name in columns
        }


# In an order that satisfies every foreign key (organizations' parents are sorted apart).
KINDS = [
    Kind(SubjectKind.area, "areas", "areas", Area, AreaSeed, "area"),
    Kind(SubjectKind.person, "people", "people", Person, PersonSeed, "person"),
    Kind(
        SubjectKind.organization,
        "organizations",
        "organizations",
        Organization,
        OrganizationSeed,
        "organization",
    ),
    Kind(SubjectKind.document, "documents", "documents", Document, DocumentSeed, "document"),
    Kind(SubjectKind.term, "terms", "terms", Term, TermSeed, "term"),
    Kind(SubjectKind.event, "events", "events", Event, EventSeed, "event"),
    Kind(SubjectKind.membership, "memberships", "memberships", Membership, MembershipSeed, "post"),
    Kind(SubjectKind.key_task, "tasks", "key_tasks", KeyTask, TermItemSeed, "key task"),
    Kind(SubjectKind.solution, "solutions", "solutions", Solution, TermItemSeed, "solution"),
    Kind(
        SubjectKind.achievement,
        "achievements",
        "achievements",
        Achievement,
        TermItemSeed,
        "achievement",
    ),
    Kind(
        SubjectKind.limitation, "limitations", "limitations", Limitation, TermItemSeed, "limitation"
    ),
    Kind(SubjectKind.directive, "directives", "directives", Directive, DirectiveSeed, "directive"),
    Kind(SubjectKind.statistic, "statistics", "statistics", Statistic, StatisticSeed, "statistic"),
]
BY_SUBJECT = {kind.subject: kind for kind in KINDS}
BY_COLLECTION = {kind.collection: kind for kind in KINDS}
BY_SEED_LIST = {kind.seed_list: kind for kind in KINDS}
STAMPS = ("created_at", "updated_at", "revision")
