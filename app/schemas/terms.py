"""Public models of a term and of its one-call summary."""

from enum import StrEnum

from pydantic import BaseModel, Field

from app.models.base import Stamps
from app.models.statistics import StatisticCategory
from app.models.terms import TermBase
from app.schemas.common import Source
from app.schemas.documents import DocumentPublic, EventPublic
from app.schemas.items import (
    AchievementPublic,
    DirectivePublic,
    KeyTaskPublic,
    LimitationPublic,
    SolutionPublic,
)
from app.schemas.people import AreaPublic, OrganizationRef, PersonPublic
from app.schemas.statistics import StatisticPublic


class TermPublic(TermBase, Stamps):
    """A congress term (nhiệm kỳ) of an organization."""

    id: str = Field(examples=["bac-giang-2025-2030"])
    sources: list[Source]


class SummarySection(StrEnum):
    """Sections of the term summary that `include=` can ask for."""

    organization = "organization"
    area = "area"
    conference = "conference"
    key_tasks = "key_tasks"
    solutions = "solutions"
    achievements = "achievements"
    statistics = "statistics"
    limitations = "limitations"
    directives = "directives"
    people = "people"
    documents = "documents"


class StatisticGroup(BaseModel):
    category: StatisticCategory
    label: str = Field(
        description="Category name in the requested language.", examples=["Party membership"]
    )
    items: list[StatisticPublic]


class TermSummary(TermPublic):
    """The whole congress-term summary. Sections left out by `include=` are absent.

    `covers` lists the terms whose records are included: a planned term's summary also carries
    the review of the term before it, made at the same conference."""

    covers: list[str] = Field(examples=[["bac-giang-2025-2030", "bac-giang-2020-2025"]])
    organization: OrganizationRef | None = None
    area: AreaPublic | None = None
    conference: EventPublic | None = None
    key_tasks: list[KeyTaskPublic] | None = None
    solutions: list[SolutionPublic] | None = None
    achievements: list[AchievementPublic] | None = None
    statistics: list[StatisticGroup] | None = None
    limitations: list[LimitationPublic] | None = None
    directives: list[DirectivePublic] | None = None
    people: list[PersonPublic] | None = Field(
        default=None,
        description="The conference's chairs and the directives' issuers, with their posts.",
    )
    documents: list[DocumentPublic] | None = None
