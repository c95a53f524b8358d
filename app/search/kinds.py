"""The kinds of record the search covers and the collection each one lives in."""

from enum import StrEnum


class SearchKind(StrEnum):
    """A kind of record; the values are those of citations' `subject_kind`."""

    term = "term"
    key_task = "key_task"
    solution = "solution"
    achievement = "achievement"
    limitation = "limitation"
    directive = "directive"
    statistic = "statistic"
    person = "person"
    organization = "organization"
    event = "event"
    document = "document"


COLLECTIONS: dict[SearchKind, str] = {
    SearchKind.term: "terms",
    SearchKind.key_task: "tasks",
    SearchKind.solution: "solutions",
    SearchKind.achievement: "achievements",
    SearchKind.limitation: "limitations",
    SearchKind.directive: "directives",
    SearchKind.statistic: "statistics",
    SearchKind.person: "people",
    SearchKind.organization: "organizations",
    SearchKind.event: "events",
    SearchKind.document: "documents",
}
