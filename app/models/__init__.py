"""All tables, imported here so `SQLModel.metadata` is complete for Alembic."""

from app.models.base import SubjectKind
from app.models.documents import Citation, DatasetState, Document
from app.models.editing import ApiToken, Change, Operation, TokenScope
from app.models.items import Achievement, Directive, KeyTask, Limitation, Solution, TermItemBase
from app.models.people import Area, Membership, Organization, Person
from app.models.renditions import ANY_LANGUAGE, Rendition
from app.models.statistics import Qualifier, Statistic, StatisticCategory, Unit
from app.models.terms import Event, EventChair, Term, TermStatus

__all__ = [
    "ANY_LANGUAGE",
    "Achievement",
    "ApiToken",
    "Area",
    "Change",
    "Citation",
    "DatasetState",
    "Directive",
    "Document",
    "Event",
    "EventChair",
    "KeyTask",
    "Limitation",
    "Membership",
    "Operation",
    "Organization",
    "Person",
    "Qualifier",
    "Rendition",
    "Solution",
    "Statistic",
    "StatisticCategory",
    "SubjectKind",
    "Term",
    "TermItemBase",
    "TermStatus",
    "TokenScope",
    "Unit",
]
